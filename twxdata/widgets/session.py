"""What the credential widget does, without the widgets: hold, test, use, save, authorize.

``CredentialSession`` keeps secrets in Python memory only, as ``Secret`` objects; the widget
(``twxdata.widgets``) hands each typed value over and blanks its field, so nothing secret
stays in widget state that Jupyter could save into the notebook file. Without a widget front
end, ``prompt`` asks with getpass instead.

>>> from twxdata.testing import FakeXApi
>>> with FakeXApi(seed=1, size=500) as api:
...     session = CredentialSession(api_base=api.url)
...     session.hold(bearer_token=api.bearer_token)
...     print(session.test_sync()[0].text.startswith("@"))
...     print(session.use())
['bearer_token']
True
using for this session: bearer token; API base ...
>>> session.forget_session()
"""

from __future__ import annotations

import contextlib
import getpass
import html
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from twxdata.auth import AUTHORIZE_URL, Credentials, OAuth2PKCE, OAuth2UserToken, Secret
from twxdata.client import Client
from twxdata.collect.defaults import configure
from twxdata.config import FIELDS, LABELS, SavedCredentials, load_saved, save_credentials
from twxdata.errors import TwxError
from twxdata.identity import CheckResult, check_credentials
from twxdata.notebook.loop import run
from twxdata.protocol.request import resolve_api_base
from twxdata.protocol.retry import RetryPolicy
from twxdata.settings import load_credentials

DEFAULT_API_BASE = "https://api.x.com"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
KIND_LABELS = {"bearer": "bearer token", "oauth1": "OAuth 1.0a", "oauth2_user": "OAuth 2.0 user"}


class CredentialSession:
    """Credentials held in memory for one notebook session, and what can be done with them.

    Values given to ``hold`` take precedence over ``TWXDATA_*`` variables and saved
    credentials, which fill in whatever is not held (``Credentials.load``).
    """

    def __init__(self, api_base: str | None = None) -> None:
        self._held: dict[str, Secret] = {}
        self.api_base = (api_base or "").strip()
        self.oauth2_user: OAuth2UserToken | None = None
        self.flow: OAuth2PKCE | None = None
        self.last_results: list[CheckResult] = []

    # ---- holding -----------------------------------------------------------------------------

    def hold(self, **values: str | Secret | None) -> list[str]:
        """Keep non-empty ``values`` (names from ``twxdata.config.FIELDS``); returns their names.

        >>> CredentialSession().hold(bearer_token="x", consumer_key="")
        ['bearer_token']
        """
        taken = []
        for name, value in values.items():
            if name not in FIELDS:
                raise TypeError(f"unknown credential {name!r}; expected one of {FIELDS}")
            if value is None:
                continue
            secret = value if isinstance(value, Secret) else Secret(value)
            if secret:
                self._held[name] = secret
                taken.append(name)
        return taken

    def held(self) -> list[str]:
        """Names of the values held in memory (never the values)."""
        return [name for name in FIELDS if name in self._held]

    def mask(self, text: str) -> str:
        """``text`` with every held secret replaced by ``***`` (for messages shown)."""
        return mask_all(text, self._held)

    def credentials(self) -> Credentials:
        """Held values, then ``TWXDATA_*`` variables, then saved credentials."""
        return load_credentials(*(self._held.get(n) for n in FIELDS), oauth2_user=self.oauth2_user)

    def resolved_api_base(self) -> str | None:
        """The API base to use, validated (``None``: the environment's, saved, or real X)."""
        if not self.api_base:
            return None
        return resolve_api_base(self.api_base)

    # ---- actions -----------------------------------------------------------------------------

    async def test(self) -> list[CheckResult]:
        """One cheap request per credential: ``@username (id)`` or the API's error."""
        retry = RetryPolicy(max_tries=2, backoff_base=0.2, max_rate_limit_waits=0)
        async with Client(
            credentials=self.credentials(), api_base=self.resolved_api_base(), retry=retry,
            timeout=15,
        ) as client:  # fmt: skip
            self.last_results = await check_credentials(client)
        return self.last_results

    def test_sync(self) -> list[CheckResult]:
        """``test`` for synchronous code (works inside a notebook's running loop too)."""
        return run(self.test())

    def use(self) -> str:
        """Make the notebook functions (``twxdata.fetch_*``, ...) use these from now on."""
        creds = self.credentials()
        if creds.empty:
            raise TwxError("no credentials to use: enter a bearer token or OAuth 1.0a keys first")
        base = self.resolved_api_base()
        configure(credentials=creds, api_base=base, **dict.fromkeys(FIELDS))
        return f"using for this session: {describe(creds)}; API base {base or _default_base()}"

    def forget_session(self) -> None:
        """Undo ``use``: the notebook functions go back to the environment and saved values."""
        configure(credentials=None, api_base=None)

    def save(self, *, store: Any = "auto") -> SavedCredentials:
        """Save the held values and the API base (``twxdata.config``); returns what is saved.

        A loopback API base (the fake API of this notebook) is for this session only: saved,
        it would send tomorrow's commands to a port nobody listens on."""
        return save_credentials(self._held, api_base=self.api_base, store=store)

    # ---- OAuth 2.0 PKCE ------------------------------------------------------------------------

    def authorize(
        self,
        client_id: str,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
        client_secret: str | Secret | None = None,
    ) -> str:
        """Start the PKCE flow; returns the URL where the user grants access."""
        if not client_id.strip():
            raise TwxError("enter the OAuth 2.0 client id of your X app first")
        secret = client_secret if isinstance(client_secret, Secret) else None
        if isinstance(client_secret, str) and client_secret.strip():
            secret = Secret(client_secret)
        base = (self.resolved_api_base() or DEFAULT_API_BASE).rstrip("/")
        # X's consent screen is on x.com; another API (the fake API) serves its own.
        real = urlsplit(base).hostname in ("api.x.com", "api.twitter.com")
        authorize_url = AUTHORIZE_URL if real else f"{base}/i/oauth2/authorize"
        self.flow = OAuth2PKCE(
            client_id.strip(), redirect_uri.strip() or DEFAULT_REDIRECT_URI,
            client_secret=secret, token_url=f"{base}/2/oauth2/token", authorize_url=authorize_url,
        )  # fmt: skip
        return self.flow.authorization_url()

    async def exchange(self, redirect_url_or_code: str) -> OAuth2UserToken:
        """Trade the code X redirected with (the whole URL, or the code) for a user token."""

        if self.flow is None:
            raise TwxError("open the authorize link first (it starts the flow)")
        text = redirect_url_or_code.strip()
        if not text:
            raise TwxError("paste the URL X redirected to (or its code) first")
        code = self.flow.code_from_redirect(text) if "://" in text else text
        async with Client(credentials=Credentials(), api_base=self.resolved_api_base()) as client:
            self.oauth2_user = await client.fetch_oauth2_token(self.flow, code)
        return self.oauth2_user

    # ---- display -----------------------------------------------------------------------------

    def status_lines(self) -> list[str]:
        """What is held and from where, masked: for the widget and ``repr``."""
        lines = []
        if self._held:
            names = ", ".join(LABELS[n].split(" (")[0] for n in self.held())
            lines.append(f"held in memory (not in the notebook file): {names}")
        if self.oauth2_user is not None:
            lines.append("OAuth 2.0 user token: held in memory for this session")
        saved = load_saved()
        if saved.secrets:
            names = ", ".join(LABELS[n].split(" (")[0] for n in FIELDS if saved.get(n))
            lines.append(f"saved ({saved.location.split(' ')[0]}): {names}")
        return lines or ["no credentials entered or saved yet"]

    def __repr__(self) -> str:
        held = ", ".join(self.held()) or "nothing"
        return f"<CredentialSession holding {held}; api_base={self.api_base or None!r}>"

    def _repr_html_(self) -> str:
        return "<br>".join(html.escape(line) for line in self.status_lines())


