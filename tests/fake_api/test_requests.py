"""Parameter validation (400), credentials (401/403) and who ``/2/users/me`` is."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from twxdata.testing import Corpus, FakeXApi

INVALID = "https://api.twitter.com/2/problems/invalid-request"
SEARCH = "/2/tweets/search/recent"


def _error(reply: Any) -> dict[str, Any]:
    assert reply.status == 400, reply.raw[:300]
    body = reply.body
    assert list(body) == ["errors", "title", "detail", "type"] and body["type"] == INVALID
    assert body["title"] == "Invalid Request"
    assert body["detail"] == "One or more parameters to your request was invalid."
    return body["errors"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("params", "parameters", "message"),
    [
        (
            {"query": "cats", "max_results": "5"},
            {"max_results": ["5"]},
            "The `max_results` query parameter value [5] is not between 10 and 100",
        ),
        (
            {"query": "cats", "max_results": "lots"},
            {"max_results": ["lots"]},
            "The `max_results` query parameter value [lots] is not between 10 and 100",
        ),
        (
            {"query": "cats", "tweet.fields": "id,colour"},
            {"tweet.fields": ["id,colour"]},
            "The `tweet.fields` query parameter value [colour] is not one of [article,attachments,",
        ),
        (
            {"query": "cats", "expansions": "author"},
            {"expansions": ["author"]},
            "The `expansions` query parameter value [author] is not one of [article.cover_media,",
        ),
        (
            {"query": "cats", "sort_order": "oldest"},
            {"sort_order": ["oldest"]},
            "The `sort_order` query parameter value [oldest] is not one of [recency,relevancy]",
        ),
        (
            {"query": "cats", "colour": "red"},
            {"colour": ["red"]},
            "The query parameter [colour] is not one of [end_time,expansions,max_results,",
        ),
        ({}, {"query": []}, "The `query` query parameter can not be empty"),
        (
            {"query": "cats", "since_id": "1", "start_time": "2024-04-29T00:00:00Z"},
            {"since_id": ["1"], "start_time": ["2024-04-29T00:00:00Z"]},
            "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or "
            "'end_time'.",
        ),
        (
            {
                "query": "cats",
                "start_time": "2024-04-29T01:00:00Z",
                "end_time": "2024-04-29T00:00:00Z",
            },
            {"start_time": ["2024-04-29T01:00Z"], "end_time": ["2024-04-29T00:00Z"]},
            "Invalid 'start_time':'2024-04-29T01:00Z'. 'start_time' must be before "
            "'end_time':2024-04-29T00:00Z",
        ),
        (
            {"query": "cats", "end_time": "2024-04-30T23:59:55Z"},
            {"end_time": ["2024-04-30T23:59:55Z"]},
            "Invalid 'end_time':'2024-04-30T23:59:55Z'. 'end_time' must be a minimum of 10 "
            "seconds prior to the request time.",
        ),
        (
            {"query": "cats", "start_time": "yesterday"},
            {"start_time": ["yesterday"]},
            "The `start_time` query parameter value [yesterday] is not a valid RFC 3339",
        ),
    ],
)
async def test_invalid_search_parameters(
    client: Any, params: dict[str, str], parameters: dict[str, list[str]], message: str
) -> None:
    err = _error(await client.get(SEARCH, **params))
    assert err["parameters"] == parameters
    assert err["message"].startswith(message), err["message"]


async def test_invalid_lookups_and_paths(client: Any) -> None:
    err = _error(await client.get("/2/users", ids="NA,NA,NA"))
    assert err == {
        "parameters": {"ids": ["NA,NA,NA"]},
        "message": "The `ids` query parameter value [NA] does not match ^[0-9]{1,19}$",
    }
    err = _error(await client.get("/2/tweets", ids=",".join(str(i) for i in range(1, 102))))
    assert err["message"] == (
        "The number of values in the `ids` query parameter list [101] is not between 1 and 100"
    )
    err = _error(await client.get("/2/users/abc/tweets"))
    assert err["parameters"] == {"id": ["abc"]}
    err = _error(await client.get("/2/users/by/username/not-a-handle!"))
    assert err["parameters"] == {"username": ["not-a-handle!"]}
    err = _error(await client.get("/2/tweets/counts/recent", query="cats", granularity="week"))
    assert err["parameters"] == {"granularity": ["week"]}
    body = (
        await client.get(
            "/2/tweets/search/all",
            query="cats",
            max_results=500,
            tweet__fields="context_annotations",
        )
    ).body
    assert body["errors"][0]["message"].endswith("is not between 10 and 100")


async def test_unknown_routes_and_writes(client: Any) -> None:
    reply = await client.get("/2/tweets/search/allall", query="cats")
    assert reply.status == 404 and reply.headers["Content-Type"].startswith("text/html")
    reply = await client.get("/2/compliance/jobs", type="tweets")  # served since writes came
    assert reply.status == 200 and reply.body == {"meta": {"result_count": 0}}


UNAUTHORIZED = {
    "title": "Unauthorized",
    "type": "about:blank",
    "status": 401,
    "detail": "Unauthorized",
}


@pytest.mark.parametrize(
    "auth",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer bad-token",
        "Bearer invalid",
        "Basic dXNlcjpwYXNz",
        'OAuth oauth_consumer_key="k"',
        'OAuth oauth_consumer_key="k", oauth_token="bad-1"',
    ],
)
async def test_missing_or_wrong_credentials(client: Any, auth: str) -> None:
    reply = await client.get(SEARCH, auth=auth, query="cats")
    assert reply.status == 401 and reply.body == UNAUTHORIZED
    assert "x-rate-limit-limit" not in reply.headers  # as recorded: no bucket before auth


async def test_users_me_is_stable_per_token(client: Any, api: FakeXApi, corpus: Corpus) -> None:
    a = (await client.get("/2/users/me", token="alpha")).body["data"]
    b = (await client.get("/2/users/me", token="beta")).body["data"]
    assert a == (await client.get("/2/users/me", token="alpha")).body["data"]
    assert a["id"] != b["id"]
    async with (
        FakeXApi(corpus) as other,
        aiohttp.ClientSession(headers=other.headers("alpha")) as s,
        s.get(other.url + "/2/users/me") as r,
    ):
        assert (await r.json())["data"] == a
    assert api.user_of("alpha")["id"] == a["id"]
    uid = str(int(corpus.users.ids[7]))
    oauth = (
        f'OAuth oauth_consumer_key="ck", oauth_nonce="n", oauth_signature="sig%3D", '
        f'oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", '
        f'oauth_token="{uid}-abcdef", oauth_version="1.0"'
    )
    me = (await client.get("/2/users/me", auth=oauth)).body["data"]
    assert me["id"] == uid and me["username"] == corpus.users.username(7)


async def test_configured_tokens_and_strict_auth(corpus: Corpus, make_client: Any) -> None:
    user = str(int(corpus.users.ids[3]))
    async with (
        FakeXApi(
            corpus, tokens=["app-token"], user_tokens={"user-token": user}, strict_auth=True
        ) as api,
        aiohttp.ClientSession() as s,
    ):
        client = make_client(api, s)
        assert api.bearer_token == "app-token"
        assert (await client.get(SEARCH, token="other", query="cats")).status == 401
        assert (await client.get(SEARCH, token="app-token", query="cats")).status == 200
        reply = await client.get("/2/users/me", token="app-token")
        assert reply.status == 403
        assert reply.body["type"] == "https://api.twitter.com/2/problems/unsupported-authentication"
        reply = await client.get("/2/users/me", token="user-token")
        assert reply.status == 200 and reply.body["data"]["id"] == user
        oauth = f'OAuth oauth_token="{api.oauth1_token(user)}"'
        reply = await client.get("/2/tweets/search/all", auth=oauth, query="cats")
        assert reply.status == 403 and "Application-Only" in reply.body["detail"]
        assert (await client.get("/2/users/me", auth=oauth)).body["data"]["id"] == user
