"""``twxdata estimate VERB TARGETS... [options]`` and ``twxdata usage``.

``estimate`` takes any collecting verb with exactly its targets and options (put ``estimate``
in front of a collecting command) and prints what it would fetch and cost, per target and in
all, without collecting: the dollar range (low: only the posts or users in ``data`` charged;
high: the ``includes`` too), what the estimate itself cost (count requests, user lookups), the
time at the rate limits and the share of the monthly post cap. ``--json`` prints one JSON
object. Output options (``-o``, ``--raw``, ``--dataset``) are accepted and write nothing.

``usage`` prints the project's post reads this month against its cap, the days to the reset,
and the reads per day (and per client app, when X tells them), from ``GET /2/usage/tweets``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import date, datetime, timezone
from typing import Any

from twxdata.cli import UsageError, _in_option_words
from twxdata.cli.common import (
    add_connection_options,
    client_from_args,
    dollars,
    stderr_reporter,
)


def register(sub: Any) -> None:
    from twxdata.cli import collect

    parser = sub.add_parser(
        "estimate",
        help="what a collection would fetch and cost, before collecting",
        description="Estimate what a collecting command would fetch, how many requests and "
        "how long at the rate limits, and what X would charge, without collecting: put "
        "'estimate' in front of the command (twxdata estimate search 'q' --limit 1000).",
    )
    verbs = parser.add_subparsers(dest="estimated_verb", metavar="VERB")
    collect.register(verbs)  # every collecting verb, with exactly its options
    for verb, verb_parser in verbs.choices.items():
        verb_parser.description = (
            f"Estimate what `twxdata {verb}` would fetch and cost, without collecting. Takes "
            f"the options of `twxdata {verb}`; output options write nothing."
        )
        if "--json" not in verb_parser._option_string_actions:
            verb_parser.add_argument(
                "--json", action="store_true", help="print one JSON object instead of a table"
            )
        verb_parser.add_argument(
            "--max-estimate-cost", type=dollars, default=1.0, metavar="USD",
            help="what the estimate itself may spend on sizing (counts requests, user "
            "lookups) before it is refused (default $1.00; a year of archive search is $0.12)",
        )  # fmt: skip
        verb_parser.set_defaults(run=run_estimate, estimate_parser=parser)
    parser.set_defaults(run=_no_verb, estimate_parser=parser)

    usage = sub.add_parser(
        "usage",
        help="post reads this month against the cap, per day",
        description="Print the project's post reads this month against its monthly cap, the "
        "days to the reset, and the reads per day (and per client app), from X's usage API "
        "(GET /2/usage/tweets; app bearer token).",
    )
    usage.add_argument("--days", type=_days, default=7, metavar="N",
                       help="days of daily reads, 1 to 90 (7)")  # fmt: skip
    usage.add_argument("--json", action="store_true", help="print one JSON object")
    add_connection_options(usage)
    usage.set_defaults(run=run_usage)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError(f"must be from 1 to 90, got {value}")
    return value


def _no_verb(args: argparse.Namespace) -> int:
    args.estimate_parser.print_help()
    return 2


def run_estimate(args: argparse.Namespace) -> int:
    from twxdata.cli.collect import _api_params
    from twxdata.cli.targets import gather_targets
    from twxdata.collect.estimate import estimate
    from twxdata.errors import ParameterError

    args.targets = gather_targets(
        args.targets, args.targets_file, queries=args.metavar == "QUERY", metavar=args.metavar
    )
    options = _api_params(args)
    client = client_from_args(
        args,
        on_event=stderr_reporter(args.quiet),
        max_query_length=getattr(args, "max_query_length", None),
    )

    async def go() -> Any:
        async with client:
            return await estimate(
                args.kind, args.targets, archive=getattr(args, "archive", False),
                fields="minimal" if getattr(args, "minimal_fields", False) else "research",
                limit=args.limit, max_pages=args.max_pages, raw=args.raw,
                restart=args.restart, client=client, progress=False,
                concurrency=args.concurrency, max_cost=getattr(args, "max_cost", None),
                max_estimate_cost=args.max_estimate_cost,
                **options,
            )  # fmt: skip

    try:
        result = asyncio.run(go())
    except ParameterError as exc:  # found before any request: in the verb's option words
        raise UsageError(_in_option_words(args.estimate_parser, args.verb_name, exc)) from None
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, sort_keys=True, default=str))
    else:
        print(result.report())
    return 0


def run_usage(args: argparse.Namespace) -> int:
    from twxdata.collect.usage import read_usage

    client = client_from_args(args)

    async def go() -> Any:
        async with client:
            return await read_usage(args.days, client=client)

    usage = asyncio.run(go())
    today = datetime.now(timezone.utc).date()
    if args.json:
        print(json.dumps(usage.as_dict(today), indent=2, sort_keys=True))
    else:
        print(render_usage(usage, today, args.days))
    return 0


def render_usage(usage: Any, today: date, days: int) -> str:
    """The usage report as text."""
    lines = []
    if usage.project_usage is not None:
        cap = usage.project_cap
        of = f" of {cap:,} ({usage.share_of_cap * 100:.1f}%); {usage.left:,} left" if cap else ""
        lines.append(f"post reads this month: {usage.project_usage:,}{of}")
    else:
        lines.append("post reads this month: not given")
    reset = usage.next_reset(today)
    if reset is not None:
        n = (reset - today).days
        lines.append(
            f"the cap resets on day {usage.cap_reset_day} of the month: {reset.isoformat()}, "
            f"in {n} day{'' if n == 1 else 's'} (cap_reset_day read as a day of the month; "
            "X's schema calls it the days left)"
        )
    elif usage.cap_reset_day is not None:
        lines.append(f"cap_reset_day: {usage.cap_reset_day}")
    if usage.project_id:
        lines.append(f"project {usage.project_id}")
    lines.append("")
    lines.append(f"post reads per day (last {'day' if days == 1 else f'{days} days'}, UTC):")
    if not usage.daily:
        lines.append("  none reported")
    width = max([len(f"{n:,}") for _, n in usage.daily] or [1])
    lines += [f"  {d}  {n:>{width},}" for d, n in usage.daily]
    apps = sorted({a for a, _, _ in usage.apps})
    if apps:
        lines.append("")
        lines.append("per client app:")
        for app in apps:
            reads = [(d, n) for a, d, n in usage.apps if a == app]
            total = sum(n for _, n in reads)
            lines.append(f"  app {app}: {total:,} over {len(reads)} days")
            lines += [f"    {d}  {n:>{width},}" for d, n in reads]
    return "\n".join(lines)
