"""Whom do these credentials belong to? One cheap request per credential held.

User-context credentials (OAuth 1.0a, OAuth 2.0 user tokens, a bearer token that is a user
token) answer ``GET /2/users/me`` with their account. X refuses that request to an app-only
bearer token (403, "Unsupported Authentication"), so such a token is checked with a one-user
lookup instead, which proves it is accepted but names no account. Errors are reported with
the API's own title and detail, never with a credential in them.

>>> import asyncio
>>> from twxdata.client import Client
>>> from twxdata.testing import FakeXApi
>>> async def main():
...     async with FakeXApi(seed=1, size=500) as api:
...         async with Client(bearer_token="bad-token", api_base=api.url) as client:
...             return await check_credentials(client)
>>> [str(result) for result in asyncio.run(main())]
['bearer token: 401 Unauthorized']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from twxdata.endpoints import AuthKind
from twxdata.errors import ApiError, AuthError, Forbidden, TransportError

if TYPE_CHECKING:
    from twxdata.auth import Auth
    from twxdata.client import Client

# Any public account does for the app-only check; X's own developer account is stable.
PROBE_USERNAME = "XDevelopers"
APP_ONLY = "app-only bearer token accepted (X names an account only for user tokens)"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer for one credential: ``@username (id)``, "accepted", or the API's error."""

    credential: str  # "bearer token", "OAuth 1.0a", "OAuth 2.0 user token"
    ok: bool
    text: str
    username: str | None = None
    user_id: str | None = None

    def __str__(self) -> str:
        return f"{self.credential}: {self.text}"


def _held(client: Client) -> list[tuple[str, Auth]]:
    creds = client.credentials
    held: list[tuple[str, Auth]] = []
    if creds.bearer is not None:
        held.append(("bearer token", creds.bearer))
    if creds.oauth1 is not None:
        held.append(("OAuth 1.0a", creds.oauth1))
    if creds.oauth2_user is not None:
        held.append(("OAuth 2.0 user token", creds.oauth2_user))
    return held


def _problem(exc: Exception) -> str:
    if isinstance(exc, ApiError):
        title = exc.title or type(exc).__name__
        detail = f": {exc.detail}" if exc.detail and exc.detail != title else ""
        return f"{exc.status} {title}{detail}"
    return str(exc)


async def _check_one(client: Client, label: str, auth: Auth) -> CheckResult:
    try:
        page = await client.request("get_me", auth=auth)
    except Forbidden as exc:
        if auth.kind is not AuthKind.APP:
            return CheckResult(label, False, _problem(exc))
        try:  # an app-only token: X answers /2/users/me only for user context
            await client.request(
                "get_user_by_username", path={"username": PROBE_USERNAME}, auth=auth
            )
        except (ApiError, TransportError, AuthError) as inner:
            return CheckResult(label, False, _problem(inner))
        return CheckResult(label, True, APP_ONLY)
    except (ApiError, TransportError, AuthError) as exc:
        return CheckResult(label, False, _problem(exc))
    user = page.body.get("data")
    if not isinstance(user, dict) or "id" not in user:
        return CheckResult(label, False, "the API answered without an account")
    username, user_id = str(user.get("username", "?")), str(user["id"])
    return CheckResult(label, True, f"@{username} ({user_id})", username, user_id)


async def check_credentials(client: Client) -> list[CheckResult]:
    """Check every credential ``client`` holds; one result each (one for none held).

    >>> # results = await check_credentials(client); print(*results, sep="\\n")
    """
    held = _held(client)
    if not held:
        return [
            CheckResult(
                "credentials",
                False,
                "none set (enter a bearer token or OAuth 1.0a keys, run `twxdata configure`, "
                "or set TWXDATA_BEARER_TOKEN)",
            )
        ]
    return [await _check_one(client, label, auth) for label, auth in held]


__all__ = ["APP_ONLY", "CheckResult", "check_credentials"]
