"""tweepy's TypeErrors before any request, and API errors under tweepy's exception names."""

from __future__ import annotations

import pytest
from compat.support import Ids, make_client

import twxdata
from twxdata.client import Client
from twxdata.compat import AsyncClient
from twxdata.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    HTTPException,
    NotFound,
    ParameterError,
    TooManyRequests,
    TweepyException,
    TwitterServerError,
    TwxError,
    Unauthorized,
)
from twxdata.protocol.retry import RetryPolicy
from twxdata.testing import FakeXApi

BEFORE_ANY_REQUEST = [
    ("get_user", (), {}, "ID or username is required"),
    ("get_user", (), {"id": 1, "username": "a"}, "Expected ID or username, not both"),
    ("get_users", (), {}, "IDs or usernames are required"),
    ("get_users", (), {"ids": [1], "usernames": ["a"]}, "Expected IDs or usernames, not both"),
    ("get_spaces", (), {}, "IDs or user IDs are required"),
    ("get_spaces", (), {"ids": ["a"], "user_ids": [1]}, "Expected IDs or user IDs, not both"),
    (
        "get_direct_message_events",
        (),
        {"dm_conversation_id": "1-2", "participant_id": 2},
        "Expected DM conversation ID or participant ID, not both",
    ),
    ("create_dm", (), {"text": "x"}, "DM conversation ID or participant ID is required"),
    (
        "create_direct_message",
        (),
        {"dm_conversation_id": "1-2", "participant_id": 2, "text": "x"},
        "Expected DM conversation ID or participant ID, not both",
    ),
]


@pytest.mark.parametrize(("method", "args", "kwargs", "message"), BEFORE_ANY_REQUEST)
async def test_tweepys_type_errors(
    client: AsyncClient, api: FakeXApi, method: str, args: tuple, kwargs: dict, message: str
) -> None:
    with pytest.raises(TypeError, match=f"^{message}$"):
        await getattr(client, method)(*args, **kwargs)
    assert api.stats.total == 0


async def test_user_context_needs_an_access_token(api: FakeXApi, ids: Ids) -> None:
    async with AsyncClient(bearer_token=api.bearer_token, api_base=api.url) as app_only:
        for call in (app_only.like(ids.tweet), app_only.get_home_timeline(), app_only.get_me()):
            with pytest.raises(TypeError, match=r"Access Token must be provided for OAuth 1\.0a"):
                await call
    async with AsyncClient(None, "k", "s", api.oauth1_token(ids.me), "t", api_base=api.url) as c:
        with pytest.raises(TypeError, match="bearer_token"):  # bookmarks: OAuth 2.0 only
            await c.get_bookmarks()
        with pytest.raises(TypeError, match=r"OAuth 2\.0"):
            await c.get_me(user_auth=False)
    assert api.stats.total == 0


async def test_bad_arguments_raise_before_any_request(client: AsyncClient, api: FakeXApi) -> None:
    bad = [
        client.create_tweet(text="x", poll_duration_minutes=5),  # no poll_options
        client.create_tweet(text="x", exclude_reply_user_ids=[1]),  # no in_reply_to_tweet_id
        client.create_tweet(),  # an empty post
        client.create_dm_conversation(participant_ids=[1]),  # neither text nor media
        client.get_tweet("not-an-id"),
        client.search_recent_tweets("cats", max_results=5),  # 10 to 100
        client.get_users_tweets(1, exclude=["likes"]),
        client.get_tweet(1, tweet_fields=["colour"]),
        client.get_liking_users(1, media_fields=["url"]),  # in tweepy's signature, not the API's
        client.get_tweet(1, unknown_parameter=1),
    ]
    for call in bad:
        with pytest.raises(ParameterError):
            await call
    assert api.stats.total == 0


async def test_api_errors_have_tweepys_names(api: FakeXApi, ids: Ids, client: AsyncClient) -> None:
    async with AsyncClient(bearer_token="bad-token", api_base=api.url) as c:
        with pytest.raises(Unauthorized) as caught:
            await c.get_tweet(ids.tweet)
    assert isinstance(caught.value, HTTPException) and caught.value.status == 401
    with pytest.raises(Forbidden):  # an app-only token cannot like
        await client.like(ids.tweet, user_auth=False)
    with pytest.raises(NotFound):
        await client.delete_tweet(1)
    with pytest.raises(BadRequest) as bad:
        await client.create_list("x" * 26)  # the API's rule, not checked before sending
    assert bad.value.errors and "name" in bad.value.parameter_errors
    assert TweepyException is TwxError and HTTPException is ApiError
    assert twxdata.HTTPException is ApiError and twxdata.TwitterServerError is TwitterServerError


async def test_a_429_raises_unless_told_to_wait(api: FakeXApi, ids: Ids) -> None:
    api.inject("429", count=1, endpoint="get_tweet")
    async with make_client(api, ids.me) as c:
        assert c.wait_on_rate_limit is False
        with pytest.raises(TooManyRequests):
            await c.get_tweet(ids.tweet)
    api.inject("429", count=1, endpoint="get_tweet")
    async with make_client(api, ids.me, wait_on_rate_limit=True) as c:
        assert (await c.get_tweet(ids.tweet)).data.id == ids.tweet
    assert api.stats.too_many_requests >= 2


async def test_server_errors_are_retried_then_raised(api: FakeXApi, ids: Ids) -> None:
    fast = RetryPolicy(max_tries=3, backoff_base=0.0, backoff_cap=0.0)
    api.inject("503", count=2, endpoint="get_tweet")
    inner = Client(api.bearer_token, api_base=api.url, retry=fast)
    async with AsyncClient(client=inner) as c:
        assert (await c.get_tweet(ids.tweet)).data.id == ids.tweet  # two 503s, then an answer
        api.inject("503", count=3, endpoint="get_tweet")
        with pytest.raises(TwitterServerError):
            await c.get_tweet(ids.tweet)
    with pytest.raises(ValueError, match="not both"):
        AsyncClient("token", client=inner)
    with pytest.raises(ValueError, match="return_type"):
        AsyncClient("token", return_type=list)


async def test_secrets_stay_out_of_reprs_and_errors(api: FakeXApi) -> None:
    c = AsyncClient("bearer-SECRET", "key-SECRET", "cs-SECRET", "1-at-SECRET", "ats-SECRET")
    assert "SECRET" not in repr(c)
    async with AsyncClient(bearer_token="bad-SECRET", api_base=api.url) as bad:
        with pytest.raises(Unauthorized) as caught:
            await bad.get_me(user_auth=False)
    assert "SECRET" not in str(caught.value) and "SECRET" not in repr(caught.value)
    await c.close()
