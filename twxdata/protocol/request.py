"""Build a request (method, URL, body) for an endpoint. Pure: no I/O, no credentials.

Credentials are added by ``twxdata.auth`` at send time, per attempt (OAuth 1.0a signatures
carry a fresh nonce and timestamp), so a ``Request`` can be logged, stored and repr'd safely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import orjson

from twxdata.endpoints import Endpoint
from twxdata.errors import ParameterError
from twxdata.protocol.params import prepare_body, prepare_path, prepare_query

DEFAULT_API_BASE = "https://api.x.com"


@dataclass(frozen=True, slots=True)
class Request:
    """A request ready to send, minus credentials.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> r = build_request(ENDPOINTS["search_recent_tweets"], params={"query": "a b"})
    >>> r.method, r.url
    ('GET', 'https://api.x.com/2/tweets/search/recent?query=a%20b')
    """

    endpoint: Endpoint = field(repr=False)
    method: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = field(default=None, repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """Headers besides auth."""
        headers = {"Accept": "application/json"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers


def resolve_api_base(api_base: str | None = None, *, allow_plain_http: bool = False) -> str:
    """The API root: the argument, else ``https://api.x.com`` (the caller reads the
    environment: this module is pure).

    Credentials travel only over TLS or to this machine: a plain ``http://`` base that is not
    loopback is refused unless ``allow_plain_http`` (every request would carry the bearer token
    or OAuth signature in clear text to that host).

    >>> resolve_api_base("http://127.0.0.1:8080/")
    'http://127.0.0.1:8080'
    >>> resolve_api_base("http://api.example.org")
    Traceback (most recent call last):
    ...
    twxdata.errors.ParameterError: api_base: plain http to api.example.org would send your credentials unencrypted; use https, a loopback address (127.0.0.1, localhost), or allow_plain_http=True / --insecure-plain-http if you mean it (got 'http://api.example.org')
    """  # noqa: E501
    base = api_base or DEFAULT_API_BASE
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ParameterError(
            "api_base", "must be an http(s) URL such as https://api.x.com", got=base
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        raise ParameterError("api_base", "has an invalid port (1 to 65535)", got=base) from None
    if parts.username or parts.password or parts.query:
        # Credentials in URLs end up in logs and archives; X never takes them there.
        raise ParameterError("api_base", "must not contain credentials or a query string")
    if parts.path.rstrip("/").endswith("/2"):
        raise ParameterError(
            "api_base",
            "ends in /2: give the API's root (such as https://api.x.com); the /2/... paths "
            "are added to it",
            got=base,
        )
    if parts.scheme == "http" and not allow_plain_http and not is_loopback(base):
        raise ParameterError(
            "api_base",
            f"plain http to {parts.hostname} would send your credentials unencrypted; use "
            "https, a loopback address (127.0.0.1, localhost), or allow_plain_http=True / "
            "--insecure-plain-http if you mean it",
            got=base,
        )
    return base.rstrip("/")


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine (127.0.0.0/8, ::1, localhost): a test server.

    >>> is_loopback("http://127.0.0.1:8000"), is_loopback("https://api.x.com")
    (True, False)
    """
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build_request(
    endpoint: Endpoint,
    *,
    api_base: str | None = None,
    path: Mapping[str, Any] | None = None,
    params: Mapping[str, Any] | None = None,
    body: Mapping[str, Any] | None = None,
    allow_naive: bool = False,
    now: datetime | None = None,
    max_query_length: int | None = None,
) -> Request:
    """Validate everything and return the ``Request``; raises ``ParameterError`` first."""
    route = prepare_path(endpoint, path or {})
    query = prepare_query(
        endpoint,
        params or {},
        allow_naive=allow_naive,
        now=now,
        max_query_length=max_query_length,
    )
    payload = prepare_body(endpoint, body)
    # Building sends nothing: whether a base may carry credentials is the client's check.
    url = resolve_api_base(api_base, allow_plain_http=True) + route
    if query:
        url += "?" + urlencode(query, quote_via=quote, safe="")
    data = None if payload is None else orjson.dumps(payload)
    return Request(endpoint, endpoint.method, url, query, data)


def with_params(request: Request, params: Mapping[str, str]) -> Request:
    """The same request with some already-serialised query values replaced (next page)."""
    return with_query(request, {**request.params, **params})


def with_query(request: Request, query: Mapping[str, str]) -> Request:
    """The same request with a whole new (already-serialised) query."""
    query = dict(query)
    base = request.url.split("?", 1)[0]
    url = base + ("?" + urlencode(query, quote_via=quote, safe="") if query else "")
    return Request(request.endpoint, request.method, url, query, request.body)
