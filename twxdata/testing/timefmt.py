"""Time and identifier arithmetic shared by the corpus and the server.

X post ids are *snowflakes*: the creation time in milliseconds since the Twitter epoch, shifted
left by 22 bits, with 22 bits of worker and sequence number below. So ordering by id is ordering
by time, and a post's creation second can be read back from its id.

>>> sid = snowflake(1_700_000_000_123, 5)
>>> snowflake_ms(sid), iso(snowflake_ms(sid) // 1000)
(1700000000123, '2023-11-14T22:13:20.000Z')
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

TWITTER_EPOCH_MS = 1288834974657
SEQUENCE_BITS = 22
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:\d{2})$"
)


def snowflake(ms: int, low: int = 0) -> int:
    """The id of something created at Unix time ``ms`` (milliseconds), ``low`` in the low bits.

    >>> snowflake(TWITTER_EPOCH_MS + 1, 0)
    4194304
    """
    return ((ms - TWITTER_EPOCH_MS) << SEQUENCE_BITS) | (low & ((1 << SEQUENCE_BITS) - 1))


def snowflake_ms(sid: int) -> int:
    """Unix milliseconds at which snowflake ``sid`` was made.

    >>> snowflake_ms(4194304) - TWITTER_EPOCH_MS
    1
    """
    return (sid >> SEQUENCE_BITS) + TWITTER_EPOCH_MS


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
