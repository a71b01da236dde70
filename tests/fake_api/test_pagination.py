"""Pagination: every page walked, no duplicates, no gaps; counts agree with search."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from itertools import pairwise
from typing import Any

import aiohttp
import numpy as np
import pytest

from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.posts import REPLY, RETWEET
from twxdata.testing.timestamps import iso, parse_rfc3339

QUERY = "the OR data OR new OR hoy OR 今日"


def ids_of(pages: list[dict[str, Any]]) -> list[int]:
    return [int(t["id"]) for p in pages for t in p.get("data", [])]


@pytest.mark.parametrize("size", [10, 37, 100, 500])
async def test_search_pages_tile_the_results(client: Any, corpus: Corpus, size: int) -> None:
    pages = await client.walk(
        "/2/tweets/search/all",
        "next_token",
        query=QUERY,
        max_results=size,
        start_time="2024-03-01T00:00:00Z",
    )
    got = ids_of(pages)
    assert got == sorted(got, reverse=True) and len(set(got)) == len(got)  # newest first
    assert all(len(p["data"]) == size for p in pages[:-1])
    for p in pages:
        assert p["meta"]["newest_id"] == p["data"][0]["id"]
        assert p["meta"]["oldest_id"] == p["data"][-1]["id"]
        assert p["meta"]["result_count"] == len(p["data"])
        assert list(p["meta"])[:3] == ["newest_id", "oldest_id", "result_count"]
    assert "next_token" not in pages[-1]["meta"]
    reference = await client.walk(
        "/2/tweets/search/all",
        "next_token",
        query=QUERY,
        max_results=500,
        start_time="2024-03-01T00:00:00Z",
    )
    assert got == ids_of(reference)
    assert len(got) > 1000


async def test_pages_stay_whole_when_posts_vanish_between_requests(make_client: Any) -> None:
    corpus = Corpus(seed=21, size=2_000, end=datetime(2024, 5, 1, tzinfo=timezone.utc))
    async with FakeXApi(corpus, min_interval=0, limits=10**6) as api, aiohttp.ClientSession() as s:
        client = make_client(api, s)
        params = {"query": QUERY, "max_results": 50, "start_time": "2024-03-01T00:00:00Z"}
        before = ids_of(await client.walk("/2/tweets/search/all", "next_token", **params))
        first = (await client.get("/2/tweets/search/all", **params)).body
        for pid in before[20:30] + before[100:110]:  # some seen, some not yet
            corpus.delete_tweet(pid)
        rest = await client.walk(
            "/2/tweets/search/all", "next_token", start=first["meta"]["next_token"], **params
        )
        after = ids_of([first, *rest])
        assert len(set(after)) == len(after)
        assert after == [i for i in before if i not in before[100:110]]


def _bucket_counts(times: list[float], data: list[dict[str, Any]]) -> list[int]:
    edges = [parse_rfc3339(b["start"]) for b in data] + [parse_rfc3339(data[-1]["end"])]
    counts = Counter(int(np.searchsorted(edges, t, side="right")) - 1 for t in times)
    return [counts.get(k, 0) for k in range(len(data))]


@pytest.mark.parametrize("granularity", ["minute", "hour", "day"])
async def test_recent_counts_agree_with_recent_search(
    client: Any, api: FakeXApi, granularity: str
) -> None:
    counts = await client.get("/2/tweets/counts/recent", query=QUERY, granularity=granularity)
    assert counts.status == 200
    body = counts.body
    assert list(body) == ["data", "meta"] and list(body["meta"]) == ["total_tweet_count"]
    pages = await client.walk(
        "/2/tweets/search/recent",
        "next_token",
        query=QUERY,
        max_results=100,
        tweet__fields="created_at",
    )
    times = [parse_rfc3339(t["created_at"]) or 0 for p in pages for t in p["data"]]
    data = body["data"]
    assert [list(b) for b in data[:1]] == [["end", "start", "tweet_count"]]
    assert [b["tweet_count"] for b in data] == _bucket_counts(times, data)
    assert body["meta"]["total_tweet_count"] == len(times) > 0
    for a, b in pairwise(data):
        assert a["end"] == b["start"]
    step = {"minute": 60, "hour": 3600, "day": 86_400}[granularity]
    assert all((parse_rfc3339(b["start"]) or 0) % step == 0 for b in data[1:])
    assert parse_rfc3339(data[0]["start"]) == api.now() - 7 * 86_400  # the partial first bucket


async def test_archive_counts_page_in_31_day_chunks(client: Any) -> None:
    window = {"start_time": "2024-02-10T00:00:00Z", "end_time": "2024-04-30T12:00:00Z"}
    pages = await client.walk(
        "/2/tweets/counts/all", "next_token", query=QUERY, granularity="day", **window
    )
    assert len(pages) == 3  # 80.5 days: 31 + 31 + 18.5
    assert [len(p["data"]) for p in pages][:2] in ([31, 31], [32, 32])
    assert pages[0]["data"][-1]["end"] == "2024-04-30T12:00:00.000Z"
    assert pages[-1]["data"][0]["start"] == "2024-02-10T00:00:00.000Z"
    for newer, older in pairwise(pages):
        assert older["data"][-1]["end"] == newer["data"][0]["start"]
        assert "next_token" in newer["meta"]
    assert "next_token" not in pages[-1]["meta"]
    for p in pages:
        assert p["meta"]["total_tweet_count"] == sum(b["tweet_count"] for b in p["data"])
    search = await client.walk(
        "/2/tweets/search/all",
        "next_token",
        query=QUERY,
        max_results=500,
        tweet__fields="created_at",
        **window,
    )
    times = [parse_rfc3339(t["created_at"]) or 0 for p in search for t in p["data"]]
    buckets = [b for p in reversed(pages) for b in p["data"]]
    assert [b["tweet_count"] for b in buckets] == _bucket_counts(times, buckets)
    assert sum(b["tweet_count"] for b in buckets) == len(times) > 1000


async def test_empty_results_look_like_the_real_ones(client: Any, corpus: Corpus) -> None:
    reply = await client.get("/2/tweets/search/recent", query="zzzqqq")
    assert reply.raw == b'{"meta":{"result_count":0}}'
    quiet = next(i for i in corpus.visible_rows() if corpus.posts.like_count[i] == 0)
    reply = await client.get(f"/2/tweets/{int(corpus.posts.ids[quiet])}/liking_users")
    assert reply.raw == b'{"meta":{"result_count":0}}'


async def test_timeline_caps_previous_tokens_and_exclude(make_client: Any) -> None:
    corpus = Corpus(seed=4, size=9_000, users=2, end=datetime(2024, 5, 1, tzinfo=timezone.utc))
    async with FakeXApi(corpus, limits=10**6) as api, aiohttp.ClientSession() as s:
        client = make_client(api, s)
        u = max(range(2), key=lambda k: corpus.by_author(k).size)
        assert corpus.user_state(u) == "ok" and corpus.by_author(u).size > 3200
        uid = int(corpus.users.ids[u])
        pages = await client.walk(f"/2/users/{uid}/tweets", max_results=100)
        got = ids_of(pages)
        own = corpus.by_author(u)
        expected = [int(corpus.posts.ids[i]) for i in own[corpus.visible[own]]][-3200:][::-1]
        assert got == expected
        assert list(pages[0]["meta"]) == ["newest_id", "oldest_id", "result_count", "next_token"]
        second = pages[1]["meta"]
        assert "previous_token" in second
        back = await client.get(
            f"/2/users/{uid}/tweets", max_results=100, pagination_token=second["previous_token"]
        )
        assert back.body["data"] == pages[0]["data"]
        no_replies = ids_of(
            await client.walk(f"/2/users/{uid}/tweets", max_results=100, exclude="replies,retweets")
        )
        kinds = {int(corpus.posts.kind[corpus.posts.index_of_id(i) or 0]) for i in no_replies}
        assert len(no_replies) == 800 and not kinds & {REPLY, RETWEET}
        mentions = ids_of(await client.walk(f"/2/users/{uid}/mentions", max_results=100))
        assert len(mentions) == 800 == len(set(mentions))


async def test_user_lists_walk_completely(client: Any, corpus: Corpus) -> None:
    u = int(np.argmax(corpus.follows.in_degree))
    uid = int(corpus.users.ids[u])
    pages = await client.walk(f"/2/users/{uid}/followers", max_results=7)
    got = [int(x["id"]) for p in pages for x in p.get("data", [])]
    shown = [
        int(corpus.users.ids[v])
        for v in corpus.follows.followers(u)
        if corpus.user_state(int(v)) in ("ok", "protected")
    ]
    assert got == shown and len(got) > 50
    assert "previous_token" not in pages[0]["meta"] and "previous_token" in pages[1]["meta"]
    if corpus.follows.followers(u).size % 7 == 0:
        assert pages[-1] == {
            "meta": {"result_count": 0, "previous_token": pages[-1]["meta"]["previous_token"]}
        }
    row = int(np.argmax(corpus.posts.like_count))
    tid = int(corpus.posts.ids[row])
    likers = [
        x["id"]
        for p in await client.walk(f"/2/tweets/{tid}/liking_users", max_results=9)
        for x in p.get("data", [])
    ]
    assert len(likers) == len(set(likers)) > 0
    k = max(
        range(corpus.lists.n),
        key=lambda k: (not corpus.lists.private[k], corpus.lists.members(k).size),
    )
    lid = int(corpus.lists.ids[k])
    members = [
        x["id"]
        for p in await client.walk(f"/2/lists/{lid}/members", max_results=3)
        for x in p.get("data", [])
    ]
    assert len(members) == len(set(members)) > 3


async def test_home_timeline_is_followed_accounts_and_own(client: Any, api: FakeXApi) -> None:
    c = api.corpus
    me = c.user_for_token(api.bearer_token)
    me_id = int(c.users.ids[me])
    pages = await client.walk(
        f"/2/users/{me_id}/timelines/reverse_chronological",
        max_results=50,
        tweet__fields="author_id",
    )
    authors = {int(t["author_id"]) for p in pages for t in p.get("data", [])}
    allowed = {int(c.users.ids[v]) for v in c.follows.following(me)} | {me_id}
    assert authors and authors <= allowed
    other = int(c.users.ids[(me + 1) % c.users.n])
    reply = await client.get(f"/2/users/{other}/timelines/reverse_chronological")
    assert reply.status == 403


async def test_foreign_and_garbled_tokens_are_rejected(client: Any) -> None:
    first = (await client.get("/2/tweets/search/recent", query="the")).body
    token = first["meta"]["next_token"]
    for query, tok in (("data", token), ("the", "garbage"), ("the", token + "x")):
        reply = await client.get("/2/tweets/search/recent", query=query, next_token=tok)
        assert reply.status == 400
        assert reply.body["errors"][0]["parameters"] == {"next_token": [tok]}
    ok = await client.get("/2/tweets/search/recent", query="the", pagination_token=token)
    assert ok.status == 200  # the spec's alias of next_token
    assert iso(0) == "1970-01-01T00:00:00.000Z"
