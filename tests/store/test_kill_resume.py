"""Kill a collecting process (SIGKILL or SIGINT) mid-way; rerunning the command resumes exactly.

No wall-clock timing decides where a process dies. The fake API sits behind a gate that lets a
chosen number of search pages through and holds every later request, so each process is
stopped while it waits on a held request, after exactly the pages chosen for it reached the
archive, however slow the machine. The only sleeps poll observable state (archive lines, held
requests), under a generous deadline that only guards against a hang.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timezone

import orjson
import pyarrow.parquet as pq
import pytest
from aiohttp import web
from yarl import URL

from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
ARGS = [
    "search",
    "python",
    "climate",
    "--max-results",
    "10",
    "--start-time",
    "2024-04-24",
    "--concurrency",
    "2",
    "-q",
]
HANG_GUARD = 120.0  # seconds; reached only when something hangs, never part of the test logic
KILLS = 5  # processes stopped per seed before the one that finishes
SIGKILL, SIGINT, STALE = "SIGKILL", "SIGINT", "SIGKILL, checkpoint left behind"


class Gate:
    """Lets ``allowance`` search requests of the current run through; holds the others.

    Each run (one process) talks to the API under a base URL of its own, ``/run-N``, which the
    gate strips. A request of an earlier, stopped process, even one the server reads only
    after the next run began (a slow machine), is dropped, never served: it cannot use up
    the new run's allowance nor count as the new process waiting.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run = 0
        self._allowance: int | None = None  # None: no limit
        self._held = 0

    def next_run(self, allowance: int | None) -> str:
        """Starts a run; returns the path its process puts after the API's base URL."""
        with self._lock:
            self._run += 1
            self._allowance = allowance
            self._held = 0
            return f"/run-{self._run}"

    @property
    def held(self) -> int:
        """Requests of the current run waiting at the gate."""
        with self._lock:
            return self._held

    @web.middleware
    async def middleware(self, request, handler):
        prefix, _, rest = request.raw_path.removeprefix("/").partition("/")
        if not prefix.startswith("run-"):
            return web.Response(status=404)
        run = int(prefix.removeprefix("run-"))
        request = request.clone(rel_url=URL("/" + rest, encoded=True))
        if not request.path.startswith("/2/tweets/search/"):
            return await handler(request)
        waiting = False
        while True:
            with self._lock:
                if self._run != run:  # its process is gone
                    return web.Response(status=503)
                if self._allowance is None or self._allowance > 0:
                    if self._allowance is not None:
                        self._allowance -= 1
                    self._held -= waiting
                    break
                if not waiting:
                    waiting = True
                    self._held += 1
            await asyncio.sleep(0.005)
        return await handler(request)


class GatedApi(FakeXApi):
    """The fake X API with ``gate`` in front of its search routes."""

    def __init__(self, corpus: Corpus, gate: Gate) -> None:
        super().__init__(corpus)
        self.gate = gate

    def make_app(self) -> web.Application:
        app = super().make_app()
        app.middlewares.append(self.gate.middleware)
        return app


class Lines:
    """Counts the complete lines of a growing file, reading only what was appended."""

    def __init__(self, path) -> None:
        self.path = path
        self.offset = 0
        self.count = 0

    def __call__(self) -> int:
        if self.path.exists():
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                new = f.read()
            complete = new.rfind(b"\n") + 1  # a line still being written is not counted yet
            self.count += new.count(b"\n", 0, complete)
            self.offset += complete
        return self.count


def command(folder):
    return [
        sys.executable,
        "-m",
        "twxdata",
        *ARGS,
        "--raw",
        str(folder / "raw.jsonl"),
        "-o",
        str(folder / "posts.parquet"),
    ]


def posts(folder):
    table = pq.read_table(folder / "posts.parquet", columns=["id", "__twxdata.stream"])
    return Counter(
        zip(
            table.column("__twxdata.stream").to_pylist(),
            table.column("id").to_pylist(),
            strict=True,
        )
    )


def archived(folder):
    pages = [orjson.loads(line) for line in (folder / "raw.jsonl").read_bytes().splitlines()]
    return Counter((p["__twxdata"]["stream"], t["id"]) for p in pages for t in p.get("data", []))


def page_sequences(folder):
    """Per stream, the archive's pages in order: (page token sent, post ids received)."""
    out: dict[str, list] = {}
    for line in (folder / "raw.jsonl").read_bytes().splitlines():
        page = orjson.loads(line)
        meta = page["__twxdata"]
        ids = tuple(t["id"] for t in page.get("data", []))
        out.setdefault(meta["stream"], []).append((meta["params"].get("next_token"), ids))
    return out


def difference(got: Counter, want: Counter) -> dict[str, object]:
    """How ``got`` departs from ``want``, in short: (stream, id) keys missing, extra or twice."""
    missing, extra = want - got, got - want
    return {
        "missing": len(missing),
        "extra or repeated": len(extra),
        "some missing": sorted(missing)[:3],
        "some extra": sorted(extra)[:3],
    }


NO_DIFFERENCE = difference(Counter(), Counter())


def first_divergence(got: dict[str, list], want: dict[str, list]):
    """The first (stream, page number, token got, token wanted) where the pages differ."""
    if sorted(got) != sorted(want):
        return ("streams", sorted(got), sorted(want))
    for stream, pages in want.items():
        mine = got[stream]
        for n in range(max(len(mine), len(pages))):
            if n >= len(mine) or n >= len(pages) or mine[n] != pages[n]:
                token = mine[n][0] if n < len(mine) else "(no page)"
                wanted = pages[n][0] if n < len(pages) else "(no page)"
                return (stream, n, token, wanted)
    return None


