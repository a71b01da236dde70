"""tweepy's exception interface, from the user's side: ``except BadRequest as e`` with
``e.api_codes``, ``e.api_messages``, ``e.response.status``; for the API's 400s and for the
arguments twxdata refuses before sending; and one-line messages that name the endpoint, not
the query string."""

from __future__ import annotations

import pytest
from compat.support import Ids, make_client

from twxdata.client import Client
from twxdata.compat import AsyncClient, AsyncPaginator
from twxdata.errors import (
    ApiError,
    BadRequest,
    ErrorResponse,
    HTTPException,
    NotFound,
    ParameterBadRequest,
    ParameterError,
    TooManyRequests,
    TransportError,
    TweepyException,
    Unauthorized,
)
from twxdata.fields import TWEET_FIELDS, USER_FIELDS
from twxdata.protocol.retry import RetryPolicy
from twxdata.testing import FakeXApi

UNBALANCED = "There were errors processing your request: Unexpected end of query (at position 9)"


async def test_an_api_400_reads_as_in_tweepy(client: AsyncClient, api: FakeXApi) -> None:
    try:
        await client.search_recent_tweets(
            "climate (",
            tweet_fields=sorted(TWEET_FIELDS),
            user_fields=sorted(USER_FIELDS),
            expansions="author_id",
        )
    except BadRequest as e:  # tweepy-style
        assert e.api_codes == []  # v2 invalid-request errors carry no codes
        assert e.api_messages == [UNBALANCED]
        assert e.api_errors == [{"parameters": {"query": ["climate ("]}, "message": UNBALANCED}]
        assert e.response.status == e.response.status_code == 400 and not e.response.ok
        assert e.response.reason == "Bad Request"
        body = await e.response.json()
        assert body["title"] == "Invalid Request" and body["errors"] == e.api_errors
        assert (await e.response.text()).startswith('{"errors"')
        limit = int(e.response.headers["X-Rate-Limit-Limit"])  # case-insensitive, like aiohttp
        assert 0 <= int(e.response.headers["x-rate-limit-remaining"]) < limit
        assert e.response.method == "GET" and e.response.url == e.url
        message, url = str(e), e.url
    else:
        pytest.fail("no BadRequest")
    assert api.stats.count("search_recent_tweets") == 1  # it went to the API, as with tweepy
    # One line naming the endpoint; the query string (here long) is only in .url.
    assert message == (
        "400 Invalid Request: One or more parameters to your request was invalid.; "
        f"{UNBALANCED} (GET /2/tweets/search/recent)"
    )
    assert len(url) > 500 and "?" not in message and "\n" not in message
    assert "/2/tweets/search/recent?" in url and "tweet.fields=" in url


async def test_refused_arguments_are_bad_requests_too(client: AsyncClient, api: FakeXApi) -> None:
    """tweepy sends them and raises BadRequest on the 400; twxdata refuses before sending."""
    try:
        await client.search_recent_tweets("climate", max_results=5000)
    except BadRequest as e:
        assert isinstance(e, ParameterError) and isinstance(e, ValueError)
        assert e.status == 400 and e.response.status == 400 and e.response.reason == "Bad Request"
        assert e.api_codes == [] and len(e.api_messages) == 1
        assert "max_results" in e.api_messages[0] and "10 and 100" in e.api_messages[0]
        assert e.api_errors[0]["parameters"] == {"max_results": ["5000"]}
        assert e.parameter == "max_results" and e.parameter_errors == {
            "max_results": e.api_messages
        }
        assert (await e.response.json())["type"].endswith("/invalid-request")
        assert e.url == "" and e.method == "GET" and e.path == "/2/tweets/search/recent"
    else:
        pytest.fail("no BadRequest")
    for call in (
        client.get_tweet("not-an-id"),
        client.get_tweet(1, tweet_fields=["colour"]),
        client.create_tweet(text="x", poll_duration_minutes=5),  # refused while planning
    ):
        with pytest.raises(HTTPException) as caught:
            await call
        assert isinstance(caught.value, ParameterBadRequest)  # all of tweepy's names and ours:
        assert isinstance(caught.value, TweepyException) and isinstance(caught.value, BadRequest)
        assert isinstance(caught.value, ParameterError)
        assert caught.value.status == 400 and caught.value.api_messages == [str(caught.value)]
    pager = AsyncPaginator(client.search_recent_tweets, "climate", max_results=5000, limit=2)
    with pytest.raises(BadRequest, match="max_results"):
        [r async for r in pager]

    # Where tweepy raises TypeError, so does twxdata.AsyncClient (and not BadRequest).
    for call in (client.get_user(), client.get_user(id=1, username="a")):
        with pytest.raises(TypeError) as caught:
            await call
        assert not isinstance(caught.value, BadRequest)
    with pytest.raises(TypeError):
        await client.search_recent_tweets()  # type: ignore[call-arg]
    with pytest.raises(TypeError) as caught:
        AsyncPaginator(client.get_users, limit=2)
    assert not isinstance(caught.value, BadRequest)

    # The core client keeps plain ParameterErrors: other code reads BadRequest from it as
    # "the API refused this".
    async with Client(api.bearer_token, api_base=api.url) as core:
        with pytest.raises(ParameterError) as refused:
            await core.request("search_recent_tweets", params={"query": "a", "max_results": 5000})
    assert not isinstance(refused.value, (BadRequest, ApiError))
    assert api.stats.total == 0


