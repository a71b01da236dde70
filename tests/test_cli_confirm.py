"""An interactive run estimated above the threshold asks first; nothing else ever asks.

The interactive runs are real: the command runs in a subprocess whose standard input and
standard error are a pseudo-terminal, as in a person's shell.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


@pytest.fixture(scope="module")
def api():
    with FakeXApi(Corpus(seed=5, size=20_000, end=END)) as server:
        yield server


def environment(api, config) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    return env | {
        "TWXDATA_BEARER_TOKEN": api.bearer_token,
        "TWXDATA_API_BASE": api.url,
        "TWXDATA_CONFIG_DIR": str(config),
    }


def at_a_terminal(api, config, args, answer: str | None) -> tuple[int, str]:
    """Run ``twxdata ARGS`` with a terminal for stdin and stderr; type ``answer`` when asked."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "twxdata", *args], stdin=follower, stderr=follower,
        stdout=subprocess.DEVNULL, env=environment(api, config), cwd=config,
    )  # fmt: skip
    os.close(follower)
    seen, asked = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
            if not asked and b"collect? [y/N]" in seen:
                asked = True
                if answer is not None:
                    os.write(leader, answer.encode() + b"\n")
        elif proc.poll() is not None:
            break
    status = proc.wait(timeout=60)
    os.close(leader)
    return status, seen.decode(errors="replace").replace("\r\n", "\n")


def threshold(api, config, usd: str) -> None:
    saved = subprocess.run(
        [sys.executable, "-m", "twxdata", "configure", "--confirm-above", usd],
        env=environment(api, config), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert saved.returncode == 0, saved.stderr


def search_requests(api) -> int:
    return api.stats.count("search_recent_tweets")


def test_a_no_at_the_prompt_collects_nothing(api, tmp_path):
    before_counts, before = api.stats.count("get_recent_tweets_count"), search_requests(api)
    out = tmp_path / "posts.parquet"
    threshold(api, tmp_path, "1")  # the search is about $2.30
    status, err = at_a_terminal(api, tmp_path, ["search", "the", "-o", str(out)], "n")
    assert "collect? [y/N]" in err, err
    assert "to $" in err and "this estimate cost $0.005" in err  # the range, and its own cost
    assert status == 1 and "not collecting (estimated $" in err
    assert not out.exists() and search_requests(api) == before  # not one page fetched
    assert api.stats.count("get_recent_tweets_count") == before_counts + 1


def test_a_yes_at_the_prompt_collects(api, tmp_path):
    out = tmp_path / "posts.parquet"
    threshold(api, tmp_path, "1")
    status, err = at_a_terminal(api, tmp_path, ["search", "the", "-o", str(out)], "y")
    assert "collect? [y/N]" in err and status == 0, err
    assert out.stat().st_size > 0


def test_a_lower_threshold_saved_with_configure_is_used(api, tmp_path):
    threshold(api, tmp_path, "0.01")
    # 2 queries x 20 posts x $0.005 = $0.20: above $0.01, so even this small run asks.
    status, err = at_a_terminal(api, tmp_path, ["search", "the", "a", "--limit", "20"], "no")
    assert "above $0.01" in err and status == 1, err


def test_the_default_threshold_lets_a_small_search_run_unasked(api, tmp_path):
    status, err = at_a_terminal(api, tmp_path, ["search", "the", "-o", "p.parquet"], None)
    assert "above $5.00 it asks first" in err  # estimated: about $2.30, under $5
    assert status == 0 and "collect?" not in err, err


def test_bounded_runs_do_not_ask_or_estimate(api, tmp_path):
    threshold(api, tmp_path, "1")
    counts = api.stats.count("get_recent_tweets_count")
    runs = (
        ["search", "the", "--limit", "50", "-o", "a.parquet"],  # $0.25 at most: under $1
        ["search", "the", "--max-cost", "0.5", "-o", "b.parquet"],
        ["search", "the", "-y", "-o", "c.parquet"],
    )
    for args in runs:
        status, err = at_a_terminal(api, tmp_path, args, None)
        assert status == 0 and "collect?" not in err, (args, err)
    assert api.stats.count("get_recent_tweets_count") == counts  # no estimate was paid for


def test_a_run_that_is_not_interactive_never_asks(api, tmp_path):
    threshold(api, tmp_path, "0.01")
    counts = api.stats.count("get_recent_tweets_count")
    result = subprocess.run(
        [sys.executable, "-m", "twxdata", "search", "the", "-o", str(tmp_path / "p.parquet")],
        env=environment(api, tmp_path), capture_output=True, text=True, timeout=120,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0 and "collect?" not in result.stderr, result.stderr
    assert api.stats.count("get_recent_tweets_count") == counts


def test_a_run_too_costly_to_size_asks_without_an_estimate(api, tmp_path):
    # All of X's archive: sizing it would take over 200 counts/all requests (over $2), more
    # than an estimate may spend ($1): none is sent, and the question says the cost is unknown.
    threshold(api, tmp_path, "1")
    counts, before = api.stats.count("get_all_tweets_count"), api.stats.count("search_all_tweets")
    status, err = at_a_terminal(
        api, tmp_path, ["search", "the", "--archive", "--start-time", "2006-03-21"], "n"
    )
    assert "not estimated: sizing this collection takes up to" in err, err
    assert "its cost is not known" in err and "collect? [y/N]" in err
    assert status == 1 and "not collecting; nothing was fetched" in err
    assert api.stats.count("get_all_tweets_count") == counts
    assert api.stats.count("search_all_tweets") == before
