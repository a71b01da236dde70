"""Credentials: app bearer tokens, OAuth 1.0a user context, OAuth 2.0 user tokens and PKCE.

oauthlib does every signature and every PKCE computation; nothing here is hand-rolled crypto.
No I/O: the OAuth 2.0 token exchange is built here as a request and sent by the client.

Secrets are held in ``Secret`` objects whose ``repr``/``str`` never show the value, and no class
here has a ``repr`` that includes one. Rate-limit state is keyed by ``Auth.key``, a one-way
fingerprint, so logs and progress displays can name a credential without revealing it.

>>> creds = Credentials.from_args(bearer_token="AAAA-secret")
>>> creds
Credentials(bearer=set, oauth1=not set, oauth2_user=not set)
>>> "secret" in repr(creds.bearer)
False
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import hashlib
import logging
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import orjson
from oauthlib.oauth1 import Client as OAuth1Client
from oauthlib.oauth2 import WebApplicationClient

from twxdata.endpoints import AuthKind, Endpoint
from twxdata.errors import AuthError, ParameterError

ENV_VARS = {
    "bearer_token": "TWXDATA_BEARER_TOKEN",
    "consumer_key": "TWXDATA_CONSUMER_KEY",
    "consumer_secret": "TWXDATA_CONSUMER_SECRET",
    "access_token": "TWXDATA_ACCESS_TOKEN",
    "access_token_secret": "TWXDATA_ACCESS_TOKEN_SECRET",
}
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
DEFAULT_SCOPES = (
    "tweet.read",
    "users.read",
    "follows.read",
    "list.read",
    "like.read",
    "offline.access",
)


class Secret:
    """A string that does not show itself. ``reveal()`` is the only way to read it.

    >>> s = Secret("hunter2")
    >>> s, str(s), f"{s}"
    (Secret('***'), '***', '***')
    >>> s.reveal()
    'hunter2'
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise AuthError("credentials must be strings")
        self._value = value.strip()

    def reveal(self) -> str:
        return self._value

    def fingerprint(self) -> str:
        """A short one-way digest: names a credential in logs without revealing it."""
        return hashlib.sha256(self._value.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and secrets.compare_digest(self._value, other._value)

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        # Pickling would write the secret into caches and notebook checkpoints.
        raise TypeError("Secret values cannot be pickled")


def _secret(value: str | Secret | None) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value or None
    if not isinstance(value, str):
        raise AuthError("credentials must be strings")
    return Secret(value) if value.strip() else None


class Auth(Protocol):
    """What the client needs from a credential: its kind, a safe key, and headers to send."""

    @property
    def kind(self) -> AuthKind: ...

    @property
    def key(self) -> str: ...

    def headers(self, method: str, url: str) -> dict[str, str]: ...


@dataclass(frozen=True, repr=False)
class BearerToken:
    """An OAuth 2.0 bearer token: app-only by default, or a user access token.

    X cannot be asked which one a token is without a request, so ``kind`` is what the caller
    says; tweepy's ``bearer_token`` argument takes either, and so do we.
    """

    token: Secret
    kind: AuthKind = AuthKind.APP

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.token.fingerprint()}"

    def headers(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token.reveal()}"}

    def __repr__(self) -> str:
        return f"BearerToken(kind={self.kind.value}, token=***)"


@dataclass(frozen=True, repr=False)
class OAuth2UserToken:
    """An OAuth 2.0 user access token from the PKCE flow, with its refresh token if any."""

    access_token: Secret
    refresh_token: Secret | None = None
    expires_at: float | None = None  # Unix seconds
    scopes: tuple[str, ...] = ()

    kind = AuthKind.OAUTH2_USER

    @property
    def key(self) -> str:
        return f"oauth2_user:{self.access_token.fingerprint()}"

    def expired(self, now: float | None = None, *, leeway: float = 60.0) -> bool:
        moment = time.time() if now is None else now
        return self.expires_at is not None and moment >= self.expires_at - leeway

    def headers(self, method: str, url: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token.reveal()}"}

    def __repr__(self) -> str:
        refresh = "set" if self.refresh_token else "not set"
        return f"OAuth2UserToken(access_token=***, refresh_token={refresh})"


