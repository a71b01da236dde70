"""What the project has read this month: ``GET /2/usage/tweets`` against the monthly cap.

X counts post reads per project (pay-per-use projects may read 2 million posts a month) and
tells them per day, and per client app, for up to the last 90 days. The answer counts posts,
not dollars: the dollar balance is shown only in X's Developer Console.

The documented shapes differ, so the reading is lenient: ``project_cap`` and ``project_usage``
are integers in the OpenAPI schema and strings in an older docs example; ``daily_project_usage``
is ``{"project_id", "usage": [{"date", "usage"}]}`` in the schema and a list of
``{"date", "usage": [{"app_id", "tweets_consumed"}]}`` in newer docs.

``cap_reset_day`` is read as the day of the month the cap resets (its name, and the console's
"reset date"); X's schema describes it as the days left until the reset. ``Usage`` keeps the
number as given and says which reading ``days_to_reset`` uses.

>>> u = parse_usage({"data": {"cap_reset_day": 10, "project_cap": "2000000",
...     "project_usage": 43435, "daily_project_usage": {"project_id": 1, "usage": [
...     {"date": "2026-11-30T00:00:00.000Z", "usage": 15420}]}}})
>>> u.project_usage, u.daily, u.days_to_reset(date(2026, 12, 5))
(43435, (('2026-11-30', 15420),), 5)
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Any

from twxdata.client import Client
from twxdata.collect.defaults import default_client
from twxdata.errors import ParameterError
from twxdata.fields import USAGE_FIELDS
from twxdata.notebook.loop import run

if TYPE_CHECKING:
    import pandas as pd

MAX_DAYS = 90  # the endpoint's days parameter: 1 to 90


@dataclass(frozen=True, slots=True)
class Usage:
    """The project's post reads: this month in all (``project_usage`` of ``project_cap``),
    per day (``daily``: (date, reads)), and per client app (``apps``: (app id, date, reads))."""

    project_id: str | None
    project_cap: int | None
    project_usage: int | None
    cap_reset_day: int | None
    daily: tuple[tuple[str, int], ...]
    apps: tuple[tuple[str, str, int], ...]

    @property
    def share_of_cap(self) -> float | None:
        if not self.project_cap or self.project_usage is None:
            return None
        return self.project_usage / self.project_cap

    @property
    def left(self) -> int | None:
        """Posts the project may still read this month."""
        if self.project_cap is None or self.project_usage is None:
            return None
        return max(0, self.project_cap - self.project_usage)

    def next_reset(self, today: date) -> date | None:
        """The next date the cap resets, reading ``cap_reset_day`` as a day of the month
        (a day past the month's end is its last day)."""
        day = self.cap_reset_day
        if day is None or not 1 <= day <= 31:
            return None
        year, month = today.year, today.month
        if today.day >= min(day, calendar.monthrange(year, month)[1]):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return date(year, month, min(day, calendar.monthrange(year, month)[1]))

    def days_to_reset(self, today: date) -> int | None:
        """Days from ``today`` (UTC) to the next reset (``next_reset``)."""
        reset = self.next_reset(today)
        return None if reset is None else (reset - today).days

    def as_dict(self, today: date | None = None) -> dict[str, Any]:
        """Plain values (what ``twxdata usage --json`` prints)."""
        today = today or datetime.now(timezone.utc).date()
        reset = self.next_reset(today)
        return {
            "project_id": self.project_id,
            "project_cap": self.project_cap,
            "project_usage": self.project_usage,
            "share_of_cap": self.share_of_cap,
            "left": self.left,
            "cap_reset_day": self.cap_reset_day,
            "next_reset": None if reset is None else reset.isoformat(),
            "days_to_reset": None if reset is None else (reset - today).days,
            "daily": [{"date": d, "usage": n} for d, n in self.daily],
            "apps": [{"client_app_id": a, "date": d, "usage": n} for a, d, n in self.apps],
        }


def parse_usage(body: Mapping[str, Any]) -> Usage:
    """A ``Usage`` from the answer of ``GET /2/usage/tweets``, whichever documented shape."""
    data = body.get("data")
    data = data if isinstance(data, Mapping) else {}
    daily: dict[str, int] = {}
    apps: dict[tuple[str, str], int] = {}
    project = data.get("daily_project_usage")
    if isinstance(project, Mapping):  # the OpenAPI schema
        for item in _items(project.get("usage")):
            _add(daily, _day(item.get("date")), _int(item.get("usage")))
    else:  # newer docs: [{"date", "usage": [{"app_id", "tweets_consumed"}]}]
        for item in _items(project):
            day = _day(item.get("date"))
            for part in _items(item.get("usage")):
                n = _int(part.get("tweets_consumed", part.get("usage")))
                _add(daily, day, n)
                app = part.get("app_id", part.get("client_app_id"))
                if app is not None:
                    _add(apps, (str(app), day), n)
            if not isinstance(item.get("usage"), list):
                _add(daily, day, _int(item.get("usage")))
    for app_usage in _items(data.get("daily_client_app_usage")):
        app = str(app_usage.get("client_app_id", ""))
        for item in _items(app_usage.get("usage")):
            _add(apps, (app, _day(item.get("date"))), _int(item.get("usage")))
    project_id = data.get("project_id")
    return Usage(
        project_id=None if project_id is None else str(project_id),
        project_cap=_int_or_none(data.get("project_cap")),
        project_usage=_int_or_none(data.get("project_usage")),
        cap_reset_day=_int_or_none(data.get("cap_reset_day")),
        daily=tuple(sorted((d, n) for d, n in daily.items() if d)),
        apps=tuple(sorted((a, d, n) for (a, d), n in apps.items() if d)),
    )


async def read_usage(days: int = 7, *, client: Client | None = None) -> Usage:
    """Ask ``GET /2/usage/tweets`` (app bearer token; 50 requests per 15 minutes)."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ParameterError("days", f"must be a whole number from 1 to {MAX_DAYS}", got=days)
    client = client or default_client()
    page = await client.request(
        "get_usage", params={"days": days, "usage.fields": sorted(USAGE_FIELDS)}
    )
    return parse_usage(page.body)


async def fetch_usage(days: int = 7, *, client: Client | None = None) -> pd.DataFrame:
    """The project's post reads per day over the last ``days`` (1 to 90), from X's usage API.

    Columns ``date`` (UTC) and ``usage`` (posts read that day). ``df.attrs`` holds the month:
    ``project_cap``, ``project_usage``, ``share_of_cap``, ``left``, ``cap_reset_day``,
    ``next_reset``, ``days_to_reset``, ``project_id``, and ``apps`` (reads per client app and
    day, when X gives them).

    >>> # in a notebook cell:  reads = await twxdata.fetch_usage(days=30)
    >>> # reads.attrs["project_usage"], reads.attrs["days_to_reset"]
    """
    import pandas as pd

    usage = await read_usage(days, client=client)
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime([d for d, _ in usage.daily], utc=True),
            "usage": pd.Series([n for _, n in usage.daily], dtype="int64"),
        }
    )
    attrs = usage.as_dict()
    del attrs["daily"]
    frame.attrs.update(attrs)
    return frame


def fetch_usage_sync(days: int = 7, *, client: Client | None = None) -> pd.DataFrame:
    """Blocking ``fetch_usage``: ``twxdata.fetch_usage_sync(days=30)``."""
    return run(fetch_usage(days, client=client))


def _items(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _day(value: Any) -> str:
    return str(value)[:10] if value else ""


def _int(value: Any) -> int:
    number = _int_or_none(value)
    return 0 if number is None else number


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _add(into: dict[Any, int], key: Any, n: int) -> None:
    into[key] = into.get(key, 0) + n
