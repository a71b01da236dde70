"""Reading the ``Authorization`` header the way the fake API accepts it.

* ``Bearer <token>``: valid unless it is empty or starts with ``bad``/``invalid`` (or, when a
  set of tokens is configured, unless it is in that set). By default a bearer token works on
  every endpoint and belongs to a stable corpus account (what ``/2/users/me`` answers); with
  ``strict=True`` it is app-only unless listed in ``user_tokens`` (OAuth 2.0 user tokens).
* ``Bearer <token>`` issued by the fake's token endpoint (``issuer``, an
  ``oauth2.AuthorizationServer``): an OAuth 2.0 user token of the account that approved it,
  refused (401) once it has expired.
* ``OAuth oauth_consumer_key="...", oauth_token="<user_id>-<random>", ...`` (OAuth 1.0a user
  context): signatures are not checked, but ``oauth_token`` must be there; its ``user_id``
  prefix names the account (an unknown id maps to a stable account instead).

>>> policy = AuthPolicy()
>>> policy.read("Bearer abc").kind.value, policy.read("Bearer bad-token")
('app', None)
>>> policy.read('OAuth oauth_consumer_key="k", oauth_token="12-xyz"').user_hint
12
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import unquote

from twxdata.endpoints import AuthKind

_OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')
_REJECTED_PREFIXES = ("bad", "invalid")


@dataclass(frozen=True)
class Credentials:
    """Who is asking: the kind of credentials, the token, and any account it names."""

    kind: AuthKind
    token: str  # rate limits are counted per token
    user_hint: int | str | None = None  # OAuth 1.0a user id, or a user token's account


class TokenIssuer(Protocol):
    """Who hands out OAuth 2.0 user tokens (``oauth2.AuthorizationServer``)."""

    def issued(self, token: str) -> bool: ...

    def owner(self, token: str) -> int | None: ...


@dataclass(frozen=True)
class AuthPolicy:
    """Which credentials the server accepts; see the module docstring."""

    tokens: Collection[str] | None = None
    user_tokens: Mapping[str, int | str] = field(default_factory=dict)
    strict: bool = False
    issuer: TokenIssuer | None = None

    def _valid(self, token: str) -> bool:
        if not token or token.lower().startswith(_REJECTED_PREFIXES):
            return False
        return self.tokens is None or token in self.tokens or token in self.user_tokens

    def read(self, header: str | None) -> Credentials | None:
        """Credentials from an ``Authorization`` header, or None (answer 401)."""
        if not header:
            return None
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "bearer":
            token = rest.strip()
            if self.issuer is not None and self.issuer.issued(token):
                owner = self.issuer.owner(token)  # None once expired
                return None if owner is None else Credentials(AuthKind.OAUTH2_USER, token, owner)
            if not self._valid(token):
                return None
            if token in self.user_tokens:
                return Credentials(AuthKind.OAUTH2_USER, token, self.user_tokens[token])
            return Credentials(AuthKind.APP, token)
        if scheme == "oauth":
            params = {k: unquote(v) for k, v in _OAUTH_PARAM.findall(rest)}
            token = params.get("oauth_token", "")
            if not token or token.lower().startswith(_REJECTED_PREFIXES):
                return None
            prefix = token.split("-", 1)[0]
            return Credentials(AuthKind.OAUTH1, token, int(prefix) if prefix.isdigit() else None)
        return None
