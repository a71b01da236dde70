"""The fake API's consent screen over HTTP: the browser step of OAuth 2.0 for people.

``GET /i/oauth2/authorize?...`` (the URL ``twxdata.auth.OAuth2PKCE`` builds, with the fake's
base instead of ``https://x.com``) shows which app asks for which scopes, for the account the
fake signs you in as (the account of its bearer token, or ``?login=<username>``); *Authorize*
and *Cancel* post back to the same URL, and the answer is X's redirect to the app's
``redirect_uri`` with ``code`` or ``error=access_denied``. So the notebook credential widget's
PKCE flow runs end to end against ``twxdata fake-api`` in a real browser. Code (tests) takes the
shortcut ``FakeXApi.authorize``, which this page calls too.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from aiohttp import web

from twxdata.testing.oauth2 import ConsentError

if TYPE_CHECKING:
    from twxdata.testing.server import FakeXApi

PATH = "/i/oauth2/authorize"
_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;line-height:1.5}"
    "button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}"
)


async def consent(api: FakeXApi, request: web.Request) -> web.Response:
    """Answer ``GET`` with the consent page and ``POST`` with X's redirect (302)."""
    url = str(request.url)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    login = query.get("login")
    try:
        if request.method == "POST":
            decision = (await request.post()).get("decision")
            redirect = api.authorize(url, login, approve=decision == "allow")
            raise web.HTTPFound(redirect)
        account = api.user_of() if login is None else _account(api, login)
        refusal = api.oauth2.precheck(url)  # X checks the request before showing its page
        if refusal is not None:
            raise web.HTTPFound(refusal)
    except (ConsentError, ValueError) as exc:
        return _page("Something went wrong", f"<p>{html.escape(str(exc))}</p>", status=400)
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in query.get("scope", "").split())
    body = (
        f"<p><b>{html.escape(query.get('client_id', ''))}</b> wants to use your account "
        f"<b>@{html.escape(str(account['username']))}</b> on the fake X API, to:</p>"
        f"<ul>{scopes}</ul>"
        f'<form method="post" action="{html.escape(url)}">'
        '<button name="decision" value="allow">Authorize app</button>'
        '<button name="decision" value="deny">Cancel</button></form>'
        "<p><small>Offline: nothing leaves this machine. The app receives a code for this "
        "account when you authorize.</small></p>"
    )
    return _page("Authorize access", body)


def _account(api: FakeXApi, login: str) -> dict[str, object]:
    users = api.corpus.users
    u = users.index_of_id(int(login)) if login.isdigit() else users.index_of_username(login)
    if u is None:
        raise ValueError(f"no account {login!r} to sign in as")
    return {"id": str(users.ids[u]), "username": users.username(u)}


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    text = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>{body}</body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")
