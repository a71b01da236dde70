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
import sys
import warnings
from typing import Any

from twxdata.cli.common import (
    add_connection_options,
    add_output_options,
    add_window_options,
    client_from_args,
    positive_int,
    stderr_reporter,
)

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
            "targets", nargs="+", metavar=metavar,
            help="one or more (users as ids or @usernames)" if metavar == "USER" else None,
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
        add_output_options(parser)
        add_connection_options(parser)
        parser.set_defaults(run=run, kind=kind_name, verb_name=verb)


def run(args: argparse.Namespace) -> int:
    from twxdata.cli.output import check_output_path, write_collection

    if args.output is not None:
        check_output_path(args.output, directory_ok=True)
    if args.restart and args.raw is None:
        from twxdata.cli import UsageError

        raise UsageError("--restart needs --raw (the collection to start over)")
    options = _api_params(args)
    show = not args.quiet and sys.stderr.isatty()
    client = client_from_args(args, on_event=stderr_reporter(args.quiet or show))
    client.credentials.for_endpoint(_endpoint(args))  # credentials checked before anything
    from twxdata.collect.run import last_collection

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            collection = asyncio.run(_run(client, args, options, show))
        except KeyboardInterrupt:
            partial = last_collection()
            if args.output is not None and partial is not None and partial.pages:
                write_collection(partial, args.output)
            _report(args, partial, caught, interrupted=True)
            raise
    if args.output is not None:
        write_collection(collection, args.output)
    _report(args, collection, caught)
    return 0


async def _run(client: Any, args: argparse.Namespace, options: dict[str, Any], show: bool) -> Any:
    from twxdata.collect.run import collect

    async with client:
        return await collect(
            args.kind, args.targets, archive=getattr(args, "archive", False),
            fields="minimal" if getattr(args, "minimal_fields", False) else "research",
            limit=args.limit, max_pages=args.max_pages, raw=args.raw, restart=args.restart,
            client=client, progress=show, concurrency=args.concurrency, params=options,
        )  # fmt: skip


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

    kind = KINDS[args.kind]
    if getattr(args, "archive", False) and kind.archive_endpoint:
        return get_endpoint(kind.archive_endpoint)
    return get_endpoint(kind.endpoint)


def _report(args: argparse.Namespace, collection: Any, caught: list[Any], *,
            interrupted: bool = False) -> None:  # fmt: skip
    if args.quiet:
        return
    for warning in caught:
        print(f"twxdata {args.verb_name}: {warning.message}", file=sys.stderr)
    if collection is None:
        return
    where = ", ".join(str(p) for p in (args.raw, args.output) if p is not None)
    line = collection.summary() + (f" -> {where}" if where else "")
    if interrupted and args.raw:
        line += f"; run the same command again to resume from {args.raw}"
    print(f"twxdata {args.verb_name}: {line}", file=sys.stderr)
