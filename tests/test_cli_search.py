"""``twxdata search`` end to end in a subprocess against loopback servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
from helpers.pageserver import PageServer

TOKEN = "CLI-SECRET-TOKEN"


def twxdata(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    full_env = {**os.environ, "TWXDATA_BEARER_TOKEN": TOKEN, **(env or {})}
    full_env.pop("TWXDATA_API_BASE", None)
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def read_raw(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_flaky_server_every_page_exactly_once(tmp_path):
    faults = {"503": 0.10, "drop": 0.05, "truncate": 0.02}
    raw = tmp_path / "r.jsonl"
    with PageServer(pages=120, rates=faults, seed=7).run_in_thread() as server:
        result = twxdata(
            "search", "q", "--raw", str(raw), "--api-base", server.url, "--backoff", "0.01"
        )
    assert result.returncode == 0, result.stderr
    lines = read_raw(raw)
    assert len(lines) == 120
    ids = [t["id"] for line in lines for t in line["data"]]
    assert len(ids) == 12_000 == len(set(ids))
    assert set(server.stats.served.values()) == {1} and len(server.stats.served) == 120
    assert sum(server.stats.faults.values()) >= 15  # the faults really happened
    meta = lines[0]["__twxdata"]
    assert meta["endpoint"] == "search_recent_tweets" and meta["params"]["query"] == "q"
    assert meta["url"].startswith(server.url) and TOKEN not in raw.read_text()
    assert "12,000 posts in 120 pages" in result.stderr


def test_sixty_pages_under_a_tight_rate_limit_without_a_429(tmp_path):
    raw = tmp_path / "r.jsonl"
    with PageServer(pages=60, limit=15, window=2.0).run_in_thread() as server:
        result = twxdata("search", "q", "--raw", str(raw), "--api-base", server.url)
    assert result.returncode == 0, result.stderr
    assert len(read_raw(raw)) == 60 and server.stats.too_many == 0


def test_limit_and_window_options(tmp_path):
    raw = tmp_path / "r.jsonl"
    with PageServer(pages=50).run_in_thread() as server:
        result = twxdata(
            "search",
            "q",
            "--archive",
            "--limit",
            "150",
            "--start-time",
            "7d",
            "--raw",
            str(raw),
            "--api-base",
            server.url,
        )
    assert result.returncode == 0, result.stderr
    lines = read_raw(raw)
    assert sum(len(line["data"]) for line in lines) == 150
    assert [line["__twxdata"]["params"]["max_results"] for line in lines] == ["100", "50"]
    assert "/2/tweets/search/all" in server.stats.paths[0]
    assert "start_time=" in server.stats.paths[0] and "context_annotations" in server.stats.paths[0]


def test_usage_errors_exit_2_before_any_request_and_leave_no_file(tmp_path):
    raw, out = tmp_path / "r.jsonl", tmp_path / "o.parquet"
    with PageServer().run_in_thread() as server:
        cases = [
            ("q", "--start-time", "2024-02-01", "--end-time", "2024-01-01"),
            ("q", "--since-id", "1", "--start-time", "1d"),
            ("q", "--max-results", "5000"),
            ("q", "--start-time", "not a time"),
            ("q", "--limit", "0"),
            ("x" * 600,),
            ("q", "-o", str(tmp_path / "o.txt")),
            ("q", "--api-base", "ftp://nowhere"),
        ]
        for query, *options in cases:
            result = twxdata(
                "search",
                query,
                "--raw",
                str(raw),
                "-o",
                str(out),
                "--api-base",
                server.url,
                *options,
            )
            assert result.returncode == 2, (options, result.stderr)
            assert "Traceback" not in result.stderr and result.stderr.count("\n") <= 2, options
    assert server.stats.requests == 0
    assert not raw.exists() and not out.exists()


def test_missing_credentials_exit_2_with_advice(tmp_path):
    result = twxdata("search", "q", env={"TWXDATA_BEARER_TOKEN": ""})
    assert result.returncode == 2
    assert "TWXDATA_BEARER_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_runtime_errors_exit_1_with_one_line_and_debug_shows_traceback(tmp_path):
    with PageServer(script={1: "401", 2: "401"}).run_in_thread() as server:
        plain = twxdata("search", "q", "--api-base", server.url, "--raw", str(tmp_path / "r"))
        debug = twxdata("--debug", "search", "q", "--api-base", server.url)
    assert plain.returncode == 1
    assert plain.stderr.startswith("twxdata search: error: X did not accept the credentials")
    assert "401 Unauthorized" in plain.stderr and "twxdata configure --show" in plain.stderr
    assert plain.stderr.count("\n") == 1
    assert "Traceback" not in plain.stderr and TOKEN not in plain.stderr
    assert not (tmp_path / "r").exists()
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    assert TOKEN not in debug.stderr


def test_version_and_help():
    version = twxdata("--version")
    assert version.returncode == 0 and version.stdout.startswith("twxdata 0.")
    usage = twxdata("search", "--help")
    assert usage.returncode == 0 and "--archive" in usage.stdout and "--raw" in usage.stdout
