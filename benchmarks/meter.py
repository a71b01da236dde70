"""What counting the cost adds to each page a collection receives.

Every page is charged as it arrives (``collect.meter.Meter.page``: the low and high readings,
the same-UTC-day ledger, and with a cap this run's own ledger). The anchor, measured in the
same run on the same pages, is the one thing every page costs anyway: parsing its JSON once
(``orjson.loads``). Pages: a search of fully expanded posts (100 a page, every research field
and expansion) from the fake API.

    python benchmarks/meter.py --pages 40 --repeats 7
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import orjson

import twxdata
from twxdata.collect.call import PartialErrors
from twxdata.collect.meter import Meter
from twxdata.endpoints import ENDPOINTS
from twxdata.protocol.spend import SpendCap
from twxdata.testing import FakeXApi


async def collect_pages(pages: int) -> list[bytes]:
    async with (
        FakeXApi(seed=1, size=60_000) as api,
        twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client,
    ):
        with warnings.catch_warnings():
            # the synthetic corpus's deleted and protected posts: not what is measured here
            warnings.filterwarnings("ignore", category=PartialErrors)
            found = await twxdata.collect_search(
                "the OR a OR of", max_pages=pages, client=client, progress=False
            )
    return [bytes(line) for line in found.lines]


def median_seconds(run: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    lines = asyncio.run(collect_pages(args.pages))
    parsed = [orjson.loads(line) for line in lines]
    endpoint = ENDPOINTS["search_recent_tweets"]

    def parse() -> None:
        for line in lines:
            orjson.loads(line)

    def meter(cap: bool) -> Callable[[], None]:
        def run() -> None:
            m = Meter(endpoint, clock=lambda: 1_800_000_000.0,
                      cap=SpendCap(1e9) if cap else None)  # fmt: skip
            for page in parsed:
                m.page(page)
                if cap:
                    m.settle(100)

        return run

    anchor = median_seconds(parse, args.repeats)
    plain = median_seconds(meter(False), args.repeats)
    capped = median_seconds(meter(True), args.repeats)
    n = len(lines)
    result = {
        "pages": n,
        "parse_ms_per_page": round(anchor / n * 1e3, 3),
        "meter_ms_per_page": round(plain / n * 1e3, 3),
        "meter_with_cap_ms_per_page": round(capped / n * 1e3, 3),
        "meter_vs_parse": round(plain / anchor, 3),
        "meter_with_cap_vs_parse": round(capped / anchor, 3),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{n} pages of 100 expanded posts")
    print(f"  parse once (anchor): {result['parse_ms_per_page']:.3f} ms a page")
    print(f"  meter:               {result['meter_ms_per_page']:.3f} ms a page "
          f"({result['meter_vs_parse']:.2f}x the parse)")  # fmt: skip
    print(f"  meter with a cap:    {result['meter_with_cap_ms_per_page']:.3f} ms a page "
          f"({result['meter_with_cap_vs_parse']:.2f}x the parse)")  # fmt: skip


if __name__ == "__main__":
    main()
