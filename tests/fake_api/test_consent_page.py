"""The consent screen over HTTP: a person in a browser (or the notebook widget's flow) logs in
to ``twxdata fake-api`` with OAuth 2.0, as they would on x.com."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timezone
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from twxdata.auth import OAuth2PKCE
from twxdata.client import Client
from twxdata.testing import Corpus, FakeXApi
from twxdata.widgets.session import CredentialSession

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
CALLBACK = "http://127.0.0.1:8765/callback"


@pytest.fixture
async def api() -> AsyncIterator[FakeXApi]:
    async with FakeXApi(Corpus(seed=3, size=1_000, end=END)) as server:
        yield server


class Form(HTMLParser):
    """The consent page's form: where it posts and its buttons' values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.buttons: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self.action = values.get("action")
        if tag == "button" and values.get("name") == "decision":
            self.buttons.append(values.get("value") or "")


async def decide(api: FakeXApi, url: str, decision: str) -> tuple[str, str]:
    """Open the consent page, press a button; the page's text and where X redirects."""
    async with aiohttp.ClientSession() as s:
        async with s.get(url) as page:
            assert page.status == 200 and page.content_type == "text/html"
            text = await page.text()
        form = Form()
        form.feed(text)
        assert form.action is not None and set(form.buttons) == {"allow", "deny"}
        async with s.post(form.action, data={"decision": decision}, allow_redirects=False) as r:
            assert r.status == 302
            return text, r.headers["Location"]


async def test_authorizing_in_the_browser_logs_in_through_the_library(api: FakeXApi) -> None:
    flow = OAuth2PKCE(
        "my-app", CALLBACK, token_url=api.token_url,
        authorize_url=f"{api.url}/i/oauth2/authorize",
        scopes=("tweet.read", "users.read", "offline.access"),
    )  # fmt: skip
    text, location = await decide(api, flow.authorization_url(), "allow")
    me = api.user_of()
    assert "my-app" in text and f"@{me['username']}" in text and "offline.access" in text
    assert location.startswith(CALLBACK + "?")
    async with Client(api_base=api.url) as client:
        await client.fetch_oauth2_token(flow, flow.code_from_redirect(location))
        page = await client.request("get_me")
    assert page.body["data"]["id"] == me["id"]


async def test_cancel_redirects_with_access_denied_and_login_picks_the_account(
    api: FakeXApi,
) -> None:
    flow = OAuth2PKCE("my-app", CALLBACK, authorize_url=f"{api.url}/i/oauth2/authorize")
    _, location = await decide(api, flow.authorization_url(), "deny")
    assert parse_qs(urlsplit(location).query)["error"] == ["access_denied"]
    other = api.corpus.user(7)
    text, _ = await decide(api, flow.authorization_url() + f"&login={other['username']}", "deny")
    assert f"@{other['username']}" in text


async def test_bad_requests_get_xs_answers_before_any_page(api: FakeXApi) -> None:
    async with aiohttp.ClientSession() as s:
        async with s.get(f"{api.url}/i/oauth2/authorize?response_type=code") as r:
            assert r.status == 400 and "client_id" in await r.text()
        query = f"client_id=app&redirect_uri={CALLBACK}&state=s&response_type=code&scope=tweet.read"
        async with s.get(f"{api.url}/i/oauth2/authorize?{query}", allow_redirects=False) as r:
            assert r.status == 302  # no code_challenge: straight back with the error
            assert parse_qs(urlsplit(r.headers["Location"]).query)["error"] == ["invalid_request"]
        bad = "client_id=<b>x</b>&login=nobody_here_1&redirect_uri=" + CALLBACK
        async with s.get(f"{api.url}/i/oauth2/authorize?{bad}") as r:
            assert r.status == 400 and "<b>x</b>" not in await r.text()


def test_the_notebook_session_sends_people_to_the_fake_screen_or_to_x() -> None:
    fake = CredentialSession(api_base="http://127.0.0.1:9999")
    assert fake.authorize("my-app").startswith("http://127.0.0.1:9999/i/oauth2/authorize?")
    assert fake.flow is not None and fake.flow.token_url == "http://127.0.0.1:9999/2/oauth2/token"
    for real in (CredentialSession(), CredentialSession(api_base="https://api.twitter.com")):
        assert real.authorize("my-app").startswith("https://x.com/i/oauth2/authorize?")
