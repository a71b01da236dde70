"""The collecting verbs: one per kind of collection, built from ``twxdata.collect.kinds``.

``twxdata search``, ``counts``, ``timeline``, ``mentions``, ``followers``, ``following``,
``liking-users``, ``liked-tweets``, ``retweeters``, ``quotes``, ``list-tweets``,
``list-members``, ``tweets``, ``users``: each takes one or more targets and the same options.
Without ``--limit`` every page is collected. ``--raw`` appends every response as it arrives,
with a checkpoint beside it: running the same command again resumes where it stopped
(``--restart`` starts over, keeping the old files). ``-o`` writes the main table (``.parquet``
or ``.csv``) or, given a directory, every table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError, closed_stdout, explained
from twxdata.cli.common import (
    add_connection_options,
    add_output_options,
    add_window_options,
    client_from_args,
    dollars,
    positive_int,
    stderr_reporter,
)
from twxdata.cli.output import remove_spool, spool_for, write_collection, write_dataset
from twxdata.cli.paths import Output
from twxdata.cli.process import tuned
from twxdata.pricing import usd_text

# verb -> (kind, help, metavar of the targets)
VERBS: dict[str, tuple[str, str, str]] = {
    "search": ("search", "posts matching search queries", "QUERY"),
    "counts": ("counts", "how many posts match, per minute, hour or day", "QUERY"),
    "timeline": ("timeline", "posts by users", "USER"),
    "mentions": ("mentions", "posts mentioning users", "USER"),
    "followers": ("followers", "followers of users (one row per edge)", "USER"),
    "following": ("following", "accounts users follow (one row per edge)", "USER"),
    "liking-users": ("liking_users", "users who liked posts", "POST_ID"),
    "liked-tweets": ("liked_tweets", "posts users liked", "USER"),
    "retweeters": ("retweeters", "users who reposted posts", "POST_ID"),
    "quotes": ("quote_tweets", "posts quoting posts", "POST_ID"),
    "list-tweets": ("list_tweets", "posts of lists", "LIST_ID"),
    "list-members": ("list_members", "members of lists", "LIST_ID"),
    "tweets": ("tweets", "posts by id (batches of 100)", "POST_ID"),
    "users": ("users", "users by id or @username (batches of 100)", "USER"),
}


def register(sub: Any) -> None:
    from twxdata.collect.kinds import KINDS

    for verb, (kind_name, summary, metavar) in VERBS.items():
        kind = KINDS[kind_name]
        parser = sub.add_parser(verb, help=summary, description=f"Collect {summary}.")
        parser.add_argument(
            "targets", nargs="*", metavar=metavar,
            help="one or more (users as ids or @usernames)" if metavar == "USER" else None,
        )  # fmt: skip
        parser.add_argument(
            "--targets-file", action="append", metavar="FILE",
            help=f"read more {metavar}s from FILE, one a line (- for standard input; "
            + ("a line starting '# ' is a comment)" if metavar == "QUERY" else "# comments)"),
        )  # fmt: skip
        if kind.archive_endpoint:
            parser.add_argument(
                "--archive", action="store_true", help="full-archive endpoint (all time)"
            )
        if kind_name == "counts":
            parser.add_argument("--granularity", choices=("minute", "hour", "day"),
                                default="day", help="bucket size (day)")  # fmt: skip
        if kind_name == "search":
            parser.add_argument("--sort-order", choices=("recency", "relevancy"))
        if kind.target == "query":
            parser.add_argument("--max-query-length", type=positive_int, metavar="N",
                                help="longest query your access level takes (default: 512 "
                                "recent, 1024 archive; Pro and Enterprise: 4096)")  # fmt: skip
        if kind_name in ("timeline", "quote_tweets"):
            parser.add_argument("--exclude", action="append", choices=("replies", "retweets"),
                                help="leave out replies or retweets (repeatable)")  # fmt: skip
        if kind.time_window:
            add_window_options(parser)
        else:
            group = parser.add_argument_group("window")
            group.add_argument("--limit", type=positive_int, metavar="N",
                               help="stop after N items per target")  # fmt: skip
            group.add_argument("--max-pages", type=positive_int, metavar="N",
                               help="stop after N pages per target")  # fmt: skip
        if kind.result != "counts":
            parser.add_argument("--max-results", type=positive_int, metavar="N",
                                help="page size (default: the largest allowed)")  # fmt: skip
            parser.add_argument("--minimal-fields", action="store_true",
                                help="only the API's default fields, no expansions")  # fmt: skip
        parser.add_argument("--concurrency", type=positive_int, default=4, metavar="N",
                            help="targets collected at once (4)")  # fmt: skip
        parser.add_argument("--max-cost", type=dollars, metavar="USD",
                            help="the most this collection may be charged, over all its runs "
                            "(X's pay-per-use prices); it stops cleanly there, and the same "
                            "command with a higher cap continues")  # fmt: skip
        parser.add_argument("-y", "--yes", action="store_true",
                            help="never ask before collecting (an interactive run estimated "
                            "above `twxdata configure --confirm-above` asks first)")  # fmt: skip
        add_output_options(parser)
        add_connection_options(parser)
        parser.set_defaults(run=run, kind=kind_name, verb_name=verb, metavar=metavar)


def run(args: argparse.Namespace) -> int:
    from twxdata.cli.paths import check_distinct, check_output
    from twxdata.cli.replacing import check_replacing
    from twxdata.cli.targets import gather_targets
    from twxdata.collect.plan import collection_spec

    args.targets = gather_targets(
        args.targets, args.targets_file, queries=args.metavar == "QUERY", metavar=args.metavar
    )
    outputs = Outputs(
        table=check_output(args.output, "-o", directory_ok=True) if args.output else None,
        dataset=(
            check_output(args.dataset, "--dataset", directory_ok=True, suffixes=())
            if args.dataset
            else None
        ),
        raw=check_output(args.raw, "--raw", suffixes=None) if args.raw is not None else None,
    )
    if outputs.dataset is not None and outputs.dataset.kind != "directory":
        raise UsageError(f"--dataset {args.dataset}: name a folder")
    check_distinct(outputs.table, outputs.dataset, outputs.raw)
    if args.restart and outputs.raw is None:
        raise UsageError("--restart needs --raw (the collection to start over)")
    options = _api_params(args)
    show = not args.quiet and sys.stderr.isatty()
    client = client_from_args(
        args,
        on_event=stderr_reporter(args.quiet or show),
        max_query_length=getattr(args, "max_query_length", None),
    )
    client.credentials.for_endpoint(_endpoint(args))  # credentials checked before anything
    if outputs.raw is None and (outputs.table or outputs.dataset):
        target = outputs.table or outputs.dataset
        assert target is not None
        folder = target.path if target.kind == "directory" else target.path.parent
        # Named after what is collected: the same command after an interruption (or a failed
        # final write) finds it and resumes, as it would with --raw.
        outputs.spool = spool_for(args.verb_name, _collection_key(args, options, client), folder)
    if outputs.table is not None:
        spec = collection_spec(
            args.kind, args.targets, archive=getattr(args, "archive", False),
            fields=_fields(args), limit=args.limit, max_pages=args.max_pages, params=options,
        )  # fmt: skip
        outputs.stale = check_replacing(outputs.table, spec, outputs.archive, replace=args.replace)
    return _collect_and_write(client, args, options, outputs, show)


@dataclass
class Outputs:
    """What a run writes. ``spool`` keeps the responses when there is no ``--raw``; ``stale``
    are an earlier collection's tables in the ``-o`` folder, removed once this one's are
    written (``--replace``)."""

    table: Output | None
    dataset: Output | None
    raw: Output | None
    spool: Path | None = None
    stale: list[Path] = field(default_factory=list)

    @property
    def archive(self) -> Path | None:
        return self.raw.path if self.raw is not None else self.spool

    @property
    def to_stdout(self) -> bool:
        return self.table is None and self.dataset is None and self.raw is None


def _collect_and_write(
    client: Any, args: argparse.Namespace, options: dict[str, Any], outputs: Outputs, show: bool
) -> int:
    from twxdata.cli.confirm import Declined
    from twxdata.collect.call import last_collection
    from twxdata.errors import AuthError, ParameterError, TwxError
    from twxdata.store.checkpoint import ResumeError

    say = _Say(args)
    echo = sys.stdout.buffer if outputs.to_stdout else None
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = say.warning  # as they happen (a resume is told before waits)
        try:
            with tuned():  # the command's own process (cli.process)
                collection = asyncio.run(_run(client, args, options, outputs.archive, echo, show))
        except ResumeError as exc:
            raise UsageError(str(exc)) from None
        except Declined as exc:
            say.line(str(exc), always=True)  # the user's answer, not an error
            return 1
        except KeyboardInterrupt:
            say.stopped(last_collection(), outputs, "interrupted")
            raise
        except BrokenPipeError:
            return closed_stdout()
        except (ParameterError, AuthError):
            raise  # found before any request: a usage error (exit status 2)
        except (TwxError, OSError, CapReached) as exc:
            if args.debug:
                raise
            say.error(explained(exc, resumes=True))
            say.stopped(last_collection(), outputs, "stopped")
            return 1
    failed = collection.failed_streams()
    say.stream_errors(collection, failed)
    nothing = collection.items == 0 and bool(failed)
    written: list[str] = []
    for output, write in ((outputs.table, write_collection), (outputs.dataset, write_dataset)):
        if output is None or nothing:
            continue
        try:
            made = write(collection, output)
        except OSError as exc:
            say.error(f"could not write {output}: {exc.strerror or exc}")
            say.kept(collection, outputs)
            return 1
        written.append(str(output.path))
        if output is outputs.table:
            for path in set(outputs.stale) - set(made):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()  # the replaced collection's other tables
    if outputs.spool is not None and not collection.capped:
        # Capped: the spool stays, so the same command with a higher cap resumes from it.
        remove_spool(outputs.spool)
    if outputs.raw is not None and collection.pages:
        written.insert(0, str(outputs.raw.path))
    say.summary(collection, written, outputs, nothing, failed)
    if collection.capped and outputs.spool is not None:
        say.kept(collection, outputs)
    return 1 if failed else 0


async def _run(
    client: Any,
    args: argparse.Namespace,
    options: dict[str, Any],
    raw: Path | None,
    echo: Any,
    show: bool,
) -> Any:
    from twxdata.cli.confirm import confirm
    from twxdata.collect.call import collect
    from twxdata.errors import TooManyRequests

    async with client:
        await confirm(client, args, options, _endpoint(args))
        try:
            return await collect(
                args.kind, args.targets, archive=getattr(args, "archive", False),
                fields=_fields(args),
                limit=args.limit, max_pages=args.max_pages, raw=raw, restart=args.restart,
                client=client, progress=show, concurrency=args.concurrency, params=options,
                echo=echo, max_cost=args.max_cost,
            )  # fmt: skip
        except TooManyRequests as exc:
            if not exc.usage_capped:
                raise
            resets = await _when_the_cap_resets(client)
            if resets is None:
                raise  # said without the date (cli.explained)
            raise CapReached(resets) from exc


class CapReached(Exception):
    """The monthly post cap stopped the run; the message says when it resets."""


async def _when_the_cap_resets(client: Any) -> str | None:
    """The monthly cap's message with its reset date, when the usage endpoint (free, app
    token) tells it."""
    from datetime import datetime, timezone

    from twxdata.collect.usage import read_usage
    from twxdata.errors import TwxError

    try:
        usage = await asyncio.wait_for(read_usage(1, client=client), 15)
    except (TwxError, OSError, asyncio.TimeoutError):
        return None
    today = datetime.fromtimestamp(client.server_now(), timezone.utc).date()
    reset = usage.next_reset(today)
    if reset is None:
        return None
    days = (reset - today).days
    read = "" if usage.project_usage is None else f" ({usage.project_usage:,} posts read)"
    return (
        f"the monthly post cap is reached (429 usage-capped){read}: it resets on "
        f"{reset.isoformat()}, in {days} {'day' if days == 1 else 'days'}; the same command "
        "continues then"
    )


def _fields(args: argparse.Namespace) -> str:
    return "minimal" if getattr(args, "minimal_fields", False) else "research"


def _api_params(args: argparse.Namespace) -> dict[str, Any]:
    names = ("start_time", "end_time", "since_id", "until_id", "sort_order", "granularity",
             "max_results")  # fmt: skip
    params = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    if getattr(args, "exclude", None):
        params["exclude"] = sorted(set(args.exclude))
    return params


def _endpoint(args: argparse.Namespace) -> Any:
    from twxdata.collect.kinds import KINDS
    from twxdata.endpoints import get_endpoint

    return get_endpoint(KINDS[args.kind].endpoint_for(getattr(args, "archive", False)))


class _Say:
    """The run's messages on standard error, one line each, in the command's own words."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.prefix = f"twxdata {args.verb_name}"

    def line(self, text: str, *, always: bool = False) -> None:
        if always or not self.args.quiet:
            print(f"{self.prefix}: {text}", file=sys.stderr)

    def error(self, problem: object) -> None:
        self.line(f"error: {problem}", always=True)

    def warning(self, message: Any, category: type[Warning], *_: Any, **__: Any) -> None:
        """``warnings.showwarning`` for the run: the library's warnings, in the command's words."""
        from twxdata.collect.call import CostCapReached, PartialErrors

        if issubclass(category, (PartialErrors, CostCapReached)):
            return  # said in the command's own words by summary() and stream_errors()
        if issubclass(category, RuntimeWarning) and "interrupted" in str(message):
            return  # said by stopped()
        self.line(str(message))

    def stream_errors(self, collection: Any, failed: dict[str, str]) -> None:
        for key, problem in failed.items():
            self.line(f"{_target_name(self.args, collection, key)}: {problem}", always=True)

    def kept(self, collection: Any, outputs: Outputs) -> None:
        archive = outputs.archive
        if archive is None or collection is None or not collection.pages:
            return
        self.line(
            f"the responses are kept in {archive}: run the same command again to continue "
            f"(or make a table of them now: `twxdata flatten {archive} -o OUT.parquet`)",
            always=True,
        )

    def stopped(self, collection: Any, outputs: Outputs, how: str) -> None:
        if collection is None or (not collection.pages and how != "interrupted"):
            return
        noun = _NOUNS[collection.kind.result]
        unwritten = [str(o) for o in (outputs.table, outputs.dataset) if o is not None]
        tail = f"; nothing written to {', '.join(unwritten)}" if unwritten else ""
        meter = collection.meter
        cost = (f" (cost {usd_text(meter.low.usd)})"
                if meter is not None and meter.low.requests else "")  # fmt: skip
        self.line(f"{how} after {collection.items:,} {noun} in "
                  f"{_count(collection.pages, 'page')}{cost}{tail}", always=True)  # fmt: skip
        self.kept(collection, outputs)

    def summary(
        self,
        collection: Any,
        written: list[str],
        outputs: Outputs,
        nothing: bool,
        failed: dict[str, str],
    ) -> None:
        noun = _NOUNS[collection.kind.result]
        streams = len(collection.streams)
        parts = [f"{collection.items:,} {noun} in {_count(collection.pages, 'page')}"
                 + (f" over {streams} targets" if streams > 1 else "")]  # fmt: skip
        errors = collection.partial_errors()
        if errors:
            listed = ", ".join(f"{n} {t}" for t, n in errors.most_common())
            parts.append(
                f"{_count(sum(errors.values()), 'partial error')} ({listed})"
                + _where_errors(outputs, written=not nothing)
            )
        if failed:
            parts.append(f"{len(failed)} of {_count(streams, 'target')} failed")
        if collection.resumed_pages:
            parts.append(f"{_count(collection.resumed_pages, 'page')} from an earlier run")
        meter = collection.meter
        if meter is not None and meter.low.requests:
            low, high = meter.low.usd, meter.high.usd
            parts.append(f"cost {usd_text(low)}" + (f" ({usd_text(high)} if includes are charged)"
                                                  if high > low + 0.005 else ""))  # fmt: skip
            if meter.spent_before:
                parts.append(f"{usd_text(meter.spent_total)} over all runs of this collection")
        if collection.capped and meter is not None and meter.cap is not None:
            counted = ""
            if meter.cap.spent > meter.spent_total + 0.005:
                # The cap trusts only this run's same-day repeats to be free (collect.meter).
                counted = (f", counted as {usd_text(meter.cap.spent)}: what was read earlier today "
                           "may be free on X, but the cap counts it in full")  # fmt: skip
            then = (
                "the same command with a higher cap continues"
                if outputs.archive is not None
                else "nothing kept to continue from: with --raw FILE, or -o, a higher cap "
                "continues instead of reading everything again"
            )
            counts = (
                "the cap counts requests" if meter.per_request
                else f"the cap counts the {noun} in data, not includes"
            )  # fmt: skip
            parts.append(f"stopped at the --max-cost of {usd_text(meter.cap.limit)}{counted} "
                         f"({then}; {counts})")  # fmt: skip
        if nothing:
            parts.append("nothing collected, no table written")
        where = f" -> {', '.join(written)}" if written else ""
        self.line("; ".join(parts) + where, always=bool(failed) or collection.capped)


