"""Snowflake arithmetic: X ids to creation times and back.

X post ids are *snowflakes*: the creation time in milliseconds since the Twitter epoch, shifted
left by 22 bits, with 22 bits of worker and sequence number below. So ordering by id is ordering
by time, and a post's creation second can be read back from its id. The API's timestamp text
(``iso``, ``parse_rfc3339``) is in ``twxdata.testing.timestamps``.

>>> sid = snowflake(1_700_000_000_123, 5)
>>> snowflake_ms(sid), sid & 0b111
(1700000000123, 5)
"""

from __future__ import annotations

TWITTER_EPOCH_MS = 1288834974657
SEQUENCE_BITS = 22


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
