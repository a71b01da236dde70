"""Rate limits from the endpoint table, the real headers, and 429s."""

from __future__ import annotations

import math
from typing import Any

import aiohttp

from twxdata.endpoints import ENDPOINTS
from twxdata.testing import Corpus, FakeXApi

SEARCH = "/2/tweets/search/recent"
TOO_MANY = {
    "title": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
    "detail": "Too Many Requests",
}


class Clock:
    def __init__(self, now: float = 1_700_000_000.25) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def limits(reply: Any) -> tuple[int, int, int]:
    h = reply.headers
    return (
        int(h["x-rate-limit-limit"]),
        int(h["x-rate-limit-remaining"]),
        int(h["x-rate-limit-reset"]),
    )


async def test_documented_limits_and_headers(corpus: Corpus, make_client: Any) -> None:
    clock = Clock()
    async with FakeXApi(corpus, window=900) as api, aiohttp.ClientSession() as s:
        api.limiter.clock = clock
        client = make_client(api, s)
        reply = await client.get(SEARCH, query="cats")
        e = ENDPOINTS["search_recent_tweets"]
        assert limits(reply) == (e.limit_app, e.limit_app - 1, math.ceil(clock.now + 900))
        oauth = f'OAuth oauth_token="{api.oauth1_token(int(corpus.users.ids[0]))}"'
        reply = await client.get(SEARCH, auth=oauth, query="cats")
        assert limits(reply)[:2] == (e.limit_user, e.limit_user - 1)  # user context limit
        uid = int(corpus.users.ids[0])
        reply = await client.get(f"/2/users/{uid}/followers")
        assert limits(reply)[:2] == (15, 14)  # as real headers say (the docs say 300)
        reply = await client.get(SEARCH, query="(bad")  # a 400 still costs a request
        assert reply.status == 400 and limits(reply)[1] == e.limit_app - 2


async def test_window_exhaustion_and_reset(corpus: Corpus, make_client: Any) -> None:
    clock = Clock()
    async with (
        FakeXApi(corpus, window=2.0, limits={"search_recent_tweets": 3}) as api,
        aiohttp.ClientSession() as s,
    ):
        api.limiter.clock = clock
        client = make_client(api, s)
        seen = [limits(await client.get(SEARCH, query="cats")) for _ in range(3)]
        reset = math.ceil(clock.now + 2.0)
        assert seen == [(3, 2, reset), (3, 1, reset), (3, 0, reset)]
        reply = await client.get(SEARCH, query="cats")
        assert reply.status == 429 and reply.body == TOO_MANY and limits(reply) == (3, 0, reset)
        other = await client.get(SEARCH, token="someone-else", query="cats")
        assert other.status == 200  # buckets are per credential
        tweet = int(corpus.posts.ids[corpus.visible_rows()[-1]])
        assert (await client.get(f"/2/tweets/{tweet}")).status == 200  # and per endpoint
        clock.now = reset - 0.01  # a client sleeping until the header's reset is never early
        assert (await client.get(SEARCH, query="cats")).status == 200
        assert api.stats.rate_limited == 1 and api.stats.too_many_requests == 1


async def test_full_archive_one_request_per_second(corpus: Corpus, make_client: Any) -> None:
    clock = Clock()
    async with FakeXApi(corpus, window=900, min_interval=1.0) as api, aiohttp.ClientSession() as s:
        api.limiter.clock = clock
        client = make_client(api, s)
        assert (await client.get("/2/tweets/search/all", query="cats")).status == 200
        clock.now += 0.5
        reply = await client.get("/2/tweets/search/all", query="cats")
        assert reply.status == 429 and reply.body == TOO_MANY
        assert limits(reply)[1] == 299  # 429 while requests remain in the window
        clock.now += 0.5
        assert (await client.get("/2/tweets/search/all", query="cats")).status == 200


async def test_min_interval_scales_with_the_window(corpus: Corpus) -> None:
    async with FakeXApi(corpus, window=9.0) as api:
        assert api.limiter.interval_for(ENDPOINTS["search_all_tweets"]) == 0.01
        assert api.limiter.interval_for(ENDPOINTS["search_recent_tweets"]) == 0.0
