"""Benchmark: live collection (issue 18) — messages per second through parse and archive.

A server in another process sends a filtered stream as fast as the socket takes it: the real
recorded stream messages of ../shared/real-api (twarc2's ``streaming_output_with_error``: posts
with includes and matching_rules), replicated with fresh ids, in chunks as a busy stream
arrives. Measured in the same run, on one core for twxdata (the server has the other):

- ``read only``: ``twxdata.streaming.StreamReader`` handing lines to a list (the socket and
  line splitting: the anchor);
- ``collect_stream(raw=...)``: read, parse, de-duplicate, meter, archive (fsync per burst);
- ``orjson.loads`` of the same lines in a loop: the parse limit.

X's fastest delivery to one connection is far below any of these: all public posts together
average about 5,800 a second (500 million a day), and a filtered stream gets a share of them.

    python benchmarks/stream.py              # 200,000 messages, 3 runs

Target: well above any real stream's rate (the ratio to 5,800 posts/s is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
REAL = (ROOT / ".." / "shared" / "real-api" / "twarc2-pages").resolve()
X_ALL_POSTS_PER_SECOND = 500_000_000 / 86_400  # about 5,800: every public post on X


def messages(count: int) -> list[bytes]:
    """``count`` stream lines: the recorded messages, each with a new id."""
    recorded = []
    for line in (REAL / "streaming_output_with_error.jsonl").read_bytes().splitlines():
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the recording ends with a cut line
        body.pop("__twarc", None)
        recorded.append(body)
    out = []
    for n in range(count):
        body = recorded[n % len(recorded)]
        body["data"]["id"] = str(1_500_000_000_000_000_000 + n)
        out.append(orjson.dumps(body) + b"\r\n")
    return out


def serve(port: int, count: int, ready: multiprocessing.synchronize.Event) -> None:
    from aiohttp import web

    lines = messages(count)
    blob = b"".join(lines)
    rules = orjson.dumps({"data": [{"id": "1", "value": "benchmark"}],
                          "meta": {"result_count": 1}})  # fmt: skip

    async def get_rules(request: web.Request) -> web.Response:
        return web.Response(body=rules, content_type="application/json")

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"content-type": "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        step = 64 << 10
        with contextlib.suppress(ConnectionError):  # the collection has all it wanted
            for start in range(0, len(blob), step):
                await resp.write(blob[start : start + step])
            while True:  # then quiet, with X's heartbeat
                await asyncio.sleep(1)
                await resp.write(b"\r\n")
        return resp

    app = web.Application()
    app.router.add_get("/2/tweets/search/stream/rules", get_rules)
    app.router.add_get("/2/tweets/search/stream", stream)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def read_only(base: str, count: int) -> float:
    from twxdata.client import Client
    from twxdata.protocol.stream import StreamConnection
    from twxdata.streaming import StreamReader

    got: list[object] = []
    stop = asyncio.Event()

    def deliver(arrival: object) -> None:
        got.append(arrival)
        if len(got) >= count:
            stop.set()

    async with Client(bearer_token="b", api_base=base, rate_limit_cache=False) as client:
        reader = StreamReader(client, StreamConnection())
        started = time.perf_counter()
        await reader.run(deliver, stop)
        return time.perf_counter() - started


async def collect(base: str, count: int, folder: Path) -> float:
    import twxdata
    from twxdata.client import Client

    async with Client(bearer_token="b", api_base=base, rate_limit_cache=False) as client:
        started = time.perf_counter()
        got = await twxdata.collect_stream(raw=folder / f"{time.monotonic_ns()}.jsonl",
                                           limit=count, client=client, progress=False)  # fmt: skip
        seconds = time.perf_counter() - started
    assert got.posts == count, got.summary()
    return seconds


def parse_limit(count: int) -> float:
    lines = messages(count)
    started = time.perf_counter()
    for line in lines:
        orjson.loads(line)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"no recordings at {REAL}: the benchmark replays them")
    os.environ.setdefault("TWXDATA_CONFIG_DIR", tempfile.mkdtemp())  # no saved settings
    n = args.messages
    times: dict[str, list[float]] = {"read only": [], "collect_stream(raw=...)": [],
                                     "orjson.loads (parse limit)": []}  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        for _ in range(args.repeat):
            for name in times:
                if name.startswith("orjson"):
                    times[name].append(parse_limit(n))
                    continue
                port = free_port()
                ready = multiprocessing.Event()
                server = multiprocessing.Process(target=serve, args=(port, n, ready), daemon=True)
                server.start()
                ready.wait(60)
                base = f"http://127.0.0.1:{port}"
                run = read_only(base, n) if name == "read only" else collect(base, n, Path(work))
                times[name].append(asyncio.run(run))
                server.terminate()
                server.join()
    anchor = statistics.median(times["read only"])
    print(f"== {n:,} real stream messages; median of {args.repeat} runs; {os.cpu_count()} cores\n")
    print(f"{'':30} {'seconds':>8} {'msgs/s':>10} {'x read only':>12} {'x X all posts':>14}")
    for name, values in times.items():
        seconds = statistics.median(values)
        rate = n / seconds
        print(f"{name:30} {seconds:8.2f} {rate:10,.0f} {anchor / seconds:12.2f} "
              f"{rate / X_ALL_POSTS_PER_SECOND:14.1f}")  # fmt: skip
    print(f"\nX's whole public stream averages {X_ALL_POSTS_PER_SECOND:,.0f} posts/s; a filtered "
          "stream delivers a share of it to one connection")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
