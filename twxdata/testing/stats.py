"""What the fake API was asked and what it answered, for tests to assert on.

>>> s = Stats()
>>> s.record(RequestRecord(0.0, "get_tweet", "tok", "/2/tweets/1", {}, 200, None, True))
>>> s.count("get_tweet"), s.count(status=429), s.pages
(1, 0, 1)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestRecord:
    """One request: when, which endpoint, whose credentials, what it asked, what it got."""

    time: float
    endpoint: str  # endpoint name from the table, or "unknown"
    token: str  # the bearer token or OAuth 1.0a access token ("" without credentials)
    path: str
    params: dict[str, str]
    status: int
    fault: str | None
    page: bool  # a 200 served from a read endpoint


@dataclass
class Stats:
    """Counters and the request log of one server."""

    requests: Counter[tuple[str, int]] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0  # 429s sent by the rate limiter (not injected ones)
    pages: int = 0
    log: list[RequestRecord] = field(default_factory=list)

    def record(self, rec: RequestRecord) -> None:
        self.requests[(rec.endpoint, rec.status)] += 1
        if rec.fault:
            self.faults[rec.fault] += 1
        if rec.page:
            self.pages += 1
        self.log.append(rec)

    def count(self, endpoint: str | None = None, status: int | None = None) -> int:
        """Requests to ``endpoint`` (any if None) answered with ``status`` (any if None)."""
        return sum(
            n
            for (e, s), n in self.requests.items()
            if (endpoint is None or e == endpoint) and (status is None or s == status)
        )

    @property
    def total(self) -> int:
        return self.count()

    @property
    def too_many_requests(self) -> int:
        """Every 429 sent, rate-limited or injected."""
        return self.count(status=429)

    def clear(self) -> None:
        self.requests.clear()
        self.faults.clear()
        self.rate_limited = 0
        self.pages = 0
        self.log.clear()
