"""What a collection costs, page by page, and the spend cap it must not pass.

Every page a collection receives is charged as X charges it (``pricing.charge``): ``low`` the
resources in ``data``, ``high`` those in ``includes`` too (X does not say plainly whether it
charges them), with the same-UTC-day deduplication counted from the ids charged today by this
credential, in this run and earlier ones (``store.charged``). Pages an earlier run collected
(a resume) were paid for then: they are counted apart, in ``earlier``.

The spend cap trusts less: it counts a page as charged unless its ids were charged earlier in
this same run. Ids remembered from earlier runs are only as good as the guess that the same
credential reached the same account (a restarted fake API, or a project switched in X's
console, forgets them), and a cap must hold even when the guess is wrong.

>>> from twxdata.endpoints import ENDPOINTS
>>> meter = Meter(ENDPOINTS["search_recent_tweets"], clock=lambda: 1_764_806_400.0)
>>> meter.page({"data": [{"id": "1"}, {"id": "2"}]}).low.usd
0.01
>>> meter.as_dict()["usd_low"]
0.01
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from twxdata.endpoints import Endpoint
from twxdata.pricing import PRICES, Charge, Cost, Ledger, Prices, charge, unit_price
from twxdata.protocol.spend import SpendCap
from twxdata.store.charged import ChargedToday


class Meter:
    """The running cost of one collection (and its cap, when one is set)."""

    def __init__(
        self,
        endpoint: Endpoint,
        prices: Prices = PRICES,
        *,
        clock: Callable[[], float] = time.time,
        folder: Path | None = None,
        account: str = "",
        cap: SpendCap | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.prices = prices
        self.clock = clock  # the server's clock: X's day is a UTC day on its clock
        self.folder = folder  # where ids charged today are kept (None: this run only)
        self.key = hashlib.sha256(f"twxdata-charged\0{account}".encode()).hexdigest()[:24]
        self.cap = cap
        self.unit, self.per_request = unit_price(endpoint, prices)
        self.low = Cost()
        self.high = Cost()
        self.earlier = Cost()
        self.spent_before = 0.0  # what earlier runs of this collection were charged (checkpoint)
        self._today: ChargedToday | None = None
        self._run = Ledger("")  # ids charged in this run only: what the cap deduplicates
        self._seen = Ledger("")  # ids of data and includes in this run: the ``high`` reading
        self._for_cap = 0.0  # the last page's charge as the cap counts it
        # Called after each charged page (the progress bar redraws its running cost).
        self.on_charge: Callable[[], None] | None = None

    def _ledger_now(self) -> ChargedToday:
        day = time.strftime("%Y-%m-%d", time.gmtime(self.clock()))
        if self._today is None or self._today.ledger.day != day:
            if self._today is not None:
                self._today.save()
            self._today = ChargedToday(self.folder, self.key, day)
        return self._today

    def page(self, response: Mapping[str, Any], *, earlier: bool = False) -> Charge:
        """Count one page's charge (``earlier``: collected by an earlier run, paid then)."""
        if earlier:
            paid = charge(self.endpoint, response, self.prices)
            self.earlier.add(paid.low)
            return paid
        today = self._ledger_now()
        if self._seen.day != today.ledger.day:
            self._seen = Ledger(today.ledger.day)
        paid = charge(self.endpoint, response, self.prices, ledger=today.ledger, seen=self._seen)
        if self.cap is not None:
            if self._run.day != today.ledger.day:
                self._run = Ledger(today.ledger.day)
            self._for_cap = charge(self.endpoint, response, self.prices, ledger=self._run).low.usd
        self.low.add(paid.low)
        self.high.add(paid.high)
        if self.on_charge is not None:
            self.on_charge()
        return paid

    def settle(self, granted: int) -> None:
        """Replace a page's reservation in the cap (``granted`` items) by what the page just
        counted by ``page`` was charged, as the cap counts it. Call it right after ``page``,
        with no ``await`` between: the meter keeps only the last page's charge."""
        if self.cap is not None:
            self.cap.settle(self.unit, granted=granted, charged=self._for_cap)
            self._for_cap = 0.0

    @property
    def cap_spent(self) -> float:
        """What the cap counts as spent over all runs (for the checkpoint)."""
        return round(self.cap.spent, 6) if self.cap is not None else self.spent_total

    @property
    def spent_total(self) -> float:
        """What the collection has been charged over all its runs (``low``)."""
        return round(self.spent_before + self.low.usd, 6)

    def save(self) -> None:
        """Keep today's charged ids for later runs (called as pages arrive and at the end)."""
        if self._today is not None:
            self._today.save()

    def as_dict(self) -> dict[str, Any]:
        """What this run cost, and what earlier runs of the same collection did: for reprs,
        provenance and ``twxdata info``."""
        return {
            "usd_low": round(self.low.usd, 6),
            "usd_high": round(self.high.usd, 6),
            "low_is": "resources in data charged (X: per resource returned)",
            "high_is": "resources in includes charged too (X does not say plainly)",
            "resources": dict(self.low.resources),
            "resources_with_includes": dict(self.high.resources),
            "free_same_day": dict(self.low.free),
            "requests": self.low.requests,
            "earlier_runs_usd": round(self.spent_before, 6),
            "cap_usd": None if self.cap is None else self.cap.limit,
            "prices": self.prices.source,
        }
