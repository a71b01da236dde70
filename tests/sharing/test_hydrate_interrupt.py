"""Ctrl-C in `twxdata hydrate` says where the lookups so far are kept, and the same command
then finishes without asking for a batch twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from twxdata.testing import FakeXApi

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")


def test_an_interrupted_hydration_says_where_it_is_kept_and_resumes(tmp_path: Path) -> None:
    # One request per 2 s: the first batch is archived, the second waits; SIGINT comes then.
    with FakeXApi(seed=4, size=2_000, window=2.0, limits=1) as api:
        ids = tmp_path / "ids.txt"
        ids.write_text("".join(f"{api.corpus.tweet(i)['id']}\n" for i in range(300)))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
        env |= {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url,
                "TWXDATA_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
        command = [sys.executable, "-m", "twxdata", "hydrate", str(ids), "-o", "h.parquet"]
        raw = tmp_path / "h.parquet.raw.jsonl"
        child = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE,
                                 text=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (raw.exists() and raw.read_bytes()):
            time.sleep(0.05)
        child.send_signal(signal.SIGINT)
        _, said = child.communicate(timeout=60)
        assert child.returncode == 130, said
        assert "the lookups so far are kept in h.parquet.raw.jsonl" in said
        assert "Traceback" not in said
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
        asked = [r.params["ids"] for r in api.stats.log if r.endpoint == "get_tweets"]
        assert len(asked) == len(set(asked)) == 3  # three batches of 100, none asked twice
