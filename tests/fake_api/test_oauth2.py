"""OAuth 2.0 user login against the fake API: consent, code exchange, refresh, use of tokens.

The end-to-end test goes through the library's own code only: ``OAuth2PKCE`` builds the
authorization URL, ``FakeXApi.authorize`` plays the consent screen, ``Client`` trades the code
and refreshes, and the tokens then act as the account that approved.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest

from twxdata.auth import OAuth2PKCE
from twxdata.client import Client
from twxdata.endpoints import AuthKind
from twxdata.errors import AuthError, BadRequest, Unauthorized
from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.oauth2 import ConsentError

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
CALLBACK = "http://127.0.0.1:8765/callback"
BAD_CODE = "Value passed for the authorization code was invalid."


class Clock:
    """An API clock the test moves by hand."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(END.timestamp())


@pytest.fixture
async def api(clock: Clock) -> AsyncIterator[FakeXApi]:
    corpus = Corpus(seed=3, size=1_000, end=END)
    async with FakeXApi(
        corpus, now=clock, strict_auth=True, limits=10**6, min_interval=0.0
    ) as server:
        yield server


def account(api: FakeXApi, k: int = 5) -> str:
    """The id of a public, active account."""
    c = api.corpus
    return str(int(c.users.ids[[u for u in range(c.users.n) if c.user_state(u) == "ok"][k]]))


def flow_for(api: FakeXApi, **kw: Any) -> OAuth2PKCE:
    return OAuth2PKCE("my-app", CALLBACK, token_url=api.token_url, **kw)


