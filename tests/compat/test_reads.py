"""Every read method of AsyncClient, end to end against the fake API, with tweepy's models."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from compat.support import END, Ids

from twxdata.compat import AsyncClient, DirectMessageEvent, List, Response, Space, Tweet, User
from twxdata.testing import FakeXApi


def _items(r: Response) -> list:
    if r.data is None:
        return []
    return r.data if isinstance(r.data, list) else [r.data]


async def test_post_lookups_and_expansions(client: AsyncClient, ids: Ids) -> None:
    r = await client.get_tweet(
        ids.tweet,
        expansions=["author_id"],
        tweet_fields=["created_at", "public_metrics", "author_id"],
        user_fields="username,created_at",
    )
    assert isinstance(r, Response) and isinstance(r.data, Tweet)
    assert r.data.id == ids.tweet and r.data.edit_history_tweet_ids[-1] == ids.tweet
    assert r.data.created_at.tzinfo is not None and r.data.public_metrics["like_count"] > 0
    author = r.includes["users"][0]
    assert isinstance(author, User) and author.id == r.data.author_id
    assert isinstance(author.created_at, datetime) and r.errors == [] and r.meta == {}
    r = await client.get_tweets([ids.tweet, str(ids.mine)], user_auth=True)
    assert [t.id for t in r.data] == [ids.tweet, ids.mine]


async def test_search_timelines_and_counts(client: AsyncClient, ids: Ids) -> None:
    r = await client.search_recent_tweets(
        "the OR data", max_results=10, sort_order="recency", user_auth=True
    )
    assert len(r.data) == 10 and set(r.meta) >= {"newest_id", "oldest_id", "next_token"}
    r = await client.search_all_tweets(
        "the", max_results=10, start_time=END - timedelta(days=20), end_time=END - timedelta(days=1)
    )
    assert all(isinstance(t, Tweet) for t in r.data) and r.meta["result_count"] == 10
    r = await client.get_users_tweets(ids.me, max_results=5, exclude=["replies"])
    assert 0 < len(r.data) <= 5
    r = await client.get_users_mentions(ids.other, max_results=5)
    assert isinstance(r, Response)
    r = await client.get_home_timeline(max_results=5)
    assert len(r.data) == 5
    r = await client.get_recent_tweets_count("the", granularity="day")
    assert isinstance(r.data[0], dict) and r.meta["total_tweet_count"] > 0  # raw, as in tweepy
    r = await client.get_all_tweets_count(
        "the", granularity="day", start_time="2024-04-01T00:00:00Z"
    )
    assert sum(b["tweet_count"] for b in r.data) == r.meta["total_tweet_count"]


async def test_engagement_lookups(client: AsyncClient, user_client: AsyncClient, ids: Ids) -> None:
    r = await client.get_liking_users(ids.tweet, max_results=5)
    assert all(isinstance(u, User) for u in r.data)
    r = await client.get_liked_tweets(ids.me, max_results=5, user_auth=True)
    assert all(isinstance(t, Tweet) for t in r.data)
    r = await client.get_retweeters(ids.tweet)
    assert all(isinstance(u, User) for u in r.data)
    r = await client.get_quote_tweets(ids.tweet, max_results=10, exclude="retweets")
    assert isinstance(r, Response)
    r = await user_client.get_bookmarks(max_results=5, tweet_fields=["created_at"])
    assert all(isinstance(t, Tweet) and t.created_at for t in r.data)


async def test_users(client: AsyncClient, ids: Ids, api: FakeXApi) -> None:
    me = await client.get_me(user_fields=["public_metrics"])
    assert me.data.id == ids.me and "followers_count" in me.data.public_metrics
    by_name = await client.get_user(username=me.data.username)
    by_id = await client.get_user(id=ids.me, user_auth=True)
    assert by_name.data == by_id.data == me.data
    r = await client.get_users(ids=[ids.me, ids.other])
    assert [u.id for u in r.data] == [ids.me, ids.other]
    r = await client.get_users(usernames=[me.data.username])
    assert r.data[0].id == ids.me
    r = await client.get_users_followers(ids.other, max_results=2)
    assert len(r.data) == 2 and "next_token" in r.meta
    r = await client.get_users_following(ids.me, max_results=2)
    assert all(isinstance(u, User) for u in r.data)
    for empty in (await client.get_blocked(), await client.get_muted()):
        assert empty.data is None and empty.meta == {"result_count": 0}


async def test_spaces(client: AsyncClient, ids: Ids) -> None:
    r = await client.get_space(ids.space, space_fields=["created_at", "title", "creator_id"])
    assert isinstance(r.data, Space) and r.data.id == ids.space and r.data.creator_id
    r = await client.get_spaces(ids=[ids.space])
    assert [s.id for s in r.data] == [ids.space]
    r = await client.get_spaces(user_ids=[ids.space_creator], expansions="creator_id")
    assert ids.space in [s.id for s in r.data] and r.includes["users"][0].id == ids.space_creator
    title = (
        r.data[0].data.get("title")
        or (await client.get_space(ids.space, space_fields="title")).data.title
    )
    r = await client.search_spaces(title.split()[0], state="all", max_results=10)
    assert all(isinstance(s, Space) for s in _items(r))
    r = await client.get_space_tweets(ids.space)
    assert r.data is None or all(isinstance(t, Tweet) for t in r.data)
    r = await client.get_space_buyers(ids.space)
    assert r.meta == {"result_count": 0}


async def test_lists(client: AsyncClient, ids: Ids) -> None:
    r = await client.get_list(
        ids.list, list_fields=["owner_id", "member_count"], expansions="owner_id"
    )
    assert isinstance(r.data, List) and r.data.id == str(ids.list)  # list ids stay strings
    assert r.includes["users"][0].id == ids.owner and r.data.member_count > 0
    r = await client.get_list_members(ids.list, max_results=3)
    assert len(r.data) <= 3 and all(isinstance(u, User) for u in r.data)
    member = r.data[0].id
    r = await client.get_list_memberships(member)
    assert str(ids.list) in [lst.id for lst in r.data]
    r = await client.get_list_followers(ids.list)
    assert isinstance(r, Response)
    r = await client.get_owned_lists(ids.owner)
    assert str(ids.list) in [lst.id for lst in r.data]
    r = await client.get_followed_lists(ids.me, user_auth=True)
    assert all(isinstance(lst, List) for lst in _items(r))
    r = await client.get_list_tweets(ids.list, max_results=5)
    assert all(isinstance(t, Tweet) for t in r.data)
    r = await client.get_pinned_lists(list_fields="private")
    assert all(isinstance(lst, List) for lst in _items(r))


async def test_direct_messages_start_empty(client: AsyncClient, ids: Ids) -> None:
    r = await client.get_direct_message_events(event_types=["MessageCreate"])
    assert r.data is None and r.meta["result_count"] == 0
    r = await client.get_dm_events(participant_id=ids.other)
    assert r.data is None


async def test_compliance_jobs_start_empty(client: AsyncClient) -> None:
    r = await client.get_compliance_jobs("tweets", status="complete")
    assert r.data is None and r.meta == {"result_count": 0}


async def test_extra_keyword_parameters_reach_the_query(client: AsyncClient, ids: Ids) -> None:
    # tweepy passes unknown keywords on (**params); ours are checked like every parameter.
    r = await client.get_space_buyers(ids.space, max_results=5)
    assert r.meta == {"result_count": 0}
    r = await client.get_spaces(ids=[ids.space], topic_fields=["name"], expansions="topic_ids")
    assert r.includes["topics"][0]["name"]  # topics stay dicts, as in tweepy


async def test_dm_event_model() -> None:
    event = DirectMessageEvent(
        {"id": "9", "event_type": "MessageCreate", "text": "hi", "sender_id": "3",
         "created_at": "2024-05-01T00:00:00.000Z", "participant_ids": ["3", "4"]}
    )  # fmt: skip
    assert (event.id, event.sender_id, event.participant_ids, str(event)) == (9, 3, [3, 4], "hi")
    assert event.created_at == datetime(2024, 5, 1, tzinfo=timezone.utc)
