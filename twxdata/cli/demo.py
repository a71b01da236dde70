"""``twxdata demo``: the whole pipeline offline, in a few seconds, with no credentials.

Starts the fake X API on a free loopback port, collects a search through the real client
(retries, throttling and all), writes the raw archive and the posts table in the current folder,
and prints what was collected.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twxdata.cli.common import positive_int

if TYPE_CHECKING:
    import pyarrow as pa

    from twxdata.protocol.response import Page


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo",
        help="run a search against a built-in fake X API (offline, no credentials)",
        description="Start the fake X API on this machine, collect a search through the real "
        "client, and write the raw archive and the posts table here. Needs no network and "
        "no credentials; the data are synthetic.",
    )
    parser.add_argument(
        "--query", default="climate OR python OR data", help="search query (%(default)s)"
    )
    parser.add_argument("--limit", type=positive_int, default=2000, help="posts (%(default)s)")
    parser.add_argument("--size", type=positive_int, default=50_000, help="fake corpus size")
    parser.add_argument("--seed", type=int, default=0, help="fake corpus seed (%(default)s)")
    parser.add_argument(
        "--end",
        metavar="TIME",
        help="freeze the fake API's clock at this time (default: now), for reproducible data",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("."), metavar="DIR", help="where to write (.)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from twxdata.cli import UsageError

    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: not a directory")
    args.out.mkdir(parents=True, exist_ok=True)
    raw = args.out / "twxdata-demo.jsonl"
    parquet = args.out / "twxdata-demo.parquet"
    pages, billed = asyncio.run(_collect(args, raw))
    import orjson

    from twxdata.store.provenance import ProvenanceBuilder, source_record, with_provenance
    from twxdata.tables import flatten, write_table

    tables = flatten(pages)
    # The table says what it holds and where from, as every table twxdata writes does.
    provenance = ProvenanceBuilder()
    for page in pages:
        provenance.add(orjson.loads(page.archive_line()))
    provenance.sources = [source_record(raw)]
    built = provenance.build(table="tweets", rows=tables.tweets.num_rows)
    write_table(with_provenance(tables.tweets, built), parquet)
    print(summary(tables.tweets, tables.edges_hashtags, pages, raw, parquet))
    print(cost_line(pages, billed))
    return 0


async def _collect(args: argparse.Namespace, raw: Path) -> tuple[list[Page], float]:
    from twxdata.atomic import atomic_path
    from twxdata.client import Client
    from twxdata.fields import research_params
    from twxdata.testing import FakeXApi

    pages: list[Page] = []
    end = None
    if args.end:
        from twxdata.protocol.timefmt import to_utc

        end = to_utc(args.end, parameter="--end", now=datetime.now(timezone.utc))
    async with FakeXApi(seed=args.seed, size=args.size, end=end) as api:
        print(f"fake X API on {api.url} ({args.size:,} synthetic posts)", file=sys.stderr)
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            # A demo rerun replaces its archive whole; a local write per page is short enough
            # to do on the loop thread.
            with atomic_path(raw) as tmp, open(tmp, "wb") as archive:  # noqa: ASYNC230
                async for page in client.pages(
                    "search_recent_tweets",
                    params={"query": args.query, **research_params()},
                    limit=args.limit,
                ):
                    archive.write(page.archive_line())
                    pages.append(page)
        billed = api.billing.spent  # what the fake charged, as X would (data only)
    return pages, billed


def cost_line(pages: list[Page], billed: float) -> str:
    """What the collection would have cost on X: the fake API bills as X does."""
    from twxdata.endpoints import ENDPOINTS
    from twxdata.pricing import PRICES, Ledger, charge

    seen = Ledger("")  # an author on many pages is charged once a day, if at all
    high = sum(
        charge(ENDPOINTS[p.endpoint], p.body, PRICES, seen=seen).high.usd for p in pages
    )  # the includes charged too: X does not say plainly whether they are
    posts = sum(len(p.data) for p in pages)
    return (
        f"on X this would have cost ${billed:,.2f} ({posts:,} posts at ${PRICES.post:g}; "
        f"${high:,.2f} if the includes are charged too); `twxdata estimate search QUERY` "
        "tells before collecting"
    )


def summary(
    tweets: pa.Table, hashtags: pa.Table, pages: list[Page], raw: Path, parquet: Path
) -> str:
    """A few lines a person can read: rows, time span, top hashtags and authors."""
    import pyarrow.compute as pc

    lines = [f"{tweets.num_rows:,} posts from {len(pages)} pages"]
    if tweets.num_rows:
        created = tweets.column("created_at")
        first, last = pc.min(created).as_py(), pc.max(created).as_py()
        lines.append(f"time span: {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC")
        tags = Counter(str(t).lower() for t in hashtags.column("tag").to_pylist() if t)
        if tags:
            lines.append(
                "top hashtags: " + ", ".join(f"#{t} ({n})" for t, n in tags.most_common(5))
            )
        authors = Counter(a for a in tweets.column("author.username").to_pylist() if a)
        lines.append("top authors: " + ", ".join(f"@{a} ({n})" for a, n in authors.most_common(5)))
    lines.append(f"wrote {parquet} (posts table) and {raw} (raw API responses)")
    lines.append(
        'read it back: python -c "import pandas as pd; '
        f"print(pd.read_parquet('{parquet}', dtype_backend='pyarrow').head())\""
    )
    return "\n".join(lines)
