"""The async client: the only place in twxdata that awaits the network or sleeps.

Everything it decides comes from the pure layer (``twxdata.protocol``): what to send, what an
answer means, when the rate limit allows the next request, whether and when to retry. It hands
each attempt to a transport (``twxdata.transport``: one reused aiohttp session by default) and
waits; every request, API call or storage transfer, goes through one retry loop.

>>> async def main():  # doctest: +SKIP
...     async with Client(bearer_token="...") as client:
...         async for page in client.pages("search_recent_tweets", params={"query": "cats"},
...                                        limit=500):
...             print(len(page.data), page.next_token)
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from twxdata.auth import Auth, Credentials, OAuth1User, OAuth2PKCE, OAuth2UserToken
from twxdata.budgets import Budgets
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ApiError, MalformedResponse, ParameterError, TransportError, TwxError
from twxdata.events import Event, Received, Retrying, Waiting
from twxdata.protocol.paging import Cursor
from twxdata.protocol.ratelimit import Budget, BudgetMemory, RateLimit
from twxdata.protocol.request import (
    Request,
    build_request,
    resolve_api_base,
    with_params,
    with_query,
)
from twxdata.protocol.response import Page, api_error, read_response
from twxdata.protocol.retry import TRANSIENT, Failure, RetryPolicy, classify_status, decide
from twxdata.protocol.window import (
    TOLERANCE,
    continue_below,
    fit_window,
    server_clock_offset,
)
from twxdata.transport import (
    AiohttpTransport,
    Answer,
    NoAnswer,
    OpenStream,
    StreamingTransport,
    Transport,
)

if TYPE_CHECKING:
    import aiohttp

T = TypeVar("T")

log = logging.getLogger("twxdata.client")


@dataclass(eq=False)
class _Failed(Exception):
    """An attempt that failed: how (for ``protocol.retry.decide``), why in a few words, the
    answer's headers when there was one, and the API's error to raise if no retry follows."""

    failure: Failure
    cause: str
    headers: Mapping[str, str] = field(default_factory=dict)
    problem: str = ""
    error: ApiError | None = None


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
        transport: Transport | None = None,
        seed: int | None = None,
        rate_limit_cache: BudgetMemory | Literal[False] | None = None,
        allow_plain_http: bool = False,
        max_query_length: int | None = None,
    ) -> None:
        if max_in_flight < 1:
            raise ParameterError("max_in_flight", "must be at least 1", got=max_in_flight)
        if timeout <= 0:
            raise ParameterError("timeout", "must be a positive number of seconds", got=timeout)
        # Arguments, then the environment. What `twxdata configure` saved is applied above
        # this class (twxdata.settings.configured_client): a client reads no file.
        self.credentials = credentials or Credentials.load(
            bearer_token,
            consumer_key,
            consumer_secret,
            access_token,
            access_token_secret,
            oauth2_user=oauth2_user,
            environ=os.environ,
        )
        self.api_base_source = "given"
        if api_base is None:
            api_base = os.environ.get("TWXDATA_API_BASE") or None
            self.api_base_source = "from TWXDATA_API_BASE" if api_base else "X's API"
        self.api_base = resolve_api_base(api_base, allow_plain_http=allow_plain_http)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max_in_flight
        self.rate_limit_margin = rate_limit_margin
        self.allow_naive_datetimes = allow_naive_datetimes
        # Pro and Enterprise access take longer queries than the endpoint table's default.
        self.max_query_length = max_query_length
        self._listeners: list[Callable[[Event], None]] = [on_event] if on_event else []
        # The one seam to the network (httpx's design): anything with request() and close().
        self.transport: Transport = transport or AiohttpTransport(
            timeout=timeout, max_connections=max_in_flight, session=session
        )
        self._loop: asyncio.AbstractEventLoop | None = None
        # One budget per (endpoint bucket, credential), kept between processes when given
        # somewhere to keep them (the user's cache folder, from twxdata.settings): the next
        # process does not draw a 429 first.
        self.rate_limit_cache = rate_limit_cache or None  # False: none, as None
        self._budgets = Budgets(
            self.api_base,
            self.server_now,
            margin=rate_limit_margin,
            memory=self.rate_limit_cache,
            low=max_in_flight,
        )
        self._me: dict[str, str] = {}
        # username (lower case) -> user id, filled by twxdata.collect.users for fan-out calls
        self.username_cache: dict[str, str] = {}
        self._me_lock: asyncio.Lock | None = None
        self._slots: asyncio.Semaphore | None = None
        self._rng = random.Random(seed)
        self.requests_sent = 0
        # How far the server's clock is ahead of ours (its Date header), once an answer came.
        self.clock_offset = 0.0
        self._last_date: str | None = None
        # Whether the API base has answered at all: until then, a refused connection or an
        # unknown host is a wrong address or no network, reported within seconds.
        self.reached = False

    # ---- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Client:
        self._ready()
        if isinstance(self.transport, AiohttpTransport):
            self.transport.open()  # the session exists inside `async with`, as users expect
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the transport (its session, if it opened one). Safe to call twice."""
        self._budgets.remember_all(now=asyncio.get_running_loop().time())
        await self.transport.close()

    def _ready(self) -> asyncio.Semaphore:
        """The request slots of the running loop: semaphores and locks belong to the loop they
        were made on, and a client may outlive one (one ``asyncio.run`` per ``*_sync`` call)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.max_in_flight)
            self._me_lock = asyncio.Lock()
        return self._slots

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The keep-alive aiohttp session (``None`` before the first request, or when another
        transport was given)."""
        return getattr(self.transport, "session", None)

    async def pause(self, seconds: float, *, endpoint: str, reason: str) -> None:
        """Wait ``seconds`` on a caller's behalf (polling a compliance job), telling the
        listeners why: the client is where twxdata sleeps."""
        self._emit(Waiting(endpoint, seconds, reason))
        await asyncio.sleep(seconds)

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
            now=datetime.fromtimestamp(self.server_now(), tz=timezone.utc),
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
        pace: Callable[[dict[str, str]], Awaitable[dict[str, str] | None]] | None = None,
        below: str | None = None,
    ) -> AsyncIterator[Page]:
        """Iterate over the pages of ``endpoint``, following next tokens.

        ``limit`` counts items (posts, users, ...), ``max_pages`` pages; neither overshoots.
        Without ``max_results`` in ``params`` each request asks for the endpoint's largest page.
        A page token in ``params`` resumes a walk where it stopped. ``pace`` (awaited) sees each
        request's query before it is sent and returns it (a smaller ``max_results``, say, for a
        spend cap) or ``None`` to end the walk there. ``below``: the oldest post a resumed walk had
        received, should its token have to give way to ``until_id`` (``_fit_window``).
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
            query = cursor.next_params()
            if pace is not None:
                paced = await pace({**base.params, **query})
                if paced is None:
                    return
                query = paced
            page = await self.send(
                with_params(base, query),
                auth=auth,
                stream=stream,
                settled_at=settled_at,
                below=below,
            )
            below = page.oldest_id or below
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
        below: str | None = None,
    ) -> Page:
        """Send a built request with ``auth``: throttle, retry, and read the answer.

        ``settled_at`` is when the request's time window was worked out (server clock; now by
        default): each attempt moves it inside the endpoint's limits by as much as the clock
        has moved since (``protocol.window``); ``below`` is the oldest post the walk received
        (its page token gives way to ``until_id`` when the window moves).
        """
        settled_at = self.server_now() if settled_at is None else settled_at
        slots = self._ready()
        ep = request.endpoint
        budget = self._budget(ep, auth)
        loop = asyncio.get_running_loop()
        sent = request

        async def attempt() -> Page:
            nonlocal sent
            sent = self._fit_window(request, settled_at, below)
            started = loop.time()
            try:
                async with slots:
                    answer = await self._exchange(sent, auth)
            except NoAnswer as exc:
                budget.settle(None, now=loop.time())
                log.debug("%s %s -> %s", sent.method, sent.url, exc.cause)
                raise _Failed(exc.failure, exc.cause) from None
            self.reached = True
            wall = time.time()
            self._learn_clock(answer.headers, wall)
            budget.settle(RateLimit.from_headers(answer.headers, now=wall), now=loop.time())
            self._remember(ep, auth)
            try:
                page = read_response(
                    ep, answer.status, answer.headers, answer.body, url=sent.url,
                    params=sent.params, now=wall,
                )  # fmt: skip
            except ApiError as exc:
                log.debug("%s %s -> %s", sent.method, sent.url, exc)
                failure = (
                    Failure.BAD_BODY
                    if isinstance(exc, MalformedResponse)
                    else (classify_status(answer.status) or Failure.SERVER)
                )
                raise _Failed(
                    failure, str(exc), answer.headers, exc.type or exc.title, exc
                ) from None
            elapsed = loop.time() - started
            self._log_page(sent, page, elapsed)
            self._emit(
                Received(ep.name, answer.status, len(page.data), elapsed, stream, len(page.errors))
            )
            return replace(page, stream=stream) if stream is not None else page

        def gave_up(failed: _Failed, reason: str) -> TwxError:
            if failed.failure is Failure.UNREACHABLE and not self.reached:
                return TransportError(
                    f"cannot connect to {self.api_base} ({self.api_base_source}): {failed.cause}",
                    url=sent.url,
                    cause=failed.cause,
                )
            return TransportError(
                f"{sent.method} {ep.path} failed: {reason}; last error: {failed.cause}",
                url=sent.url,
                cause=failed.cause,
            )

        def blocked() -> None:
            self._remember(ep, auth, force=True)

        return await self._retrying(ep.name, attempt, gave_up, budget=budget, blocked=blocked)

    async def _retrying(
        self,
        name: str,
        attempt: Callable[[], Awaitable[T]],
        gave_up: Callable[[_Failed, str], TwxError],
        *,
        budget: Budget | None = None,
        blocked: Callable[[], None] | None = None,
    ) -> T:
        """The one retry loop: ``attempt`` until it succeeds or ``protocol.retry.decide``
        gives up (then ``gave_up`` says what to raise, unless the answer was an API error).
        With a ``budget``, each attempt waits for its slot and a 429 blocks the budget until
        the reset, for every request of the bucket."""
        loop = asyncio.get_running_loop()
        tries = 0
        rate_limit_waits = 0
        while True:
            if budget is not None:
                await self._acquire(budget, name)
            try:
                return await attempt()
            except _Failed as exc:
                failed = exc
            if failed.failure in TRANSIENT:
                tries += 1
            decision = decide(
                self.retry,
                failed.failure,
                tries=tries,
                rate_limit_waits=rate_limit_waits,
                headers=failed.headers,
                problem_type=failed.problem,
                now=time.time(),
                rng=self._rng,
                reached=self.reached,
            )
            if not decision.retry:
                raise failed.error if failed.error is not None else gave_up(failed, decision.reason)
            if failed.failure is Failure.RATE_LIMITED and budget is not None:
                rate_limit_waits += 1
                budget.block(decision.delay + self.rate_limit_margin, now=loop.time())
                if blocked is not None:
                    blocked()
                log.info("%s: %s", name, decision.reason)
                continue  # _acquire sleeps, and every request of the bucket with it
            self._emit(Retrying(name, tries, decision.delay, f"{failed.cause} ({decision.reason})"))
            log.info("%s: %s; retrying in %.1f s", name, failed.cause, decision.delay)
            await asyncio.sleep(decision.delay)

    def _fit_window(self, request: Request, settled_at: float, below: str | None) -> Request:
        """The request with its time window moved inside what the endpoint accepts right now,
        by as much as the clock moved since ``settled_at``: the 7-day edge of a recent search
        advances while a collection runs and waits. A page token made for the old window
        would be refused with the new one: the walk goes on below ``below`` instead."""
        if not (request.endpoint.lookback or request.endpoint.end_margin):
            return request
        if "start_time" not in request.params and "end_time" not in request.params:
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
        rebound = continue_below(request.endpoint, request.params, changes, below)
        if rebound is not None:
            log.info("%s: continuing below post %s instead of the page token",
                     request.endpoint.name, rebound["until_id"])  # fmt: skip
            return with_query(request, rebound)
        return with_params(request, changes)

    def _learn_clock(self, headers: Mapping[str, str], wall: float) -> None:
        date = headers.get("Date") or headers.get("date")
        if date is not None and date == self._last_date:
            return  # Date has a one-second resolution: most answers repeat the last one
        self._last_date = date
        offset = server_clock_offset(headers, now=wall)
        if offset is not None:
            # Date has a one-second resolution: smaller differences are noise, not skew.
            self.clock_offset = offset if abs(offset) > 1.0 else 0.0

    async def _exchange(self, request: Request, auth: Auth) -> Answer:
        headers = {**request.headers, **auth.headers(request.method, request.url)}
        answer = await self.transport.request(
            request.method, request.url, headers=headers, body=request.body
        )
        self.requests_sent += 1
        return answer

    async def _acquire(self, budget: Budget, name: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            wait = budget.acquire(now)
            if wait <= 0:
                return
            if wait >= 1.0 or now < budget.blocked_until:  # a 429 is always worth showing
                reason = budget.wait_reason(now)
                self._emit(Waiting(name, wait, reason))
                log.info("%s: %s (%.1f s)", name, reason, wait)
            await asyncio.sleep(wait)

    def _budget(self, ep: Endpoint, auth: Auth) -> Budget:
        return self._budgets.get(ep, auth.key, now=asyncio.get_running_loop().time())

    def _remember(self, ep: Endpoint, auth: Auth, *, force: bool = False) -> None:
        if self.rate_limit_cache is None:
            return
        self._budgets.remember(ep.bucket, auth.key, now=asyncio.get_running_loop().time(),
                               force=force)  # fmt: skip

    def budget(self, endpoint: str | Endpoint, auth: Auth | None = None) -> Budget | None:
        """The rate-limit state of an endpoint for a credential (for displays and tests)."""
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        chosen = auth or self.credentials.for_endpoint(ep)
        return self._budgets.known(ep.bucket, chosen.key)

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

    # ---- streaming connections ---------------------------------------------------------------

    async def open_stream(
        self,
        endpoint: str | Endpoint,
        *,
        params: Mapping[str, Any] | None = None,
        auth: Auth | None = None,
    ) -> OpenStream:
        """One attempt at a streaming connection (``GET /2/tweets/search/stream``): waits for
        the endpoint's connect budget as any request does, learns its ``x-rate-limit-*`` and
        the server's clock, and returns the open response, whatever its status. Reconnecting
        is the caller's (``twxdata.streaming``, by ``protocol.stream``): a stream is never
        retried here. ``NoAnswer`` when no answer came."""
        ep = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        if not hasattr(self.transport, "open_stream"):
            raise TwxError(f"{ep.name} needs a transport that can stream (this one cannot)")
        transport = cast(StreamingTransport, self.transport)
        auth = auth or self.credentials.for_endpoint(ep)
        request = self.prepare(ep, params=params)
        self._ready()
        budget = self._budget(ep, auth)
        await self._acquire(budget, ep.name)
        loop = asyncio.get_running_loop()
        headers = {**request.headers, **auth.headers(request.method, request.url)}
        try:
            opened: OpenStream = await transport.open_stream(
                request.method, request.url, headers=headers
            )
        except NoAnswer:
            budget.settle(None, now=loop.time())
            raise
        finally:
            self.requests_sent += 1
        self.reached = True
        wall = time.time()
        self._learn_clock(opened.headers, wall)
        budget.settle(RateLimit.from_headers(opened.headers, now=wall), now=loop.time())
        self._remember(ep, auth, force=opened.status == 429)
        return opened

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
        self._ready()
        headers = {"Content-Type": content_type} if data is not None else {}
        where = url.split("?")[0]  # the signature in a pre-signed URL is a credential

        async def attempt() -> bytes:
            try:
                answer = await self.transport.request(method, url, headers=headers, body=data)
            except NoAnswer as exc:
                raise _Failed(exc.failure, exc.cause) from None
            if answer.status < 300:
                return answer.body
            failure = classify_status(answer.status) or Failure.SERVER
            raise _Failed(failure, f"HTTP {answer.status}", answer.headers)

        def gave_up(failed: _Failed, reason: str) -> TwxError:
            how = "refused" if failed.failure is Failure.CLIENT else "failed"
            return TransportError(f"{method} to storage {how}: {failed.cause}", url=where,
                                  cause=failed.cause)  # fmt: skip

        return await self._retrying("storage", attempt, gave_up)

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
        self._ready()
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
        self._ready()
        try:
            answer = await self.transport.request(
                "POST", call.url, headers=dict(call.headers), body=call.body.encode()
            )
        except NoAnswer as exc:
            raise TransportError(f"token request failed: {exc.cause}", url=call.url) from None
        if answer.status >= 400:
            raise api_error(answer.status, {}, answer.body, url=call.url, now=time.time())
        return flow.parse_token(answer.body)


def _for_validation(ep: Endpoint, path: Mapping[str, Any]) -> Mapping[str, Any]:
    # Validate everything else before spending a /2/users/me request on the user's id.
    if ep.me and ep.me not in path:
        return {**path, ep.me: "1"}
    return path


# The events are defined in twxdata.events and re-exported here, where listeners meet them.
__all__ = ["Client", "Event", "Received", "Retrying", "Waiting"]
