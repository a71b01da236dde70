"""A spend cap shared by every stream of a collection: pages sized so the cap is never passed.

Before each request a stream reserves the worst case of its page (page size × the price of one
item, or the price of one request for counts); the last pages are sized down to what is left,
and when not even the endpoint's smallest page fits, the stream stops (at most one smallest
page of the cap is left unspent). When the page arrives, its actual charge replaces the
reservation (the same-day deduplication can only make it cheaper). Pure: amounts in, sizes out.

>>> cap = SpendCap(limit=0.50)
>>> cap.reserve(0.005, wanted=100, smallest=10)   # 100 posts at $0.005: $0.50 fits
100
>>> cap.reserve(0.005, wanted=100, smallest=10)   # nothing left beside the first page
0
>>> cap.settle(0.005, granted=100, charged=0.40)  # 20 posts were free (seen today already)
>>> cap.reserve(0.005, wanted=100, smallest=10)   # $0.10 left: a page of 20
20
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_EPSILON = 1e-9  # money is added in floats: a cent's share must not be lost to rounding


@dataclass(slots=True)
class SpendCap:
    """``limit`` USD for a collection, of which ``spent`` is charged and ``reserved`` is held
    for pages in flight."""

    limit: float
    spent: float = 0.0
    reserved: float = 0.0

    @property
    def left(self) -> float:
        return self.limit - self.spent - self.reserved

    def reserve(self, unit: float, *, wanted: int, smallest: int) -> int:
        """How many items the next page may ask for (at most ``wanted``), reserved now; 0 when
        not even ``smallest`` fits (the stream stops)."""
        if unit <= 0:
            return wanted
        fits = (self.left + _EPSILON) / unit  # a float: a huge cap must not overflow an int
        size = wanted if fits >= wanted else math.floor(fits)
        if size < max(1, smallest):
            return 0
        self.reserved += size * unit
        return size

    def settle(self, unit: float, *, granted: int, charged: float) -> None:
        """A page came back: its reservation is replaced by what it was charged."""
        self.reserved = max(0.0, self.reserved - granted * unit)
        self.spent += charged

    def release(self, unit: float, *, granted: int) -> None:
        """A reserved page was never charged (the request failed, the walk was cancelled)."""
        self.reserved = max(0.0, self.reserved - granted * unit)

    @property
    def in_flight(self) -> bool:
        """Whether pages hold reservations (what they leave unspent comes back)."""
        return self.reserved > _EPSILON

    @property
    def reached(self) -> bool:
        """Whether the cap is spent (to the last cent)."""
        return self.left <= _EPSILON
