"""``twxdata stream rules list|add|delete|sync``: the filtered stream's rules
(``twxdata stream`` itself collects the stream: ``cli.live``).

Every change is checked by X first (a dry run: free, changes nothing); a rule X refuses is
named with X's reason, exit status 2, and nothing is changed. ``sync FILE`` makes the app's
rules equal to FILE, printing the difference first (``--dry-run``: only that). FILE is what
``rules list --json`` prints (a JSON list of ``{"value", "tag"}``), JSON lines of those, or
plain text: a rule per line (untagged), a line beginning with "# " (hash, space) a comment.

Exit status: 0 done, 1 API or network failure, 2 a bad rule, file or option.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError, live
from twxdata.cli.common import add_connection_options, client_from_args


def register(sub: Any) -> None:
    stream = sub.add_parser(
        "stream",
        help="collect the filtered stream live; manage its rules (stream rules ...)",
        description=live.__doc__.split("\n\n")[1].replace("``", ""),
    )
    live.add_collect_options(stream)
    verbs = stream.add_subparsers(dest="stream_verb", metavar="rules")
    rules = verbs.add_parser(
        "rules", help="list, add, delete or sync the stream's rules",
        description=__doc__.split("\n\n")[1].replace("``", ""),
    )  # fmt: skip
    what = rules.add_subparsers(dest="rules_verb", metavar="ACTION")

    listing = what.add_parser("list", help="the app's rules")
    listing.add_argument("--json", action="store_true", help="print a JSON list (sync reads it)")
    add_connection_options(listing)
    listing.set_defaults(run=run_list)

    add = what.add_parser("add", help="add rules (checked by X first)")
    add.add_argument(
        "values", nargs="+", metavar="RULE", help='a filter query, e.g. "climate lang:en"'
    )
    add.add_argument("--tag", help="a label for the rules (matched posts carry it)")
    add.add_argument("--dry-run", action="store_true", help="only check them with X")
    add_connection_options(add)
    add.set_defaults(run=run_add)

    delete = what.add_parser("delete", help="delete rules by id, or --all")
    delete.add_argument("ids", nargs="*", metavar="ID", help="rule ids (from rules list)")
    delete.add_argument("--all", action="store_true", help="every rule of the app")
    delete.add_argument("--dry-run", action="store_true", help="only say what would go")
    add_connection_options(delete)
    delete.set_defaults(run=run_delete)

    sync = what.add_parser("sync", help="make the app's rules equal to FILE")
    sync.add_argument("file", type=Path, metavar="FILE", help="JSON, JSON lines or text")
    sync.add_argument("--dry-run", action="store_true", help="only print the difference")
    add_connection_options(sync)
    sync.set_defaults(run=run_sync)

    stream.set_defaults(run=live.run_collect)
    rules.set_defaults(run=_missing(rules), label="stream rules")  # messages name the verb


def _missing(parser: argparse.ArgumentParser) -> Any:
    def run(args: argparse.Namespace) -> int:
        parser.print_usage(sys.stderr)
        return 2

    return run


def _call(args: argparse.Namespace, make: Any) -> Any:
    """Run ``make(client)`` with the command's client, refusals as one usage line."""
    from twxdata.collect.rules import RulesRefused

    client = client_from_args(args)

    async def go() -> Any:
        async with client:
            return await make(client)

    try:
        return asyncio.run(go())
    except RulesRefused as exc:
        raise UsageError(str(exc)) from None


def run_list(args: argparse.Namespace) -> int:
    from twxdata.collect.rules import stream_rules

    rules = _call(args, lambda client: stream_rules(client=client))
    if args.json:
        print(json.dumps([r.as_json() for r in rules], indent=2))
        return 0
    for rule in rules:
        print(f"{rule.id}\t{rule.value}" + (f"\t{rule.tag}" if rule.tag is not None else ""))
    print(f"twxdata stream rules: {len(rules)} rule{'s' * (len(rules) != 1)}", file=sys.stderr)
    return 0


def run_add(args: argparse.Namespace) -> int:
    from twxdata.collect.rules import add_stream_rules, stream_rules
    from twxdata.protocol.rules import to_rules

    asked = to_rules(args.values, tag=args.tag, parameter="RULE")  # before any request

    async def add(client: Any) -> Any:
        held = {r.value: r for r in await stream_rules(client=client)}
        added = await add_stream_rules(asked, dry_run=args.dry_run, client=client)
        return held, added

    held, added = _call(args, add)
    for rule in added:
        print(f"{rule.id or '(new)'}\t{rule.value}" + (f"\t{rule.tag}" if rule.tag else ""))
    for rule in asked:
        old = held.get(rule.value)
        if old is not None and old.tag != rule.tag:
            was = f"tagged {old.tag!r}" if old.tag else "untagged"
            print(f"twxdata stream rules: warning: {rule.value!r} is already a rule, {was}; "
                  "X keeps one rule a value (sync replaces it)", file=sys.stderr)  # fmt: skip
    there = sum(1 for r in asked if r.value in held)
    done = "would add" if args.dry_run else "added"
    note = f"; {there} already there" if there else ""
    print(f"twxdata stream rules: {done} {len(added)}{note}", file=sys.stderr)
    return 0


