"""The credential widget for Jupyter: enter, test, use and save X API credentials.

In a notebook cell::

    import twxdata
    twxdata.widgets.credentials()          # type a bearer token, press "Use for this session"
    df = await twxdata.fetch_search("climate", limit=100)

Password fields for the bearer token and the four OAuth 1.0a keys, an "API base" field (empty:
the real X API; notebooks put the fake API's URL there), and an OAuth 2.0 PKCE section (client
id, redirect URI, an authorize link, a field for the URL X redirects to). Buttons: "Test" (one
cheap request: ``@username (id)`` or the API's own error), "Use for this session"
(``twxdata.configure``), "Save" (``twxdata.config``: a 0600 file or the system keyring).

Secrets never reach the notebook file: ipywidgets syncs a ``Password``'s value as widget state,
which Jupyter can save into the ``.ipynb``. So every button first moves what was typed into
Python memory (``twxdata.widgets.session.CredentialSession``, as ``Secret`` objects) and
blanks the field; the status line says "held" or "saved", never a value or part of one.

Without a widget front end (a terminal, a script, or ipywidgets missing) ``credentials()``
asks with getpass instead.
"""

from __future__ import annotations

import asyncio
import html
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, cast

from twxdata.auth import Secret
from twxdata.config import FIELDS, LABELS
from twxdata.errors import TwxError
from twxdata.notebook.loop import run
from twxdata.widgets.session import (
    DEFAULT_REDIRECT_URI,
    CredentialSession,
    prompt,
)

log = logging.getLogger("twxdata.widgets")
Outcome = list[str] | Coroutine[Any, Any, list[str]]
HELD = "held in memory; type to replace"
_SHORT = {name: LABELS[name].split(" (")[0] for name in FIELDS}


def has_widget_frontend() -> bool:
    """True inside a Jupyter kernel with ipywidgets installed (where widgets can show).

    >>> has_widget_frontend()  # a plain Python process
    False
    """
    try:
        import ipywidgets  # noqa: F401
        from IPython.core.getipython import get_ipython
    except ImportError:
        return False
    shell = cast(Any, get_ipython)()  # typed in some IPython versions, not in others
    return shell is not None and getattr(shell, "kernel", None) is not None


def credentials(
    api_base: str | None = None,
    *,
    bearer_token: str | Secret | None = None,
    consumer_key: str | Secret | None = None,
    consumer_secret: str | Secret | None = None,
    access_token: str | Secret | None = None,
    access_token_secret: str | Secret | None = None,
    use: bool | None = None,
    widget: bool | None = None,
) -> CredentialsWidget | CredentialSession:
    """Show the credential widget (or ask with getpass where widgets cannot show).

    Values given here are held in memory, never put in a field; with any of them (or
    ``api_base``) given they are used for the session at once (``use=None``), so a notebook
    runs top to bottom unattended. ``widget=False`` forces the getpass prompts.

    >>> from twxdata.testing import FakeXApi
    >>> with FakeXApi(seed=1, size=500) as api:
    ...     session = credentials(api.url, bearer_token=api.bearer_token, widget=False)
    ...     session.held()
    using for this session: bearer token; API base http://127.0.0.1:...
    ['bearer_token']
    >>> session.forget_session()
    """
    given = {
        "bearer_token": bearer_token,
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "access_token": access_token,
        "access_token_secret": access_token_secret,
    }
    show = has_widget_frontend() if widget is None else widget
    any_given = any(v is not None for v in given.values()) or bool(api_base)
    if show:
        form = CredentialsWidget(api_base)
        form.session.hold(**given)
        if use or (use is None and any_given):
            form.run_action(form.use)
        return form
    session = CredentialSession(api_base)
    session.hold(**given)
    if not any_given and sys.stdin is not None and sys.stdin.isatty():
        prompt(session)
    if use or (use is None and (any_given or session.held())):
        try:
            print(session.use())
        except TwxError as exc:
            print(f"not using any credentials: {exc}")
    return session


