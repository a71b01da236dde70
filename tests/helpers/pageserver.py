"""A scripted loopback X API for client tests: numbered pages, exact faults, rate windows.

The fake X API (``twxdata.testing``) is the realistic server; this one is the precise one: a
test says "the 3rd request gets a 429 without headers" and gets exactly that.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

HTML_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
    b"Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class Stats:
    requests: int = 0
    served: Counter[int] = field(default_factory=Counter)  # page number -> times served OK
    faults: Counter[str] = field(default_factory=Counter)
    too_many: int = 0
    resets_sent: list[int] = field(default_factory=list)  # x-rate-limit-reset of scripted 429s
    auth_headers: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


class PageServer:
    """Serves ``pages`` pages of ``per_page`` posts on search and timeline routes.

    ``script`` maps a request number (1-based) to a fault: ``503``, ``500``, ``504``, ``html502``,
    ``429``, ``429-bare`` (no rate-limit headers), ``drop`` (close mid-body), ``truncate``
    (valid HTTP, cut JSON), ``slow`` (sleep past the client's timeout), ``401``.
    ``rates`` gives random fault rates by name, seeded. ``limit``/``window`` enforce a rate
    limit and report it in ``x-rate-limit-*`` headers.
    """

    def __init__(
        self,
        *,
        pages: int = 5,
        per_page: int = 100,
        script: dict[int, str] | None = None,
        rates: dict[str, float] | None = None,
        seed: int = 0,
        limit: int | None = None,
        window: float = 900.0,
        slow_seconds: float = 2.0,
        send_date: bool = False,
    ) -> None:
        self.pages = pages
        self.per_page = per_page
        self.script = dict(script or {})
        self.rates = dict(rates or {})
        self.rng = random.Random(seed)
        self.limit = limit
        self.window = window
        self.slow_seconds = slow_seconds
        self.send_date = send_date
        self.stats = Stats()
        self._window_start = time.time()
        self._window_count = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ---- the rate limit ------------------------------------------------------------------

    def _window(self) -> tuple[int, int, float]:
        now = time.time()
        if now >= self._window_start + self.window:
            elapsed = (now - self._window_start) // self.window
            self._window_start += elapsed * self.window
            self._window_count = 0
        reset = self._window_start + self.window
        return self._window_count, int(reset) + (0 if reset == int(reset) else 1), reset

    def _rate_headers(self, count: int, reset: int) -> dict[str, str]:
        limit = self.limit if self.limit is not None else 450
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - count)),
            "x-rate-limit-reset": str(reset),
        }
        if self.send_date:
            from email.utils import formatdate

            headers["date"] = formatdate(time.time(), usegmt=True)
        return headers

    # ---- the handler -----------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.stats.requests += 1
        number = self.stats.requests
        self.stats.times.append(time.time())
        self.stats.paths.append(request.path_qs)
        self.stats.auth_headers.append(request.headers.get("Authorization", ""))
        fault = self.script.get(number) or self._random_fault()
        count, reset, _ = self._window()
        if self.limit is not None and count >= self.limit:
            self.stats.too_many += 1
            return self._json(429, _TOO_MANY, self._rate_headers(count, reset))
        self._window_count += 1
        headers = self._rate_headers(self._window_count, reset)
        if fault:
            self.stats.faults[fault] += 1
        if fault in ("500", "503", "504"):
            body = {"title": "Service Unavailable", "detail": "try later", "type": "about:blank"}
            return self._json(int(fault), body, headers)
        if fault == "html502":
            return web.Response(status=502, body=HTML_502, content_type="text/html")
        if fault == "429":
            reset_at = int(time.time()) + 1
            self.stats.resets_sent.append(reset_at)
            spent = {**headers, "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset_at)}
            return self._json(429, _TOO_MANY, spent)
        if fault == "429-bare":
            return self._json(429, _TOO_MANY, {})
        if fault == "401":
            body = {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            }
            return self._json(401, body, headers)
        if fault == "slow":
            await asyncio.sleep(self.slow_seconds)
        page_number, body_bytes = self._page(request)
        if fault == "truncate":
            return web.Response(
                body=body_bytes[: len(body_bytes) // 2],
                content_type="application/json",
                headers=headers,
            )
        if fault == "drop":
            response = web.StreamResponse(headers=headers)
            response.content_type = "application/json"
            response.content_length = len(body_bytes)
            await response.prepare(request)
            await response.write(body_bytes[: len(body_bytes) // 3])
            assert request.transport is not None
            request.transport.close()
            return response
        self.stats.served[page_number] += 1
        return web.Response(body=body_bytes, content_type="application/json", headers=headers)

    def _random_fault(self) -> str | None:
        roll = self.rng.random()
        total = 0.0
        for name, rate in self.rates.items():
            total += rate
            if roll < total:
                return name
        return None

    def _page(self, request: web.Request) -> tuple[int, bytes]:
        token = request.query.get("next_token") or request.query.get("pagination_token")
        number = int(token[1:]) if token else 0
        size = min(int(request.query.get("max_results", "10")), self.per_page)
        first = 10**15 - number * self.per_page
        data = [
            {
                "id": str(first - k),
                "text": f"post {number}:{k} ✓ مرحبا",
                "author_id": "12",
                "edit_history_tweet_ids": [str(first - k)],
            }
            for k in range(size)
        ]
        meta: dict[str, Any] = {
            "result_count": size,
            "newest_id": data[0]["id"],
            "oldest_id": data[-1]["id"],
        }
        if number + 1 < self.pages:
            meta["next_token"] = f"p{number + 1}"
        body = {
            "data": data,
            "includes": {"users": [{"id": "12", "name": "A", "username": "a"}]},
            "meta": meta,
        }
        return number, orjson.dumps(body)

    async def me(self, request: web.Request) -> web.Response:
        self.stats.requests += 1
        await asyncio.sleep(0.05)  # wide enough for concurrent callers to overlap
        body = {"data": {"id": "1072250532645998596", "name": "Me", "username": "me"}}
        return self._json(200, body, {})

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str]) -> web.Response:
        return web.Response(
            status=status, body=orjson.dumps(body), content_type="application/json", headers=headers
        )

    # ---- running it ------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2/users/me", self.me)
        for route in (
            "/2/tweets/search/recent",
            "/2/tweets/search/all",
            "/2/users/{id}/followers",
            "/2/users/{id}/bookmarks",
        ):
            app.router.add_get(route, self.handle)
        return app

    async def __aenter__(self) -> PageServer:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        self._window_start = time.time()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def run_in_thread(self) -> ThreadedServer:
        return ThreadedServer(self)


class ThreadedServer:
    """Runs a ``PageServer`` on its own loop in a thread, for subprocess (CLI) tests."""

    def __init__(self, server: PageServer) -> None:
        self.server = server
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._main())

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        async with self.server:
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> PageServer:
        self._thread.start()
        self._ready.wait(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)


_TOO_MANY = {
    "title": "Too Many Requests",
    "type": "about:blank",
    "status": 429,
    "detail": "Too Many Requests",
}
