"""Ways to run the fake API: in a coroutine, in a thread, as a pytest fixture, from the shell."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import datetime, timezone
from typing import Any

import pytest

import twxdata.testing
from twxdata.testing import Corpus, FakeXApi


def fetch(url: str, token: str = "fake-bearer-token") -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_public_surface() -> None:
    assert twxdata.testing.__all__ == sorted(twxdata.testing.__all__)
    for name in ("FakeXApi", "Corpus", "Faults"):
        assert name in twxdata.testing.__all__


def test_background_thread_from_plain_code() -> None:
    corpus = Corpus(seed=2, size=300, end=datetime(2024, 5, 1, tzinfo=timezone.utc))
    with FakeXApi(corpus) as api:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", api.url)
        status, body = fetch(api.url + "/2/users/me")
        assert status == 200 and body["data"]["id"] == api.user_of()["id"]
        api.corpus.delete_tweet(int(corpus.posts.ids[corpus.visible_rows()[-1]]))
        assert fetch(api.url + "/2/tweets/search/recent?query=the")[0] == 200
    with pytest.raises(RuntimeError):
        _ = api.url


def test_fixture_defaults(fake_x_api: FakeXApi) -> None:
    status, body = fetch(fake_x_api.url + "/2/tweets/search/recent?query=the%20OR%20data")
    assert status == 200 and body["meta"]["result_count"] == 10
    assert fake_x_api.corpus.size == 2_000
    assert fake_x_api.stats.count("search_recent_tweets") == 1


@pytest.mark.fake_x_api(size=300, limits=1, faults="503=1.0")
def test_fixture_options_from_the_marker(fake_x_api: FakeXApi) -> None:
    assert fake_x_api.corpus.size == 300
    assert fetch(fake_x_api.url + "/2/users/me")[0] == 503


async def test_fixture_works_in_async_tests(fake_x_api: FakeXApi) -> None:
    import aiohttp

    async with (
        aiohttp.ClientSession(headers=fake_x_api.headers()) as s,
        s.get(fake_x_api.url + "/2/users/me") as r,
    ):
        assert r.status == 200


def test_command_line() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-c",
        "from twxdata.cli import entry_point; entry_point()",
        "fake-api",
        "--port",
        "0",
        "--size",
        "400",
        "--seed",
        "3",
        "--faults",
        "slow=0.5",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert url, lines
        assert lines[1].strip() == f"export TWXDATA_API_BASE={url.group()}"
        token = lines[2].strip().split("=", 1)[1]
        status, body = fetch(url.group() + "/2/users/me", token)
        assert status == 200 and body["data"]["username"] in lines[3]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run(
        [*cmd[:3], "fake-api", "--faults", "teapot=1"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "unknown fault kinds" in bad.stderr


async def test_serves_fully_expanded_pages_the_same_on_every_walk(
    corpus: Corpus, fields_for: Any
) -> None:
    """Cached renders give what the first walk rendered (speed is benchmarks/fake_api.py's to
    measure: a timed assertion fails on a loaded machine, not on a slow fake)."""
    import aiohttp

    params = {
        **fields_for("search_all_tweets"),
        "query": "the OR data OR new",
        "max_results": "100",
        "start_time": "2024-03-01T00:00:00Z",
    }
    async with (
        FakeXApi(corpus, limits=10**6, min_interval=0) as api,
        aiohttp.ClientSession(headers=api.headers()) as s,
    ):

        async def walk() -> list[bytes]:
            pages, token = [], None
            while True:
                query = {**params, **({"next_token": token} if token else {})}
                async with s.get(api.url + "/2/tweets/search/all", params=query) as r:
                    raw = await r.read()
                pages.append(raw)
                token = json.loads(raw)["meta"].get("next_token")
                if not token:
                    return pages

        first = await walk()  # renders and caches every object once
        again = await walk()
    assert len(first) >= 10 and again == first
