"""The fake API's OAuth 2.0 authorization server: the consent screen and ``POST /2/oauth2/token``.

X's user-context flow is the Authorization Code flow with PKCE: the app sends the user to
``https://x.com/i/oauth2/authorize?...`` (``twxdata.auth.OAuth2PKCE.authorization_url``), the
user approves on X, and X redirects to the app's ``redirect_uri`` with ``?state=...&code=...``;
the app trades the code at the token endpoint. ``AuthorizationServer.authorize`` plays the
browser step offline (it takes the authorization URL and returns the redirect URL), and
``token`` answers the token endpoint as X does:

* ``grant_type=authorization_code`` with ``code``, ``redirect_uri``, ``code_verifier`` and
  ``client_id``; the verifier must match the ``code_challenge`` (``S256`` or ``plain``) given at
  authorization, the redirect URI must be the same, and a code is good once, for 30 seconds.
* ``grant_type=refresh_token`` with ``refresh_token`` and ``client_id``. Refresh tokens are
  single-use: each refresh answers a new access token and a new refresh token.
* Confidential clients (registered with a secret) authenticate with HTTP Basic; ``client_id``
  is still required in the body.
* ``{"token_type": "bearer", "expires_in": 7200, "access_token", "scope", "refresh_token"}``,
  the refresh token only with the ``offline.access`` scope.
* Errors: 400 ``{"error": "invalid_request", "error_description": "Missing required parameter
  [code_verifier]."}``, ``"Value passed for the authorization code was invalid."``, ``"Value
  passed for the token was invalid."``; 401 ``{"error": "unauthorized_client",
  "error_description": "Missing valid authorization header"}`` for bad client credentials.

Access tokens are user-context bearer tokens for the account that approved (``owner``) until
they expire on the API clock (never, while the clock is frozen). A refresh leaves the previous
access token valid until it expires: X does not document revoking it, so the fake does not.
Tokens look like X's: base64url of ``<random>:<ms>:1:1:at:1`` (``rt`` for refresh, ``ac`` for
codes). No token, code, verifier or secret appears in a ``repr``, a log or an error.

>>> import base64, hashlib
>>> server = AuthorizationServer(clock=lambda: 1_700_000_000.0)
>>> verifier = "v" * 43
>>> challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
>>> url = ("https://x.com/i/oauth2/authorize?response_type=code&client_id=app"
...        "&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&scope=tweet.read+offline.access&state=s1"
...        "&code_challenge=" + challenge.decode().rstrip("=") + "&code_challenge_method=S256")
>>> redirect = server.authorize(url, user_id=42)
>>> code = redirect.split("code=")[1]
>>> form = f"grant_type=authorization_code&client_id=app&code={code}&code_verifier={verifier}"
>>> status, body = server.token((form + "&redirect_uri=http://127.0.0.1/cb").encode(), None)
>>> status, body["token_type"], body["expires_in"], body["scope"], "refresh_token" in body
(200, 'bearer', 7200, 'tweet.read offline.access', True)
>>> server.owner(body["access_token"])
42
>>> server.token(form.encode(), None)[1]["error_description"]
'Missing required parameter [redirect_uri].'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from twxdata.auth import Secret

TOKEN_PATH = "/2/oauth2/token"
ACCESS_TTL_S = 7200  # "expires_in": two hours, as X answers
CODE_TTL_S = 30.0  # X's docs: an authorization code is valid for 30 seconds
OFFLINE = "offline.access"
# The scopes of the spec's OAuth2UserToken security scheme.
SCOPES = frozenset(
    {
        "block.read", "bookmark.read", "bookmark.write", "dm.read", "dm.write", "follows.read",
        "follows.write", "like.read", "like.write", "list.read", "list.write", "media.write",
        "mute.read", "mute.write", "offline.access", "space.read", "timeline.read",
        "tweet.moderate.write", "tweet.read", "tweet.write", "users.read",
    }
)  # fmt: skip
CHALLENGE_METHODS = frozenset({"S256", "plain"})
BAD_CLIENT = (401, "unauthorized_client", "Missing valid authorization header")
BAD_CODE = "Value passed for the authorization code was invalid."
BAD_TOKEN = "Value passed for the token was invalid."

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True, repr=False)
class Grant:
    """What the user approved: which account, for which app, with which scopes."""

    user_id: int
    client_id: str
    scopes: tuple[str, ...]


@dataclass(repr=False)
class _Code:
    grant: Grant
    redirect_uri: str
    challenge: str
    method: str
    expires_s: float


@dataclass(repr=False)
class _Access:
    grant: Grant
    expires_s: float


class ConsentError(ValueError):
    """The authorization request is one X's consent screen would refuse with an error page
    (no redirect: an unknown client, or no ``redirect_uri``)."""


def _error(description: str, status: int = 400, error: str = "invalid_request") -> Answer:
    return status, {"error": error, "error_description": description}


def _missing(name: str) -> Answer:
    return _error(f"Missing required parameter [{name}].")


def _make_token(kind: str, now: float) -> str:
    raw = f"{secrets.token_urlsafe(34)}:{int(now * 1000)}:1:1:{kind}:1"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _challenge_of(verifier: str, method: str) -> str:
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


class AuthorizationServer:
    """X's OAuth 2.0 authorization server, in memory. See the module docstring.

    ``clients`` maps each registered client id to its secret (confidential clients) or None
    (public clients); left as None, any client id is accepted, as a public client, or as a
    confidential one when it sends HTTP Basic credentials. ``clock`` gives Unix seconds.
    """

    def __init__(
        self,
        clients: Mapping[str, str | None] | None = None,
        *,
        clock: Callable[[], float],
    ) -> None:
        self._clients: dict[str, Secret | None] | None = (
            None
            if clients is None
            else {cid: Secret(s) if s else None for cid, s in clients.items()}
        )
        self._clock = clock
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        clients = "any" if self._clients is None else str(len(self._clients))
        return f"AuthorizationServer(clients={clients}, access_tokens={len(self._access)})"

    # --- the consent screen -----------------------------------------------------------------
    def authorize(self, authorization_url: str, user_id: int, *, approve: bool = True) -> str:
        """The URL X redirects the browser to once account ``user_id`` answers the consent
        screen for ``authorization_url``: ``redirect_uri?state=...&code=...``, or with
        ``error=access_denied`` when it does not ``approve`` (or ``error=invalid_request`` /
        ``invalid_scope`` for a malformed request). Raises ``ConsentError`` where X shows an
        error page instead of redirecting."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
        refusal = self.precheck(authorization_url)
        if refusal is not None:
            return refusal
        client_id, redirect_uri = query["client_id"], query["redirect_uri"]
        state = query["state"]
        reply = {"state": state}
        scopes = tuple(query["scope"].split())
        method = query.get("code_challenge_method", "plain")
        if not approve:
            return _with_query(redirect_uri, {**reply, "error": "access_denied"})
        now = self._clock()
        code = _make_token("ac", now)
        grant = Grant(int(user_id), client_id, scopes)
        with self._lock:
            self._codes[code] = _Code(
                grant, redirect_uri, query["code_challenge"], method, now + CODE_TTL_S
            )
        return _with_query(redirect_uri, {**reply, "code": code})

    def precheck(self, authorization_url: str) -> str | None:
        """What X does with an authorization request before showing its consent screen:
        ``None`` (show it), the redirect with ``error=invalid_request`` / ``invalid_scope`` for
        a malformed request, or ``ConsentError`` where X shows an error page instead."""
        query = {k: v[0] for k, v in parse_qs(urlsplit(authorization_url).query).items()}
        client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
        if not client_id or (self._clients is not None and client_id not in self._clients):
            raise ConsentError("X shows an error page: the client_id is not a registered app")
        if not redirect_uri:
            raise ConsentError("X shows an error page: the request has no redirect_uri")
        state = query.get("state", "")
        reply = {"state": state} if state else {}
        if (
            query.get("response_type") != "code"
            or not state
            or not query.get("code_challenge")
            or query.get("code_challenge_method", "plain") not in CHALLENGE_METHODS
        ):
            return _with_query(redirect_uri, {**reply, "error": "invalid_request"})
        if not set(query.get("scope", "").split()) or not set(query["scope"].split()) <= SCOPES:
            return _with_query(redirect_uri, {**reply, "error": "invalid_scope"})
        return None

    # --- the token endpoint -----------------------------------------------------------------
    def token(self, body: bytes, authorization: str | None) -> Answer:
        """Answer ``POST /2/oauth2/token``: (status, JSON object)."""
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        grant_type = form.get("grant_type")
        if not grant_type:
            return _missing("grant_type")
        client_id = form.get("client_id")
        if not client_id:
            return _missing("client_id")
        if not self._client_ok(client_id, authorization):
            return _error(BAD_CLIENT[2], BAD_CLIENT[0], BAD_CLIENT[1])
        with self._lock:
            if grant_type == "authorization_code":
                return self._exchange(form, client_id)
            if grant_type == "refresh_token":
                return self._refresh_grant(form, client_id)
        return _error("Value passed for the grant type was invalid.")

    def _client_ok(self, client_id: str, authorization: str | None) -> bool:
        """Client authentication: HTTP Basic for confidential clients, none for public ones."""
        basic = _basic(authorization)
        if authorization is not None and basic is None:
            return False
        if self._clients is None or client_id not in self._clients:
            # Unregistered (or any, without a registry): a public client, unless it claims
            # to be another one in its Basic credentials. Its grants are checked later.
            return basic is None or basic[0] == client_id
        secret = self._clients[client_id]
        if secret is None:
            return basic is None or basic[0] == client_id
        return (
            basic is not None
            and basic[0] == client_id
            and secrets.compare_digest(basic[1].encode(), secret.reveal().encode())
        )

    def _exchange(self, form: dict[str, str], client_id: str) -> Answer:
        for name in ("code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return _missing(name)
        code = self._codes.get(form["code"])
        if (
            code is None
            or code.expires_s <= self._clock()
            or code.grant.client_id != client_id
            or code.redirect_uri != form["redirect_uri"]
            or not secrets.compare_digest(
                _challenge_of(form["code_verifier"], code.method).encode(),
                code.challenge.encode(),
            )
        ):
            return _error(BAD_CODE)
        del self._codes[form["code"]]  # a code is good once
        return 200, self._issue(code.grant)

    def _refresh_grant(self, form: dict[str, str], client_id: str) -> Answer:
        if not form.get("refresh_token"):
            return _missing("refresh_token")
        grant = self._refresh.get(form["refresh_token"])
        if grant is None or grant.client_id != client_id:
            return _error(BAD_TOKEN)
        del self._refresh[form["refresh_token"]]  # single use: the answer holds the next one
        return 200, self._issue(grant)

    def _issue(self, grant: Grant) -> dict[str, Any]:
        now = self._clock()
        access = _make_token("at", now)
        self._access[access] = _Access(grant, now + ACCESS_TTL_S)
        answer: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": ACCESS_TTL_S,
            "access_token": access,
            "scope": " ".join(grant.scopes),
        }
        if OFFLINE in grant.scopes:
            refresh = _make_token("rt", now)
            self._refresh[refresh] = grant
            answer["refresh_token"] = refresh
        return answer

    # --- what the API's other endpoints ask -------------------------------------------------
    def issued(self, token: str) -> bool:
        """Is ``token`` an access token this server issued (valid or not any more)?"""
        return token in self._access

    def owner(self, token: str) -> int | None:
        """The account id an access token acts for, or None once it has expired."""
        with self._lock:
            found = self._access.get(token)
            if found is None or found.expires_s <= self._clock():
                return None
            return found.grant.user_id


def _basic(header: str | None) -> tuple[str, str] | None:
    """(client id, secret) from an HTTP Basic ``Authorization`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None
