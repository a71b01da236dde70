"""twxdata against tweepy 4.17's AsyncClient + AsyncPaginator, on the same loopback server.

Two measures, each the median of alternating runs in one invocation:

- raw pages/s: walking the pages (twxdata ``Client.pages`` vs tweepy's paginator);
- network to DataFrame: posts/s from the first request to a DataFrame — twxdata's
  ``fetch_search`` (every expansion joined: authors, places, polls, media, referenced posts)
  vs tweepy's paginator followed by ``pandas.json_normalize`` and an author merge, as its users
  write it (which joins authors only).

Both walk the same search on the same loopback fake X API (``twxdata fake-api``, in its own
process), asking for the same fields and expansions, 100 posts a page. Each client runs in its
own process — tweepy from its own virtual environment (``benchmarks/.envs/tweepy``, created on
first use) — and they alternate, so machine noise hits both alike. Reported: median pages/s of
each and the ratio (the anchor is tweepy, measured in the same run).

    python benchmarks/fetch.py --pages 300 --repeats 3

tweepy hard-codes https://api.twitter.com; its benchmark process rewrites that prefix to the
loopback URL inside aiohttp, and changes nothing else (a new session per request is tweepy's
default and what its users get).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import venv
from pathlib import Path

from twxdata.fields import (
    RESEARCH_MEDIA_FIELDS,
    RESEARCH_PLACE_FIELDS,
    RESEARCH_POLL_FIELDS,
    RESEARCH_TWEET_EXPANSIONS,
    RESEARCH_TWEET_FIELDS,
    RESEARCH_USER_FIELDS,
)

HERE = Path(__file__).resolve().parent
TWEEPY_ENV = HERE / ".envs" / "tweepy"
TOKEN = "benchmark-token"
QUERY = "the OR python OR climate OR data"
FIELDS = {
    "tweet_fields": list(RESEARCH_TWEET_FIELDS),
    "user_fields": list(RESEARCH_USER_FIELDS),
    "media_fields": list(RESEARCH_MEDIA_FIELDS),
    "place_fields": list(RESEARCH_PLACE_FIELDS),
    "poll_fields": list(RESEARCH_POLL_FIELDS),
    "expansions": list(RESEARCH_TWEET_EXPANSIONS),
}

TWXDATA_RUN = """
import asyncio, json, sys, time
from twxdata.client import Client
base, pages, query, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
async def main():
    async with Client(bearer_token="{token}", api_base=base) as client:
        started, n, count = time.perf_counter(), 0, 0
        async for page in client.pages("search_recent_tweets",
                                       params={{"query": query, **fields}}, max_pages=pages):
            n += 1
            count += len(page.data)
        return n, count, time.perf_counter() - started
n, count, seconds = asyncio.run(main())
print(json.dumps({{"pages": n, "items": count, "seconds": seconds}}))
"""

TWXDATA_FRAME = """
import asyncio, json, sys, time
import twxdata
from twxdata.client import Client
base, pages, query, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
async def main():
    async with Client(bearer_token="{token}", api_base=base) as client:
        started = time.perf_counter()
        df = await twxdata.fetch_search(query, max_pages=pages, client=client, progress=False)
        return len(df), time.perf_counter() - started
rows, seconds = asyncio.run(main())
print(json.dumps({{"pages": pages, "items": rows, "seconds": seconds}}))
"""

TWEEPY_FRAME = """
import asyncio, json, sys, time
import aiohttp
import pandas as pd
from tweepy.asynchronous import AsyncClient, AsyncPaginator
base, pages, query, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
_request = aiohttp.ClientSession._request
async def to_loopback(self, method, url, **kw):
    return await _request(self, method, str(url).replace("https://api.twitter.com", base), **kw)
aiohttp.ClientSession._request = to_loopback
async def main():
    client = AsyncClient(bearer_token="{token}")
    started = time.perf_counter()
    tweets, users = [], []
    async for response in AsyncPaginator(client.search_recent_tweets, query, max_results=100,
                                         limit=pages, **fields):
        tweets += [t.data for t in response.data or []]
        users += [u.data for u in response.includes.get("users", [])]
    df = pd.json_normalize(tweets)
    authors = pd.json_normalize(users).drop_duplicates("id").add_prefix("author.")
    df = df.merge(authors, left_on="author_id", right_on="author.id", how="left")
    return len(df), time.perf_counter() - started