def describe(creds: Credentials) -> str:
    """Which kinds of credentials are set, e.g. ``"bearer token, OAuth 1.0a"``.

    >>> describe(Credentials.from_args(bearer_token="x"))
    'bearer token'
    """
    kinds = [label for attr, label in KIND_LABELS.items() if getattr(creds, attr) is not None]
    return ", ".join(kinds) or "none"


def _default_base() -> str:
    return resolve_api_base(os.environ.get("TWXDATA_API_BASE") or None)


def prompt(
    session: CredentialSession, saved: SavedCredentials | None = None, *, ask_api_base: bool = True
) -> list[str]:
    """Ask for each credential with getpass (no echo); Enter skips. Returns the names given."""
    saved = saved if saved is not None else load_saved()
    given: dict[str, str | None] = {}
    for name in FIELDS:
        hint = "saved; Enter keeps it" if saved.get(name) else "Enter skips"
        try:
            given[name] = getpass.getpass(f"{LABELS[name]} [{hint}]: ").strip() or None
        except EOFError:  # no input at all (a closed stdin): keep what is there
            break
    if ask_api_base and not session.api_base:
        with contextlib.suppress(EOFError):
            session.api_base = input("API base [Enter: real X]: ").strip()
    return session.hold(**given)


def mask_all(text: str, secrets: Mapping[str, Secret]) -> str:
    """``text`` with every held secret replaced by ``***`` (belt and braces for messages).

    >>> mask_all("token abc rejected", {"bearer_token": Secret("abc")})
    'token *** rejected'
    """
    for secret in secrets.values():
        value = secret.reveal()
        if len(value) >= 3:
            text = text.replace(value, "***")
    return text
