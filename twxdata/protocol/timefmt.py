"""Times in, RFC 3339 UTC out: what X's ``start_time``/``end_time`` parameters accept.

X rejects fractional seconds on some endpoints and interprets times without an offset as UTC,
which silently shifts a naive local ``datetime`` by the user's UTC offset. So: second precision,
always ``Z``, and naive datetimes are an error unless the caller opts in (then they mean UTC).

A fraction of a second is rounded toward the inside of the window: ``start_time`` up,
``end_time`` (and anything else) down. Cutting ``start_time`` down would move it before what
the user asked, and for ``"7d"`` on a recent endpoint, before the earliest instant X accepts.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any

from twxdata.errors import ParameterError

_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|w|wk)s?\s*(ago)?\s*$", re.I)
_UNIT_SECONDS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hr": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "wk": 604800,
}
# How X writes times in parameters, and how twxdata writes them in files it makes.
RFC3339 = "%Y-%m-%dT%H:%M:%SZ"
# Parameters that open a window: their fractions round up, into the window.
_ROUNDS_UP = frozenset({"start_time"})


def to_utc(
    value: Any, *, parameter: str, allow_naive: bool = False, now: datetime | None = None
) -> datetime:
    """Turn a time-like value into an aware UTC ``datetime`` with whole seconds.

    A fraction of a second rounds into the window: up for ``start_time``, down otherwise.
    Accepts ``datetime`` (pandas ``Timestamp`` is one), ``date`` (midnight UTC), ISO 8601 strings
    (``2024-01-02``, ``2024-01-02T03:04:05+02:00``, ``...Z``), Unix seconds, and relative strings
    such as ``"7d"``, ``"36h"``, ``"90m"``, ``"2w"`` (that long before ``now``).

    >>> to_utc("2024-01-02T03:04:05.678+02:00", parameter="end_time").isoformat()
    '2024-01-02T01:04:05+00:00'
    >>> to_utc("2024-01-02T03:04:05.678+02:00", parameter="start_time").isoformat()
    '2024-01-02T01:04:06+00:00'
    >>> may3 = datetime(2024, 5, 3, tzinfo=timezone.utc)
    >>> to_utc("2d", parameter="start_time", now=may3).isoformat()
    '2024-05-01T00:00:00+00:00'
    """
    if isinstance(value, bool):
        raise ParameterError(parameter, "must be a time, not a boolean", got=value)
    if isinstance(value, datetime):
        result = _aware(value, parameter, allow_naive)
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    elif isinstance(value, (int, float)):
        if value < 0 or value > 1e11:
            raise ParameterError(parameter, "Unix seconds out of range", got=value)
        result = datetime.fromtimestamp(float(value), tz=timezone.utc)
    elif isinstance(value, str):
        result = _parse_string(value, parameter, allow_naive, now)
    else:
        raise ParameterError(
            parameter,
            "must be a datetime, pandas Timestamp, ISO 8601 string, Unix seconds, "
            "or a relative time such as '7d'",
            got=value,
        )
    result = result.astimezone(timezone.utc)
    if result.microsecond:
        whole = result.replace(microsecond=0)
        result = whole + timedelta(seconds=1) if parameter in _ROUNDS_UP else whole
    if result.year < 2006:
        raise ParameterError(parameter, "X has no posts before March 2006", got=value)
    return result


def to_rfc3339(
    value: Any, *, parameter: str, allow_naive: bool = False, now: datetime | None = None
) -> str:
    """Format a time-like value the way X's time parameters want it.

    >>> to_rfc3339(datetime(2024, 1, 2, 3, 4, 5, 999000, tzinfo=timezone.utc), parameter="t")
    '2024-01-02T03:04:05Z'
    """
    moment = to_utc(value, parameter=parameter, allow_naive=allow_naive, now=now)
    return moment.strftime(RFC3339)


def utc_text(moment: datetime | float) -> str:
    """An instant (an aware datetime, or Unix seconds) as RFC 3339 UTC to the second.

    >>> utc_text(0.0), utc_text(datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    ('1970-01-01T00:00:00Z', '2024-01-02T03:04:05Z')
    """
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, tz=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(RFC3339)


def duration_seconds(value: Any, parameter: str = "duration") -> float:
    """A length of time given as seconds or as text ("2h", "30m", "90s", "1.5 hours").

    >>> duration_seconds("2h"), duration_seconds(90), duration_seconds("1.5 min")
    (7200.0, 90.0, 90.0)
    """
    allowed = "a positive length of time: seconds, or text such as '2h', '30m', '90s'"
    if isinstance(value, bool):
        raise ParameterError(parameter, allowed, got=value)
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[_unit(match.group(2))]
    else:
        raise ParameterError(parameter, allowed, got=value)
    if not seconds > 0 or seconds == float("inf"):
        raise ParameterError(parameter, allowed, got=value)
    return seconds


_DURATION = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?\s*$", re.I
)


def _unit(text: str | None) -> str:
    word = (text or "s").lower()
    return {"s": "s", "m": "m", "h": "h", "d": "d"}[word[0]]


def is_relative(value: Any) -> bool:
    """Whether ``value`` is a time relative to now (``"7d"``, ``"12h ago"``, ``"now"``).

    >>> is_relative("7d"), is_relative("now"), is_relative("2024-01-02")
    (True, True, False)
    """
    return isinstance(value, str) and (
        bool(_RELATIVE.match(value)) or value.strip().lower() == "now"
    )


def parse_api_time(text: str) -> datetime:
    """Parse a time as the API writes it (``2021-06-02T21:15:24.000Z``).

    >>> parse_api_time("2021-06-02T21:15:24.000Z").isoformat()
    '2021-06-02T21:15:24+00:00'
    """
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _aware(
    value: datetime, parameter: str, allow_naive: bool, *, text: str | None = None
) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        if allow_naive:
            return value.replace(tzinfo=timezone.utc)
        if text is not None:  # typed by a person (a command line, a string argument)
            raise ParameterError(
                parameter,
                "a time without a time zone is ambiguous: add 'Z' for UTC or an offset "
                "such as '+02:00' (or give a date alone, read as UTC midnight)",
                got=text,
            )
        raise ParameterError(
            parameter,
            "naive datetime (no time zone): X reads it as UTC, which shifts local times; "
            "pass an aware datetime (tzinfo=timezone.utc) or allow_naive=True",
            got=value.isoformat(),
        )
    return value


def _now(now: datetime | None, parameter: str) -> datetime:
    # The caller's clock (the server's, as the client knows it): this module reads none.
    if now is None:
        raise ValueError(f"{parameter}: a relative time needs now= (the clock to count from)")
    return now


def _parse_string(text: str, parameter: str, allow_naive: bool, now: datetime | None) -> datetime:
    relative = _RELATIVE.match(text)
    if relative:
        amount = float(relative.group(1)) * _UNIT_SECONDS[relative.group(2).lower()]
        return _aware(_now(now, parameter), "now", allow_naive=True) - timedelta(seconds=amount)
    if text.strip().lower() == "now":
        return _aware(_now(now, parameter), "now", allow_naive=True)
    cleaned = text.strip()
    if cleaned.endswith(("Z", "z")):
        cleaned = cleaned[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ParameterError(
            parameter,
            "not a time: use ISO 8601 ('2024-01-02T03:04:05Z') or a relative time "
            "such as '7d', '12h', '30m'",
            got=text,
        ) from None
    if len(cleaned) == 10 and parsed.tzinfo is None:
        # A bare date names a calendar day, not a local moment: read it as UTC midnight.
        return parsed.replace(tzinfo=timezone.utc)
    return _aware(parsed, parameter, allow_naive, text=text)
