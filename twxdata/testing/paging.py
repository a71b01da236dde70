"""Opaque page tokens and page slicing.

A token carries a direction, a position and a checksum of the request it belongs to (endpoint,
path and filters), so a token reused with another query is rejected like the real API does.
Positions are post rows (time order) or offsets into an ordered list, which keeps pages free
of gaps and duplicates even when posts are deleted between two requests.

>>> t = make_token("next", 12345, "search|cats")
>>> read_token(t, "search|cats"), read_token(t, "search|dogs")
(('next', 12345), None)
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
_PREFIX = "7140dibdnow9c7btw4"
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _DIGITS[r] + out
        if n == 0:
            return out


def _check(scope: str) -> int:
    return zlib.crc32(scope.encode()) & 0xFFFFF


def make_token(direction: str, position: int, scope: str) -> str:
    """A page token for ``position`` going ``next`` (older) or ``prev`` (newer)."""
    payload = (position << 21) | ((direction == "prev") << 20) | _check(scope)
    return _PREFIX + _b36(payload)


def read_token(token: str, scope: str) -> tuple[str, int] | None:
    """(direction, position) of a token made for ``scope``, or None if it is not one."""
    if not token.startswith(_PREFIX) or len(token) > 60:
        return None
    try:
        payload = int(token[len(_PREFIX) :], 36)
    except ValueError:
        return None
    if payload & 0xFFFFF != _check(scope):
        return None
    return ("prev" if payload >> 20 & 1 else "next"), payload >> 21


def rows_page(rows: I64, size: int, cursor: tuple[str, int] | None) -> tuple[I64, bool, bool]:
    """Newest-first page of ascending ``rows``: (page, more older, more newer).

    ``next`` cursors point below a row, ``prev`` cursors above one.

    >>> rows = np.arange(10)
    >>> page, older, newer = rows_page(rows, 4, None)
    >>> page.tolist(), older, newer
    ([9, 8, 7, 6], True, False)
    >>> rows_page(rows, 4, ("next", 6))[0].tolist(), rows_page(rows, 4, ("prev", 5))[0].tolist()
    ([5, 4, 3, 2], [9, 8, 7, 6])
    """
    if cursor is None or cursor[0] == "next":
        hi = int(rows.size if cursor is None else np.searchsorted(rows, cursor[1]))
        lo = max(0, hi - size)
    else:
        lo = int(np.searchsorted(rows, cursor[1], side="right"))
        hi = min(int(rows.size), lo + size)
    return rows[lo:hi][::-1], lo > 0, hi < rows.size


def offset_page(total: int, size: int, cursor: tuple[str, int] | None) -> tuple[int, int]:
    """(start, stop) of a page of an ordered list; ``prev`` tokens hold the page's start.

    >>> offset_page(10, 4, None), offset_page(10, 4, ("next", 8)), offset_page(10, 4, ("prev", 4))
    ((0, 4), (8, 10), (0, 4))
    """
    if cursor is None:
        start = 0
    elif cursor[0] == "next":
        start = cursor[1]
    else:
        start = max(0, cursor[1] - size)
    return min(start, total), min(start + size, total)