async def test_401_and_404_read_as_in_tweepy(api: FakeXApi, ids: Ids, client: AsyncClient) -> None:
    async with AsyncClient(bearer_token="bad-SECRET-token", api_base=api.url) as bad:
        try:
            await bad.get_tweet(ids.tweet)
        except HTTPException as e:
            assert isinstance(e, Unauthorized)
            assert e.api_messages == ["Unauthorized"] and e.api_codes == [] and e.api_errors == []
            assert e.response.status == 401 and e.response.reason == "Unauthorized"
            assert str(e) == f"401 Unauthorized (GET /2/tweets/{ids.tweet})"
            seen = [str(e), repr(e), repr(e.response), str(dict(e.response.headers))]
            seen += [await e.response.text(), repr(vars(e))]
            assert not any("SECRET" in text for text in seen)
            assert "authorization" not in e.response.headers
    try:
        await client.delete_tweet(1)
    except NotFound as e:
        assert e.response.status == 404 and e.api_messages == ["Could not find tweet with id: [1]."]
        assert str(e).endswith("(DELETE /2/tweets/1)")  # the method tells delete from lookup
    # A lookup of a missing post is no exception: a partial error, as in tweepy.
    assert (await client.get_tweet(1)).errors[0]["title"] == "Not Found Error"


async def test_a_429_gives_tweepys_reset_time(api: FakeXApi, ids: Ids) -> None:
    api.inject("429", count=1, endpoint="get_tweet")
    async with make_client(api, ids.me) as c:
        with pytest.raises(TooManyRequests) as caught:
            await c.get_tweet(ids.tweet)
    e = caught.value
    assert e.response.status == 429 and e.api_messages == ["Too Many Requests"]
    assert isinstance(e.reset_time, int)
    assert e.reset_time == int(e.response.headers["x-rate-limit-reset"])
    assert {"x-rate-limit-limit", "x-rate-limit-remaining"} <= set(e.response.headers)


def test_no_credential_or_cookie_header_can_ride_on_an_exception() -> None:
    sent = {
        "Authorization": "Bearer SECRET",
        "Set-Cookie": "auth_token=SECRET",
        "Cookie": "SECRET",
        "WWW-Authenticate": 'OAuth realm="SECRET"',
        "Proxy-Authorization": "SECRET",
        "Location": "https://example.com/?token=SECRET",
        "x-rate-limit-reset": "1700000900",
        "Content-Type": "application/json",
    }
    e = ApiError(401, url="https://api.x.com/2/users/me", headers=sent)
    headers = e.response.headers
    assert dict(headers) == {"x-rate-limit-reset": "1700000900", "content-type": "application/json"}
    assert "SECRET" not in repr(vars(e)) and "SECRET" not in repr(headers)
    e._attach(headers=sent)  # what the compat layer adds is filtered the same way
    assert dict(e.response.headers) == dict(headers)
    with pytest.raises(TypeError):
        headers["authorization"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        e.response.status = 200  # type: ignore[misc]
    assert isinstance(e.response, ErrorResponse) and e.response.content_type == "application/json"


def test_api_lists_follow_tweepys_rules() -> None:
    # errors with codes (v1.1 style), an "error" string (OAuth 2.0), a bare detail, no JSON.
    coded = ApiError(403, body=b'{"errors":[{"code":453,"message":"You currently have access"}]}')
    assert (coded.api_codes, coded.api_messages) == ([453], ["You currently have access"])
    oauth = BadRequest(400, body=b'{"error":"invalid_request","error_description":"Bad code"}')
    assert oauth.api_errors == ["invalid_request"] and oauth.api_messages == ["invalid_request"]
    detail = ApiError(403, body=b'{"title":"Forbidden","detail":"Not permitted.","status":403}')
    assert (detail.api_errors, detail.api_messages) == ([], ["Not permitted."])
    html = ApiError(502, body=b"<html><title>Bad Gateway</title></html>", detail="non-JSON")
    assert (html.api_errors, html.api_codes, html.api_messages) == ([], [], [])


async def test_transport_errors_name_the_path_not_the_query() -> None:
    inner = Client(
        "token",
        api_base="http://127.0.0.1:9",
        retry=RetryPolicy(max_tries=2, backoff_base=0.0, backoff_cap=0.0),
    )
    async with AsyncClient(client=inner) as c:
        with pytest.raises(TransportError) as caught:
            await c.search_recent_tweets("climate", tweet_fields=sorted(TWEET_FIELDS))
    e = caught.value
    assert "tweet.fields=" in e.url and "?" not in str(e) and "\n" not in str(e)
    assert "/2/tweets/search/recent" in str(e) and len(str(e)) < 400
    made = TransportError("reset at https://x/2/tweets?ids=1,2", url="https://x/2/tweets/1?a=1")
    assert str(made) == "reset at https://x/2/tweets (/2/tweets/1)"