_NOUNS = {"tweets": "posts", "users": "users", "counts": "count buckets"}


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _where_errors(outputs: Outputs, *, written: bool) -> str:
    if not written:
        pass  # no table was written: only the archive holds them
    elif outputs.table is not None and outputs.table.kind == "directory":
        return f" in {outputs.table.path / 'errors.parquet'}"
    elif outputs.dataset is not None:
        return f" in {outputs.dataset.path / 'errors'}"
    if outputs.raw is not None:
        return f" (`twxdata flatten {outputs.raw.path} --table errors -o errors.csv`)"
    return ""


def _collection_key(args: argparse.Namespace, options: dict[str, Any], client: Any) -> str:
    """What makes two runs the same collection (not where its tables go)."""
    import hashlib
    import json

    what = {
        "verb": args.verb_name, "targets": args.targets, "options": options,
        "archive": getattr(args, "archive", False), "limit": args.limit,
        "max_pages": args.max_pages, "minimal": getattr(args, "minimal_fields", False),
        "api_base": client.api_base,
    }  # fmt: skip
    text = json.dumps(what, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _target_name(args: argparse.Namespace, collection: Any, key: str) -> str:
    """A stream's key as the user knows it: the query, or the user as given, with the id."""
    if args.metavar == "QUERY":
        return f"query {key!r}"
    label = {"USER": "user", "POST_ID": "post", "LIST_ID": "list"}.get(args.metavar, "target")
    if key.startswith("batch "):
        return key
    given = collection.target_names.get(key)
    return f"{label} {given} ({key})" if given and given != key else f"{label} {key}"