class CredentialsWidget:
    """The ipywidgets form; ``box`` is what displays. Fields and buttons are attributes.

    From Python (tests, scripted notebooks): set ``fields["bearer_token"].value``, call
    ``test_button.click()`` (or ``use_button``, ``save_button``), then ``await form.wait()``.
    """

    def __init__(self, api_base: str | None = None) -> None:
        import ipywidgets as w

        self.session = CredentialSession(api_base)
        wide = w.Layout(width="32em")
        style = {"description_width": "14em"}
        self.fields = {
            name: w.Password(description=_SHORT[name], layout=wide, style=style,
                             continuous_update=False)
            for name in FIELDS
        }  # fmt: skip
        self.api_base = w.Text(
            value=self.session.api_base, description="API base", layout=wide, style=style,
            placeholder="empty: the real X API (https://api.x.com)", continuous_update=False,
        )  # fmt: skip
        self.test_button = w.Button(description="Test", icon="plug", tooltip="one request")
        self.use_button = w.Button(description="Use for this session", button_style="primary")
        self.save_button = w.Button(description="Save", icon="save",
                                    tooltip="config file (0600) or the system keyring")  # fmt: skip
        self.status = w.HTML()
        # OAuth 2.0 Authorization Code with PKCE
        self.client_id = w.Text(description="client id", layout=wide, style=style)
        self.redirect_uri = w.Text(value=DEFAULT_REDIRECT_URI, description="redirect URI",
                                   layout=wide, style=style)  # fmt: skip
        self.client_secret = w.Password(description="client secret (optional)", layout=wide,
                                        style=style, continuous_update=False)  # fmt: skip
        self.authorize_button = w.Button(description="Authorize link", icon="link")
        self.authorize_link = w.HTML()
        self.redirect = w.Text(description="redirect URL or code", layout=wide, style=style,
                               placeholder="paste the URL X sent you back to")  # fmt: skip
        self.exchange_button = w.Button(description="Exchange", icon="exchange")
        oauth2 = w.VBox([
            self.client_id, self.redirect_uri, self.client_secret,
            w.HBox([self.authorize_button, self.authorize_link]),
            w.HBox([self.redirect, self.exchange_button]),
        ])  # fmt: skip
        self.oauth2 = w.Accordion(children=[oauth2], titles=("OAuth 2.0 user login (PKCE)",))
        self.oauth2.selected_index = None
        self.box = w.VBox([
            w.HTML("<b>X API credentials</b> (kept in this Python session; never in the "
                   "notebook file)"),
            self.fields["bearer_token"],
            w.HTML("<i>OAuth 1.0a user context (optional)</i>"),
            *(self.fields[n] for n in FIELDS[1:]),
            self.api_base,
            w.HBox([self.test_button, self.use_button, self.save_button]),
            self.oauth2,
            self.status,
        ])  # fmt: skip
        self._task: asyncio.Future[Any] | None = None
        self._messages: list[str] = []
        self.test_button.on_click(lambda _: self.run_action(self.test))
        self.use_button.on_click(lambda _: self.run_action(self.use))
        self.save_button.on_click(lambda _: self.run_action(self.save))
        self.authorize_button.on_click(lambda _: self.run_action(self.authorize))
        self.exchange_button.on_click(lambda _: self.run_action(self.exchange))
        self.refresh()

    # ---- display -----------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.box._repr_mimebundle_(**kwargs)

    def refresh(self, messages: list[str] | None = None) -> None:
        """Redraw the status: what is held or saved, and the last action's outcome."""
        if messages is not None:
            self._messages = [self.session.mask(m) for m in messages]
        lines = [html.escape(line) for line in self.session.status_lines()]
        lines += [f"<b>{html.escape(m)}</b>" for m in self._messages]
        self.status.value = "<br>".join(lines)

    # ---- taking values out of the widget state ---------------------------------------------

    def take_fields(self) -> None:
        """Move typed secrets into memory and blank their fields (see the module docstring)."""
        for name, field in self.fields.items():
            if field.value:
                self.session.hold(**{name: field.value})
                field.value = ""
            if name in self.session.held():
                field.placeholder = HELD
        base = self.api_base.value.strip()
        self.session.api_base = base
        try:
            self.session.resolved_api_base()
        except TwxError:
            # A URL with user:password@ in it is a secret in a text field: blank it too.
            self.api_base.value = self.session.api_base = ""
            raise

    # ---- actions: each runs after take_fields, its outcome shown in the status ---------------

    def run_action(self, action: Callable[[], Outcome]) -> None:
        """Take the fields, then run ``action``: at once, or on the running loop if it awaits.

        Quick actions (use, save, authorize) finish before this returns, so a cell may click
        "Use" and collect on the next line; requests (test, exchange) finish in the
        background of the kernel's loop (``await form.wait()`` waits for them).
        """
        try:
            self.take_fields()
            outcome = action()
        except TwxError as exc:
            self.refresh([f"{type(exc).__name__}: {exc}"])
            return
        if not asyncio.iscoroutine(outcome):
            self.refresh(list(outcome))
            return
        self.refresh(["working…"])
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (plain Python): finish here
            run(self._report(outcome))
            return
        self._task = loop.create_task(self._report(outcome))

    async def _report(self, pending: Coroutine[Any, Any, list[str]]) -> None:
        try:
            messages = await pending
        except TwxError as exc:
            messages = [f"{type(exc).__name__}: {exc}"]
        except Exception as exc:  # a widget callback has nowhere else to show an error
            log.exception("credential widget action failed")
            messages = [f"failed: {type(exc).__name__}"]
        self.refresh(messages)

    async def wait(self) -> None:
        """Wait for the last button's request to finish (for scripted use and tests)."""
        if self._task is not None:
            await self._task

    async def test(self) -> list[str]:
        results = await self.session.test()
        return [str(r) for r in results]

    def use(self) -> list[str]:
        return [self.session.use()]

    def save(self) -> list[str]:
        saved = self.session.save()
        where = saved.location.removeprefix("file ")
        note = " (readable only by you)" if saved.location.startswith("file") else ""
        names = ", ".join(_SHORT[n] for n in FIELDS if saved.get(n)) or "no secrets"
        messages = [f"saved to {where}{note}: {names}"]
        if self.session.oauth2_user is not None:
            messages.append("the OAuth 2.0 user token is not saved: it expires within hours")
        if self.session.api_base and saved.api_base != self.session.resolved_api_base():
            messages.append(
                f"the API base {self.session.api_base} is on this machine: used for this "
                "session, not saved (`twxdata configure --api-base URL` saves one)"
            )
        return messages

    def authorize(self) -> list[str]:
        secret = self.client_secret.value
        self.client_secret.value = ""
        url = self.session.authorize(self.client_id.value, self.redirect_uri.value, secret)
        self.authorize_link.value = (
            f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener">'
            "Open X to authorize</a>"
        )
        return ["open the link, allow access, then paste the address X sends you to below"]

    def exchange(self) -> Outcome:
        text = self.redirect.value
        self.redirect.value = ""  # the code is single-use, but it need not sit in the notebook
        return self._exchange(text)

    async def _exchange(self, text: str) -> list[str]:
        token = await self.session.exchange(text)
        scopes = f" (scopes: {' '.join(token.scopes)})" if token.scopes else ""
        return [f"OAuth 2.0 user token received{scopes}; press Use or Test"]


# ``twxdata.widgets`` is a lazy name of the package: ``twxdata/__init__`` resolves it as
# ``getattr(<this module>, "widgets")``, so the module names itself.
widgets = sys.modules[__name__]

__all__ = ["CredentialsWidget", "credentials", "has_widget_frontend"]