rows, seconds = asyncio.run(main())
print(json.dumps({{"pages": pages, "items": rows, "seconds": seconds}}))
"""

TWEEPY_RUN = """
import asyncio, json, sys, time
import aiohttp
from tweepy.asynchronous import AsyncClient, AsyncPaginator
base, pages, query, fields = sys.argv[1], int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
_request = aiohttp.ClientSession._request
async def to_loopback(self, method, url, **kw):
    return await _request(self, method, str(url).replace("https://api.twitter.com", base), **kw)
aiohttp.ClientSession._request = to_loopback
async def main():
    client = AsyncClient(bearer_token="{token}")
    started, n, count = time.perf_counter(), 0, 0
    async for response in AsyncPaginator(client.search_recent_tweets, query, max_results=100,
                                         limit=pages, **fields):
        n += 1
        count += len(response.data or [])
    return n, count, time.perf_counter() - started
n, count, seconds = asyncio.run(main())
print(json.dumps({{"pages": n, "items": count, "seconds": seconds}}))
"""


def tweepy_python() -> Path:
    python = TWEEPY_ENV / "bin" / "python"
    if not python.exists():
        print("creating", TWEEPY_ENV, "with tweepy 4.17 ...", file=sys.stderr)
        venv.create(TWEEPY_ENV, with_pip=True)
        # tweepy's users build their frames with pandas: the same major version as ours.
        packages = ["tweepy[async]==4.17.*", "pandas>=3"]
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    return python


def start_server(size: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twxdata",
            "fake-api",
            "--port",
            "0",
            "--size",
            str(size),
            "--limit",
            "10000000",
            "--seed",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    first = server.stdout.readline()
    url = first.split(" on ", 1)[1].split()[0]
    return server, url


def run(python: Path | str, code: str, base: str, pages: int) -> dict[str, float]:
    out = subprocess.run(
        [str(python), "-c", code.format(token=TOKEN), base, str(pages), QUERY, json.dumps(FIELDS)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    result["pages_per_s"] = result["pages"] / result["seconds"]
    result["items_per_s"] = result["items"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", type=int, default=300_000, help="fake corpus size")
    args = parser.parse_args()
    python = tweepy_python()
    server, base = start_server(args.size)
    try:
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in MEASURES}
        run(sys.executable, TWXDATA_RUN, base, args.pages)  # warm the server's caches for both
        for _ in range(args.repeats):
            for name, (python_of, code) in MEASURES.items():
                runs[name].append(run(python_of(python), code, base, args.pages))
    finally:
        server.terminate()
        server.wait(10)
    print(
        f"search/recent, {args.pages} pages of up to 100 fully expanded posts, "
        f"{args.repeats} alternating runs each, loopback fake API"
    )
    medians = {}
    for name, results in runs.items():
        key = "pages_per_s" if name.endswith("pages") else "items_per_s"
        rates = [r[key] for r in results]
        medians[name] = statistics.median(rates)
        unit = "pages/s" if key == "pages_per_s" else "posts/s (network to DataFrame)"
        listed = ", ".join(f"{x:.1f}" for x in rates)
        print(f"  {name:16s} median {medians[name]:9.1f} {unit}  (runs: {listed})")
    raw_ratio = medians["twxdata pages"] / medians["tweepy pages"]
    frame_ratio = medians["twxdata frame"] / medians["tweepy frame"]
    print(f"ratio twxdata / tweepy, raw pages/s:        {raw_ratio:.2f}x (target >= 1.5x)")
    print(
        f"ratio twxdata / tweepy, network to frame:   {frame_ratio:.2f}x (target >= 2x; "
        "twxdata joins every expansion, tweepy's frame only authors)"
    )


MEASURES = {
    "tweepy pages": (lambda tweepy: tweepy, TWEEPY_RUN),
    "twxdata pages": (lambda tweepy: Path(sys.executable), TWXDATA_RUN),
    "tweepy frame": (lambda tweepy: tweepy, TWEEPY_FRAME),
    "twxdata frame": (lambda tweepy: Path(sys.executable), TWXDATA_FRAME),
}


if __name__ == "__main__":
    main()
