"""``twxdata demo`` and ``twxdata search -o`` end to end, offline, in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
from helpers.shared import assert_ignored_by_git

from twxdata.testing import FakeXApi


def twxdata(*args: str, cwd=None, env: dict[str, str] | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **(env or {})},
        timeout=120,
    )


def test_demo_runs_offline_without_credentials(tmp_path):
    result = twxdata("demo", "--limit", "500", "--end", "2026-11-01", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    parquet, raw = tmp_path / "twxdata-demo.parquet", tmp_path / "twxdata-demo.jsonl"
    df = pd.read_parquet(parquet, dtype_backend="pyarrow")
    assert len(df) == 500 and df["id"].is_unique
    assert str(df["id"].dtype) == "string[pyarrow]"
    assert str(df["public_metrics.like_count"].dtype) == "int64[pyarrow]"
    assert str(df["created_at"].dtype).startswith("timestamp[")
    assert df["author.username"].notna().all()
    assert len(raw.read_text().splitlines()) == 5
    assert "500 posts from 5 pages" in result.stdout
    assert "top hashtags: #" in result.stdout and "top authors: @" in result.stdout
    # The fake bills as X does: 500 posts at $0.005, the includes as the upper reading.
    assert "on X this would have cost $2.50 (500 posts at $0.005; $" in result.stdout
    assert not list(tmp_path.glob("*tmp*"))
    # Run in a checkout's root, what it writes is ignored by git, not untracked clutter.
    assert_ignored_by_git([p.name for p in tmp_path.iterdir()])


def test_demo_with_a_frozen_clock_is_reproducible(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        result = twxdata("demo", "--limit", "200", "--end", "2026-11-01", "--out", str(out))
        assert result.returncode == 0, result.stderr
    ids_a = pq.read_table(a / "twxdata-demo.parquet").column("id").to_pylist()
    ids_b = pq.read_table(b / "twxdata-demo.parquet").column("id").to_pylist()
    assert ids_a == ids_b and len(ids_a) == 200


def test_search_writes_typed_parquet_and_csv(tmp_path):
    with FakeXApi(seed=2, size=5_000) as api:
        env = {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
        pq_result = twxdata(
            "search", "python", "--limit", "60", "-o", str(tmp_path / "p.parquet"), env=env
        )
        csv_result = twxdata(
            "search", "python", "--limit", "60", "-o", str(tmp_path / "p.csv"), env=env
        )
    assert pq_result.returncode == 0, pq_result.stderr
    assert csv_result.returncode == 0, csv_result.stderr
    table = pq.read_table(tmp_path / "p.parquet")
    assert table.num_rows == 60
    assert str(table.schema.field("id").type) == "string"
    assert str(table.schema.field("public_metrics.retweet_count").type) == "int64"
    back = pd.read_csv(tmp_path / "p.csv", dtype={"id": str})
    assert back["id"].tolist() == table.column("id").to_pylist()