@dataclass(frozen=True, repr=False)
class OAuth1User:
    """OAuth 1.0a user context: consumer key and secret plus the user's access token pair."""

    consumer_key: Secret
    consumer_secret: Secret
    access_token: Secret
    access_token_secret: Secret

    kind = AuthKind.OAUTH1

    @property
    def key(self) -> str:
        return f"oauth1:{self.access_token.fingerprint()}"

    @property
    def user_id(self) -> str | None:
        """The authenticating user's id: X access tokens start with it (``<id>-<random>``)."""
        head = self.access_token.reveal().split("-", 1)[0]
        return head if head.isdigit() else None

    def headers(self, method: str, url: str) -> dict[str, str]:
        client = OAuth1Client(
            self.consumer_key.reveal(),
            client_secret=self.consumer_secret.reveal(),
            resource_owner_key=self.access_token.reveal(),
            resource_owner_secret=self.access_token_secret.reveal(),
        )
        # JSON bodies are not part of the signature base string (X, like tweepy, signs
        # method + URL + oauth params only), so the body is not passed to oauthlib.
        with quiet_oauthlib():
            _, signed, _ = client.sign(url, http_method=method)
        return {"Authorization": signed["Authorization"]}

    def __repr__(self) -> str:
        return (
            "OAuth1User(consumer_key=***, consumer_secret=***, access_token=***, "
            "access_token_secret=***)"
        )