def wait_until(condition, process, where, stderr_path, state):
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"{where}: the collection exited ({process.returncode}) before its kill point, "
                f"{state()}\n" + stderr_path.read_text(errors="replace")
            )
        if time.monotonic() > deadline:
            hung(process, where, stderr_path, state())
        time.sleep(0.01)


def exit_status(process, where, stderr_path):
    try:
        return process.wait(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:
        hung(process, where, stderr_path, "the process has not ended")


def hung(process, where, stderr_path, state):
    """Fail with the stuck process's Python stacks (its faulthandler prints them on SIGABRT)."""
    process.send_signal(signal.SIGABRT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    pytest.fail(
        f"{where}: hang guard, still waiting after {HANG_GUARD:.0f} s, {state}\n"
        + stderr_path.read_text(errors="replace")
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The gated fake API, how to start a run, and an uninterrupted reference collection."""
    gate = Gate()
    with GatedApi(Corpus(seed=31, size=20_000, end=END), gate) as api:
        env = {
            **os.environ,
            "TWXDATA_BEARER_TOKEN": api.bearer_token,
            # rate-limit budgets learnt by these processes stay among them
            "TWXDATA_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
            "PYTHONFAULTHANDLER": "1",  # stacks on SIGABRT, should the hang guard fire
        }

        def start(folder, allowance, stderr_path):
            """The collection into ``folder``, with ``allowance`` pages (None: all)."""
            base = api.url + gate.next_run(allowance)
            with open(stderr_path, "wb") as stderr:
                return subprocess.Popen(
                    command(folder),
                    env={**env, "TWXDATA_API_BASE": base},
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )

        reference = tmp_path_factory.mktemp("reference")
        stderr_path = reference / "stderr.txt"
        code = exit_status(start(reference, None, stderr_path), "reference", stderr_path)
        assert code == 0, stderr_path.read_text(errors="replace")
        yield gate, start, reference
        gate.next_run(None)  # release anything still held before the server stops


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_then_rerun_equals_an_uninterrupted_run(tmp_path, served, seed):
    gate, start, reference = served
    total = sum(len(pages) for pages in page_sequences(reference).values())
    assert total > 10
    rng = random.Random(seed)
    # Kill points, as pages in the archive when the process is stopped: before the first page,
    # before the last one, and some in between (the same one twice is fine: a rerun stopped
    # before it got anywhere). All are below the total, so no process can finish first.
    targets = sorted([0, total - 1, *rng.choices(range(1, total - 1), k=KILLS - 2)])
    hows = [SIGKILL, SIGINT, STALE, *rng.choices([SIGKILL, SIGINT, STALE], k=KILLS - 3)]
    rng.shuffle(hows)
    killed = tmp_path / "killed"
    killed.mkdir()
    archive = Lines(killed / "raw.jsonl")
    checkpoint = killed / "raw.jsonl.checkpoint.json"
    for run, (target, how) in enumerate(zip(targets, hows, strict=True)):
        where = f"run {run} ({how} at {target} pages)"
        before = archive()
        assert before <= target, where
        saved = checkpoint.read_bytes() if checkpoint.exists() else None
        stderr_path = tmp_path / f"stderr-{run}.txt"
        process = start(killed, target - before, stderr_path)

        def state(target=target):
            return f"{archive()} of {target} pages in the archive, {gate.held} requests held"

        if target > before:
            wait_until(lambda t=target: archive() >= t, process, where, stderr_path, state)
        else:  # no new page: stop it once it waits for one (its checkpoint is saved by then)
            wait_until(lambda: gate.held > 0, process, where, stderr_path, state)
        assert process.poll() is None, where  # held at the gate: it cannot have finished
        # SIGKILL: no cleanup, no flush, no atexit. SIGINT: Ctrl-C, exit status 130.
        process.send_signal(signal.SIGINT if how == SIGINT else signal.SIGKILL)
        code = exit_status(process, where, stderr_path)
        expected = 130 if how == SIGINT else -signal.SIGKILL
        assert code == expected, f"{where}: " + stderr_path.read_text(errors="replace")
        assert archive() == target, where  # every page let through reached the archive
        if how == STALE and saved is not None:
            # The checkpoint behind the archive, as a kill between a page's archive write and
            # its checkpoint save leaves it (here behind by all of this run's pages): the
            # archive is the source of truth, so the rerun must neither skip nor repeat.
            checkpoint.write_bytes(saved)
    stderr_path = tmp_path / "stderr-last.txt"
    code = exit_status(start(killed, None, stderr_path), "last run", stderr_path)
    assert code == 0, stderr_path.read_text(errors="replace")
    assert not list(killed.glob("*twxdata-tmp*"))
    # No gap, no duplicate: in the archive (post by post, then page by page and in order) and
    # in the table. Differences are reported in short, not as two 700-item Counters.
    assert difference(archived(killed), archived(reference)) == NO_DIFFERENCE
    assert first_divergence(page_sequences(killed), page_sequences(reference)) is None
    expected = posts(reference)
    assert max(expected.values()) == 1
    assert difference(posts(killed), expected) == NO_DIFFERENCE
