"""The machinery under ``AsyncClient``'s methods: credentials, one request, the return type.

Every method is a thin ``async def`` that hands its arguments to ``CoreClient._call``;
``twxdata.compat.spec.plan`` turns them into a request, ``twxdata.client.Client`` sends it
(retries, pre-emptive throttling, one keep-alive session, no secrets in logs), and
``_wrap`` shapes the answer as ``return_type`` asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypeAlias, TypeVar
from urllib.parse import urlsplit

import aiohttp

from twxdata.auth import Auth, Credentials
from twxdata.client import Client
from twxdata.compat.response import RawResponse, Response, is_tweepy_response, to_response
from twxdata.compat.spec import Call, endpoints_of, plan
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ApiError, AuthError, ParameterBadRequest, ParameterError
from twxdata.protocol.response import Page
from twxdata.protocol.retry import RetryPolicy
from twxdata.settings import configured_client

# Argument types of the methods. Ids may be ints or digit strings, as in tweepy; field lists
# may be lists or comma-separated strings; times datetimes (naive ones are refused: say UTC)
# or RFC 3339 strings.
ID: TypeAlias = int | str
IDs: TypeAlias = Iterable[int | str] | str
Fields: TypeAlias = Iterable[str] | str
Time: TypeAlias = datetime | str

_RETURN_TYPES = (Response, dict, RawResponse, aiohttp.ClientResponse)
_Self = TypeVar("_Self", bound="CoreClient")


class CoreClient:
    """Credentials, the wrapped ``twxdata.Client`` and the return type; no API methods."""

    def __init__(
        self,
        bearer_token: str | None = None,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        *,
        return_type: type[Any] = Response,
        wait_on_rate_limit: bool = False,
        api_base: str | None = None,
        client: Client | None = None,
    ) -> None:
        if is_tweepy_response(return_type):  # code that still passes tweepy.Response
            return_type = Response
        if return_type not in _RETURN_TYPES:
            raise ValueError(
                f"return_type must be Response, dict or aiohttp.ClientResponse, not {return_type!r}"
            )
        if client is not None:
            given = (bearer_token, consumer_key, consumer_secret, access_token)
            if any(v is not None for v in (*given, access_token_secret, api_base)):
                raise ValueError("pass credentials and api_base to the Client, not both")
        self.return_type = return_type
        self.wait_on_rate_limit = wait_on_rate_limit
        # tweepy raises TooManyRequests on a 429 unless told to wait; our client also keeps
        # under the limit before sending, whatever this says.
        self.client = client or configured_client(
            bearer_token=bearer_token,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=access_token,
            access_token_secret=access_token_secret,
            api_base=api_base,
            retry=RetryPolicy(wait_on_rate_limit=wait_on_rate_limit),
        )

    @property
    def credentials(self) -> Credentials:
        return self.client.credentials

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The keep-alive session every request shares (``None`` before the first one)."""
        return self.client.session

    async def __aenter__(self: _Self) -> _Self:
        await self.client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session. Safe to call twice; the next request opens a new one."""
        await self.client.close()

    def __repr__(self) -> str:
        kind = getattr(self.return_type, "__name__", str(self.return_type))
        return (
            f"{type(self).__name__}(api_base={self.client.api_base!r}, "
            f"credentials={self.client.credentials!r}, return_type={kind})"
        )

    # ---- one call ------------------------------------------------------------------------

    async def _call(self, name: str, arguments: dict[str, Any]) -> Any:
        """Run method ``name`` with its ``locals()`` and return what ``return_type`` asks."""
        return self._wrap(await self._page(name, arguments))

    async def _page(self, name: str, arguments: dict[str, Any]) -> Page:
        arguments = {k: v for k, v in arguments.items() if k != "self"}
        call = checked_plan(name, arguments)
        auth = self._auth(call.endpoint, call.user_auth)
        try:
            return await self.client.request(
                call.endpoint, path=call.path, params=call.params, body=call.body, auth=auth
            )
        except ParameterBadRequest:
            raise
        except ParameterError as exc:
            # tweepy would have sent it and raised BadRequest on the 400.
            bad = ParameterBadRequest.from_parameter_error(
                exc, method=call.endpoint.method, path=call.endpoint.path
            )
            raise bad.with_traceback(exc.__traceback__) from None
        except ApiError as exc:
            self._annotate(exc, call, auth)
            raise

    def _annotate(self, exc: ApiError, call: Call, auth: Auth) -> None:
        """Name the method of the failed request and add the rate-limit state it left.

        The answer may be the ``/2/users/me`` lookup made on the way (for the endpoints that
        act as the authenticating user), so the URL decides which endpoint it was.
        """
        if not exc.url:
            return
        prefix = urlsplit(self.client.api_base).path.rstrip("/")
        path = urlsplit(exc.url).path
        for endpoint in (call.endpoint, get_endpoint("get_me")):
            if _route(endpoint.path, prefix).fullmatch(path):
                exc._attach(method=endpoint.method, headers=self._rate_headers(endpoint, auth))
                return

    def _rate_headers(self, endpoint: Endpoint, auth: Auth) -> Mapping[str, str]:
        """The endpoint's ``x-rate-limit-*`` state for this credential, as headers."""
        budget = self.client.budget(endpoint, auth)
        if budget is None or budget.limit is None:
            return {}
        headers = {"x-rate-limit-limit": str(budget.limit)}
        if budget.remaining is not None:
            headers["x-rate-limit-remaining"] = str(budget.remaining)
        if budget.window is not None:
            headers["x-rate-limit-reset"] = str(budget.window)
        return headers

    def _auth(self, endpoint: Endpoint, user_auth: bool) -> Auth:
        """tweepy's rule: ``user_auth=True`` signs with OAuth 1.0a, else the bearer token.

        The bearer token may be an app token or an OAuth 2.0 user access token; which one the
        endpoint accepts is the API's to say, as with tweepy.
        """
        creds = self.client.credentials
        if user_auth:
            if creds.oauth1 is None:
                raise AuthError(
                    "Access Token must be provided for OAuth 1.0a User Context: "
                    f"{endpoint.name} with user_auth=True needs consumer_key, consumer_secret, "
                    "access_token and access_token_secret"
                )
            return creds.oauth1
        bearer: Auth | None = creds.bearer or creds.oauth2_user
        if bearer is None:
            raise AuthError(
                "Access Token must be provided for OAuth 2.0 (bearer_token): "
                f"{endpoint.name} without user_auth=True sends the bearer token "
                "(an app-only token or an OAuth 2.0 user access token)"
            )
        return bearer

    def _wrap(self, page: Page) -> Any:
        if self.return_type is dict:
            return page.body
        if self.return_type is Response:
            return to_response(page)
        return RawResponse(page)