@dataclass(frozen=True, repr=False)
class Credentials:
    """Every credential a client holds; picks the right one per endpoint.

    Sources, first found wins per field: arguments, then the environment
    (``TWXDATA_BEARER_TOKEN``, ``TWXDATA_CONSUMER_KEY``, ``TWXDATA_CONSUMER_SECRET``,
    ``TWXDATA_ACCESS_TOKEN``, ``TWXDATA_ACCESS_TOKEN_SECRET``), then saved credentials
    (``twxdata configure``, ``twxdata.config``).
    """

    bearer: BearerToken | None = None
    oauth1: OAuth1User | None = None
    oauth2_user: OAuth2UserToken | None = None
    _partial: tuple[str, ...] = field(default=())

    @classmethod
    def from_args(
        cls,
        bearer_token: str | Secret | None = None,
        consumer_key: str | Secret | None = None,
        consumer_secret: str | Secret | None = None,
        access_token: str | Secret | None = None,
        access_token_secret: str | Secret | None = None,
        *,
        oauth2_user: OAuth2UserToken | None = None,
        bearer_kind: AuthKind = AuthKind.APP,
    ) -> Credentials:
        """Credentials from explicit values only (no environment)."""
        bearer = _secret(bearer_token)
        parts = {
            "consumer_key": _secret(consumer_key),
            "consumer_secret": _secret(consumer_secret),
            "access_token": _secret(access_token),
            "access_token_secret": _secret(access_token_secret),
        }
        present = [k for k, v in parts.items() if v is not None]
        oauth1 = None
        if len(present) == 4:
            oauth1 = OAuth1User(**parts)  # type: ignore[arg-type]
        return cls(
            bearer=BearerToken(bearer, bearer_kind) if bearer else None,
            oauth1=oauth1,
            oauth2_user=oauth2_user,
            _partial=tuple(present) if 0 < len(present) < 4 else (),
        )

    @classmethod
    def load(
        cls,
        bearer_token: str | Secret | None = None,
        consumer_key: str | Secret | None = None,
        consumer_secret: str | Secret | None = None,
        access_token: str | Secret | None = None,
        access_token_secret: str | Secret | None = None,
        *,
        environ: Mapping[str, str],
        oauth2_user: OAuth2UserToken | None = None,
        saved: Mapping[str, Secret | None] | None = None,
    ) -> Credentials:
        """Arguments first, then ``TWXDATA_*`` variables of ``environ``, then ``saved`` (what
        ``twxdata configure`` saved, read by ``twxdata.settings``: this module reads no file).

        >>> Credentials.load(environ={"TWXDATA_BEARER_TOKEN": "x"}).bearer is not None
        True
        """
        env = environ
        given = {
            "bearer_token": bearer_token,
            "consumer_key": consumer_key,
            "consumer_secret": consumer_secret,
            "access_token": access_token,
            "access_token_secret": access_token_secret,
        }
        merged: dict[str, str | Secret | None] = {
            k: v if v is not None else env.get(ENV_VARS[k]) for k, v in given.items()
        }
        if saved:
            merged = {k: v if v is not None else saved.get(k) for k, v in merged.items()}
        return cls.from_args(
            merged["bearer_token"],
            merged["consumer_key"],
            merged["consumer_secret"],
            merged["access_token"],
            merged["access_token_secret"],
            oauth2_user=oauth2_user,
        )

    @property
    def empty(self) -> bool:
        return self.bearer is None and self.oauth1 is None and self.oauth2_user is None

    def for_endpoint(self, endpoint: Endpoint, *, user_auth: bool | None = None) -> Auth:
        """The credential to send to ``endpoint``.

        ``user_auth=True`` demands OAuth 1.0a (tweepy's meaning); ``None`` picks the first kind
        the endpoint accepts that we hold: app bearer, then OAuth 1.0a, then OAuth 2.0 user.
        A bearer token is also tried for user-only endpoints, since it may be a user token.
        Raises ``AuthError`` (a ``TypeError``, as in tweepy) before any request otherwise.
        """
        if user_auth:
            if self.oauth1 is None:
                raise AuthError(self._missing("OAuth 1.0a user context (user_auth=True)"))
            return self.oauth1
        accepted = endpoint.auth
        if AuthKind.APP in accepted and self.bearer and self.bearer.kind is AuthKind.APP:
            return self.bearer
        if self.oauth2_user is not None and AuthKind.OAUTH2_USER in accepted:
            return self.oauth2_user
        if (
            self.bearer is not None
            and self.bearer.kind is AuthKind.OAUTH2_USER
            and (AuthKind.OAUTH2_USER in accepted)
        ):
            return self.bearer
        if self.oauth1 is not None and AuthKind.OAUTH1 in accepted:
            return self.oauth1
        if self.bearer is not None and user_auth is None and accepted & {AuthKind.OAUTH2_USER}:
            return self.bearer
        words = [_KIND_WORDS[k] for k in sorted(accepted, key=lambda k: k.value)]
        kinds = ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]
        raise AuthError(self._missing(f"{endpoint.name} accepts {kinds}"))

    def _missing(self, need: str) -> str:
        held = [
            n
            for n, v in (
                ("bearer token", self.bearer),
                ("OAuth 1.0a", self.oauth1),
                ("OAuth 2.0 user token", self.oauth2_user),
            )
            if v
        ]
        if not held and not self._partial:
            return (
                f"no credentials ({need}): set TWXDATA_BEARER_TOKEN or run `twxdata "
                "configure`; `twxdata demo` works offline"
            )
        text = f"no suitable credentials: {need}; held: {', '.join(held) or 'none'}"
        if self._partial:
            text += f" (OAuth 1.0a needs all four keys; only {', '.join(self._partial)} given)"
        return text

    def __repr__(self) -> str:
        def state(value: object) -> str:
            return "set" if value is not None else "not set"

        return (
            f"Credentials(bearer={state(self.bearer)}, oauth1={state(self.oauth1)}, "
            f"oauth2_user={state(self.oauth2_user)})"
        )


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A form POST to X's OAuth 2.0 token endpoint, built here and sent by the client.

    ``repr`` hides the body and headers, which hold the code verifier and client secret.
    """

    url: str
    headers: Mapping[str, str] = field(repr=False)
    body: str = field(repr=False)


# oauthlib logs at DEBUG what it signs: consumer keys, tokens, the signature base string and the
# signature itself. Whoever turns on DEBUG logging (`twxdata --debug`, a notebook's root logger)
# must not get our credentials with it. A filter on oauthlib's loggers drops its records while
# twxdata is calling it, in this context only: the user's own oauthlib calls log as before.
_CALLING_OAUTHLIB: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "twxdata_calling_oauthlib", default=False
)


class _WhileTwxdataSigns(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _CALLING_OAUTHLIB.get()


_FILTER = _WhileTwxdataSigns()


@contextlib.contextmanager
def quiet_oauthlib() -> Iterator[None]:
    """Run oauthlib calls without any of their log records (they would hold secrets)."""
    # Logger filters are not inherited: each of oauthlib's loggers gets the filter, including
    # ones its modules created since the last call.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if not (name.startswith("oauthlib") and isinstance(logger, logging.Logger)):
            continue
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    token = _CALLING_OAUTHLIB.set(True)
    try:
        yield
    finally:
        _CALLING_OAUTHLIB.reset(token)


_KIND_WORDS = {
    AuthKind.APP: "a bearer token",
    AuthKind.OAUTH1: "OAuth 1.0a keys",
    AuthKind.OAUTH2_USER: "an OAuth 2.0 user token",
}


def _loopback_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


@dataclass(repr=False)
class OAuth2PKCE:
    """The OAuth 2.0 Authorization Code flow with PKCE (S256), driven by oauthlib.

    >>> flow = OAuth2PKCE("my-client-id", "http://127.0.0.1:8765/callback")
    >>> url = flow.authorization_url()
    >>> url.startswith("https://x.com/i/oauth2/authorize?response_type=code&client_id=my-client-id")
    True
    >>> "code_challenge_method=S256" in url
    True
    """

    client_id: str
    redirect_uri: str
    scopes: Sequence[str] = DEFAULT_SCOPES
    client_secret: Secret | None = None
    token_url: str = "https://api.x.com/2/oauth2/token"
    authorize_url: str = AUTHORIZE_URL
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    _verifier: Secret = field(init=False)

    def __post_init__(self) -> None:
        if isinstance(self.client_secret, str):
            self.client_secret = Secret(self.client_secret)
        for name in ("authorize_url", "token_url"):
            value = getattr(self, name)
            if urlsplit(value).scheme != "https" and not _loopback_http(value):
                raise ParameterError(
                    name,
                    "must be an https URL (or http on 127.0.0.1/localhost, for a local test "
                    "server such as the fake API)",
                    got=value,
                )
        self._client = WebApplicationClient(self.client_id)
        with quiet_oauthlib():
            self._verifier = Secret(self._client.create_code_verifier(64))

    def authorization_url(self) -> str:
        """Where the user grants access; X redirects back with ``?code=...&state=...``.

        >>> local = OAuth2PKCE("app", "http://127.0.0.1/cb",
        ...                    authorize_url="http://127.0.0.1:8000/i/oauth2/authorize")
        >>> local.authorization_url().split("?")[0]
        'http://127.0.0.1:8000/i/oauth2/authorize'
        """
        with quiet_oauthlib():
            challenge = self._client.create_code_challenge(self._verifier.reveal(), "S256")
        # oauthlib insists on https; a local test server answers plain http on loopback only.
        local = _loopback_http(self.authorize_url)
        target = "https" + self.authorize_url[4:] if local else self.authorize_url
        with quiet_oauthlib():
            url: str = self._client.prepare_request_uri(
                target,
                redirect_uri=self.redirect_uri,
                scope=list(self.scopes),
                state=self.state,
                code_challenge=challenge,
                code_challenge_method="S256",
            )
        return "http" + url[5:] if local else url

    def code_from_redirect(self, redirect_url: str) -> str:
        """Extract the code from the URL X redirected to, checking ``state`` (CSRF)."""
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(redirect_url).query)
        if "error" in query:
            raise AuthError(f"authorization refused: {query['error'][0]}")
        if query.get("state", [""])[0] != self.state:
            raise AuthError("the redirect's state does not match this flow (possible CSRF)")
        try:
            return query["code"][0]
        except KeyError:
            raise AuthError("the redirect URL has no code parameter") from None

    def token_request(self, code: str) -> TokenRequest:
        """The request that exchanges an authorization code for tokens."""
        with quiet_oauthlib():
            body = self._client.prepare_request_body(
                code=code.strip(),
                redirect_uri=self.redirect_uri,
                code_verifier=self._verifier.reveal(),
                include_client_id=True,
            )
        return TokenRequest(self.token_url, self._token_headers(), body)

    def refresh_request(self, token: OAuth2UserToken) -> TokenRequest:
        """The request that trades a refresh token for a fresh access token."""
        if token.refresh_token is None:
            raise AuthError("this token has no refresh token (ask for the offline.access scope)")
        body = urlencode(
            {
                "grant_type": "refresh_token",
                "refresh_token": token.refresh_token.reveal(),
                "client_id": self.client_id,
            }
        )
        return TokenRequest(self.token_url, self._token_headers(), body)

    @staticmethod
    def parse_token(raw: bytes, *, now: float | None = None) -> OAuth2UserToken:
        """Read the token endpoint's JSON answer."""
        try:
            data = orjson.loads(raw)
            access = data["access_token"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise AuthError("the token endpoint did not return an access_token") from None
        expires = data.get("expires_in")
        moment = time.time() if now is None else now
        return OAuth2UserToken(
            access_token=Secret(access),
            refresh_token=Secret(data["refresh_token"]) if data.get("refresh_token") else None,
            expires_at=moment + float(expires) if expires else None,
            scopes=tuple(str(data.get("scope", "")).split()),
        )

    def _token_headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.client_secret:
            pair = f"{self.client_id}:{self.client_secret.reveal()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        return headers

    def __repr__(self) -> str:
        return f"OAuth2PKCE(client_id={self.client_id!r}, redirect_uri={self.redirect_uri!r})"
