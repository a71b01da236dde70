"""Rate-limit state: a value read from headers, and the per-bucket budget that spends it.

``RateLimit`` is what one response said. ``Budget`` is the state of one (endpoint bucket,
credential) pair across many concurrent requests: how many requests may still be sent in this
window, counting the ones in flight, and when the next may go. Both are pure — the caller passes
``now`` (monotonic seconds) and sleeps for the returned delay itself — so the scheduling policy is
tested without clocks or sockets.

Policy, in one place:
- Before the first answer for a bucket, one request goes alone: we do not know how much of the
  window another process already spent, and a burst into an empty window earns 429s.
- With headers known, requests go while ``remaining - in_flight > reserve``; otherwise we wait
  for the reset (plus a margin for clock skew and the server's rounding).
- Endpoints with a per-second rule (search/all: 1 request/second) also keep ``min_interval``
  between sends.
"""

from __future__ import annotations

import email.utils
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

# When the server reports its own clock (the Date header) and it disagrees with ours by more than
# this, the reset time is translated into our clock; smaller differences are Date's 1 s rounding.
_SKEW_TOLERANCE = 2.0


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The ``x-rate-limit-*`` headers of one response.

    ``reset_after`` is how many seconds after the response the window resets, measured on the
    server's clock when it sent a ``Date`` header (so a skewed local clock does not matter).

    >>> rl = RateLimit.from_headers({"x-rate-limit-limit": "450", "x-rate-limit-remaining": "3",
    ...                              "x-rate-limit-reset": "1700000900"}, now=1700000000.0)
    >>> rl.limit, rl.remaining, rl.reset_after
    (450, 3, 900.0)
    """

    limit: int
    remaining: int
    reset: int  # Unix seconds, as sent
    reset_after: float  # seconds from the response until the reset

    @classmethod
    def from_headers(cls, headers: Mapping[str, str], *, now: float) -> RateLimit | None:
        """Read the headers (case-insensitive); ``None`` when any is missing or malformed.

        ``now`` is the local wall clock (Unix seconds) when the response arrived.
        """
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            limit = int(lowered["x-rate-limit-limit"])
            remaining = int(lowered["x-rate-limit-remaining"])
            reset = int(float(lowered["x-rate-limit-reset"]))
        except (KeyError, ValueError):
            return None
        if limit < 0 or remaining < 0 or reset <= 0:
            return None
        server_now = server_time(lowered.get("date"))
        base = now
        if server_now is not None and abs(server_now - now) > _SKEW_TOLERANCE:
            base = server_now
        return cls(limit, remaining, reset, max(0.0, reset - base))


def reset_after_429(headers: Mapping[str, str], *, now: float, fallback: float) -> float:
    """Seconds to wait after a 429: until ``x-rate-limit-reset``, else ``Retry-After``, else
    ``fallback`` (a missing header must not turn into a hot retry loop).

    >>> reset_after_429({"retry-after": "7"}, now=0.0, fallback=60.0)
    7.0
    >>> reset_after_429({}, now=0.0, fallback=60.0)
    60.0
    """
    rate = RateLimit.from_headers(headers, now=now)
    if rate is not None and rate.reset_after > 0:
        return rate.reset_after
    retry_after = retry_after_seconds(headers, now=now)
    if retry_after is not None:
        return retry_after
    return fallback


def retry_after_seconds(headers: Mapping[str, str], *, now: float) -> float | None:
    """The ``Retry-After`` header in seconds (it may be seconds or an HTTP date).

    >>> retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0)
    10.0
    """
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        moment = server_time(value)
        return None if moment is None else max(0.0, moment - now)


def server_time(value: str | None) -> float | None:
    """An HTTP date (a `Date` or `Retry-After` header) as Unix seconds; `None` if unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed.timestamp()


