"""Walk the pages of a paginated endpoint. Pure: decides the next request, never sends it.

Limits never overshoot: with ``limit=250`` on a 100-per-page endpoint the page sizes asked for
are 100, 100, 50; when the remainder is below the endpoint's minimum page size the minimum is
asked for and the extra items are cut from the page handed on (the archive keeps them: nothing
received is thrown away on disk).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from twxdata.endpoints import Endpoint
from twxdata.errors import ParameterError


@dataclass(slots=True)
class Cursor:
    """The position in one stream of pages.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> c = Cursor(ENDPOINTS["search_recent_tweets"], limit=250)
    >>> c.next_params()
    {'max_results': '100'}
    >>> c.advance(items=100, next_token="t1"); c.next_params()
    {'max_results': '100', 'next_token': 't1'}
    >>> c.advance(items=100, next_token="t2"); c.next_params()
    {'max_results': '50', 'next_token': 't2'}
    >>> c.advance(items=50, next_token="t3"); c.done
    True
    """

    endpoint: Endpoint
    limit: int | None = None  # items
    max_pages: int | None = None
    page_size: int | None = None  # the caller's max_results, if any
    token: str | None = None  # resume from here
    items: int = 0
    pages: int = 0
    finished: bool = field(default=False)

    def __post_init__(self) -> None:
        if self.limit is not None and (isinstance(self.limit, bool) or self.limit < 1):
            raise ParameterError("limit", "must be a positive number of items", got=self.limit)
        if self.max_pages is not None and (isinstance(self.max_pages, bool) or self.max_pages < 1):
            raise ParameterError("max_pages", "must be a positive number", got=self.max_pages)

    @property
    def done(self) -> bool:
        if self.finished:
            return True
        if self.limit is not None and self.items >= self.limit:
            return True
        return self.max_pages is not None and self.pages >= self.max_pages

    @property
    def wanted(self) -> int | None:
        """How many more items the limit allows (``None``: unlimited)."""
        return None if self.limit is None else max(0, self.limit - self.items)

    def next_params(self) -> dict[str, str]:
        """Query values to add for the next request: page size and page token."""
        out: dict[str, str] = {}
        bounds = self.endpoint.page_size
        if bounds is not None:
            size = self.page_size or bounds[1]
            if self.wanted is not None:
                size = max(bounds[0], min(size, self.wanted))
            out["max_results"] = str(size)
        if self.token and self.endpoint.page_token:
            out[self.endpoint.page_token] = self.token
        return out

    def advance(self, *, items: int, next_token: str | None) -> None:
        """Record a received page."""
        self.items += items
        self.pages += 1
        self.token = next_token
        if not next_token or not self.endpoint.paginated:
            self.finished = True

    def keep(self, received: int) -> int:
        """How many of ``received`` items to hand on (the rest would pass the limit)."""
        wanted = self.wanted
        return received if wanted is None else min(received, wanted)
