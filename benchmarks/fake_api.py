"""How many pages per second the fake X API serves: 100 posts, every field, every expansion.

Walks full-archive search pages (``max_results=100``, all public tweet/user/media/place/poll
fields, all expansions) with plain aiohttp clients on keep-alive connections, against a
server in this process (``--mode inprocess``) or in a child process (``--mode subprocess``,
the server then has a core of its own). Prints pages/s for a cold pass (nothing cached)
and for warm passes.

    python benchmarks/fake_api.py --size 20000 --seconds 10 --concurrency 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from typing import Any

import aiohttp

from twxdata.endpoints import ENDPOINTS
from twxdata.fields import (
    FIELD_PARAMS,
    PRIVATE_MEDIA_FIELDS,
    PRIVATE_TWEET_FIELDS,
    PRIVATE_USER_FIELDS,
)

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
PRIVATE = PRIVATE_TWEET_FIELDS | PRIVATE_USER_FIELDS | PRIVATE_MEDIA_FIELDS


def full_params(query: str) -> dict[str, str]:
    e = ENDPOINTS["search_all_tweets"]
    params = {name: ",".join(sorted(FIELD_PARAMS[name] - PRIVATE)) for name in e.field_params}
    params.update(
        query=query,
        max_results="100",
        expansions=",".join(sorted(e.expansions)),
        start_time="2024-04-01T00:00:00Z",
        end_time="2024-04-30T23:00:00Z",
    )
    return params


async def walk(
    session: aiohttp.ClientSession, url: str, params: dict[str, str], deadline: float
) -> tuple[int, int, int]:
    """Follow next_token to the end (or the deadline): (pages of 100, all pages, bytes)."""
    full = pages = size = 0
    token = None
    while time.perf_counter() < deadline:
        query = dict(params, **({"next_token": token} if token else {}))
        async with session.get(url + "/2/tweets/search/all", params=query) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{resp.status}: {body[:200]!r}")
        pages += 1
        size += len(body)
        meta = json.loads(body[body.rindex(b'"meta":') + 7 : -1])
        full += meta["result_count"] == 100
        token = meta.get("next_token")
        if not token:
            break
    return full, pages, size


async def measure(url: str, token: str, query: str, seconds: float, concurrency: int) -> None:
    params = full_params(query)
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(headers=headers, connector=connector) as session:
        start = time.perf_counter()
        full, pages, size = await walk(session, url, params, start + 120)
        cold = time.perf_counter() - start
        print(
            f"cold pass: {pages} pages ({full} of 100 posts) in {cold:.2f}s "
            f"= {pages / cold:.0f} pages/s, {size / pages / 1024:.0f} KiB/page"
        )
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        totals = [0, 0, 0]
        while time.perf_counter() < deadline:
            results = await asyncio.gather(
                *(walk(session, url, params, deadline) for _ in range(concurrency))
            )
            for r in results:
                totals = [a + b for a, b in zip(totals, r, strict=True)]
        elapsed = time.perf_counter() - start
        print(
            f"warm: {totals[1]} pages in {elapsed:.2f}s with {concurrency} connections = "
            f"{totals[1] / elapsed:.0f} pages/s ({totals[2] / elapsed / 2**20:.0f} MiB/s)"
        )
        print(f"RESULT pages_per_second={totals[1] / elapsed:.0f}")


async def inprocess(args: argparse.Namespace) -> None:
    from twxdata.testing import Corpus, FakeXApi

    t0 = time.perf_counter()
    corpus = Corpus(seed=args.seed, size=args.size, end=END)
    print(f"corpus of {args.size:,} posts built in {time.perf_counter() - t0:.2f}s")
    async with FakeXApi(corpus, limits=10**9, min_interval=0.0) as api:
        await measure(api.url, api.bearer_token, args.query, args.seconds, args.concurrency)


def subprocess_mode(args: argparse.Namespace) -> None:
    code = (
        "import asyncio, sys\n"
        "from datetime import datetime, timezone\n"
        "from twxdata.testing import FakeXApi\n"
        "async def main():\n"
        f"    async with FakeXApi(seed={args.seed}, size={args.size}, limits=10**9,\n"
        "                        min_interval=0.0, end=datetime(2024, 5, 1, tzinfo=timezone.utc)"
        ") as api:\n"
        "        print(api.url, flush=True)\n"
        "        await asyncio.Event().wait()\n"
        "asyncio.run(main())\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        print(f"server in child process {child.pid} at {url}")
        asyncio.run(measure(url, "bench", args.query, args.seconds, args.concurrency))
    finally:
        child.terminate()
        child.wait(timeout=10)


def main(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--query", default="the OR data OR new OR hoy OR heute OR 今日 OR اليوم")
    parser.add_argument("--mode", choices=("inprocess", "subprocess"), default="inprocess")
    args = parser.parse_args(argv)
    if args.mode == "inprocess":
        asyncio.run(inprocess(args))
    else:
        subprocess_mode(args)


if __name__ == "__main__":
    main()