@dataclass(slots=True)
class Budget:
    """What one (bucket, credential) pair may still spend. Mutable, pure, single-threaded.

    Times are monotonic seconds supplied by the caller. ``acquire`` either grants a slot
    (returns 0.0 and counts the request in flight) or returns how long to wait before asking
    again; ``settle`` records the answer and frees the slot.

    >>> b = Budget(min_interval=0.0, margin=0.5)
    >>> b.acquire(0.0), b.acquire(0.0)  # the first request probes alone
    (0.0, 0.05)
    >>> b.settle(RateLimit(15, 0, 100, 2.0), now=0.1)
    >>> b.acquire(0.2)  # window spent: wait for the reset, plus the margin
    2.4
    >>> b.acquire(2.7)  # the reset has passed: a new probe may go
    0.0
    """

    min_interval: float = 0.0
    margin: float = 0.25
    reserve: int = 0  # requests to leave unspent in every window (for other tools)
    probe_wait: float = 0.05  # how often to re-check while a probe is out
    limit: int | None = None
    remaining: int | None = None
    reset_at: float | None = None  # monotonic time of the next window
    window: int | None = None  # the x-rate-limit-reset value of the current window
    in_flight: int = 0
    last_sent: float | None = None
    sent: int = 0
    blocked_until: float = 0.0  # after a 429: nobody sends before this

    def acquire(self, now: float) -> float:
        """Grant a slot (0.0) or say how many seconds to wait before asking again."""
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.reset_at is not None and now >= self.reset_at:
            # A new window: what we knew is stale until the next answer says otherwise.
            self.remaining, self.reset_at = None, None
        if self.last_sent is not None and self.min_interval > 0:
            # A little more than the rule: the server measures arrivals, and the first of two
            # requests may reach it later than it left us (connection setup, a busy loop).
            gap = self.last_sent + self.min_interval * 1.1 - now
            if gap > 0:
                return gap
        if self.remaining is None:
            if self.in_flight > 0:
                return self.probe_wait
        elif self.remaining - self.in_flight <= self.reserve:
            if self.reset_at is None:  # pragma: no cover - remaining is set with reset_at
                return self.probe_wait
            if self.in_flight > 0:  # their answers may still move the reset
                return min(self.probe_wait, self.reset_at - now)
            return self.reset_at - now
        self.in_flight += 1
        self.sent += 1
        self.last_sent = now
        return 0.0

    def settle(self, rate: RateLimit | None, *, now: float) -> None:
        """Record the answer to a granted request (``rate`` is ``None`` without headers)."""
        self.in_flight = max(0, self.in_flight - 1)
        if rate is None:
            if self.remaining is not None:
                self.remaining = max(0, self.remaining - 1)
            return
        if self.window is not None and rate.reset < self.window:
            return  # a late answer from a window that has already closed
        if self.window == rate.reset and self.remaining is not None:
            # Answers arrive out of order under concurrency: the smallest count is the newest.
            self.remaining = min(self.remaining, rate.remaining)
        else:
            self.remaining = rate.remaining
            self.reset_at = now + rate.reset_after + self.margin
            self.window = rate.reset
        self.limit = rate.limit

    def restore(self, rate: RateLimit, *, now: float) -> None:
        """Start from what an earlier process learnt of this window (``RateLimitCache``), as if
        its last answer had just arrived.

        >>> b = Budget(margin=0.5)
        >>> b.restore(RateLimit(450, 0, 1000, 30.0), now=0.0)
        >>> b.acquire(0.0), b.wait_reason(0.0)
        (30.5, 'rate-limit window spent; waiting for the reset')
        """
        if self.remaining is None:
            self.settle(rate, now=now)
            self.in_flight = 0

    def wait_reason(self, now: float) -> str:
        """Why ``acquire`` asked to wait, in words for a progress display."""
        if now < self.blocked_until:
            return "rate limited (429); waiting for the window to reset"
        if self.remaining is not None and self.remaining - self.in_flight <= self.reserve:
            return "rate-limit window spent; waiting for the reset"
        if self.last_sent is not None and now < self.last_sent + self.min_interval * 1.1:
            return f"at most one request per {self.min_interval:g} s on this endpoint"
        return "waiting for the first answer to learn the rate limit"

    def release(self) -> None:
        """Free a granted slot whose request never reached the server."""
        self.in_flight = max(0, self.in_flight - 1)

    def block(self, seconds: float, *, now: float) -> None:
        """After a 429, hold every request of this bucket for ``seconds``."""
        # The 429's own headers decided ``seconds``; they outrank what earlier answers said.
        self.blocked_until = max(self.blocked_until, now + seconds)
        self.remaining = 0
        self.reset_at = self.blocked_until
        self.window = None

    def spent(self) -> float | None:
        """The fraction of the window used, when known (for progress displays)."""
        if self.limit in (None, 0) or self.remaining is None:
            return None
        assert self.limit is not None
        return 1.0 - self.remaining / self.limit


class BudgetMemory(Protocol):
    """Where budgets' last known windows outlive a process (``twxdata.ratelimit_cache``)."""

    def recall(self, key: str, *, now: float) -> tuple[int, int, int] | None:
        """``(limit, remaining, reset)`` of a window that has not reset by ``now``."""
        ...

    def last_sent(self, key: str) -> float | None:
        """When the budget's last request left (server clock, Unix seconds), if known."""
        ...

    def remember(
        self,
        key: str,
        *,
        limit: int,
        remaining: int,
        reset: int,
        now: float,
        last_sent: float | None = None,
    ) -> None:
        """Keep a budget's state (``last_sent``: server clock, for a per-second rule)."""
        ...


def budget_key(api_base: str, bucket: str, credential_key: str) -> str:
    """A one-way name for a budget (the credential key is itself a fingerprint).

    >>> len(budget_key("https://api.x.com", "GET /2/tweets/search/recent", "app:abc"))
    32
    """
    text = f"twxdata-ratelimit\0{api_base}\0{bucket}\0{credential_key}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
