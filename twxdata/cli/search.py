"""``twxdata search QUERY``: collect posts matching a query (recent, or the full archive).

Without ``--limit`` it collects every page, like twarc2. ``--raw`` appends each response as it
arrives; ``-o`` writes the posts table at the end (atomically).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from twxdata.cli.common import (
    RawArchive,
    add_connection_options,
    add_output_options,
    add_window_options,
    client_from_args,
    stderr_reporter,
)
from twxdata.cli.output import check_output_path, write_posts
from twxdata.fields import research_params

if TYPE_CHECKING:
    from twxdata.protocol.response import Page


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "search",
        help="collect posts matching a search query",
        description="Collect posts matching QUERY from search/recent (last 7 days) or, with "
        "--archive, search/all. Every field and expansion researchers need is requested.",
    )
    parser.add_argument("query", metavar="QUERY", help='search query, e.g. "climate lang:en"')
    parser.add_argument("--archive", action="store_true", help="full-archive search (search/all)")
    parser.add_argument(
        "--sort-order", choices=("recency", "relevancy"), help="order of results (API default)"
    )
    parser.add_argument(
        "--max-results", type=int, metavar="N", help="page size (default: the largest allowed)"
    )
    parser.add_argument(
        "--minimal-fields",
        action="store_true",
        help="ask only for the API's default fields (id, text) and no expansions",
    )
    add_window_options(parser)
    add_output_options(parser)
    add_connection_options(parser)
    parser.set_defaults(run=run)


def search_params(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {
        "query": args.query,
        "start_time": args.start_time,
        "end_time": args.end_time,
        "since_id": args.since_id,
        "until_id": args.until_id,
        "sort_order": args.sort_order,
        "max_results": args.max_results,
    }
    if not args.minimal_fields:
        params.update(research_params("tweets"))
        if args.archive and args.max_results is None:
            # search/all caps pages at 100 when context_annotations is requested.
            params["max_results"] = 100
    return params


def run(args: argparse.Namespace) -> int:
    endpoint = "search_all_tweets" if args.archive else "search_recent_tweets"
    params = search_params(args)
    if args.output is not None:
        check_output_path(args.output)
    client = client_from_args(args, on_event=stderr_reporter(args.quiet))
    # Validate everything (parameters, credentials) before any request or file is touched.
    request = client.prepare(endpoint, params=params)
    client.credentials.for_endpoint(request.endpoint)
    pages: list[Page] = []
    archive = RawArchive(args.raw)
    interrupted = False
    try:
        asyncio.run(_collect(client, endpoint, params, args, pages, archive))
    except KeyboardInterrupt:
        interrupted = True
    finally:
        archive.close()
    posts = sum(len(p.data) for p in pages)
    if args.output is not None and (pages or not interrupted):
        write_posts(pages, args.output)
    if not args.quiet:
        where = ", ".join(str(p) for p in (args.raw, args.output) if p is not None)
        print(
            f"twxdata search: {posts} posts in {len(pages)} pages"
            + (f" -> {where}" if where else "")
            + (" (interrupted)" if interrupted else ""),
            file=sys.stderr,
        )
    if interrupted:
        raise KeyboardInterrupt
    return 0


async def _collect(
    client: Any,
    endpoint: str,
    params: dict[str, Any],
    args: argparse.Namespace,
    pages: list[Page],
    archive: RawArchive,
) -> None:
    async with client:
        async for page in client.pages(
            endpoint, params=params, limit=args.limit, max_pages=args.max_pages
        ):
            archive.write(page)
            pages.append(page)
            if not args.quiet and sys.stderr.isatty():
                total = sum(len(p.data) for p in pages)
                print(
                    f"\rtwxdata search: {total} posts, {len(pages)} pages", end="", file=sys.stderr
                )
    if not args.quiet and sys.stderr.isatty():
        print(file=sys.stderr)
