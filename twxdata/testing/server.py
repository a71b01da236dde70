"""The fake X API server: an aiohttp.web application over a synthetic corpus.

Order of checks for each request, as on the real service: route (404 HTML), credentials (401),
injected status faults (429/500/503/502), credential kind (403, with ``strict_auth``, and always
for writes), rate limit (429), billing (402 ``credits-depleted``, 429 ``usage-capped``: only with
``credits`` or ``monthly_cap``), parameters (400), then the handler; body faults (``reset``,
``drop``, ``truncate``, ``cut``, ``slow``) damage a response that was served. Every response after
the credential check carries ``x-rate-limit-*`` headers, except the proxy's HTML 502 and the
usage-capped 429 (no ``x-rate-limit-reset``: waiting for a window does not lift the cap). A
complete 200 is then charged (``twxdata.testing.billing``).

>>> import asyncio, aiohttp
>>> from datetime import datetime
>>> async def demo():
...     async with FakeXApi(seed=1, size=500, end=datetime(2024, 5, 1)) as api:
...         async with aiohttp.ClientSession(headers=api.headers()) as s:
...             async with s.get(api.url + "/2/users/me") as r:
...                 return r.status, sorted((await r.json())["data"])
>>> asyncio.run(demo())
(200, ['id', 'name', 'username'])
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from email.utils import formatdate
from typing import Any

import orjson
from aiohttp import web

from twxdata.endpoints import ENDPOINTS, WINDOW_SECONDS, AuthKind, Endpoint, by_route
from twxdata.pricing import Prices
from twxdata.testing import (
    consent,
    lookups,
    oauth2,
    problems,
    search,
    stream,
    timelines,
    usage,
    writes,
)
from twxdata.testing.billing import Billing
from twxdata.testing.context import BadRequest, Handler, Problem, override, union
from twxdata.testing.corpus import Corpus
from twxdata.testing.credentials import AuthPolicy, Credentials
from twxdata.testing.faults import STATUS_FAULTS, FaultInjector, Faults
from twxdata.testing.params import parse_request
from twxdata.testing.payload import Renderer
from twxdata.testing.ratelimit import RateLimiter
from twxdata.testing.stats import RequestRecord, Stats
from twxdata.testing.stream import LiveStream
from twxdata.testing.timestamps import to_unix
from twxdata.testing.writectx import StateCtx

log = logging.getLogger(__name__)

# One handler per endpoint. READS answer from the generated corpus. writes.OVERRIDES are the
# reads that also show what writes did: each replaces the READS handler of its endpoint, which
# must exist. writes.HANDLERS are the write endpoints. ``union`` refuses an endpoint in two
# tables, ``override`` one that replaces nothing (tests/fake_api/test_handler_table.py).
READS: dict[str, Handler] = union(
    search.HANDLERS, timelines.HANDLERS, lookups.HANDLERS, usage.HANDLERS
)
HANDLERS: dict[str, Handler] = union(override(READS, writes.OVERRIDES), writes.HANDLERS)
JSON = "application/json; charset=utf-8"
DEFAULT_TOKEN = "fake-bearer-token"
_PARAM = re.compile(r"{(\w+)}")
_PATTERNS: dict[str, re.Pattern[str]] = {
    e.name: re.compile(
        "^"
        + _PARAM.sub(r"(?P<\1>[^/]+)", re.escape(e.path).replace(r"\{", "{").replace(r"\}", "}"))
        + "$"
    )
    for e in ENDPOINTS.values()
}
_BODY_FAULTS = frozenset({"reset", "drop", "truncate", "cut"})


class FakeXApi:
    """A running fake of the X API v2 endpoints (reads and, with state, writes) on loopback.

    Use ``async with FakeXApi(...) as api`` inside an event loop, or ``with FakeXApi(...) as
    api`` to run it in a background thread (any test style can call it then). ``api.url`` is
    the base URL (no trailing slash) and ``api.headers()`` the auth headers of a valid token.

    ``now`` sets the API clock that search windows use: a datetime freezes it, a callable is
    asked each time; by default it is the real time, or the corpus ``end`` when the corpus was
    built with an explicit ``end`` (so tests are deterministic). ``window``, ``limits`` and
    ``min_interval`` shape rate limits (see ``RateLimiter``); ``faults`` is a ``Faults``, a
    spec string such as ``"503=0.1,drop=0.05"``, or a mapping of rates.

    Billing, as X's pay-per-use (``twxdata.testing.billing``; ``api.billing`` is the meter):
    ``credits`` (USD) starts a balance; each successful answer is charged for the resources in
    its ``data`` at ``prices`` (``twxdata.pricing.PRICES``), once per UTC day of the API clock,
    and once the balance is spent requests are answered 402 ``credits-depleted``.
    ``monthly_cap`` (posts; 2 million with credits) answers reads of posts past it with 429
    ``usage-capped``, per period starting on ``cap_reset_day`` of the month. Without either
    nothing is refused (the meter still runs); ``GET /2/usage/tweets`` reports the posts read.

    OAuth 2.0 user login works offline: ``authorize`` plays the consent screen for the URL
    ``twxdata.auth.OAuth2PKCE`` builds, and ``POST /2/oauth2/token`` (``token_url``) trades
    the code and refreshes tokens (``twxdata.testing.oauth2``). ``oauth2_clients`` maps client
    ids to their secret (confidential) or None (public); by default any client id is accepted.
    """

    def __init__(
        self,
        corpus: Corpus | None = None,
        *,
        seed: int = 0,
        size: int = 10_000,
        end: datetime | None = None,
        now: datetime | Callable[[], float] | None = None,
        window: float = WINDOW_SECONDS,
        limits: int | Mapping[str, int] | None = None,
        min_interval: float | None = None,
        faults: Faults | str | Mapping[str, float] | None = None,
        tokens: Collection[str] | None = None,
        user_tokens: Mapping[str, int | str] | None = None,
        strict_auth: bool = False,
        oauth2_clients: Mapping[str, str | None] | None = None,
        credits: float | None = None,
        prices: Prices | None = None,
        monthly_cap: int | None = None,
        cap_reset_day: int = 1,
        stream: LiveStream | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        # The filtered stream's pace, connections and faults (testing.stream).
        self.stream = stream if stream is not None else LiveStream()
        self.corpus = corpus if corpus is not None else Corpus(seed=seed, size=size, end=end)
        self.renderer = Renderer(self.corpus)
        if isinstance(faults, str):
            faults = Faults.parse(faults)
        elif isinstance(faults, Mapping):
            faults = Faults(dict(faults))
        self.injector = FaultInjector(faults)
        # A running clock of the caller's (``now=callable``) is the whole server's clock, as
        # on X: windows reset by it and the Date header tells it, so a client can learn how
        # far it is from its own. A frozen clock only dates the corpus; windows run in real
        # time then, or they would never reset.
        self._running_clock = callable(now)
        self.limiter = RateLimiter(
            window=window,
            limits=limits,
            min_interval=min_interval,
            clock=(lambda: self._clock()) if self._running_clock else time.time,
        )
        self.oauth2 = oauth2.AuthorizationServer(oauth2_clients, clock=lambda: self._clock())
        self.auth = AuthPolicy(
            tokens=None if tokens is None else frozenset(tokens),
            user_tokens=dict(user_tokens or {}),
            strict=strict_auth,
            issuer=self.oauth2,
        )
        self.stats = Stats()
        self.host, self.port = host, port
        self._clock = self._make_clock(now)
        self.billing = Billing(
            credits, prices, monthly_cap, cap_reset_day, clock=lambda: self._clock()
        )
        self._viewers: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _make_clock(self, now: datetime | Callable[[], float] | None) -> Callable[[], float]:
        if callable(now):
            return now
        if isinstance(now, datetime):
            frozen = to_unix(now)
            return lambda: frozen
        if self.corpus.explicit_end:
            return lambda: self.corpus.end_s
        return time.time

    # --- running ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``; endpoint paths start with ``/2/``."""
        if self._runner is None:
            raise RuntimeError("the fake API is not running")
        return f"http://{self.host}:{self.port}"

    @property
    def bearer_token(self) -> str:
        """A bearer token the server accepts."""
        if self.auth.tokens:
            return sorted(self.auth.tokens)[0]
        return DEFAULT_TOKEN

    def headers(self, token: str | None = None) -> dict[str, str]:
        """``Authorization`` header for ``token`` (default: ``bearer_token``)."""
        return {"Authorization": f"Bearer {token or self.bearer_token}"}

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint (``OAuth2PKCE(..., token_url=api.token_url)``)."""
        return self.url + oauth2.TOKEN_PATH

    def authorize(
        self, authorization_url: str, user: int | str | None = None, *, approve: bool = True
    ) -> str:
        """The browser step of OAuth 2.0, offline: the redirect URL X sends the browser to
        after account ``user`` (an id or a username; default: the account of ``bearer_token``)
        answers the consent screen for ``authorization_url`` — ``?state=...&code=...``, or
        ``error=access_denied`` when it does not ``approve``.

        >>> from twxdata.auth import OAuth2PKCE
        >>> api = FakeXApi(seed=1, size=500, end=datetime(2024, 5, 1))
        >>> flow = OAuth2PKCE("my-app", "http://127.0.0.1:8765/callback")
        >>> redirect = api.authorize(flow.authorization_url())
        >>> redirect.startswith("http://127.0.0.1:8765/callback?state=")
        True
        >>> len(flow.code_from_redirect(redirect)) > 40
        True
        """
        if user is None:
            user_id = int(self.user_of()["id"])
        else:
            text = str(user)
            users = self.corpus.users
            u = users.index_of_id(int(text)) if text.isdigit() else users.index_of_username(text)
            if u is None or self.corpus.user_state(u) in ("suspended", "deactivated"):
                raise ValueError(f"no active account {text!r} to log in as")
            user_id = int(users.ids[u])
        return self.oauth2.authorize(authorization_url, user_id, approve=approve)

    def oauth1_token(self, user_id: int | str) -> str:
        """An OAuth 1.0a access token that the server maps to account ``user_id``."""
        return f"{user_id}-fakeaccesstoken"

    def user_of(self, token: str | None = None) -> dict[str, Any]:
        """The account ``/2/users/me`` answers for ``token`` (full object)."""
        creds = self.auth.read(f"Bearer {token or self.bearer_token}")
        if creds is None:
            raise ValueError("the server would reject this token")
        return self.corpus.user(self._viewer(creds))

    def make_app(self) -> web.Application:
        """The aiohttp application (to mount elsewhere or use with aiohttp's test client)."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        return app

    async def start(self) -> FakeXApi:
        runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeXApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 30.0) -> FakeXApi:
        """Serve from a background thread with its own event loop; returns when listening."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="fake-x-api", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("the fake API did not start in time")
        if failure:
            raise failure[0]
        return self

    def stop_thread(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)
            self._thread = self._loop = None

    def __enter__(self) -> FakeXApi:
        return self.start_in_thread()

    def __exit__(self, *exc: object) -> None:
        self.stop_thread()

    # --- controls ---------------------------------------------------------------------------
    def inject(self, kind: str, count: int = 1, endpoint: str | None = None) -> None:
        """Force fault ``kind`` on the next ``count`` requests (to ``endpoint`` only)."""
        self.injector.inject(kind, count, endpoint)

    def now(self) -> float:
        """The API clock (Unix seconds)."""
        return self._clock()

    # --- serving ----------------------------------------------------------------------------
    def _viewer(self, creds: Credentials) -> int:
        hint = creds.user_hint
        users = self.corpus.users
        if hint is not None:
            u = (
                users.index_of_id(int(hint))
                if str(hint).isdigit()
                else users.index_of_username(str(hint))
            )
            if u is not None:
                return u
        if creds.token not in self._viewers:
            self._viewers[creds.token] = self.corpus.user_for_token(creds.token)
        return self._viewers[creds.token]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if writes.compliance.STORAGE.match(request.path):
            return await writes.compliance.storage(self, request)
        if request.path == oauth2.TOKEN_PATH and request.method == "POST":
            return await self._token(request)
        if request.path == consent.PATH and request.method in ("GET", "POST"):
            return await consent.consent(self, request)
        params = dict(request.query)
        e = by_route(request.method, request.path)
        header = request.headers.get("Authorization")
        creds = self.auth.read(header) if e is not None else None
        token = creds.token if creds else ""
        name = e.name if e is not None else "unknown"
        fault: str | None = None
        headers: dict[str, str] = {}
        if e is None:
            status, body, ctype = 404, problems.HTML_404, "text/html;charset=utf-8"
        elif creds is None:
            status, body, ctype = 401, orjson.dumps(problems.UNAUTHORIZED), JSON
        else:
            fault = self.injector.draw(e.name)
            raw = await request.read() if e.is_write else b""
            status, body, ctype, headers = self._serve(e, creds, params, request.path, fault, raw)
            if e.name in ("search_stream", "sample_stream") and status == 200:
                return await self._stream(request, e, creds, params, headers)
        page = status == 200 and fault not in _BODY_FAULTS
        self.stats.record(
            RequestRecord(time.time(), name, token, request.path, params, status, fault, page)
        )
        if fault == "slow":
            await asyncio.sleep(self.injector.faults.delay)
        if fault in _BODY_FAULTS:
            return await self._broken(request, fault or "", status, body, headers)
        if self._running_clock:
            headers = {**headers, "Date": formatdate(self._clock(), usegmt=True)}
        return web.Response(status=status, body=body, headers={**headers, "content-type": ctype})

    async def _token(self, request: web.Request) -> web.Response:
        """``POST /2/oauth2/token``: no rate limit or faults; nothing of the form is logged."""
        status, answer = self.oauth2.token(
            await request.read(), request.headers.get("Authorization")
        )
        path = request.path
        self.stats.record(
            RequestRecord(time.time(), "oauth2_token", "", path, {}, status, None, False)
        )
        headers = {"content-type": JSON, "cache-control": "no-store", "pragma": "no-cache"}
        return web.Response(status=status, body=orjson.dumps(answer), headers=headers)

    def _serve(
        self,
        e: Endpoint,
        creds: Credentials,
        params: dict[str, str],
        path: str,
        fault: str | None,
        raw: bytes = b"",
    ) -> tuple[int, bytes, str, dict[str, str]]:
        app = creds.kind is AuthKind.APP
        if fault in STATUS_FAULTS:
            if fault == "502":
                return 502, problems.HTML_502, "text/html", {}
            headers = self.limiter.peek(e, creds.token, app).headers()
            problem = problems.TOO_MANY_REQUESTS if fault == "429" else problems.generic(int(fault))
            return int(fault), orjson.dumps(problem), JSON, headers
        handler = HANDLERS.get(e.name)
        if handler is None:
            problem = {
                "title": "Not Implemented",
                "type": "about:blank",
                "status": 501,
                "detail": f"The fake X API does not serve {e.method} {e.path}",
            }
            return 501, orjson.dumps(problem), JSON, {}
        # Writes want the credential kinds X wants (user context; app-only for compliance).
        if (self.auth.strict or e.is_write) and creds.kind not in e.auth:
            headers = self.limiter.peek(e, creds.token, app).headers()
            return 403, orjson.dumps(problems.unsupported_authentication(app)), JSON, headers
        decision = self.limiter.check(e, creds.token, app)
        headers = decision.headers()
        if not decision.allowed:
            self.stats.rate_limited += 1
            return 429, orjson.dumps(problems.TOO_MANY_REQUESTS), JSON, headers
        now = self._clock()
        refused = self.billing.refusal(e, now)
        if refused is not None:
            status, problem = refused
            if status == 429:  # the monthly cap: no window reset to wait for
                headers = {k: v for k, v in headers.items() if k != "x-rate-limit-reset"}
            return status, orjson.dumps(problem), JSON, headers
        ctx = self._ctx(e, creds, params, path, now, raw)
        if isinstance(ctx, list):
            return 400, orjson.dumps(problems.invalid_request(ctx)), JSON, headers
        try:
            with self.corpus.lock:
                status, body = handler(ctx)
        except Problem as problem:  # what the request names cannot be shown
            status, body = problem.reply()
        except BadRequest as exc:
            return 400, orjson.dumps(problems.invalid_request(exc.errors)), JSON, headers
        except Exception:  # a bug in the fake: answer like the real service would
            log.exception("fake X API handler %s failed", e.name)
            return 500, orjson.dumps(problems.generic(500)), JSON, headers
        if status == 200 and fault not in _BODY_FAULTS:  # what arrives whole is charged
            self.billing.record(e, body, now)
        return status, body, JSON, headers

    def _ctx(
        self, e: Endpoint, creds: Credentials, params: dict[str, str], path: str, now: float,
        raw: bytes = b"",
    ) -> StateCtx | list[dict[str, Any]]:  # fmt: skip
        """What a handler is given: the parsed request and the corpus (or what is wrong with
        the request: its errors)."""
        match = _PATTERNS[e.name].match(path)
        path_params = match.groupdict() if match else {}
        parsed = parse_request(e, path_params, params, now)
        if isinstance(parsed, list):
            return parsed
        strict_app = self.auth.strict and creds.kind is AuthKind.APP
        return StateCtx(
            self.corpus,
            self.renderer,
            parsed,
            None if strict_app else self._viewer(creds),
            not strict_app,
            now,
            body=raw,
            base_url=self.url,
            billing=self.billing,
        )

    async def _stream(
        self, request: web.Request, e: Endpoint, creds: Credentials, params: dict[str, str],
        headers: dict[str, str],
    ) -> web.StreamResponse:  # fmt: skip
        """``GET /2/tweets/search/stream`` once its checks passed: held open, or 429
        ``TooManyConnections`` when the app's connections are all in use."""
        record = RequestRecord(time.time(), e.name, creds.token, request.path, params, 200,
                               None, False)  # fmt: skip
        if stream.too_many_connections(self.stream, e.name):
            self.stats.record(dataclasses.replace(record, status=429))
            body = orjson.dumps(stream.TOO_MANY_CONNECTIONS)
            return web.Response(status=429, body=body, headers={**headers, "content-type": JSON})
        self.stats.record(record)
        ctx = self._ctx(e, creds, params, request.path, self._clock())
        assert not isinstance(ctx, list)  # _serve parsed it already

        def charge(body: bytes) -> None:
            self.billing.record(e, body, self._clock())

        return await stream.serve(self.stream, request, ctx, headers, charge,
                                  sample=e.name == "sample_stream")  # fmt: skip

    async def _broken(
        self, request: web.Request, fault: str, status: int, body: bytes, headers: dict[str, str]
    ) -> web.StreamResponse:
        transport = request.transport
        if fault == "cut":
            return web.Response(
                status=status,
                body=body[: max(1, len(body) // 2)],
                headers={**headers, "content-type": JSON},
            )
        if fault == "reset" or transport is None:
            if transport is not None:
                transport.close()
            return web.StreamResponse(status=status)
        resp = web.StreamResponse(status=status, headers={**headers, "content-type": JSON})
        if fault == "truncate":
            resp.content_length = len(body)
        else:
            resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(body[: max(1, len(body) // 2)])
        transport.close()
        return resp
