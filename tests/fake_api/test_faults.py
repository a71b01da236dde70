"""Fault injection: every kind as a client meets it, seeded, and harmless to the server."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp
import pytest

from twxdata.testing import Corpus, FakeXApi, Faults

QUERY = "the OR data OR new"


async def _get(s: aiohttp.ClientSession, api: FakeXApi, **params: Any) -> tuple[int, str, bytes]:
    params = {"query": QUERY, "max_results": 100, **params}
    async with s.get(api.url + "/2/tweets/search/recent", params=params) as r:
        return r.status, r.headers.get("content-type", ""), await r.read()


@pytest.fixture
async def served(corpus: Corpus) -> Any:
    async with (
        FakeXApi(corpus, limits=10**6, faults=Faults({}, delay=0.3)) as api,
        aiohttp.ClientSession(headers=api.headers()) as session,
    ):
        yield api, session


async def test_status_faults(served: Any) -> None:
    api, s = served
    api.inject("429")
    status, ctype, body = await _get(s, api)
    assert status == 429 and json.loads(body)["title"] == "Too Many Requests"
    for kind in ("500", "503"):
        api.inject(kind)
        status, ctype, body = await _get(s, api)
        assert status == int(kind) and ctype.startswith("application/json")
        assert json.loads(body)["status"] == int(kind)
    api.inject("502")
    status, ctype, body = await _get(s, api)
    assert (status, ctype) == (502, "text/html")
    assert b"<center>nginx</center>" in body
    assert (await _get(s, api))[0] == 200


async def test_connection_faults(served: Any) -> None:
    api, s = served
    expected = {
        "reset": aiohttp.ServerDisconnectedError,
        "drop": aiohttp.ClientPayloadError,
        "truncate": aiohttp.ClientPayloadError,
    }
    for kind, error in expected.items():
        # aiohttp quietly sends a GET again once when the connection closes before any answer
        # (RFC 9112 9.3.1.1), so a reset reaches its caller only when it happens twice.
        api.inject(kind, count=2 if kind == "reset" else 1)
        with pytest.raises(error):
            await _get(s, api)
        status, _, body = await _get(s, api)  # the next request is served normally
        assert status == 200 and json.loads(body)["meta"]["result_count"] == 100
    api.inject("cut")
    async with s.get(api.url + "/2/tweets/search/recent", params={"query": QUERY}) as r:
        body = await r.read()
        assert r.status == 200 and int(r.headers["content-length"]) == len(body)
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)
    api.inject("slow")
    start = time.perf_counter()
    status, _, body = await _get(s, api)
    assert status == 200 and time.perf_counter() - start >= 0.3
    assert dict(api.stats.faults) == {"reset": 2, "drop": 1, "truncate": 1, "cut": 1, "slow": 1}


async def test_faults_are_seeded(corpus: Corpus) -> None:
    async def sequence(seed: int) -> list[str | None]:
        faults = Faults({"503": 0.3, "502": 0.1, "cut": 0.1}, seed=seed)
        async with (
            FakeXApi(corpus, limits=10**6, faults=faults) as api,
            aiohttp.ClientSession(headers=api.headers()) as s,
        ):
            for _ in range(60):
                await _get(s, api, max_results=10)
            return [r.fault for r in api.stats.log]

    first, again, other = await sequence(1), await sequence(1), await sequence(2)
    assert first == again != other
    assert 8 <= first.count("503") <= 30 and first.count(None) >= 20


async def test_faults_never_corrupt_what_is_served(corpus: Corpus) -> None:
    async def walk(faults: Faults | None) -> tuple[list[str], FakeXApi]:
        async with (
            FakeXApi(corpus, limits=10**6, faults=faults) as api,
            aiohttp.ClientSession(headers=api.headers()) as s,
        ):
            ids: list[str] = []
            token = None
            while True:
                try:
                    paging = {"next_token": token} if token else {}
                    status, _, body = await _get(s, api, max_results=10, **paging)
                    page = json.loads(body) if status == 200 else None
                except (aiohttp.ClientError, json.JSONDecodeError):
                    page = None
                if page is None:
                    continue  # retry the same page
                ids += [t["id"] for t in page["data"]]
                token = page["meta"].get("next_token")
                if not token:
                    return ids, api

    clean, _ = await walk(None)
    rates = {
        "429": 0.05,
        "500": 0.05,
        "503": 0.05,
        "502": 0.05,
        "reset": 0.05,
        "drop": 0.05,
        "truncate": 0.05,
        "cut": 0.05,
    }
    faulty, api = await walk(Faults(rates, seed=9))
    assert faulty == clean
    assert sum(api.stats.faults.values()) > 3
    assert api.stats.pages == len(clean) // 10 + (len(clean) % 10 > 0)


def test_fault_specs() -> None:
    f = Faults.parse("503=0.1, drop=0.05, html=0.01, seed=4, delay=1.5")
    assert dict(f.rates) == {"503": 0.1, "drop": 0.05, "502": 0.01}
    assert (f.seed, f.delay) == (4, 1.5)
    for bad in ("503", "teapot=0.1", "503=0.9,500=0.2"):
        with pytest.raises(ValueError):
            Faults.parse(bad)


async def test_stats_record_what_happened(client: Any, api: FakeXApi) -> None:
    await client.get("/2/tweets/search/recent", query="cats", max_results=10)
    await client.get("/2/tweets/search/recent", query="(cats")
    await client.get("/2/tweets/search/recent", token="bad", query="cats")
    stats = api.stats
    assert stats.count("search_recent_tweets", 200) == 1
    assert stats.count("search_recent_tweets", 400) == 1
    assert stats.count(status=401) == 1 and stats.total == 3 and stats.pages == 1
    first = stats.log[0]
    assert first.endpoint == "search_recent_tweets" and first.token == api.bearer_token
    assert first.params == {"query": "cats", "max_results": "10"} and first.status == 200
