"""The async client: the only place in twxdata that awaits the network or sleeps.

Everything it decides comes from the pure layer (``twxdata.protocol``): what to send, what an
answer means, when the rate limit allows the next request, whether and when to retry. This
module moves bytes over one reused aiohttp session and waits.

>>> async def main():  # doctest: +SKIP
...     async with Client(bearer_token="...") as client:
...         async for page in client.pages("search_recent_tweets", params={"query": "cats"},
...                                        limit=500):
...             print(len(page.data), page.next_token)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp

from twxdata._version import __version__
from twxdata.auth import Auth, Credentials, OAuth1User, OAuth2PKCE, OAuth2UserToken
from twxdata.config import saved_api_base, saved_api_base_location
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ApiError, MalformedResponse, ParameterError, TransportError
from twxdata.protocol.paging import Cursor
from twxdata.protocol.ratelimit import Budget, RateLimit
from twxdata.protocol.request import Request, build_request, resolve_api_base, with_params
from twxdata.protocol.response import Page, api_error, read_response
from twxdata.protocol.retry import TRANSIENT, Failure, RetryPolicy, classify_status, decide
from twxdata.protocol.window import TOLERANCE, fit_window, server_clock_offset
from twxdata.ratelimit_cache import RateLimitCache

log = logging.getLogger("twxdata.client")


@dataclass(frozen=True, slots=True)
class Waiting:
    """The client is about to sleep ``seconds`` before a request to ``endpoint``."""

    endpoint: str
    seconds: float
    reason: str


@dataclass(frozen=True, slots=True)
class Retrying:
    """An attempt failed and will be repeated after ``delay`` seconds."""

    endpoint: str
    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True, slots=True)
class Received:
    """A page arrived."""

    endpoint: str
    status: int
    items: int
    elapsed: float
    stream: str | None = None
    errors: int = 0  # partial errors in the page (deleted, protected, suspended resources)


Event = Waiting | Retrying | Received


class Client:
    """An X API v2 client with retries, pre-emptive throttling and one keep-alive session.

    Credentials come from the arguments, else ``TWXDATA_*`` environment variables, else saved
    credentials (``twxdata configure``); the API root from ``api_base``, else
    ``TWXDATA_API_BASE``, else the saved one, else ``https://api.x.com`` (point it at
    ``twxdata.testing.FakeXApi`` to run offline).

    Credentials travel only over TLS or to loopback: a plain ``http://`` API base on another
    host is refused unless ``allow_plain_http=True``.

    ``max_in_flight`` bounds concurrent requests over all endpoints; each (endpoint bucket,
    credential) pair additionally spends only what its ``x-rate-limit-remaining`` allows.
    ``on_event`` receives ``Waiting``, ``Retrying`` and ``Received`` events (progress bars).

    >>> import asyncio
    >>> async def demo():
    ...     async with Client(bearer_token="t", api_base="http://127.0.0.1:9") as c:
    ...         return c.api_base
    >>> asyncio.run(demo())
    'http://127.0.0.1:9'
    """

    def __init__(
        self,
        bearer_token: str | None = None,
        consumer_key: str | None = None,
        consumer_secret: str | None = None,
        access_token: str | None = None,
        access_token_secret: str | None = None,
        *,
        credentials: Credentials | None = None,
        oauth2_user: OAuth2UserToken | None = None,
        api_base: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_in_flight: int = 8,
        rate_limit_margin: float = 1.0,
        on_event: Callable[[Event], None] | None = None,
        allow_naive_datetimes: bool = False,
        session: aiohttp.ClientSession | None = None,
        seed: int | None = None,
        rate_limit_cache: RateLimitCache | bool = True,
        allow_plain_http: bool = False,
        max_query_length: int | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ParameterError("max_in_flight", "must be at least 1", got=max_in_flight)
        if timeout <= 0:
            raise ParameterError("timeout", "must be a positive number of seconds", got=timeout)
        self.credentials = credentials or Credentials.load(
            bearer_token,
            consumer_key,
            consumer_secret,
            access_token,
            access_token_secret,
            oauth2_user=oauth2_user,
        )
        self.api_base_source = "given"
        if api_base is None:
            if os.environ.get("TWXDATA_API_BASE"):
                self.api_base_source = "from TWXDATA_API_BASE"
            else:
                api_base = saved_api_base()  # saved by `twxdata configure` or the widget
                self.api_base_source = (
                    f"saved in {saved_api_base_location()}; `twxdata configure --api-base ''` "
                    "forgets it"
                    if api_base
                    else "X's API"
                )
        self.api_base = resolve_api_base(api_base, allow_plain_http=allow_plain_http)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max_in_flight
        self.rate_limit_margin = rate_limit_margin
        self.allow_naive_datetimes = allow_naive_datetimes
        # Pro and Enterprise access take longer queries than the endpoint table's default.
        self.max_query_length = max_query_length
        self._listeners: list[Callable[[Event], None]] = [on_event] if on_event else []
        self._session = session
        self._owns_session = session is None
        self._budgets: dict[tuple[str, str], Budget] = {}
        # Budgets outlive the process (so the next one does not draw a 429 first): True for
        # the user's cache folder, False for none, or a RateLimitCache of the caller's.
        self.rate_limit_cache = (
            RateLimitCache.default() if rate_limit_cache is True else (rate_limit_cache or None)
        )
        self._remembered: dict[tuple[str, str], tuple[int, int, float]] = {}
        self._me: dict[str, str] = {}
        # username (lower case) -> user id, filled by twxdata.collect.users for fan-out calls
        self.username_cache: dict[str, str] = {}
        self._me_lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._closer: AsyncGenerator[None, None] | None = None
        self._rng = random.Random(seed)
        self.requests_sent = 0
        # How far the server's clock is ahead of ours (its Date header), once an answer came.
        self.clock_offset = 0.0
        # Whether the API base has answered at all: until then, a refused connection or an
        # unknown host is a wrong address or no network, reported within seconds.
        self.reached = False

    # ---- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        self._ensure_session()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session (if we opened it). Safe to call twice."""
        for key, budget in self._budgets.items():
            self._remember(key, budget, force=True)
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()
        if self._owns_session:
            self._session = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_in_flight, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=self.timeout, sock_connect=min(10, self.timeout)
                ),
                headers={"User-Agent": f"twxdata/{__version__}"},
                auto_decompress=True,
                # X sets guest_id cookies; sending them back ties requests together and is
                # nothing the API needs (tweepy sends none either).
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            self._owns_session = True
            self._closer = _close_with_loop(self._session)
            # Semaphores and locks belong to the loop they were made on; a new session on a
            # new loop (one asyncio.run per *_sync call) needs new ones too.
            self._slots = asyncio.Semaphore(self.max_in_flight)
            self._me_lock = asyncio.Lock()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
            self._me_lock = asyncio.Lock()
        return self._session

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """Also send events to ``listener`` (progress displays subscribe here)."""
        self._listeners.append(listener)

    def emit(self, event: Event) -> None:
        """Send an event to the listeners (for callers that wait on the client's behalf)."""
        self._emit(event)

    def remove_listener(self, listener: Callable[[Event], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def __repr__(self) -> str:
        return f"Client(api_base={self.api_base!r}, credentials={self.credentials!r})"

    def server_now(self) -> float:
        """The server's clock as far as this client knows it (Unix seconds): the local clock
        corrected by the ``Date`` headers seen so far."""
        return time.time() + self.clock_offset

    # ---- requests --------------------------------------------------------------------------

    def prepare(
        self,
        endpoint: str | Endpoint,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        max_query_length: int | None = None,
    ) -> Request:
        """Validate and build a request without sending it (raises ``ParameterError``)."""
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        return build_request(
            ep,
            api_base=self.api_base,
            path=path,
            params=params,
            body=body,
            allow_naive=self.allow_naive_datetimes,
            max_query_length=max_query_length or self.max_query_length,
        )

    async def request(
        self,
        endpoint: str | Endpoint,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        user_auth: bool | None = None,
        stream: str | None = None,
        auth: Auth | None = None,
    ) -> Page:
        """Send one request and return its page (retrying and throttling as needed).

        For endpoints acting as the authenticating user (``/2/users/{id}/bookmarks`` and the
        like) the user id is filled in when ``path`` does not give it. ``auth`` sends with that
        credential instead of the one ``Credentials.for_endpoint`` would pick.
        """
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        auth = auth or self.credentials.for_endpoint(ep, user_auth=user_auth)
        path = dict(path or {})
        self.prepare(ep, path=_for_validation(ep, path), params=params, body=body)
        if ep.me and ep.me not in path:
            path[ep.me] = await self.authenticated_user_id(auth)
        request = self.prepare(ep, path=path, params=params, body=body)
        return await self.send(request, auth=auth, stream=stream)

    async def pages(
        self,
        endpoint: str | Endpoint,
        *,
        path: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        limit: int | None = None,
        max_pages: int | None = None,
        user_auth: bool | None = None,
        stream: str | None = None,
        max_query_length: int | None = None,
    ) -> AsyncIterator[Page]:
        """Iterate over the pages of ``endpoint``, following next tokens.

        ``limit`` counts items (posts, users, ...), ``max_pages`` pages; neither overshoots.
        Without ``max_results`` in ``params`` each request asks for the endpoint's largest page.
        A page token in ``params`` resumes a walk where it stopped.
        """
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        auth = self.credentials.for_endpoint(ep, user_auth=user_auth)
        path = dict(path or {})
        base = self.prepare(
            ep, path=_for_validation(ep, path), params=params, max_query_length=max_query_length
        )
        page_size = int(base.params["max_results"]) if "max_results" in base.params else None
        token = base.params.get(ep.page_token) if ep.page_token else None
        cursor = Cursor(ep, limit=limit, max_pages=max_pages, page_size=page_size, token=token)
        if ep.me and ep.me not in path:
            path[ep.me] = await self.authenticated_user_id(auth)
        base = self.prepare(ep, path=path, params=params, max_query_length=max_query_length)
        settled_at = self.server_now()
        while not cursor.done:
            page = await self.send(
                with_params(base, cursor.next_params()),
                auth=auth,
                stream=stream,
                settled_at=settled_at,
            )
            kept = cursor.keep(len(page.data))
            cursor.advance(items=kept, next_token=page.next_token)
            yield page.with_data_limit(kept)

    async def send(
        self,
        request: Request,
        *,
        auth: Auth,
        stream: str | None = None,
        settled_at: float | None = None,
    ) -> Page:
        """Send a built request with ``auth``: throttle, retry, and read the answer.

        ``settled_at`` is when the request's time window was worked out (server clock; now by
        default): each attempt moves it inside the endpoint's limits by as much as the clock
        has moved since (``protocol.window``).
        """
        settled_at = self.server_now() if settled_at is None else settled_at
        session = self._ensure_session()
        assert self._slots is not None
        ep = request.endpoint
        budget = self._budget(ep, auth)
        loop = asyncio.get_running_loop()
        tries = 0
        rate_limit_waits = 0
        while True:
            await self._acquire(budget, ep)
            request = self._fit_window(request, settled_at)
            started = loop.time()
            error: ApiError | None = None
            try:
                async with self._slots:
                    status, headers, raw = await self._transport(session, request, auth)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                budget.settle(None, now=loop.time())
                failure = _failure_of(exc)
                cause = _cause(exc)
                headers, problem = {}, ""
                log.debug("%s %s -> %s", request.method, request.url, cause)
            else:
                self.reached = True
                wall = time.time()
                self._learn_clock(headers, wall)
                budget.settle(RateLimit.from_headers(headers, now=wall), now=loop.time())
                self._remember((ep.bucket, auth.key), budget)
                try:
                    page = read_response(
                        ep, status, headers, raw, url=request.url, params=request.params, now=wall
                    )
                except ApiError as exc:
                    error = exc
                    failure = (
                        Failure.BAD_BODY
                        if isinstance(exc, MalformedResponse)
                        else (classify_status(status) or Failure.SERVER)
                    )
                    cause, problem = str(exc), exc.type or exc.title
                    log.debug("%s %s -> %s", request.method, request.url, cause)
                else:
                    elapsed = loop.time() - started
                    self._log_page(request, page, elapsed)
                    self._emit(
                        Received(ep.name, status, len(page.data), elapsed, stream, len(page.errors))
                    )
                    return replace(page, stream=stream) if stream is not None else page
            if failure in TRANSIENT:
                tries += 1
            decision = decide(
                self.retry,
                failure,
                tries=tries,
                rate_limit_waits=rate_limit_waits,
                headers=headers,
                problem_type=problem,
                now=time.time(),
                rng=self._rng,
                reached=self.reached,
            )
            if not decision.retry:
                if error is not None:
                    raise error
                if failure is Failure.UNREACHABLE and not self.reached:
                    raise TransportError(
                        f"cannot connect to {self.api_base} ({self.api_base_source}): {cause}",
                        url=request.url,
                        cause=cause,
                    )
                raise TransportError(
                    f"{request.method} {ep.path} failed: {decision.reason}; last error: {cause}",
                    url=request.url,
                    cause=cause,
                )
            if failure is Failure.RATE_LIMITED:
                rate_limit_waits += 1
                budget.block(decision.delay + self.rate_limit_margin, now=loop.time())
                self._remember((ep.bucket, auth.key), budget, force=True)
                log.info("%s: %s", ep.name, decision.reason)
                continue  # _acquire sleeps, and every request of the bucket with it
            self._emit(Retrying(ep.name, tries, decision.delay, f"{cause} ({decision.reason})"))
            log.info("%s: %s; retrying in %.1f s", ep.name, cause, decision.delay)
            await asyncio.sleep(decision.delay)

    def _fit_window(self, request: Request, settled_at: float) -> Request:
        """The request with its time window moved inside what the endpoint accepts right now,
        by as much as the clock moved since ``settled_at``: the 7-day edge of a recent search
        advances while a collection runs and waits."""
        if not (request.endpoint.lookback or request.endpoint.end_margin):
            return request
        now = self.server_now()
        changes = fit_window(
            request.endpoint, request.params, server_now=now,
            max_shift=TOLERANCE + max(0.0, now - settled_at),
        )  # fmt: skip
        if not changes:
            return request
        log.info("%s: time window moved inside the endpoint's limits: %s",
                 request.endpoint.name, changes)  # fmt: skip
        return with_params(request, changes)

    def _learn_clock(self, headers: Mapping[str, str], wall: float) -> None:
        offset = server_clock_offset(headers, now=wall)
        if offset is not None:
            # Date has a one-second resolution: smaller differences are noise, not skew.
            self.clock_offset = offset if abs(offset) > 1.0 else 0.0

    async def _transport(
        self, session: aiohttp.ClientSession, request: Request, auth: Auth
    ) -> tuple[int, dict[str, str], bytes]:
        headers = {**request.headers, **auth.headers(request.method, request.url)}
        async with session.request(
            request.method, request.url, headers=headers, data=request.body
        ) as response:
            raw = await response.read()
            self.requests_sent += 1
            return response.status, dict(response.headers), raw

    async def _acquire(self, budget: Budget, ep: Endpoint) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = budget.acquire(now)
            if wait <= 0:
                return
            if wait >= 1.0 or now < budget.blocked_until:  # a 429 is always worth showing
                reason = budget.wait_reason(now)
                self._emit(Waiting(ep.name, wait, reason))
                log.info("%s: %s (%.1f s)", ep.name, reason, wait)
            await asyncio.sleep(wait)

    def _budget(self, ep: Endpoint, auth: Auth) -> Budget:
        key = (ep.bucket, auth.key)
        budget = self._budgets.get(key)
        if budget is None:
            budget = Budget(min_interval=ep.min_interval, margin=self.rate_limit_margin)
            self._budgets[key] = budget
            self._recall(key, budget)
        return budget

    def _cache_key(self, key: tuple[str, str]) -> str:
        return RateLimitCache.key(self.api_base, *key)

    def _recall(self, key: tuple[str, str], budget: Budget) -> None:
        """Seed a new budget with what an earlier process learnt of its window."""
        if self.rate_limit_cache is None:
            return
        known = self.rate_limit_cache.recall(self._cache_key(key), now=self.server_now())
        if known is None:
            return
        limit, remaining, reset = known
        after = max(0.0, reset - self.server_now())
        budget.restore(
            RateLimit(limit, remaining, reset, after), now=asyncio.get_running_loop().time()
        )
        self._remembered[key] = (remaining, reset, time.monotonic())
        log.info("%s: %d of %d requests left until the window resets in %.0f s (learnt by an "
                 "earlier run)", key[0], remaining, limit, after)  # fmt: skip

    def _remember(self, key: tuple[str, str], budget: Budget, *, force: bool = False) -> None:
        """Keep the budget's state for later processes: whenever it runs low, its window
        changes or a few seconds passed (a write per page would cost on fast links)."""
        if self.rate_limit_cache is None or budget.remaining is None or budget.limit is None:
            return
        loop_now = asyncio.get_running_loop().time() if _loop_running() else None
        if budget.reset_at is None or loop_now is None:
            return
        reset = int(self.server_now() + max(0.0, budget.reset_at - loop_now))
        if budget.window is not None:
            reset = budget.window
        last = self._remembered.get(key)
        low = budget.remaining <= max(budget.limit // 10, self.max_in_flight)
        if not force and last is not None:
            remaining, window, when = last
            if window == reset and remaining == budget.remaining:
                return
            if window == reset and not low and time.monotonic() - when < 5.0:
                return
        self._remembered[key] = (budget.remaining, reset, time.monotonic())
        self.rate_limit_cache.remember(
            self._cache_key(key),
            limit=budget.limit,
            remaining=budget.remaining,
            reset=reset,
            now=self.server_now(),
        )

    def budget(self, endpoint: str | Endpoint, auth: Auth | None = None) -> Budget | None:
        """The rate-limit state of an endpoint for a credential (for displays and tests)."""
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        chosen = auth or self.credentials.for_endpoint(ep)
        return self._budgets.get((ep.bucket, chosen.key))

    def _emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken progress bar must not stop a collection
                log.exception("event listener failed")

    def _log_page(self, request: Request, page: Page, elapsed: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            rate = page.rate_limit
            limits = f", {rate.remaining}/{rate.limit} left" if rate else ""
            log.debug(
                "%s %s -> %d (%d items, %.3f s%s)",
                request.method,
                request.url,
                page.status,
                len(page.data),
                elapsed,
                limits,
            )

    # ---- signed URLs (batch compliance uploads and downloads) ----------------------------

    async def transfer(
        self,
        method: str,
        url: str,
        *,
        data: bytes | Path | None = None,
        content_type: str = "text/plain",
    ) -> bytes:
        """Send ``data`` (bytes, or a file streamed from disk) to a pre-signed storage URL, or
        read from one, retrying like API calls.

        Compliance jobs hand out upload and download URLs that carry their own permission:
        they are sent without any credentials, which must never reach a storage bucket.
        """
        session = self._ensure_session()
        tries = 0
        while True:
            try:
                headers = {"Content-Type": content_type} if data is not None else {}
                with contextlib.ExitStack() as files:
                    body_in: Any = data
                    if isinstance(data, Path):  # streamed, so millions of ids need no memory
                        body_in = files.enter_context(open(data, "rb"))  # noqa: ASYNC230
                    async with session.request(
                        method, url, data=body_in, headers=headers
                    ) as response:
                        body = await response.read()
                        status = response.status
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                failure, cause = Failure.NETWORK, f"{type(exc).__name__}: {exc}"
            else:
                if status < 300:
                    return body
                failure = classify_status(status) or Failure.SERVER
                cause = f"HTTP {status}"
                if failure is Failure.CLIENT:
                    raise TransportError(
                        f"{method} to storage refused: {cause}", url=url.split("?")[0], cause=cause
                    )
            tries += 1
            decision = decide(self.retry, failure, tries=tries, now=time.time(), rng=self._rng)
            if not decision.retry:
                raise TransportError(
                    f"{method} to storage failed: {cause}", url=url.split("?")[0], cause=cause
                )
            await asyncio.sleep(decision.delay)

    # ---- the authenticating user -------------------------------------------------------------

    async def authenticated_user_id(self, auth: Auth | None = None) -> str:
        """The id of the user the credentials act for; one ``/2/users/me`` call per token.

        OAuth 1.0a access tokens carry the id, so they need no request. Concurrent callers
        share one lookup (tweepy's cache races and may send several).
        """
        chosen = auth or self.credentials.for_endpoint(get_endpoint("get_me"))
        if isinstance(chosen, OAuth1User) and chosen.user_id:
            return chosen.user_id
        cached = self._me.get(chosen.key)
        if cached is not None:
            return cached
        self._ensure_session()
        assert self._me_lock is not None
        async with self._me_lock:
            if chosen.key not in self._me:
                me = get_endpoint("get_me")
                page = await self.send(self.prepare(me), auth=chosen)
                user = page.body.get("data") or {}
                if not isinstance(user, dict) or "id" not in user:
                    raise MalformedResponse(
                        page.status,
                        title="Malformed response",
                        detail="/2/users/me has no id",
                        url=page.url,
                    )
                self._me[chosen.key] = str(user["id"])
        return self._me[chosen.key]

    # ---- OAuth 2.0 PKCE ----------------------------------------------------------------------

    async def fetch_oauth2_token(self, flow: OAuth2PKCE, code: str) -> OAuth2UserToken:
        """Exchange an authorization code for a user token and use it from now on."""
        token = await self._token_call(flow, flow.token_request(code))
        self.credentials = replace(self.credentials, oauth2_user=token)
        return token

    async def refresh_oauth2_token(self, flow: OAuth2PKCE) -> OAuth2UserToken:
        """Trade the current user token's refresh token for a new access token."""
        current = self.credentials.oauth2_user
        if current is None:
            raise ParameterError("oauth2_user", "no OAuth 2.0 user token to refresh")
        token = await self._token_call(flow, flow.refresh_request(current))
        self.credentials = replace(self.credentials, oauth2_user=token)
        return token

    async def _token_call(self, flow: OAuth2PKCE, call: Any) -> OAuth2UserToken:
        session = self._ensure_session()
        try:
            async with session.post(call.url, headers=dict(call.headers), data=call.body) as resp:
                raw = await resp.read()
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise TransportError(
                f"token request failed: {type(exc).__name__}", url=call.url
            ) from None
        if status >= 400:
            raise api_error(status, {}, raw, url=call.url, now=time.time())
        return flow.parse_token(raw)


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _close_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None] | None:
    """Arrange for ``session`` to be closed when its event loop shuts down.

    A client that is never closed (the default client of ``asyncio.run(fetch_search(...))``,
    tweepy-style code without ``await client.close()``) would leave aiohttp warning about an
    unclosed session at exit. asyncio closes every async generator still suspended on a loop
    when the loop shuts down (``asyncio.run`` calls ``loop.shutdown_asyncgens()``), so a
    generator parked at its ``yield`` whose ``finally`` closes the session does it, on that
    loop, at the right time. The caller keeps the generator; a garbage-collected one is
    closed by the loop's finalizer hook, with the same effect.
    """

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if not session.closed:
                await session.close()

    generator = closer()
    step = generator.__anext__()  # the loop's first-iteration hook registers it here
    try:
        step.send(None)  # runs to the yield without suspending
    except StopIteration:
        return generator
    step.close()  # pragma: no cover - the body never awaits before its yield
    return None


def _failure_of(exc: BaseException) -> Failure:
    if isinstance(exc, asyncio.TimeoutError):
        return Failure.TIMEOUT
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, unknown host, TLS handshake
        return Failure.UNREACHABLE
    return Failure.NETWORK


def _cause(exc: BaseException) -> str:
    """What went wrong, in one short line: the OS's reason when there is one."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        if isinstance(exc.os_error, ConnectionRefusedError):
            return "connection refused"
        if exc.os_error.strerror:
            return str(exc.os_error.strerror)
    return f"{type(exc).__name__}: {exc}".strip().rstrip(":")


def _for_validation(ep: Endpoint, path: Mapping[str, Any]) -> Mapping[str, Any]:
    # Validate everything else before spending a /2/users/me request on the user's id.
    if ep.me and ep.me not in path:
        return {**path, ep.me: "1"}
    return path