def run_delete(args: argparse.Namespace) -> int:
    from twxdata.collect.rules import delete_stream_rules, stream_rules

    if args.all == bool(args.ids):
        raise UsageError("give rule ids (from `twxdata stream rules list`), or --all")
    bad = [i for i in args.ids if not (i.isascii() and i.isdigit()) or len(i) > 19]
    if bad:
        raise UsageError(f"ID {bad[0]!r}: rule ids are numbers (from `twxdata stream rules list`)")
    ids = None if args.all else args.ids

    async def delete(client: Any) -> Any:
        held = {r.id for r in await stream_rules(client=client)}
        count = await delete_stream_rules(ids, all=args.all, dry_run=args.dry_run, client=client)
        return held, count

    held, count = _call(args, delete)
    unknown = [i for i in args.ids if i not in held]
    if unknown:
        print(f"twxdata stream rules: warning: no rule {', '.join(unknown)} (already deleted, "
              "or another app's)", file=sys.stderr)  # fmt: skip
    done = "would delete" if args.dry_run else "deleted"
    print(f"twxdata stream rules: {done} {count}", file=sys.stderr)
    return 0


def run_sync(args: argparse.Namespace) -> int:
    from twxdata.collect.rules import sync_stream_rules

    wanted = read_rules_file(args.file)

    async def both(client: Any) -> Any:  # the difference, shown before anything changes
        plan = await sync_stream_rules(wanted, dry_run=True, client=client)
        for line in plan.lines():
            print(line)
        if args.dry_run or not plan.changes:
            return plan
        return await sync_stream_rules(wanted, client=client)

    plan = _call(args, both)
    if args.dry_run:
        summary = f"would add {len(plan.add)}, delete {len(plan.delete)}"
    else:
        summary = f"added {len(plan.add)}, deleted {len(plan.delete)}"
    print(f"twxdata stream rules: {summary}, kept {len(plan.kept)}", file=sys.stderr)
    return 0


def read_rules_file(path: Path) -> list[Any]:
    """The rules in FILE: a JSON list (as ``list --json`` prints it), JSON lines, or a rule
    per text line (a line whose first characters are ``# `` is a comment)."""
    from twxdata.protocol.rules import to_rules

    if path.is_dir():
        raise UsageError(f"FILE {path}: is a folder; give a file of rules")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte order mark is not a rule
    except FileNotFoundError:
        raise UsageError(f"FILE {path}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"FILE {path}: not text (UTF-8)") from None
    except OSError as exc:
        raise UsageError(f"FILE {path}: cannot read it ({exc.strerror})") from None
    if "\x00" in text:
        raise UsageError(f"FILE {path}: not text (it holds NUL bytes)")
    stripped = text.strip()
    items: list[Any]
    if stripped[:1] in ("[", "{"):
        try:
            whole = json.loads(stripped)
        except json.JSONDecodeError:
            whole = None
        if isinstance(whole, list):
            items = whole
        elif isinstance(whole, dict):
            items = [whole] if "value" in whole else _not_rules(path)
        elif stripped[:1] == "{":
            items = []
            for number, line in enumerate(text.splitlines(), 1):
                try:
                    items += [json.loads(line)] if line.strip() else []
                except json.JSONDecodeError as exc:
                    raise UsageError(
                        f"FILE {path}: line {number} is not JSON ({exc.msg}): "
                        "give a JSON list, JSON lines or a rule a line"
                    ) from None
        else:
            raise UsageError(f"FILE {path}: begins like a JSON list but is not valid JSON")
    else:
        items = [line.strip() for line in text.splitlines()
                 if line.strip() and not _comment(line)]  # fmt: skip
        odd = [line for line in items if line[:1] in ("[", "]", "{", "}")]
        if odd:
            raise UsageError(f"FILE {path}: the line {odd[0][:60]!r} looks like JSON, but the "
                             "file is not valid JSON")  # fmt: skip
    if not items:
        raise UsageError(f"FILE {path}: holds no rule (an empty file would delete them all; "
                         "use `twxdata stream rules delete --all` for that)")  # fmt: skip
    return to_rules(items, parameter=f"FILE {path}")


def _comment(line: str) -> bool:
    text = line.strip()
    return text == "#" or text.startswith("# ")


def _not_rules(path: Path) -> list[Any]:
    raise UsageError(f"FILE {path}: a JSON object, not a list of rules (what `twxdata stream "
                     "rules list --json` prints)")  # fmt: skip
