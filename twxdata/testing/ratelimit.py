"""Per-endpoint, per-credential rate limits with the real headers.

Limits come from the endpoint table (``limit_app`` / ``limit_user``), counted per
(``Endpoint.bucket``, credential) in fixed windows that open with the first request. The window
length can be compressed (900 s to 2 s for tests) and limits overridden. Endpoints with a
``min_interval`` (full-archive search: 1 request per second) answer 429 while
``x-rate-limit-remaining`` is still above zero, as the real service does.

>>> from twxdata.endpoints import ENDPOINTS
>>> rl = RateLimiter(window=2.0, limits=2, clock=lambda: 100.0)
>>> e = ENDPOINTS["search_recent_tweets"]
>>> [rl.check(e, "tok", app=True).allowed for _ in range(3)]
[True, True, False]
>>> rl.check(e, "tok", app=True).headers()["x-rate-limit-reset"]
'102'
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from twxdata.endpoints import WINDOW_SECONDS, Endpoint


@dataclass
class _Window:
    limit: int
    remaining: int
    reset_at: float
    last: float = -math.inf


@dataclass(frozen=True)
class Decision:
    """The outcome of counting one request, with what the headers must say."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float
    reason: str = ""  # "window" or "interval" when not allowed

    def headers(self) -> dict[str, str]:
        # Rounded up, so a client that sleeps until the reset second never arrives early.
        return {
            "x-rate-limit-limit": str(self.limit),
            "x-rate-limit-remaining": str(self.remaining),
            "x-rate-limit-reset": str(math.ceil(self.reset_at)),
        }


class RateLimiter:
    """Counts requests per (bucket, credential).

    ``limits`` overrides the table: one number for every endpoint, or a mapping from endpoint
    name or bucket (``"GET /2/tweets/search/all"``) to requests per window. ``min_interval``
    overrides the per-request spacing; by default it is the table's, scaled with the window.
    """

    def __init__(
        self,
        window: float = WINDOW_SECONDS,
        limits: int | Mapping[str, int] | None = None,
        min_interval: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self.window = window
        self.limits = limits
        self.min_interval = min_interval
        self.clock = clock
        self._windows: dict[tuple[str, str], _Window] = {}

    def limit_for(self, e: Endpoint, app: bool) -> int:
        if isinstance(self.limits, int):
            return self.limits
        if self.limits is not None:
            for key in (e.name, e.bucket):
                if key in self.limits:
                    return self.limits[key]
        first, second = (e.limit_app, e.limit_user) if app else (e.limit_user, e.limit_app)
        return first if first is not None else second if second is not None else 15

    def interval_for(self, e: Endpoint) -> float:
        if not e.min_interval:
            return 0.0
        if self.min_interval is not None:
            return self.min_interval
        return e.min_interval * self.window / WINDOW_SECONDS

    def _window_of(self, e: Endpoint, key: str, app: bool, now: float) -> _Window:
        w = self._windows.get((e.bucket, key))
        if w is None or now >= w.reset_at:
            limit = self.limit_for(e, app)
            w = _Window(limit, limit, now + self.window, w.last if w else -math.inf)
            self._windows[(e.bucket, key)] = w
        return w

    def peek(self, e: Endpoint, key: str, app: bool) -> Decision:
        """The current state, without counting a request."""
        w = self._window_of(e, key, app, self.clock())
        return Decision(True, w.limit, w.remaining, w.reset_at)

    def check(self, e: Endpoint, key: str, app: bool) -> Decision:
        """Count one request; ``allowed`` is False when it must be answered with 429."""
        now = self.clock()
        w = self._window_of(e, key, app, now)
        if w.remaining <= 0:
            return Decision(False, w.limit, 0, w.reset_at, "window")
        if now - w.last < self.interval_for(e):
            return Decision(False, w.limit, w.remaining, w.reset_at, "interval")
        w.remaining -= 1
        w.last = now
        return Decision(True, w.limit, w.remaining, w.reset_at)

    def reset(self) -> None:
        """Forget every window (as if 15 minutes had passed everywhere)."""
        self._windows.clear()
