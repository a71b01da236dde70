"""The client against a real loopback server: pages, faults, rate limits, credentials."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest
from helpers.pageserver import PageServer

from twxdata.auth import Credentials
from twxdata.client import Client, Received, Retrying, Waiting
from twxdata.endpoints import AuthKind
from twxdata.errors import (
    AuthError,
    MalformedResponse,
    ParameterError,
    ServerError,
    TooManyRequests,
    TransportError,
    Unauthorized,
)
from twxdata.protocol.retry import RetryPolicy

FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05, rate_limit_fallback=0.2)
TOKEN = "BEARER-TOKEN-SECRET"


def client(server: PageServer, **kw) -> Client:
    kw.setdefault("retry", FAST)
    kw.setdefault("rate_limit_margin", 0.1)
    return Client(bearer_token=TOKEN, api_base=server.url, **kw)


async def collect(c: Client, endpoint: str = "search_recent_tweets", **kw) -> list:
    kw.setdefault("params", {"query": "cats"})
    return [page async for page in c.pages(endpoint, **kw)]


async def test_hundreds_of_pages_each_fetched_once_over_one_connection():
    async with PageServer(pages=300) as server, client(server) as c:
        pages = await collect(c)
    ids = [t["id"] for p in pages for t in p.data]
    assert len(pages) == 300 and len(ids) == 30_000 == len(set(ids))
    assert set(server.stats.served.values()) == {1}
    assert all("max_results=100" in path for path in server.stats.paths)
    assert c.requests_sent == 300


async def test_limit_never_overshoots():
    async with PageServer(pages=50) as server, client(server) as c:
        pages = await collect(c, limit=250)
    assert sum(len(p.data) for p in pages) == 250
    assert [p.split("max_results=")[1][:3] for p in server.stats.paths] == ["100", "100", "50&"]


async def test_limit_below_the_minimum_page_is_cut():
    async with PageServer(pages=50) as server, client(server) as c:
        pages = await collect(c, limit=3)
    assert [len(p.data) for p in pages] == [3]
    assert "max_results=10" in server.stats.paths[0]


async def test_max_pages_and_resume_token():
    async with PageServer(pages=50) as server, client(server) as c:
        first = await collect(c, max_pages=2)
        token = first[-1].next_token
        rest = await collect(c, params={"query": "cats", "next_token": token}, max_pages=1)
    assert len(first) == 2 and token == "p2"
    assert rest[0].data[0]["id"] == str(10**15 - 200)


@pytest.mark.parametrize("fault", ["503", "500", "504", "html502", "drop", "truncate"])
async def test_transient_faults_are_retried(fault):
    events: list = []
    async with (
        PageServer(pages=3, script={2: fault}) as server,
        client(server, on_event=events.append) as c,
    ):
        pages = await collect(c)
    assert len(pages) == 3 and set(server.stats.served.values()) == {1}
    assert server.stats.requests == 4
    retries = [e for e in events if isinstance(e, Retrying)]
    assert len(retries) == 1 and retries[0].attempt == 1


async def test_a_503_storm_is_survived():
    storm = {n: "503" for n in range(1, 7)}
    async with PageServer(pages=2, script=storm) as server, client(server) as c:
        pages = await collect(c)
    assert len(pages) == 2 and server.stats.requests == 8


async def test_a_storm_longer_than_max_tries_raises_the_api_error():
    storm = {n: "503" for n in range(1, 10)}
    async with (
        PageServer(pages=2, script=storm) as server,
        client(server, retry=RetryPolicy(max_tries=3, backoff_base=0.01)) as c,
    ):
        with pytest.raises(ServerError) as err:
            await collect(c)
    assert err.value.status == 503 and server.stats.requests == 3


async def test_persistent_html_502_is_a_server_error_not_a_crash():
    script = {n: "html502" for n in range(1, 10)}
    async with (
        PageServer(script=script) as server,
        client(server, retry=RetryPolicy(max_tries=2, backoff_base=0.01)) as c,
    ):
        with pytest.raises(ServerError) as err:
            await collect(c)
    assert err.value.status == 502 and "502 Bad Gateway" in str(err.value)
    assert "non-JSON error body (text/html)" in str(err.value)


async def test_persistent_truncation_is_a_malformed_response():
    script = {n: "truncate" for n in range(1, 10)}
    async with (
        PageServer(script=script) as server,
        client(server, retry=RetryPolicy(max_tries=2, backoff_base=0.01)) as c,
    ):
        with pytest.raises(MalformedResponse, match="not valid JSON"):
            await collect(c)


async def test_persistent_drops_raise_transport_error_without_secrets():
    script = {n: "drop" for n in range(1, 10)}
    async with (
        PageServer(script=script) as server,
        client(server, retry=RetryPolicy(max_tries=3, backoff_base=0.01)) as c,
    ):
        with pytest.raises(TransportError) as err:
            await collect(c)
    assert "gave up after 3 tries" in str(err.value)
    assert TOKEN not in str(err.value) and TOKEN not in repr(err.value)


async def test_timeouts_are_retried():
    async with (
        PageServer(pages=2, script={1: "slow"}, slow_seconds=1.0) as server,
        client(server, timeout=0.3) as c,
    ):
        pages = await collect(c)
    assert len(pages) == 2 and server.stats.requests == 3


async def test_429_with_reset_waits_for_the_window_then_continues():
    events: list = []
    async with (
        PageServer(pages=3, script={2: "429"}) as server,
        client(server, on_event=events.append) as c,
    ):
        pages = await collect(c)
    assert len(pages) == 3 and server.stats.requests == 4
    # The retry went out only once the window the 429 named had reset.
    assert server.stats.times[2] >= server.stats.resets_sent[0]
    waits = [e for e in events if isinstance(e, Waiting)]
    assert waits and "429" in waits[0].reason and waits[0].endpoint == "search_recent_tweets"


async def test_429_without_headers_uses_the_fallback_wait():
    async with PageServer(pages=2, script={1: "429-bare"}) as server, client(server) as c:
        pages = await collect(c)
    assert len(pages) == 2
    assert server.stats.times[1] - server.stats.times[0] >= 0.19  # the 0.2 s fallback


async def test_429_is_raised_when_waiting_is_off():
    async with (
        PageServer(pages=2, script={1: "429"}) as server,
        client(server, retry=RetryPolicy(wait_on_rate_limit=False)) as c,
    ):
        with pytest.raises(TooManyRequests):
            await collect(c)


async def test_client_errors_are_not_retried():
    async with PageServer(script={1: "401"}) as server, client(server) as c:
        with pytest.raises(Unauthorized) as err:
            await collect(c)
    assert server.stats.requests == 1 and err.value.title == "Unauthorized"


async def test_throttling_spends_the_window_without_a_single_429():
    events: list = []
    async with (
        PageServer(pages=60, limit=15, window=2.0) as server,
        client(server, on_event=events.append) as c,
    ):
        pages = await collect(c)
    assert len(pages) == 60 and server.stats.too_many == 0
    assert any(isinstance(e, Waiting) and "window spent" in e.reason for e in events)
    assert set(server.stats.served.values()) == {1}


async def test_concurrent_streams_share_one_budget_without_429():
    async with PageServer(pages=12, limit=10, window=2.0) as server, client(server) as c:
        results = await asyncio.gather(*(collect(c, params={"query": f"q{i}"}) for i in range(4)))
    assert [len(r) for r in results] == [12] * 4
    assert server.stats.too_many == 0


async def test_search_all_keeps_one_second_between_requests():
    async with PageServer(pages=3) as server, client(server) as c:
        await collect(c, "search_all_tweets")
    gaps = [b - a for a, b in itertools.pairwise(server.stats.times)]
    assert len(gaps) == 2 and min(gaps) >= 0.95


async def test_bad_input_sends_nothing():
    async with PageServer() as server, client(server) as c:
        with pytest.raises(ParameterError, match="max_results"):
            await collect(c, params={"query": "x", "max_results": 5000})
        with pytest.raises(ParameterError, match="limit"):
            await collect(c, limit=0)
        with pytest.raises(ParameterError, match="since_id"):
            await collect(c, params={"query": "x", "since_id": "1", "start_time": "1d"})
    assert server.stats.requests == 0


async def test_missing_credentials_fail_before_any_request(monkeypatch):
    monkeypatch.delenv("TWXDATA_BEARER_TOKEN", raising=False)
    async with PageServer() as server, Client(api_base=server.url) as c:
        with pytest.raises(AuthError):
            await collect(c)
    assert server.stats.requests == 0


async def test_authenticated_user_is_looked_up_once_under_concurrency():
    creds = Credentials.from_args(bearer_token="user-token", bearer_kind=AuthKind.OAUTH2_USER)
    async with (
        PageServer(pages=1) as server,
        Client(credentials=creds, api_base=server.url, retry=FAST) as c,
    ):
        results = await asyncio.gather(*(collect(c, "get_bookmarks", params={}) for _ in range(5)))
    assert all(len(r) == 1 for r in results)
    assert sum(1 for p in server.stats.paths if "bookmarks" in p) == 5
    assert server.stats.paths.count("/2/users/me") == 0  # me() is not logged in paths
    assert server.stats.requests == 6  # five pages and one /2/users/me
    assert all("/2/users/1072250532645998596/bookmarks" in p for p in server.stats.paths)


async def test_oauth1_user_context_signs_requests():
    keys = {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": "99-at",
        "access_token_secret": "ats",
    }
    async with PageServer(pages=1) as server, Client(api_base=server.url, **keys) as c:
        await collect(c, user_auth=True)
        pages = await collect(c, "get_bookmarks", params={}, user_auth=True)
    assert server.stats.auth_headers[0].startswith('OAuth oauth_nonce="')
    assert "/2/users/99/bookmarks" in server.stats.paths[-1]  # id from the token, no lookup
    assert len(pages) == 1


async def test_credentials_never_reach_logs_or_urls(caplog):
    caplog.set_level(logging.DEBUG, logger="twxdata")
    async with PageServer(pages=3, script={2: "503"}) as server, client(server) as c:
        pages = await collect(c)
    assert all(TOKEN not in p for p in server.stats.paths)
    assert TOKEN not in caplog.text and "GET http" in caplog.text
    assert all(TOKEN not in p.url and TOKEN.encode() not in p.archive_line() for p in pages)
    assert TOKEN not in repr(c)
    assert server.stats.auth_headers[0] == f"Bearer {TOKEN}"


async def test_received_events_and_streams():
    events: list = []
    async with PageServer(pages=2) as server, client(server, on_event=events.append) as c:
        pages = await collect(c, stream="cats")
    assert [p.stream for p in pages] == ["cats", "cats"]
    received = [e for e in events if isinstance(e, Received)]
    assert [e.items for e in received] == [100, 100] and received[0].stream == "cats"


async def test_server_clock_skew_does_not_break_throttling():
    async with (
        PageServer(pages=20, limit=8, window=2.0, send_date=True) as server,
        client(server) as c,
    ):
        pages = await collect(c)
    assert len(pages) == 20 and server.stats.too_many == 0


async def test_session_is_closed_and_reusable():
    async with PageServer(pages=1) as server:
        c = client(server)
        async with c:
            await collect(c)
        assert c.session is None
        async with c:
            assert len(await collect(c)) == 1