async def post_form(api: FakeXApi, form: dict[str, str], **headers: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as s:
        async with s.post(api.token_url, data=urlencode(form), headers=headers) as r:
            return r.status, await r.json()


async def test_login_refresh_and_calls_through_the_library(api: FakeXApi) -> None:
    user = account(api)
    flow = flow_for(api, scopes=("tweet.read", "users.read", "like.write", "offline.access"))
    redirect = api.authorize(flow.authorization_url(), user)
    assert redirect.startswith(CALLBACK + "?state=")
    code = flow.code_from_redirect(redirect)  # checks the state
    async with Client(api_base=api.url) as client:
        token = await client.fetch_oauth2_token(flow, code)
        assert token.scopes == ("tweet.read", "users.read", "like.write", "offline.access")
        assert token.refresh_token is not None and token.expires_at is not None
        me = await client.request("get_me")
        assert me.body["data"]["id"] == user
        # A user-context token: writes and "me" endpoints accept it (strict_auth is on).
        c = api.corpus
        target = str(int(c.posts.ids[next(i for i in c.visible_rows() if c.posts.kind[i] == 0)]))
        liked = await client.request("like", body={"tweet_id": target})
        assert liked.body == {"data": {"liked": True}}
        likes = await client.request("get_liked_tweets", path={"id": user})
        assert likes.body["data"][0]["id"] == target

        fresh = await client.refresh_oauth2_token(flow)
        assert fresh.access_token != token.access_token
        assert fresh.refresh_token not in (None, token.refresh_token)
        assert client.credentials.oauth2_user is fresh
        assert (await client.request("get_me")).body["data"]["id"] == user
        # X does not document that a refresh revokes the previous access token: it stays
        # valid until it expires. The refresh token, though, was good once.
        old = await client.request("get_me", auth=token)
        assert old.body["data"]["id"] == user
        again = await client.refresh_oauth2_token(flow)  # the new refresh token works
        assert again.access_token not in (token.access_token, fresh.access_token)
    async with Client(api_base=api.url, oauth2_user=token) as stale:
        with pytest.raises(BadRequest, match="Value passed for the token was invalid"):
            await stale.refresh_oauth2_token(flow)
    assert api.user_of(again.access_token.reveal())["id"] == user


async def test_tokens_expire_after_two_hours_on_the_api_clock(api: FakeXApi, clock: Clock) -> None:
    flow = flow_for(api)
    code = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
    async with Client(api_base=api.url) as client:
        token = await client.fetch_oauth2_token(flow, code)
        creds = api.auth.read(f"Bearer {token.access_token.reveal()}")
        assert creds is not None and creds.kind is AuthKind.OAUTH2_USER
        clock.now += 7199
        assert (await client.request("get_me")).status == 200
        clock.now += 1
        with pytest.raises(Unauthorized):
            await client.request("get_me")
        await client.refresh_oauth2_token(flow)  # refresh tokens outlive access tokens
        assert (await client.request("get_me")).status == 200


async def test_codes_are_good_once_for_thirty_seconds(api: FakeXApi, clock: Clock) -> None:
    flow = flow_for(api)
    code = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
    async with Client(api_base=api.url) as client:
        await client.fetch_oauth2_token(flow, code)
        with pytest.raises(BadRequest, match="authorization code was invalid"):
            await client.fetch_oauth2_token(flow, code)
        late = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
        clock.now += 30
        with pytest.raises(BadRequest, match="authorization code was invalid"):
            await client.fetch_oauth2_token(flow, late)


async def test_the_token_endpoint_checks_every_parameter(api: FakeXApi) -> None:
    flow = flow_for(api)
    code = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
    good = dict(parse_qs(flow.token_request(code).body))
    form = {k: v[0] for k, v in good.items()}
    for name in ("grant_type", "client_id", "code", "redirect_uri", "code_verifier"):
        status, body = await post_form(api, {k: v for k, v in form.items() if k != name})
        assert (status, body) == (
            400,
            {
                "error": "invalid_request",
                "error_description": f"Missing required parameter [{name}].",
            },
        )
    invalid = {"error": "invalid_request", "error_description": BAD_CODE}
    for name, value in (
        ("code_verifier", "x" * 64),  # PKCE: not the verifier of the challenge
        ("redirect_uri", CALLBACK + "/other"),
        ("client_id", "another-app"),
        ("code", code[:-2]),
    ):
        assert await post_form(api, {**form, name: value}) == (400, invalid), name
    status, body = await post_form(api, {**form, "grant_type": "password"})
    assert status == 400 and body["error"] == "invalid_request"
    status, body = await post_form(api, form)  # the failures above did not spend the code
    assert status == 200 and list(body) == [
        "token_type",
        "expires_in",
        "access_token",
        "scope",
        "refresh_token",
    ]
    assert (body["token_type"], body["expires_in"]) == ("bearer", 7200)
    refresh = {"grant_type": "refresh_token", "client_id": "my-app"}
    assert await post_form(api, {**refresh, "refresh_token": "nope"}) == (
        400,
        {
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid.",
        },
    )
    stolen = {**refresh, "client_id": "another-app", "refresh_token": body["refresh_token"]}
    assert (await post_form(api, stolen))[0] == 400


async def test_no_refresh_token_without_offline_access(api: FakeXApi) -> None:
    flow = flow_for(api, scopes=("tweet.read", "users.read"))
    code = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
    async with Client(api_base=api.url) as client:
        token = await client.fetch_oauth2_token(flow, code)
        assert token.refresh_token is None and token.scopes == ("tweet.read", "users.read")
        with pytest.raises(AuthError, match=r"offline\.access"):
            await client.refresh_oauth2_token(flow)


async def test_confidential_clients_authenticate_with_http_basic(clock: Clock) -> None:
    corpus = Corpus(seed=3, size=500, end=END)
    clients = {"web-app": "the-client-secret", "native-app": None}
    async with FakeXApi(corpus, now=clock, oauth2_clients=clients) as api:
        user = account(api)
        flow = OAuth2PKCE(
            "web-app", CALLBACK, client_secret="the-client-secret", token_url=api.token_url
        )
        code = flow.code_from_redirect(api.authorize(flow.authorization_url(), user))
        unauthorized = (
            401,
            {
                "error": "unauthorized_client",
                "error_description": "Missing valid authorization header",
            },
        )
        form = {k: v[0] for k, v in parse_qs(flow.token_request(code).body).items()}
        assert await post_form(api, form) == unauthorized
        wrong = "Basic " + base64.b64encode(b"web-app:not-the-secret").decode()
        assert await post_form(api, form, Authorization=wrong) == unauthorized
        async with Client(api_base=api.url) as client:
            token = await client.fetch_oauth2_token(flow, code)  # Basic auth, then it works
            assert api.user_of(token.access_token.reveal())["id"] == user
            await client.refresh_oauth2_token(flow)
        # Registered public clients need no secret; unregistered ones get no consent.
        public = OAuth2PKCE("native-app", CALLBACK, token_url=api.token_url)
        code = public.code_from_redirect(api.authorize(public.authorization_url(), user))
        async with Client(api_base=api.url) as client:
            assert (await client.fetch_oauth2_token(public, code)).access_token
        with pytest.raises(ConsentError):
            api.authorize(OAuth2PKCE("unknown-app", CALLBACK).authorization_url(), user)


def test_the_consent_screen_answers_like_x(fake_x_api: FakeXApi) -> None:
    flow = OAuth2PKCE("my-app", CALLBACK)
    denied = fake_x_api.authorize(flow.authorization_url(), approve=False)
    assert parse_qs(urlsplit(denied).query) == {"state": [flow.state], "error": ["access_denied"]}
    with pytest.raises(AuthError, match="access_denied"):
        flow.code_from_redirect(denied)
    # The default account is the one the default bearer token acts for.
    redirect = fake_x_api.authorize(flow.authorization_url())
    assert list(parse_qs(urlsplit(redirect).query)) == ["state", "code"]
    url = flow.authorization_url()
    no_pkce = url.replace("code_challenge=", "challenge=")
    assert "error=invalid_request" in fake_x_api.authorize(no_pkce)
    assert "error=invalid_scope" in fake_x_api.authorize(
        url.replace("tweet.read", "tweet.everything")
    )
    with pytest.raises(ValueError, match="no active account"):
        fake_x_api.authorize(url, "no_such_account_999999")


async def test_credentials_stay_out_of_reprs_logs_and_the_request_log(
    api: FakeXApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    flow = flow_for(api)
    code = flow.code_from_redirect(api.authorize(flow.authorization_url(), account(api)))
    async with Client(api_base=api.url) as client:
        token = await client.fetch_oauth2_token(flow, code)
        await client.request("get_me")
        with pytest.raises(BadRequest) as refused:
            await client.fetch_oauth2_token(flow, code)
        fresh = await client.refresh_oauth2_token(flow)
        secrets = [
            code,
            flow._verifier.reveal(),
            *(t.access_token.reveal() for t in (token, fresh)),
            *(t.refresh_token.reveal() for t in (token, fresh) if t.refresh_token),
        ]
        shown = [
            repr(api.oauth2),
            repr(token),
            repr(client),
            str(refused.value),
            repr(refused.value),
            caplog.text,
            repr([r for r in api.stats.log if r.endpoint == "oauth2_token"]),
        ]
    leaks = [s for s in secrets for text in shown if s in text]
    assert not leaks
    records = [r for r in api.stats.log if r.endpoint == "oauth2_token"]
    assert [r.status for r in records] == [200, 400, 200]


def test_an_unknown_bearer_token_is_still_an_app_token(fake_x_api: FakeXApi) -> None:
    # Tokens the token endpoint did not issue keep their old meaning (app-only by default).
    creds = fake_x_api.auth.read("Bearer some-app-token")
    assert creds is not None and creds.kind is AuthKind.APP
