"""The one-request-a-second rule of search/all holds across processes, as the window does.

A command run right after another (a capped run, then the same command with a higher cap)
used to send its first request within the second of the last one and draw a 429: the budget
remembered the window between processes, not when its last request left.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from twxdata.budgets import Budgets
from twxdata.endpoints import ENDPOINTS
from twxdata.protocol.ratelimit import RateLimit
from twxdata.ratelimit_cache import RateLimitCache
from twxdata.testing import FakeXApi

WALL = 1_800_000_000.0  # the server's clock when the first process stops


def spend_one(cache: RateLimitCache, endpoint: str) -> None:
    """A first process: one request at monotonic 100.0, answered, then the client closes."""
    budgets = Budgets("https://api.x.com", lambda: WALL, memory=cache)
    budget = budgets.get(ENDPOINTS[endpoint], "app:k", now=100.0)
    assert budget.acquire(100.0) == 0.0
    budget.settle(RateLimit(300, 299, int(WALL) + 900, 900.0), now=100.2)
    budgets.remember_all(now=100.3)  # its last request left 0.3 s before WALL


def test_a_new_process_keeps_the_per_second_rule_of_the_last_one(tmp_path: Path) -> None:
    cache = RateLimitCache(tmp_path / "ratelimits.json")
    spend_one(cache, "search_all_tweets")
    # A second process, half a second later by the server's clock, its own monotonic clock
    budgets = Budgets("https://api.x.com", lambda: WALL + 0.5, memory=cache)
    budget = budgets.get(ENDPOINTS["search_all_tweets"], "app:k", now=5.0)
    wait = budget.acquire(5.0)
    assert 0.25 < wait < 0.35  # 1.1 s after the last request (0.8 s ago)
    assert budget.wait_reason(5.0) == "at most one request per 1 s on this endpoint"
    assert budget.acquire(5.0 + wait) == 0.0
    # Two seconds later nothing is left to wait for
    later = Budgets("https://api.x.com", lambda: WALL + 2.0, memory=cache)
    assert later.get(ENDPOINTS["search_all_tweets"], "app:k", now=9.0).acquire(9.0) == 0.0


def test_endpoints_without_the_rule_keep_no_send_time(tmp_path: Path) -> None:
    cache = RateLimitCache(tmp_path / "ratelimits.json")
    spend_one(cache, "search_recent_tweets")
    budgets = Budgets("https://api.x.com", lambda: WALL + 0.1, memory=cache)
    budget = budgets.get(ENDPOINTS["search_recent_tweets"], "app:k", now=5.0)
    assert budget.acquire(5.0) == 0.0
    assert b"last_sent" not in (tmp_path / "ratelimits.json").read_bytes()


def test_two_archive_searches_back_to_back_draw_no_429(tmp_path: Path) -> None:
    with FakeXApi(seed=3, size=3_000) as server:  # search/all: one request a second
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
        env |= {
            "TWXDATA_BEARER_TOKEN": server.bearer_token,
            "TWXDATA_API_BASE": server.url,
            "TWXDATA_CACHE_DIR": str(tmp_path / "cache"),
            "TWXDATA_CONFIG_DIR": str(tmp_path / "config"),
        }
        for n in range(2):
            done = subprocess.run(
                [sys.executable, "-m", "twxdata", "search", "the", "--archive",
                 "--start-time", "20d", "--max-results", "10", "--max-pages", "2",
                 "--raw", str(tmp_path / f"r{n}.jsonl")],
                capture_output=True, text=True, env=env, timeout=120,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert "429" not in done.stderr
        assert server.stats.too_many_requests == 0
        assert server.stats.count("search_all_tweets") == 4
