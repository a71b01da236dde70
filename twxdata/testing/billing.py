"""What the fake API charges: X's pay-per-use billing, kept on the API clock.

Since late 2025 X charges per resource returned, deduplicated within a UTC day, from a balance
of credits bought in advance, and caps the posts a project may read in a month
(``shared/x-api/PRICING.md``). ``Billing`` is that meter for one ``FakeXApi`` (``api.billing``):

- A successful answer is charged ``twxdata.pricing.charge(endpoint, answer, prices,
  ledger=...).low``: the resources in its ``data`` (posts, users, lists, spaces, DM events;
  counts per request) at ``prices``, each resource once per UTC day of the API clock,
  whichever endpoint returns it (a ``pricing.Ledger`` per day).
- **The fake's assumption:** objects that arrive only in ``includes`` (the authors of the
  posts, quoted posts, media, places, polls) are not charged. X does not say plainly whether
  they are; ``pricing.charge(...).high`` is the other reading.
- Not charged: failed answers (4xx, 5xx, injected faults, bodies cut short), writes (the price
  table has no write prices) and ``GET /2/usage/tweets``.
- With ``credits`` (USD), once the balance is at or below zero every request but the usage
  endpoint is answered 402 ``credits-depleted`` (rate-limit headers as usual). The request
  that crosses zero completes and is charged, so the balance may end slightly negative, as on
  X; ``add_credits`` tops it up.
- Posts read (the posts charged, so deduplicated too) count against the monthly cap, per
  period starting at 00:00 UTC on ``cap_reset_day`` of the month (the month's last day when it
  is shorter). Past ``monthly_cap`` posts, reads of posts are answered 429 ``usage-capped``,
  without an ``x-rate-limit-reset`` that would invite a retry; the read that crosses the cap
  completes. The cap is ``prices.monthly_post_cap`` (2 million) when there are credits and
  no ``monthly_cap``, and none when there are neither.
- Without ``credits`` nothing is refused, but the meter still runs: ``spent`` is what X would
  have charged, and ``GET /2/usage/tweets`` reports the posts read.

>>> from datetime import datetime, timezone
>>> from twxdata.endpoints import ENDPOINTS
>>> noon = datetime(2026, 3, 2, 12, tzinfo=timezone.utc).timestamp()
>>> b = Billing(credits=0.012, clock=lambda: noon)
>>> page = b'{"data": [{"id": "1"}, {"id": "2"}], "includes": {"users": [{"id": "9"}]}}'
>>> b.record(ENDPOINTS["search_recent_tweets"], page).resources
{'post': 2}
>>> b.record(ENDPOINTS["get_tweets"], page).free  # the same posts the same UTC day
{'post': 2}
>>> round(b.spent, 3), round(b.balance, 3), b.posts_this_month, b.refusal(ENDPOINTS["get_me"])
(0.01, 0.002, 2, None)
"""

from __future__ import annotations

import calendar
import math
import threading
import time
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta, timezone
from typing import Any

import orjson

from twxdata.endpoints import Endpoint
from twxdata.fields import USAGE_FIELDS
from twxdata.pricing import BILLED_AS, PER_REQUEST, PRICES, Cost, Ledger, Prices, charge
from twxdata.testing import problems

# The fake's project and its one client app, as ``GET /2/usage/tweets`` names them (small
# enough for the spec's int32 ``daily_project_usage.project_id``).
PROJECT_ID = "1369785403"
CLIENT_APP_ID = "29573014"
FREE = frozenset({"get_usage"})  # never charged, never refused for want of credits
# What ``GET /2/usage/tweets`` answers without ``usage.fields`` (X's docs example).
DEFAULT_USAGE_FIELDS = frozenset({"cap_reset_day", "project_cap", "project_id", "project_usage"})
DEFAULT_USAGE_DAYS = 7
_EPSILON = 1e-9  # USD: sums of prices are not exact in binary; a balance this small is spent


