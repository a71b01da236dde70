"""The collecting verbs and ``twxdata info`` end to end against the fake API."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone

import pandas as pd
import pyarrow.parquet as pq
import pytest

from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def api():
    with FakeXApi(Corpus(seed=41, size=10_000, end=END)) as server:
        yield server


def run(api, *args, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_followers_of_two_users_as_edges(api, tmp_path):
    a, b = (api.corpus.user(i) for i in (0, 1))
    out = tmp_path / "edges.parquet"
    result = run(api, "followers", a["id"], "@" + b["username"], "-o", str(out))
    assert result.returncode == 0, result.stderr
    table = pq.read_table(out)
    assert set(table.column("__twxdata.stream").to_pylist()) <= {a["id"], b["id"]}
    assert "followers:" in result.stderr


def test_counts_to_csv_and_lookups(api, tmp_path):
    counts = tmp_path / "counts.csv"
    result = run(
        api,
        "counts",
        "python",
        "--granularity",
        "hour",
        "--start-time",
        "2024-04-28",
        "-o",
        str(counts),
    )
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(counts)
    assert {"start", "end", "tweet_count"} <= set(frame.columns) and len(frame) > 24
    search = tmp_path / "s.parquet"
    assert (
        run(
            api,
            "search",
            "python",
            "--limit",
            "30",
            "--start-time",
            "2024-04-25",
            "-o",
            str(search),
        ).returncode
        == 0
    )
    ids = pq.read_table(search).column("id").to_pylist()
    looked = tmp_path / "t.parquet"
    result = run(api, "tweets", *ids, "1", "-o", str(looked))
    assert result.returncode == 0, result.stderr
    assert sorted(pq.read_table(looked).column("id").to_pylist()) == sorted(ids)
    assert "partial errors" in result.stderr


def test_dataset_output_and_info_describes_it(api, tmp_path):
    folder = tmp_path / "ds"
    raw = tmp_path / "raw.jsonl"
    result = run(
        api, "timeline", api.corpus.user(2)["id"], "--raw", str(raw), "--dataset", str(folder)
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "tweets").is_dir() and (folder / "_twxdata_appends.json").exists()
    info = run(api, "info", str(folder / "tweets"))
    assert info.returncode == 0 and "get_users_tweets" in info.stdout
    archive = run(api, "info", str(raw))
    assert "checkpoint" in archive.stdout and "done: True" in archive.stdout


def test_rerun_resumes_and_restart_needs_raw(api, tmp_path):
    raw = tmp_path / "r.jsonl"
    args = (
        "search",
        "climate",
        "--max-results",
        "10",
        "--max-pages",
        "3",
        "--start-time",
        "2024-04-25",
        "--raw",
        str(raw),
    )
    assert run(api, *args).returncode == 0
    again = run(api, *args)
    assert again.returncode == 0 and "resuming" in again.stderr
    assert len(raw.read_text().splitlines()) == 3
    changed = run(api, *args[:-2], "--raw", str(raw), "--max-pages", "4")
    assert changed.returncode == 2 and "other parameters" in changed.stderr
    assert run(api, "search", "x", "--restart").returncode == 2


def test_verbs_are_listed_in_help():
    result = subprocess.run(
        [sys.executable, "-m", "twxdata", "--help"], capture_output=True, text=True
    )
    for verb in (
        "demo",
        "search",
        "counts",
        "timeline",
        "mentions",
        "followers",
        "following",
        "liking-users",
        "liked-tweets",
        "retweeters",
        "quotes",
        "list-tweets",
        "list-members",
        "tweets",
        "users",
        "flatten",
        "info",
        "fake-api",
    ):
        assert verb in result.stdout, verb