def checked_plan(name: str, arguments: Mapping[str, Any]) -> Call:
    """``plan``, with a refused argument raised as ``ParameterBadRequest`` (also tweepy's
    ``BadRequest``); tweepy's own ``TypeError``s pass unchanged."""
    try:
        return plan(name, arguments)
    except ParameterBadRequest:
        raise
    except ParameterError as exc:
        candidates = {(e.method, e.path) for e in endpoints_of(name)}
        method, path = candidates.pop() if len(candidates) == 1 else ("", "")
        bad = ParameterBadRequest.from_parameter_error(exc, method=method, path=path)
        raise bad.with_traceback(exc.__traceback__) from None


_ROUTES: dict[tuple[str, str], re.Pattern[str]] = {}


def _route(template: str, prefix: str = "") -> re.Pattern[str]:
    """A regular expression for the paths of a template: ``/2/users/{id}`` -> ``/2/users/[^/]+``.

    >>> bool(_route("/2/users/{id}/tweets", "/api").fullmatch("/api/2/users/12/tweets"))
    True
    """
    key = (template, prefix)
    if key not in _ROUTES:
        parts = re.split(r"\{[^}]+\}", template)
        _ROUTES[key] = re.compile(re.escape(prefix) + "[^/]+".join(map(re.escape, parts)))
    return _ROUTES[key]