def utc_day(now: float) -> date:
    """The UTC calendar day of a Unix time."""
    return datetime.fromtimestamp(now, tz=timezone.utc).date()


def reads_posts(endpoint: Endpoint) -> bool:
    """Whether ``endpoint`` answers with posts, which count against the monthly cap."""
    return not endpoint.is_write and BILLED_AS.get(endpoint.result) == "post"


class Billing:
    """X's pay-per-use meter for a fake API: balance, charges, same-day dedup, monthly cap.

    ``credits`` is the USD balance to start with (``None``: no balance, nothing refused);
    ``prices`` the price table (``twxdata.pricing.PRICES``); ``monthly_cap`` the posts a cap
    period allows; ``cap_reset_day`` the day of the month a period starts; ``clock`` the API
    clock (Unix seconds). Thread-safe: tests read it while the server runs in a thread.
    """

    def __init__(
        self,
        credits: float | None = None,
        prices: Prices | None = None,
        monthly_cap: int | None = None,
        cap_reset_day: int = 1,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if credits is not None and (
            isinstance(credits, bool)
            or not isinstance(credits, (int, float))
            or not math.isfinite(credits)
            or credits < 0
        ):
            raise ValueError(f"credits must be a number of USD >= 0, got {credits!r}")
        if prices is not None and not isinstance(prices, Prices):
            raise TypeError(f"prices must be a twxdata.pricing.Prices, got {prices!r}")
        if monthly_cap is not None and (
            isinstance(monthly_cap, bool) or not isinstance(monthly_cap, int) or monthly_cap < 0
        ):
            raise ValueError(f"monthly_cap must be a number of posts >= 0, got {monthly_cap!r}")
        if isinstance(cap_reset_day, bool) or cap_reset_day not in range(1, 32):
            raise ValueError(f"cap_reset_day must be a day of the month, 1-31: {cap_reset_day!r}")
        self.prices = prices if prices is not None else PRICES
        self.enabled = credits is not None  # a balance is kept and 402 answered
        if monthly_cap is None and self.enabled:
            monthly_cap = self.prices.monthly_post_cap
        self.monthly_cap = monthly_cap
        self.cap_reset_day = cap_reset_day
        self.project_id = PROJECT_ID
        self.client_app_id = CLIENT_APP_ID
        self.clock = clock
        self._credits = float(credits or 0.0)
        self._cost = Cost()
        self._ledger = Ledger("")
        self._daily: dict[date, int] = {}  # posts read (charged) per UTC day
        self._lock = threading.Lock()

    # --- what the server asks -----------------------------------------------------------------
    def refusal(self, endpoint: Endpoint, now: float | None = None) -> tuple[int, Any] | None:
        """(status, problem) when ``endpoint`` may not be served now: 402 for a spent balance,
        429 ``usage-capped`` for a read of posts past the monthly cap; ``None`` to serve it."""
        if endpoint.name in FREE:
            return None
        now = self.clock() if now is None else now
        with self._lock:
            if self.enabled and self._credits - self._cost.usd <= _EPSILON:
                return 402, problems.CREDITS_DEPLETED
            cap = self.monthly_cap
            if cap is not None and reads_posts(endpoint) and self._period_posts(now) >= cap:
                return 429, problems.USAGE_CAPPED
        return None

    def record(self, endpoint: Endpoint, body: bytes, now: float | None = None) -> Cost | None:
        """Charge a successful (200) answer of ``endpoint``; what it cost, ``None`` for an
        endpoint that is never charged."""
        if endpoint.is_write or endpoint.name in FREE:
            return None
        per_request = endpoint.name in PER_REQUEST
        if not per_request and endpoint.result not in BILLED_AS:
            return None
        answer: Any = {}
        if not per_request:
            try:
                answer = _data_of(body)
            except orjson.JSONDecodeError:
                return None
            if not isinstance(answer, dict):
                return None
        now = self.clock() if now is None else now
        day = utc_day(now)
        with self._lock:
            if self._ledger.day != day.isoformat():
                self._ledger = Ledger(day.isoformat())  # a new UTC day: everything is new
            cost = charge(endpoint, answer, self.prices, ledger=self._ledger).low
            self._cost.add(cost)
            posts = cost.resources.get("post", 0)
            if posts:
                self._daily[day] = self._daily.get(day, 0) + posts
        return cost

    # --- what tests and benchmarks read -------------------------------------------------------
    @property
    def spent(self) -> float:
        """USD charged since the server started (with or without credits)."""
        with self._lock:
            return self._cost.usd

    @property
    def charged(self) -> dict[str, int]:
        """Resources charged since the server started, by kind (``{"post": 120, "user": 3}``)."""
        with self._lock:
            return dict(self._cost.resources)

    @property
    def free(self) -> dict[str, int]:
        """Resources returned but not charged again because they were charged that UTC day."""
        with self._lock:
            return dict(self._cost.free)

    @property
    def requests(self) -> int:
        """Successful answers of charged endpoints (whether or not they cost anything)."""
        with self._lock:
            return self._cost.requests

    @property
    def credits(self) -> float | None:
        """USD bought so far (the starting ``credits`` and every ``add_credits``); ``None``
        without billing."""
        with self._lock:
            return self._credits if self.enabled else None

    @property
    def balance(self) -> float | None:
        """USD left (``credits - spent``; may be slightly negative); ``None`` without credits."""
        with self._lock:
            return self._credits - self._cost.usd if self.enabled else None

    @property
    def depleted(self) -> bool:
        """Whether requests are answered 402 now."""
        balance = self.balance
        return balance is not None and balance <= _EPSILON

    @property
    def posts_this_month(self) -> int:
        """Posts read in the current cap period (what ``project_usage`` reports)."""
        now = self.clock()
        with self._lock:
            return self._period_posts(now)

    @property
    def posts_read(self) -> int:
        """Posts read since the server started, every cap period together."""
        with self._lock:
            return sum(self._daily.values())

    def daily_usage(self) -> dict[str, int]:
        """Posts read per UTC day (``"2026-03-02"``), the days with any."""
        with self._lock:
            return {day.isoformat(): n for day, n in sorted(self._daily.items())}

    def charged_ids(self, kind: str = "post") -> frozenset[str]:
        """The ids of ``kind`` charged on the current UTC day of the API clock (free again
        until midnight UTC)."""
        today = utc_day(self.clock()).isoformat()
        with self._lock:
            if self._ledger.day != today:
                return frozenset()
            return frozenset(self._ledger.charged.get(kind, ()))

    def cap_period_start(self, now: float | None = None) -> date:
        """The first day of the cap period ``now`` (default: the API clock) falls in."""
        return self._period_start(utc_day(self.clock() if now is None else now))

    # --- what tests change ----------------------------------------------------------------------
    def add_credits(self, usd: float) -> float:
        """Top the balance up by ``usd`` (a person adding credits); returns the new balance."""
        if isinstance(usd, bool) or not isinstance(usd, (int, float)) or not usd >= 0:
            raise ValueError(f"usd must be a number >= 0, got {usd!r}")
        if not math.isfinite(usd):
            raise ValueError(f"usd must be finite, got {usd!r}")
        with self._lock:
            if not self.enabled:
                raise ValueError("this fake API bills nothing: start it with credits=...")
            self._credits += float(usd)
            return self._credits - self._cost.usd

    def add_posts_read(self, posts: int, day: date | None = None) -> None:
        """Count ``posts`` as read on ``day`` (default: today on the API clock) without
        charging them: a project that had read posts before the fake started."""
        if isinstance(posts, bool) or not isinstance(posts, int) or posts < 0:
            raise ValueError(f"posts must be a count >= 0, got {posts!r}")
        day = utc_day(self.clock()) if day is None else day
        with self._lock:
            self._daily[day] = self._daily.get(day, 0) + posts

    # --- the usage endpoint ---------------------------------------------------------------------
    @property
    def project_cap(self) -> int:
        """The cap ``GET /2/usage/tweets`` reports: ``monthly_cap``, else the price table's."""
        return self.monthly_cap if self.monthly_cap is not None else self.prices.monthly_post_cap

    def usage(
        self,
        days: int = DEFAULT_USAGE_DAYS,
        fields: Collection[str] = (),
        now: float | None = None,
    ) -> dict[str, Any]:
        """The ``data`` of ``GET /2/usage/tweets?days=...&usage.fields=...``: the default
        fields and ``fields``; daily usage for the ``days`` UTC days up to today, oldest first,
        one entry a day (zero where nothing was read)."""
        wanted = DEFAULT_USAGE_FIELDS | (frozenset(fields) & USAGE_FIELDS)
        today = utc_day(self.clock() if now is None else now)
        with self._lock:
            daily = [
                {
                    "date": f"{day.isoformat()}T00:00:00.000Z",
                    "usage": self._daily.get(day, 0),
                }
                for day in (today - timedelta(days=k) for k in range(days - 1, -1, -1))
            ]
            period = self._posts_between(self._period_start(today), today)
        values: dict[str, Any] = {
            "cap_reset_day": self.cap_reset_day,
            "daily_client_app_usage": [
                {"client_app_id": self.client_app_id, "usage": daily, "usage_result_count": days}
            ],
            "daily_project_usage": {"project_id": int(self.project_id), "usage": daily},
            "project_cap": self.project_cap,
            "project_id": self.project_id,
            "project_usage": period,
        }
        return {name: value for name, value in values.items() if name in wanted}

    def as_dict(self) -> dict[str, Any]:
        """A snapshot for reports and benchmarks."""
        balance = self.balance
        return {
            "credits": self.credits,
            "balance": None if balance is None else round(balance, 6),
            "spent": round(self.spent, 6),
            "charged": self.charged,
            "free_same_day": self.free,
            "requests": self.requests,
            "posts_this_month": self.posts_this_month,
            "monthly_cap": self.monthly_cap,
            "cap_reset_day": self.cap_reset_day,
        }

    def __repr__(self) -> str:
        balance = self.balance
        money = "no credits" if balance is None else f"balance ${balance:.4f}"
        return f"Billing({money}, spent ${self.spent:.4f}, {self.posts_this_month} posts)"

    # --- cap periods ----------------------------------------------------------------------------
    def _period_start(self, today: date) -> date:
        year, month = today.year, today.month
        start = self._reset_in(year, month)
        if today >= start:
            return start
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return self._reset_in(year, month)

    def _reset_in(self, year: int, month: int) -> date:
        return date(year, month, min(self.cap_reset_day, calendar.monthrange(year, month)[1]))

    def _period_posts(self, now: float) -> int:
        today = utc_day(now)
        return self._posts_between(self._period_start(today), today)

    def _posts_between(self, first: date, last: date) -> int:
        return sum(n for day, n in self._daily.items() if first <= day <= last)


def _data_of(body: bytes) -> Any:
    """The answer as far as charging needs it: its ``data``, without reading ``includes``.

    Bodies are written ``data`` first (``payload.assemble``), and the includes of a fully
    expanded page weigh as much as its data: the part before ``,"includes":`` is read alone.
    Should that text be a key inside ``data`` instead, the part is not valid JSON (``data`` is
    left open) and the whole body is read.

    >>> _data_of(b'{"data":[{"id":"1"}],"includes":{"users":[{"id":"9"}]},"meta":{}}')
    {'data': [{'id': '1'}]}
    >>> _data_of(b'{"meta":{"result_count":0}}')
    {}
    """
    if not body.startswith(b'{"data":'):
        return orjson.loads(body) if b'"data":' in body else {}
    cut = body.find(b',"includes":')
    if cut > 0:
        try:
            return orjson.loads(body[:cut] + b"}")
        except orjson.JSONDecodeError:
            pass
    return orjson.loads(body)
