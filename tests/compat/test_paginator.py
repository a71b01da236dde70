"""AsyncPaginator: tweepy's limits and tokens, plus includes, errors, meta and DataFrames."""

from __future__ import annotations

import aiohttp
import pytest
from compat.support import Ids, make_client

from twxdata.compat import AsyncClient, AsyncPaginator, RawResponse, Response, Tweet, User
from twxdata.testing import FakeXApi

QUERY = "the OR data OR new"


async def test_limit_counts_requests(client: AsyncClient, api: FakeXApi) -> None:
    pager = AsyncPaginator(client.search_recent_tweets, QUERY, max_results=10, limit=3)
    responses = [r async for r in pager]
    assert len(responses) == 3 == api.stats.count("search_recent_tweets")
    assert all(isinstance(r, Response) and len(r.data) == 10 for r in responses)
    ids = [t.id for r in responses for t in r.data]
    assert len(set(ids)) == 30 and ids == sorted(ids, reverse=True)  # no gaps, no repeats


async def test_flatten_limit_counts_items_and_trims_the_last_page(
    client: AsyncClient, api: FakeXApi, ids: Ids
) -> None:
    pager = AsyncPaginator(client.get_users_followers, ids.other, max_results=2)
    followers = [u async for u in pager.flatten(limit=3)]
    assert len(followers) == 3 and all(isinstance(u, User) for u in followers)
    asked = [r.params.get("max_results") for r in api.stats.log][-2:]
    assert asked == ["2", "1"]  # the last request asks only for what is yielded
    every = [u.id async for u in AsyncPaginator(client.get_users_followers, ids.other).flatten()]
    assert every[:3] == [u.id for u in followers]
    assert [u async for u in pager.flatten(limit=0)] == []


async def test_includes_errors_and_meta_are_kept(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus
    answers = [int(i) for i in c.visible_rows() if int(c.posts.kind[i]) in (1, 3)][-100:]
    for row in answers:  # delete what replies and quotes point at: partial errors on the pages
        c.delete_tweet(int(c.posts.ids[int(c.posts.ref[row])]))
    pager = AsyncPaginator(
        client.search_recent_tweets,
        QUERY,
        max_results=10,
        expansions=["author_id", "referenced_tweets.id"],
        tweet_fields="author_id",
        user_fields="username",
        limit=4,
    )
    posts = [t async for t in pager.flatten()]
    assert len(pager.pages) == 4 and len(posts) == 40
    authors = {t.data["author_id"] for t in posts}
    users = pager.includes["users"]
    assert {str(u.id) for u in users} >= authors and all(isinstance(u, User) for u in users)
    assert len({u.id for u in users}) == len(users)  # each object once over all pages
    assert all(isinstance(t, Tweet) for t in pager.includes["tweets"])
    assert pager.errors and {e["title"] for e in pager.errors} == {"Not Found Error"}
    assert pager.meta == pager.pages[-1].meta and "next_token" in pager.meta


async def test_pagination_token_and_reverse(client: AsyncClient, ids: Ids) -> None:
    pages = [r async for r in AsyncPaginator(client.get_home_timeline, max_results=5, limit=3)]
    assert len(pages) == 3
    start = pages[0].meta["next_token"]
    resumed = [
        r async for r in AsyncPaginator(
            client.get_home_timeline, max_results=5, pagination_token=start, limit=1
        )
    ]  # fmt: skip
    assert [t.id for t in resumed[0].data] == [t.id for t in pages[1].data]
    back = pages[2].meta["previous_token"]
    reversed_pages = [
        r async for r in reversed(
            AsyncPaginator(client.get_home_timeline, max_results=5, pagination_token=back)
        )
    ]  # fmt: skip
    assert [t.id for t in reversed_pages[0].data] == [t.id for t in pages[1].data]
    assert [t.id for t in reversed_pages[-1].data] == [t.id for t in pages[0].data]


async def test_to_frame_joins_the_expansions(client: AsyncClient) -> None:
    pager = AsyncPaginator(
        client.search_recent_tweets,
        QUERY,
        max_results=10,
        expansions="author_id",
        tweet_fields=["author_id", "created_at", "public_metrics"],
        user_fields=["username", "public_metrics"],
        limit=2,
    )
    frame = await pager.to_frame()  # walks first when nothing was walked
    assert len(frame) == 20 and frame["author.username"].notna().all()
    assert str(frame["created_at"].dtype).startswith("timestamp")
    users = await pager.to_frame("users")
    assert set(users["id"]) == set(frame["author_id"])
    single = await client.get_tweet(
        int(frame["id"][0]), expansions="author_id", tweet_fields="author_id"
    )
    assert single.to_frame()["author.id"].tolist() == [frame["author_id"][0]]
    assert (await pager.tables()).tweets.num_rows == 20


@pytest.mark.parametrize("return_type", [dict, aiohttp.ClientResponse])
async def test_other_return_types(api: FakeXApi, ids: Ids, return_type: type) -> None:
    async with make_client(api, ids.me, return_type=return_type) as c:
        pager = AsyncPaginator(c.get_users_followers, ids.other, max_results=2, limit=2)
        responses = [r async for r in pager]
        items = [u async for u in pager.flatten(limit=3)]
        frame = await pager.to_frame()
    assert all(isinstance(u, dict) for u in items) and len(items) == 3
    assert len(frame) == 3 and isinstance(pager.includes, dict)
    first = responses[0]
    if return_type is dict:
        assert set(first) == {"data", "meta"} and len(first["data"]) == 2
    else:
        assert isinstance(first, RawResponse) and first.status == 200
        assert int(first.headers["x-rate-limit-remaining"]) >= 0
        assert (await first.json())["meta"]["result_count"] == 2
        assert (await first.text()).startswith("{") and await first.read()


async def test_paginator_checks_its_arguments_first(client: AsyncClient, api: FakeXApi) -> None:
    with pytest.raises(TypeError):
        AsyncPaginator(client.get_users, limit=2)  # tweepy's TypeError, at once
    with pytest.raises(TypeError):
        AsyncPaginator(client.search_recent_tweets)  # the query is missing
    with pytest.raises(TypeError, match=r"twxdata\.AsyncClient"):
        AsyncPaginator(len)
    assert api.stats.total == 0
    lookup = AsyncPaginator(client.get_tweets, [1])
    assert [r.data async for r in lookup] == [None]  # a lookup is one request
