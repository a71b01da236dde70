"""The machinery under ``AsyncClient``'s methods: credentials, one request, the return type.

Every method is a thin ``async def`` that hands its arguments to ``CoreClient._call``;
``twxdata.compat.spec.plan`` turns them into a request, ``twxdata.client.Client`` sends it
(retries, pre-emptive throttling, one keep-alive session, no secrets in logs), and
``_wrap`` shapes the answer as ``return_type`` asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeAlias, TypeVar

import aiohttp

from twxdata.auth import Auth, Credentials
from twxdata.client import Client
from twxdata.compat.response import RawResponse, Response, to_response
from twxdata.compat.spec import plan
from twxdata.endpoints import Endpoint
from twxdata.errors import AuthError
from twxdata.protocol.response import Page
from twxdata.protocol.retry import RetryPolicy

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
        self.client = client or Client(
            bearer_token,
            consumer_key,
            consumer_secret,
            access_token,
            access_token_secret,
            api_base=api_base,
            retry=RetryPolicy(wait_on_rate_limit=wait_on_rate_limit),
        )

    @property
    def credentials(self) -> Credentials:
        return self.client.credentials

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The keep-alive session every request shares (``None`` before the first one)."""
        return self.client._session

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
        call = plan(name, arguments)
        auth = self._auth(call.endpoint, call.user_auth)
        return await self.client.request(
            call.endpoint, path=call.path, params=call.params, body=call.body, auth=auth
        )

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
