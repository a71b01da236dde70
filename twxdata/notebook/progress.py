"""A progress bar for collections: items and pages, rate-limit countdowns, partial errors.

tqdm's ``auto`` bar picks the notebook widget in Jupyter and a text bar in a terminal. The bar
listens to the client's events; while the client sleeps for a rate-limit window, a small task
ticks the countdown once a second and names the endpoint, so a long wait never looks like a hang.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twxdata.events import Received, Retrying, Waiting

if TYPE_CHECKING:
    from twxdata.events import Event


class Progress:
    """Listens to client events and shows them; a no-op when ``enabled`` is false.

    >>> from twxdata.client import Received
    >>> p = Progress("search", unit="posts", enabled=False)
    >>> p(Received("search_recent_tweets", 200, 100, 0.1))
    >>> p(Received("get_tweets", 200, 98, 0.1, errors=2))
    >>> p.items, p.pages, p.errors, p._status()
    (198, 2, 2, '2 pages, 2 partial errors')
    """

    def __init__(
        self, description: str, *, unit: str = "posts", total: int | None = None,
        enabled: bool = True,
    ) -> None:  # fmt: skip
        self.description = description
        self.unit = unit
        self.items = 0
        self.pages = 0
        self.errors = 0
        self.waiting: str | None = None
        # The running cost (USD) as the collection's meter counts it, shown when set.
        self.cost: Callable[[], float] | None = None
        # More to show after the figures (a stream's pace, rules, silence, reconnections).
        self.detail: Callable[[], str] | None = None
        self._wait_until = 0.0
        self._ticker: asyncio.Task[None] | None = None
        self._bar: Any = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, desc=description, unit=f" {unit}", dynamic_ncols=True,
                             leave=True)  # fmt: skip

    def __call__(self, event: Event) -> None:

        if isinstance(event, Received):
            self.items += event.items
            self.pages += 1
            self.errors += event.errors
            self.waiting = None
            if self._bar is not None:
                self._bar.update(event.items)
            self.refresh()
        elif isinstance(event, Waiting):
            self._wait_until = time.monotonic() + event.seconds
            self.waiting = f"{event.reason} [{event.endpoint}]"
            self._start_countdown()
            self.refresh()
        elif isinstance(event, Retrying):
            self.waiting = f"retrying in {event.delay:.0f} s: {event.reason[:60]}"
            self.refresh()

    def _status(self) -> str:
        parts = [f"{self.pages} pages"] if self.detail is None else [self.detail()]
        if self.cost is not None:
            parts.append(f"${self.cost():,.2f}")
        if self.errors:
            parts.append(f"{self.errors} partial errors")
        if self.waiting:
            left = max(0.0, self._wait_until - time.monotonic())
            parts.append(f"waiting {_clock(left)}: {self.waiting}" if left else self.waiting)
        return ", ".join(parts)

    def refresh(self) -> None:
        """Redraw the status (after the running cost changed, say)."""
        if self._bar is not None:
            if self._bar.n != self.items and self.detail is not None:
                self._bar.update(self.items - self._bar.n)  # items counted by the caller
            self._bar.set_postfix_str(self._status(), refresh=True)

    def _start_countdown(self) -> None:
        if self._bar is None or (self._ticker is not None and not self._ticker.done()):
            return
        with contextlib.suppress(RuntimeError):  # no running loop: no countdown, still a bar
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    async def _tick(self) -> None:
        while self.waiting and time.monotonic() < self._wait_until:
            self.refresh()
            await asyncio.sleep(1.0)

    def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
        self.waiting = None
        if self._bar is not None:
            self.refresh()
            self._bar.close()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"{minutes}:{secs:02d}"
