"""What reading the X API costs: the price table, and what one answer is charged.

Since late 2025 X charges per resource returned (a post, a user, ...) and per request for
counts, deduplicated within a UTC day: a resource charged once is free again until midnight
UTC, whichever endpoint returns it. The table below is X's published pay-per-use price list
(``PRICES_SOURCE``); X says the current rates live in its Developer Console, so every price can
be overridden (``Prices(post=...)``, or a file saved with ``twxdata configure --prices``).

Whether objects that arrive only in ``includes`` (the authors of the posts, the quoted posts)
are charged is not stated plainly by X. ``charge`` therefore counts both: ``low`` charges the
answer's ``data`` only, ``high`` its ``includes`` too; estimates report the range and say so.

Pure: no clock, no files. ``Ledger`` (what was charged today) is state passed in.

>>> from twxdata.endpoints import ENDPOINTS
>>> answer = {"data": [{"id": "1"}, {"id": "2"}], "includes": {"users": [{"id": "9"}]}}
>>> c = charge(ENDPOINTS["search_recent_tweets"], answer, PRICES)
>>> c.low.resources, round(c.low.usd, 3), round(c.high.usd, 3)
({'post': 2}, 0.01, 0.02)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from twxdata.endpoints import Endpoint, Result
from twxdata.errors import ParameterError

PRICES_SOURCE = (
    "X API pay-per-use price list, as published in 2026 (Developer Console rates may differ)"
)
MONTHLY_POST_CAP = 2_000_000  # posts a pay-per-use project may read in a month

# The kind of resource each result is billed as; counts are billed per request instead.
BILLED_AS: Mapping[Result, str] = {
    Result.TWEETS: "post",
    Result.USERS: "user",
    Result.LISTS: "list",
    Result.SPACES: "space",
    Result.DM_EVENTS: "dm_event",
}
# What ``includes`` holds, as the kinds it would be billed as.
INCLUDED_AS: Mapping[str, str] = {
    "tweets": "post",
    "users": "user",
    "media": "media",
    "places": "place",
    "polls": "poll",
    "topics": "topic",
}
PER_REQUEST = {"get_recent_tweets_count": "counts_recent", "get_all_tweets_count": "counts_all"}


@dataclass(frozen=True, slots=True)
class Prices:
    """USD per resource (per request for counts); ``None`` where a tier has no dollar price.

    ``monthly_post_cap`` is the posts a month the access level allows (2 million on
    pay-per-use; 15,000 on the legacy Basic tier, whose prices are ``None``: ``legacy("basic")``).
    """

    post: float | None = 0.005
    user: float | None = 0.010
    list: float | None = 0.005
    space: float | None = 0.005
    media: float | None = 0.005
    place: float | None = 0.0
    poll: float | None = 0.0
    topic: float | None = 0.0
    dm_event: float | None = 0.010
    counts_recent: float | None = 0.005
    counts_all: float | None = 0.010
    monthly_post_cap: int = MONTHLY_POST_CAP
    source: str = PRICES_SOURCE

    def price(self, kind: str) -> float:
        """USD for one ``kind``; 0 where the tier has no dollar price."""
        value = getattr(self, kind, None)
        return float(value) if isinstance(value, (int, float)) else 0.0

    @property
    def dollars(self) -> bool:
        """Whether this tier charges money (pay-per-use) rather than only counting posts."""
        return self.post is not None

    def updated(self, values: Mapping[str, Any]) -> Prices:
        """These prices with some replaced (a user's file or mapping); unknown names refused.

        >>> PRICES.updated({"post": 0.004}).post
        0.004
        """
        if not isinstance(values, Mapping):
            raise ParameterError("prices", "a mapping of price names to USD", got=values)
        known = {f.name for f in fields(self)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParameterError(
                "prices", f"no such price {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        for name, value in values.items():
            if name == "source":
                if not isinstance(value, str):
                    raise ParameterError("prices", "source must be text", got=value)
                continue
            if value is None:
                continue
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if name == "monthly_post_cap":
                if not (isinstance(value, int) and number and value > 0):
                    raise ParameterError("prices", "monthly_post_cap must be a whole number of "
                                         "posts > 0", got=value)  # fmt: skip
            elif not (number and math.isfinite(value) and 0 <= value < 1_000):
                # nan or inf would turn every cost, and so every spend cap, into nonsense
                raise ParameterError("prices", f"{name} must be a finite number of USD, 0 or "
                                     "more (or null)", got=value)  # fmt: skip
        return replace(self, **dict(values))


PRICES = Prices()


def usd_text(amount: float) -> str:
    """Dollars for people: to the cent, or to the tenth of a cent when cents would hide it.

    >>> usd_text(0.3), usd_text(0.065), usd_text(1234.5)
    ('$0.30', '$0.065', '$1,234.50')
    """
    cents = abs(amount * 100 - round(amount * 100)) < 1e-6
    return f"${amount:,.2f}" if cents else f"${amount:,.3f}"


def legacy(tier: str) -> Prices:
    """A legacy monthly tier: no dollar prices, a monthly post cap.

    >>> legacy("basic").monthly_post_cap, legacy("basic").dollars
    (15000, False)
    """
    caps = {"free": 100, "basic": 15_000, "pro": 1_000_000}
    if tier not in caps:
        raise ParameterError("tier", f"one of {', '.join(caps)}", got=tier)
    free = {f.name: None for f in fields(Prices) if f.name not in ("monthly_post_cap", "source")}
    return Prices(**free, monthly_post_cap=caps[tier], source=f"legacy {tier} tier")


@dataclass(slots=True)
class Cost:
    """Resources charged by kind and what they cost; ``free`` counts those deduplicated."""

    resources: dict[str, int] = field(default_factory=dict)
    usd: float = 0.0
    requests: int = 0
    free: dict[str, int] = field(default_factory=dict)

    def add(self, other: Cost) -> None:
        for kind, n in other.resources.items():
            self.resources[kind] = self.resources.get(kind, 0) + n
        for kind, n in other.free.items():
            self.free[kind] = self.free.get(kind, 0) + n
        self.usd += other.usd
        self.requests += other.requests

    def as_dict(self) -> dict[str, Any]:
        return {
            "usd": round(self.usd, 6),
            "resources": dict(self.resources),
            "requests": self.requests,
            "free_same_day": dict(self.free),
        }


@dataclass(frozen=True, slots=True)
class Charge:
    """What one answer costs: ``low`` charges ``data`` only, ``high`` ``includes`` too."""

    low: Cost
    high: Cost


class Ledger:
    """The ids charged on one UTC day (X does not charge them again that day).

    A set per day, by resource kind; the caller keeps it across runs (``twxdata`` keeps it in
    the user's cache folder) and starts a new one when the UTC day changes.
    """

    def __init__(self, day: str, charged: Mapping[str, Iterable[str]] | None = None) -> None:
        self.day = day
        self.charged: dict[str, set[str]] = {k: set(v) for k, v in (charged or {}).items()}

    def fresh(self, kind: str, ids: Iterable[str]) -> tuple[list[str], int]:
        """The ids of ``kind`` not charged yet today (now marked charged), and how many were."""
        seen = self.charged.setdefault(kind, set())
        new: list[str] = []
        repeated = 0
        for value in ids:
            if value in seen:
                repeated += 1
            else:
                seen.add(value)
                new.append(value)
        return new, repeated


def priced(endpoint: Endpoint, prices: Prices = PRICES) -> bool:
    """Whether what ``endpoint`` reads has a dollar price (0 is one: free; ``None`` is none, as
    in a legacy tier), so that a spend cap can count it.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> search = ENDPOINTS["search_recent_tweets"]
    >>> priced(search), priced(search, PRICES.updated({"post": 0})), priced(search, legacy("pro"))
    (True, True, False)
    """
    kind = PER_REQUEST.get(endpoint.name) or BILLED_AS.get(endpoint.result)
    return kind is not None and getattr(prices, kind, None) is not None


def unit_price(endpoint: Endpoint, prices: Prices = PRICES) -> tuple[float, bool]:
    """What one item of ``endpoint``'s answers costs at most (``data`` charged, as in ``low``),
    and whether the price is per request (counts) rather than per item.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> unit_price(ENDPOINTS["get_users_followers"]), unit_price(ENDPOINTS["get_all_tweets_count"])
    ((0.01, False), (0.01, True))
    """
    per_request = PER_REQUEST.get(endpoint.name)
    if per_request is not None:
        return prices.price(per_request), True
    kind = BILLED_AS.get(endpoint.result)
    return (prices.price(kind) if kind else 0.0), False


def charge(
    endpoint: Endpoint,
    answer: Mapping[str, Any],
    prices: Prices = PRICES,
    *,
    ledger: Ledger | None = None,
    seen: Ledger | None = None,
) -> Charge:
    """What ``answer`` (a successful response of ``endpoint``) is charged.

    With a ``ledger``, resources already charged today are free (counted in ``free``), and the
    ones charged now are recorded in it. ``seen`` does the same for the ``high`` reading: the
    objects in ``includes`` already in it (as data or as an include) are free, as they would
    be on X if it charges them at all.
    """
    per_request = PER_REQUEST.get(endpoint.name)
    if per_request is not None:
        cost = Cost({per_request: 1}, prices.price(per_request), requests=1)
        return Charge(cost, Cost(dict(cost.resources), cost.usd, requests=1))
    low = Cost(requests=1)
    kind = BILLED_AS.get(endpoint.result)
    if kind is not None:
        data = _ids(answer.get("data"))
        _count(low, kind, data, prices, ledger)
        if seen is not None:
            seen.fresh(kind, data)
    high = Cost(dict(low.resources), low.usd, 1, dict(low.free))
    includes = answer.get("includes")
    if isinstance(includes, Mapping):
        for name, objects in includes.items():
            extra = INCLUDED_AS.get(name)
            if extra is not None:
                _count(high, extra, _ids(objects), prices, seen)
    return Charge(low, high)


def _count(cost: Cost, kind: str, ids: list[str], prices: Prices, ledger: Ledger | None) -> None:
    repeated = 0
    if ledger is not None:
        ids, repeated = ledger.fresh(kind, ids)
    if ids:
        cost.resources[kind] = cost.resources.get(kind, 0) + len(ids)
        cost.usd += len(ids) * prices.price(kind)
    if repeated:
        cost.free[kind] = cost.free.get(kind, 0) + repeated


def _ids(objects: Any) -> list[str]:
    items = objects if isinstance(objects, list) else ([objects] if objects else [])
    out = []
    for item in items:
        if isinstance(item, Mapping):
            key = item.get("id", item.get("media_key", item.get("dm_conversation_id")))
            out.append(str(key) if key is not None else repr(sorted(item.items()))[:64])
    return out
