"""A client's rate-limit budgets: one per (endpoint bucket, credential), remembered between
processes when given a ``BudgetMemory`` (``twxdata.ratelimit_cache`` in the user's cache).

``protocol.ratelimit.Budget`` decides when a request may go; this registry creates budgets,
seeds a new one with what an earlier process learnt of its window (so a resumed collection
starts by waiting, not by drawing a 429), and writes their states back: whenever a budget runs
low, its window changes or a 429 arrives, every few seconds otherwise, and on close (a write
per page would cost on fast links). Times: ``now`` is the event loop's monotonic clock, and
``server_now()`` the server's wall clock as the client knows it.

>>> from twxdata.endpoints import ENDPOINTS
>>> budgets = Budgets("https://api.x.com", lambda: 1_700_000_000.0)
>>> budget = budgets.get(ENDPOINTS["search_recent_tweets"], "app:abc", now=0.0)
>>> budget is budgets.known("GET /2/tweets/search/recent", "app:abc")
True
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

from twxdata.endpoints import Endpoint
from twxdata.protocol.ratelimit import Budget, BudgetMemory, RateLimit, budget_key

log = logging.getLogger("twxdata.client")

_EVERY = 5.0  # seconds between writes of a budget that is neither low nor in a new window


class Budgets:
    """The budgets of one client (one API base)."""

    def __init__(
        self,
        api_base: str,
        server_now: Callable[[], float],
        *,
        margin: float = 1.0,
        memory: BudgetMemory | None = None,
        low: int = 8,
    ) -> None:
        self.api_base = api_base
        self.server_now = server_now
        self.margin = margin
        self.memory = memory
        self.low = low  # at or under this many requests left, every change is written
        self._budgets: dict[tuple[str, str], Budget] = {}
        self._written: dict[tuple[str, str], tuple[int, int, float]] = {}

    def __iter__(self) -> Iterator[tuple[tuple[str, str], Budget]]:
        return iter(self._budgets.items())

    def known(self, bucket: str, credential: str) -> Budget | None:
        """The budget of a bucket and credential, if a request made one."""
        return self._budgets.get((bucket, credential))

    def get(self, endpoint: Endpoint, credential: str, *, now: float) -> Budget:
        """The budget for requests to ``endpoint`` with ``credential``, made on first use."""
        key = (endpoint.bucket, credential)
        budget = self._budgets.get(key)
        if budget is None:
            budget = Budget(min_interval=endpoint.min_interval, margin=self.margin)
            self._budgets[key] = budget
            self._recall(key, budget, now=now)
        return budget

    def _recall(self, key: tuple[str, str], budget: Budget, *, now: float) -> None:
        if self.memory is None:
            return
        server_now = self.server_now()
        known = self.memory.recall(budget_key(self.api_base, *key), now=server_now)
        if known is None:
            return
        limit, remaining, reset = known
        after = max(0.0, reset - server_now)
        budget.restore(RateLimit(limit, remaining, reset, after), now=now)
        last = (
            self.memory.last_sent(budget_key(self.api_base, *key)) if budget.min_interval else None
        )
        if last is not None and budget.last_sent is None:
            # One request a second holds across processes too: a command run right after
            # another would otherwise draw a 429 with its first request.
            budget.last_sent = now - max(0.0, server_now - last)
        self._written[key] = (remaining, reset, time.monotonic())
        log.info("%s: %d of %d requests left until the window resets in %.0f s (learnt by an "
                 "earlier run)", key[0], remaining, limit, after)  # fmt: skip

    def remember(self, bucket: str, credential: str, *, now: float, force: bool = False) -> None:
        """Write a budget's state for later processes, when it is worth a write."""
        key = (bucket, credential)
        budget = self._budgets.get(key)
        if self.memory is None or budget is None:
            return
        if budget.remaining is None or budget.limit is None or budget.reset_at is None:
            return
        reset = budget.window
        if reset is None:  # blocked after a 429: the reset is the end of the block
            reset = int(self.server_now() + max(0.0, budget.reset_at - now))
        last = self._written.get(key)
        low = budget.remaining <= max(budget.limit // 10, self.low)
        if not force and last is not None:
            remaining, window, when = last
            if window == reset and remaining == budget.remaining:
                return
            if window == reset and not low and time.monotonic() - when < _EVERY:
                return
        self._written[key] = (budget.remaining, reset, time.monotonic())
        last_sent = None
        if budget.min_interval and budget.last_sent is not None:
            last_sent = self.server_now() - max(0.0, now - budget.last_sent)
        self.memory.remember(
            budget_key(self.api_base, *key),
            limit=budget.limit,
            remaining=budget.remaining,
            reset=reset,
            now=self.server_now(),
            last_sent=last_sent,
        )

    def remember_all(self, *, now: float) -> None:
        """Write every budget's state (the client is closing)."""
        for bucket, credential in list(self._budgets):
            self.remember(bucket, credential, now=now, force=True)
