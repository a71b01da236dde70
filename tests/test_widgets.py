"""The credential widget driven from Python: test, use, save, PKCE, and no secret in its state."""

from __future__ import annotations

import io
import json
import os
import stat
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("ipywidgets")

import twxdata
from twxdata import widgets
from twxdata.collect.defaults import close_default_client, configure, settings
from twxdata.config import credentials_path, load_saved
from twxdata.testing import FakeXApi
from twxdata.widgets.session import CredentialSession

SECRET = "SECRET-TOKEN-do-not-leak-7731"
KEYS = {
    "consumer_key": "SECRET-ck-1",
    "consumer_secret": "SECRET-cs-2",
    "access_token": "12-SECRET-at-3",
    "access_token_secret": "SECRET-ats-4",
}


@pytest.fixture
async def api():
    async with FakeXApi(seed=3, size=800) as server:
        yield server


@pytest.fixture(autouse=True)
async def fresh_defaults():
    yield
    await close_default_client()
    configure(credentials=None, api_base=None)
    from twxdata.config import clear_credentials

    clear_credentials()


def widget_state(form) -> str:
    """Everything the front end (and so the notebook file) could hold of the form."""
    seen, stack, states = set(), [form.box], []
    while stack:
        widget = stack.pop()
        if id(widget) in seen:
            continue
        seen.add(id(widget))
        states.append(widget.get_state())
        stack.extend(getattr(widget, "children", ()))
    return json.dumps(states, default=str)


async def test_test_button_names_the_account_and_blanks_the_field(api):
    form = widgets.CredentialsWidget(api.url)
    form.fields["bearer_token"].value = SECRET
    form.test_button.click()
    assert form.fields["bearer_token"].value == ""  # blanked before any request
    await form.wait()
    me = api.user_of(SECRET)
    assert f"@{me['username']} ({me['id']})" in form.status.value
    assert form.fields["bearer_token"].placeholder == widgets.HELD
    assert SECRET not in widget_state(form)


async def test_test_shows_the_api_error_for_a_rejected_token(api):
    form = widgets.CredentialsWidget(api.url)
    form.fields["bearer_token"].value = "bad-" + SECRET
    form.test_button.click()
    await form.wait()
    assert "401 Unauthorized" in form.status.value
    assert SECRET not in widget_state(form)


async def test_oauth1_keys_are_tested_as_their_account(api):
    form = widgets.CredentialsWidget(api.url)
    for name, value in KEYS.items():
        form.fields[name].value = value
    form.test_button.click()
    await form.wait()
    assert "OAuth 1.0a: @" in form.status.value
    assert "SECRET" not in widget_state(form)


async def test_use_makes_the_notebook_functions_work_with_no_further_code(api):
    form = widgets.CredentialsWidget(api.url)
    form.fields["bearer_token"].value = api.bearer_token
    form.use_button.click()  # quick actions finish before click() returns
    assert "using for this session: bearer token" in form.status.value
    assert settings()["api_base"] == api.url
    df = await twxdata.fetch_search("python", limit=15, progress=False)
    assert len(df) == 15


async def test_save_writes_a_private_file_and_shows_no_value(api):
    form = widgets.CredentialsWidget(api.url)
    form.fields["bearer_token"].value = SECRET
    form.save_button.click()
    path = credentials_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_saved().get("bearer_token").reveal() == SECRET
    # The fake API's loopback address is for this session: saved, it would send tomorrow's
    # commands to a dead port (issue 13). The form says so.
    assert load_saved().api_base is None
    assert "on this machine: used for this session, not saved" in form.status.value
    assert f"saved to {path}" in form.status.value and SECRET not in form.status.value
    assert SECRET not in widget_state(form)


async def test_an_api_base_holding_a_password_is_blanked_and_refused():
    form = widgets.CredentialsWidget()
    form.api_base.value = "https://user:SECRET-pw@api.x.com"
    form.use_button.click()
    assert form.api_base.value == "" and "SECRET" not in widget_state(form)
    assert "credentials" in form.status.value


async def test_use_without_any_credentials_says_so(monkeypatch):
    for name in ("TWXDATA_BEARER_TOKEN", "TWXDATA_CONSUMER_KEY"):
        monkeypatch.delenv(name, raising=False)
    form = widgets.CredentialsWidget()
    form.use_button.click()
    assert "no credentials to use" in form.status.value


async def token_server(expected_code: str):
    from aiohttp import web

    seen: dict[str, list[str]] = {}

    async def token(request):
        seen.update(parse_qs(await request.text()))
        if seen.get("code") != [expected_code]:
            return web.json_response({"error": "invalid_request"}, status=400)
        return web.json_response({"token_type": "bearer", "access_token": "SECRET-user-access",
                                  "refresh_token": "SECRET-refresh", "expires_in": 7200,
                                  "scope": "tweet.read users.read"})  # fmt: skip

    app = web.Application()
    app.router.add_post("/2/oauth2/token", token)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}", seen


async def test_pkce_authorize_link_and_exchange():
    runner, base, seen = await token_server("the-code")
    try:
        form = widgets.CredentialsWidget(base)
        form.client_id.value = "my-client"
        form.client_secret.value = "SECRET-client"
        form.authorize_button.click()
        assert form.client_secret.value == ""
        href = form.authorize_link.value.split('href="')[1].split('"')[0].replace("&amp;", "&")
        query = parse_qs(urlsplit(href).query)
        assert href.startswith(f"{base}/i/oauth2/authorize?")  # not X: its own consent screen
        assert query["client_id"] == ["my-client"] and query["code_challenge_method"] == ["S256"]
        # The user comes back from X with ?state=...&code=...; a wrong state is refused.
        form.redirect.value = "http://127.0.0.1:8765/callback?state=forged&code=the-code"
        form.exchange_button.click()
        await form.wait()
        assert "CSRF" in form.status.value and form.session.oauth2_user is None
        state = query["state"][0]
        form.redirect.value = f"http://127.0.0.1:8765/callback?state={state}&code=the-code"
        form.exchange_button.click()
        assert form.redirect.value == ""
        await form.wait()
        assert "OAuth 2.0 user token received (scopes: tweet.read users.read)" in form.status.value
        assert seen["code_verifier"] and seen["client_id"] == ["my-client"]
        assert form.session.credentials().oauth2_user is not None
        assert "SECRET" not in widget_state(form)
    finally:
        await runner.cleanup()


def test_without_a_front_end_credentials_asks_with_getpass(monkeypatch):
    answers = iter([SECRET, "", "", "", ""])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    monkeypatch.setattr("sys.stdin", io.StringIO("http://127.0.0.1:9\n"))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    try:
        session = widgets.credentials()  # pytest is no Jupyter kernel: no widgets
        assert isinstance(session, CredentialSession)
        assert session.held() == ["bearer_token"] and session.api_base == "http://127.0.0.1:9"
        assert settings()["api_base"] == "http://127.0.0.1:9"
        assert SECRET not in repr(session) and SECRET not in session._repr_html_()
    finally:
        configure(credentials=None, api_base=None)


def test_values_given_in_code_are_used_at_once_without_prompting(monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("prompted"))
    session = widgets.credentials("http://127.0.0.1:9", bearer_token=SECRET, widget=False)
    assert settings()["credentials"].bearer.token.reveal() == SECRET
    assert session.held() == ["bearer_token"]


def test_the_widget_is_a_lazy_name_of_the_package():
    assert twxdata.widgets is widgets and callable(twxdata.widgets.credentials)
    assert not widgets.has_widget_frontend()
