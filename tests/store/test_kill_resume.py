"""SIGKILL a collecting process at random points; rerunning the command resumes exactly."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import orjson
import pyarrow.parquet as pq
import pytest

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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_then_rerun_equals_an_uninterrupted_run(tmp_path, seed):
    corpus = Corpus(seed=31, size=20_000, end=END)
    with FakeXApi(corpus, faults="slow=1.0,delay=0.06") as api:
        env = {**os.environ, "TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
        reference = tmp_path / "reference"
        reference.mkdir()
        done = subprocess.run(command(reference), env=env, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr
        killed = tmp_path / "killed"
        killed.mkdir()
        rng = random.Random(seed)
        kills = 0
        for _ in range(30):
            process = subprocess.Popen(
                command(killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            try:
                code = process.wait(timeout=rng.uniform(0.4, 2.5))
            except subprocess.TimeoutExpired:
                process.kill()  # SIGKILL: no cleanup, no flush, no atexit
                process.wait()
                kills += 1
                continue
            assert code == 0, process.stderr.read() if process.stderr else code
            break
        else:
            pytest.fail("the collection never finished")
    assert kills >= 1
    expected = posts(reference)
    assert posts(killed) == expected  # the same (query, post) rows, none twice
    assert max(expected.values()) == 1
    assert archived(killed) == archived(reference)  # the archive: no gap, no duplicate
    assert not list(killed.glob("*twxdata-tmp*"))
