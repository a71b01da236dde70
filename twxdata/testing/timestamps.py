"""The API's timestamps as the fake reads and writes them, and datetimes as Unix seconds.

``iso`` renders ``created_at`` and counts buckets (always ``.000`` milliseconds),
``parse_rfc3339`` reads ``start_time``/``end_time``, ``java_instant`` echoes a time in an
invalid-request message, ``to_unix`` turns the corpus ``end`` and a frozen ``now`` into
seconds. (``twxdata.protocol.timefmt`` is the client's side: times in, RFC 3339 out.)

>>> iso(parse_rfc3339("2023-11-14T22:13:20Z"))
'2023-11-14T22:13:20.000Z'
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2})$"
)


def iso(seconds: int | float) -> str:
    """The API's timestamp format, always with ``.000`` milliseconds.

    >>> iso(0)
    '1970-01-01T00:00:00.000Z'
    """
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def parse_rfc3339(value: str) -> float | None:
    """Unix seconds of an RFC 3339 timestamp (``2021-06-01T00:00:00Z``), or None if malformed.

    Seconds may be left out (``2021-06-01T00:00Z``), as the API itself accepts.

    >>> parse_rfc3339("1970-01-01T00:01:00.500Z"), parse_rfc3339("yesterday")
    (60.5, None)
    """
    m = _RFC3339.match(value)
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        tz = timezone.utc
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            from datetime import timedelta

            tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        dt = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz
        )
    except ValueError:
        return None
    return dt.timestamp() + (float(f"0.{frac}") if frac else 0.0)


def java_instant(seconds: float) -> str:
    """How the API echoes a timestamp in error messages (Java's ``Instant`` style).

    The real service drops zero seconds: ``start_time=2020-06-21T01:00:00Z`` comes back as
    ``2020-06-21T01:00Z`` in an invalid-request message.

    >>> java_instant(0), java_instant(59), java_instant(1.25)
    ('1970-01-01T00:00Z', '1970-01-01T00:00:59Z', '1970-01-01T00:00:01.250Z')
    """
    whole = int(seconds // 1)
    ms = round((seconds - whole) * 1000)
    dt = datetime.fromtimestamp(whole, tz=timezone.utc)
    text = dt.strftime("%Y-%m-%dT%H:%M")
    if dt.second or ms:
        text += dt.strftime(":%S")
    if ms:
        text += f".{ms:03d}"
    return text + "Z"


def to_unix(value: datetime) -> float:
    """Unix seconds of an aware or naive (taken as UTC) datetime.

    >>> to_unix(datetime(1970, 1, 2))
    86400.0
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()
