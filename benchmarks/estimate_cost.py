"""What answering "how much will this cost?" costs, against what the collection is then charged.

Two searches on the billing fake X API (``FakeXApi(Corpus(..., span=366 days), credits=...)``,
in this process, a fresh server — so a fresh UTC-day ledger — per search):

- **archive, one year**: ``twxdata.estimate("search", QUERY, archive=True, start_time="365d")``
  asks counts/all once per 31 days (12 requests at $0.010), then
  ``twxdata.collect_search(QUERY, archive=True, start_time="365d")`` collects every post;
- **recent, one week**: the same with ``start_time="7d"`` on the recent endpoints (one
  counts/recent request at $0.005).

For each: the estimate's own requests and dollars (what it reports — ``cost_of_estimate_usd``,
``estimate_requests`` — and what the fake billed, ``api.billing.spent`` before and after), the
collection's requests and billed dollars, the ratio of the two costs (the anchor is the
collection, measured in the same run), how close the estimate came (posts, requests, and the
low dollar figure against what was billed) and the wall time of the estimate against the
collection's. The client keeps search/all's one request a second, so the archive collection
takes about 1.1 s a page; the estimate's count requests have no such rule.

    python benchmarks/estimate_cost.py            # a table
    python benchmarks/estimate_cost.py --json     # one JSON object

The benchmark keeps its own settings and cache folders (temporary), so saved prices, a
confirmation threshold or ids charged earlier today by your own runs change nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

SCENARIOS = {
    "archive, 1 year": {"archive": True, "start_time": "365d"},
    "recent, 1 week": {"archive": False, "start_time": "7d"},
}
COUNTS = {True: "get_all_tweets_count", False: "get_recent_tweets_count"}
SEARCH = {True: "search_all_tweets", False: "search_recent_tweets"}
POST = 0.005  # USD: X's price of one post read


async def measure(corpus: Any, query: str, options: dict[str, Any], credits: float) -> dict:
    import twxdata
    from twxdata.client import Client
    from twxdata.pricing import PRICES
    from twxdata.testing import FakeXApi

    archive = options["archive"]
    async with (
        FakeXApi(corpus, credits=credits) as api,
        Client(bearer_token=api.bearer_token, api_base=api.url) as client,
    ):
        await twxdata.fetch_usage(client=client)  # warm: the connection, pandas (never billed)
        billed, counted = api.billing.spent, api.stats.count(COUNTS[archive])
        started = time.perf_counter()
        e = await twxdata.estimate("search", query, client=client, prices=PRICES, **options)
        estimate_s = time.perf_counter() - started
        estimate_billed = api.billing.spent - billed
        counts_sent = api.stats.count(COUNTS[archive]) - counted

        billed, searched = api.billing.spent, api.stats.count(SEARCH[archive])
        started = time.perf_counter()
        c = await twxdata.collect_search(query, client=client, progress=False, **options)
        collect_s = time.perf_counter() - started
        collect_billed = api.billing.spent - billed
        search_sent = api.stats.count(SEARCH[archive]) - searched
        tweets = c.tweets
    t = e.total
    return {
        "estimate": {
            "requests": t["estimate_requests"],
            "requests_sent": counts_sent,
            "usd": t["cost_of_estimate_usd"],
            "usd_billed": round(estimate_billed, 6),
            "seconds": round(estimate_s, 4),
        },
        "predicted": {
            "posts": t["posts"],
            "requests": t["requests"],
            "usd_low": t["usd_low"],
            "usd_high": t["usd_high"],
            "seconds_at_rate_limit": t["seconds"],
        },
        "collection": {
            "posts": int(tweets["id"].nunique()),
            "requests": search_sent,
            "pages": c.pages,
            "usd_billed": round(collect_billed, 6),
            "usd_metered": c.cost["usd_low"],
            "seconds": round(collect_s, 3),
        },
        "ratios": {
            "estimate_usd_per_collection_usd": estimate_billed / collect_billed,
            "estimate_requests_per_collection_requests": counts_sent / search_sent,
            "estimated_usd_low_per_billed": t["usd_low"] / collect_billed,
            "estimated_posts_per_collected": t["posts"] / max(1, int(tweets["id"].nunique())),
            "estimate_seconds_per_collection_seconds": estimate_s / collect_s,
        },
    }


async def run_all(args: argparse.Namespace) -> dict[str, Any]:
    from twxdata.collect.call import PartialErrors
    from twxdata.testing import Corpus

    # The corpus's deleted and protected posts: expected, and not what is measured (after the
    # import: twxdata asks for every PartialErrors warning to be shown).
    warnings.simplefilter("ignore", PartialErrors)
    # The corpus ends this hour, on the fake's real clock (a frozen clock would date the posts
    # but not the Date header the client reads "365d" from): the window moves with the hour, so
    # the counts move by a post or two between runs.
    corpus = Corpus(seed=args.seed, size=args.size, span=timedelta(days=366))
    results = {}
    for name, options in SCENARIOS.items():
        results[name] = await measure(corpus, args.query, options, args.credits)
    return {
        "query": args.query,
        "corpus": {"posts": args.size, "seed": args.seed, "span_days": 366},
        "scenarios": results,
    }


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def pct(ratio: float) -> str:
    return f"{ratio * 100:.2f}%" if ratio < 0.1 else f"{ratio * 100:.0f}%"


# The table: a label and how to show it from one scenario's figures.
ROWS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("estimate: requests (reported / sent)",
     lambda s: f"{s['estimate']['requests']} / {s['estimate']['requests_sent']}"),
    ("estimate: $ (reported / billed)",
     lambda s: f"{s['estimate']['usd']:.3f} / {s['estimate']['usd_billed']:.3f}"),
    ("estimate: in posts' worth ($0.005 a post)",
     lambda s: f"{s['estimate']['usd_billed'] / POST:.0f} post(s)"),
    ("estimate: wall time", lambda s: seconds(s["estimate"]["seconds"])),
    ("predicted: posts, requests",
     lambda s: f"{s['predicted']['posts']:,}, {s['predicted']['requests']:,}"),
    ("predicted: $ low / high",
     lambda s: f"{s['predicted']['usd_low']:.2f} / {s['predicted']['usd_high']:.2f}"),
    ("collection: posts, requests",
     lambda s: f"{s['collection']['posts']:,}, {s['collection']['requests']:,}"),
    ("collection: $ billed (metered)",
     lambda s: f"{s['collection']['usd_billed']:.2f} ({s['collection']['usd_metered']:.2f})"),
    ("collection: wall time", lambda s: seconds(s["collection"]["seconds"])),
    ("estimate $ / collection $",
     lambda s: pct(s["ratios"]["estimate_usd_per_collection_usd"])),
    ("estimate requests / collection requests",
     lambda s: f"{s['ratios']['estimate_requests_per_collection_requests']:.2f}"),
    ("estimated low $ / billed $",
     lambda s: f"{s['ratios']['estimated_usd_low_per_billed']:.3f}"),
    ("estimate time / collection time",
     lambda s: pct(s["ratios"]["estimate_seconds_per_collection_seconds"])),
]  # fmt: skip


def line(cells: tuple[str, ...], widths: list[int]) -> str:
    """The first cell left-aligned, the others right-aligned."""
    return "  ".join(
        c.ljust(w) if i == 0 else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )


def print_table(report: dict[str, Any]) -> None:
    corpus = report["corpus"]
    print(
        f"search {report['query']!r} on the billing fake API ({corpus['posts']:,} posts over "
        f"{corpus['span_days']} days, seed {corpus['seed']}); X's pay-per-use prices\n"
    )
    names = list(report["scenarios"])
    rows = [(label, *(cell(report["scenarios"][n]) for n in names)) for label, cell in ROWS]
    header = ("", *names)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for cells in [header, *rows]:
        print(line(cells, widths))
    year = report["scenarios"][names[0]]
    print(
        f"\nRESULT archive_year estimate_requests={year['estimate']['requests_sent']} "
        f"estimate_usd={year['estimate']['usd_billed']:.3f} "
        f"share_of_collection_usd={year['ratios']['estimate_usd_per_collection_usd']:.4f} "
        f"estimate_low_vs_billed={year['ratios']['estimated_usd_low_per_billed']:.3f} "
        f"time_ratio={year['ratios']['estimate_seconds_per_collection_seconds']:.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--query", default="climate")
    parser.add_argument("--size", type=int, default=30_000, help="fake corpus size (posts)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--credits", type=float, default=1_000.0, help="the fake's USD balance")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="twxdata-bench-") as home:
        # Settings and cache of this run only: X's prices, no ids charged earlier today.
        os.environ["TWXDATA_CONFIG_DIR"] = os.path.join(home, "config")
        os.environ["TWXDATA_CACHE_DIR"] = os.path.join(home, "cache")
        started = time.perf_counter()
        report = asyncio.run(run_all(args))
        report["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)
        print(f"(whole benchmark: {report['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
