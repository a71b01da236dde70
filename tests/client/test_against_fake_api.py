"""The client's pagination, rate-limit and fault handling against the fake X API."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from twxdata.client import Client, Waiting
from twxdata.errors import BadRequest, Unauthorized
from twxdata.protocol.retry import RetryPolicy
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05)
FIELDS = {
    "tweet_fields": ["created_at", "author_id", "public_metrics", "entities", "lang"],
    "expansions": ["author_id", "referenced_tweets.id", "attachments.media_keys"],
    "user_fields": ["username", "public_metrics"],
}


def corpus() -> Corpus:
    return Corpus(seed=3, size=20_000, end=END)


async def walk(api: FakeXApi, endpoint="search_recent_tweets", **kw):
    async with Client(
        bearer_token=api.bearer_token,
        api_base=api.url,
        retry=FAST,
        rate_limit_margin=0.1,
        on_event=kw.pop("on_event", None),
    ) as c:
        kw.setdefault("params", {"query": "python OR climate", **FIELDS})
        return [p async for p in c.pages(endpoint, **kw)]


async def test_full_search_walk_matches_the_counts_endpoint():
    async with FakeXApi(corpus()) as api:
        pages = await walk(api)
        counts = await walk(
            api,
            "get_recent_tweets_count",
            params={"query": "python OR climate", "granularity": "day"},
        )
    ids = [t["id"] for p in pages for t in p.data]
    assert len(ids) == len(set(ids)) > 200
    assert counts[0].meta["total_tweet_count"] == len(ids)
    assert ids == sorted(ids, key=int, reverse=True)  # newest first, no gaps between pages
    assert all(p.includes.get("users") for p in pages)


async def test_faults_do_not_change_what_is_collected():
    async with FakeXApi(corpus()) as clean:
        expected = [t["id"] for p in await walk(clean) for t in p.data]
    async with FakeXApi(corpus(), faults="503=0.10,drop=0.05,truncate=0.02,502=0.03,seed=4") as api:
        pages = await walk(api)
        faults = sum(api.stats.faults.values())
    assert [t["id"] for p in pages for t in p.data] == expected
    assert faults > 0


async def test_sixty_pages_under_fifteen_requests_per_two_seconds_without_a_429():
    events: list = []
    async with FakeXApi(corpus(), window=2.0, limits={"search_recent_tweets": 15}) as api:
        pages = await walk(
            api,
            params={"query": "the OR python OR climate", "max_results": 10},
            max_pages=60,
            on_event=events.append,
        )
        assert api.stats.too_many_requests == 0
    assert len(pages) == 60
    assert any(isinstance(e, Waiting) for e in events)


async def test_search_all_per_second_rule_is_kept():
    async with FakeXApi(corpus(), window=900.0) as api:
        pages = await walk(
            api, "search_all_tweets", params={"query": "the", "max_results": 10}, max_pages=3
        )
        assert api.stats.too_many_requests == 0
    assert len(pages) == 3


async def test_followers_walk_and_empty_last_page():
    async with FakeXApi(corpus()) as api:
        c = api.corpus
        star = max(range(50), key=lambda u: len(c.follows.followers(u)))
        # Suspended and deactivated accounts are not listed; protected ones are.
        shown = [
            f for f in c.follows.followers(star) if c.user_state(int(f)) in ("ok", "protected")
        ]
        expected = len(shown)
        pages = await walk(
            api, "get_users_followers", path={"id": c.user(star)["id"]}, params={"max_results": 50}
        )
    follower_ids = [u["id"] for p in pages for u in p.data]
    assert len(follower_ids) == len(set(follower_ids)) == expected > 50


async def test_api_errors_come_back_as_typed_exceptions():
    async with FakeXApi(corpus()) as api:
        async with Client(bearer_token="bad-token", api_base=api.url, retry=FAST) as c:
            with pytest.raises(Unauthorized):
                await c.request("search_recent_tweets", params={"query": "x"})
        async with Client(bearer_token=api.bearer_token, api_base=api.url, retry=FAST) as c:
            with pytest.raises(BadRequest) as err:
                await c.request("search_recent_tweets", params={"query": "(unbalanced"})
    assert err.value.title == "Invalid Request"
