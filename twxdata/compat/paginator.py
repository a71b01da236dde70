"""``AsyncPaginator``: tweepy's paginator, keeping what tweepy's throws away.

Same use as tweepy's: ``AsyncPaginator(client.search_recent_tweets, "cats", limit=5)`` walks at
most 5 requests (``limit`` counts requests), ``flatten(limit)`` yields at most ``limit`` items,
``pagination_token=`` starts from a token and ``reversed(paginator)`` walks back through
``previous_token``. Unlike tweepy's, every walk keeps ``includes`` (each object once, merged
over pages), ``errors`` (all pages) and ``meta`` (of the last page), and ``to_frame()`` hands
the pages to ``twxdata.tables``: posts with their authors, media, places and polls joined.
``flatten(limit)`` also asks for no more items than it will yield on its last page.

>>> import asyncio
>>> from datetime import datetime
>>> from twxdata.compat import AsyncClient
>>> from twxdata.testing import FakeXApi
>>> async def demo():
...     async with FakeXApi(seed=1, size=2_000, end=datetime(2024, 5, 1)) as api:
...         async with AsyncClient(api.bearer_token, api_base=api.url) as client:
...             pager = AsyncPaginator(client.search_recent_tweets, "the", max_results=10,
...                                    expansions="author_id", limit=3)
...             posts = [t async for t in pager.flatten(limit=25)]
...             return len(posts), len(pager.pages), len(pager.includes["users"]) > 0
>>> asyncio.run(demo())
(25, 3, True)
"""

from __future__ import annotations

import inspect
import math
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from twxdata.compat.core import CoreClient, checked_plan
from twxdata.compat.models import INCLUDE_MODELS
from twxdata.compat.response import MAIN_TABLE, Response, frame_of, tables_of
from twxdata.protocol.response import Page

if TYPE_CHECKING:
    import pandas as pd

    from twxdata.tables.api import Tables


class AsyncPaginator:
    """Pages of an ``AsyncClient`` method: ``AsyncPaginator(method, *args, limit=inf,
    pagination_token=None, **kwargs)``.

    ``async for response in paginator`` gives one response per request (of the client's
    ``return_type``); ``async for item in paginator.flatten(limit)`` the items. After (or
    during) a walk: ``pages`` (the ``Page`` objects), ``includes``, ``errors``, ``meta``.
    Arguments are checked when the paginator is made: a bad one raises before any request.
    """

    def __init__(
        self,
        method: Callable[..., Any],
        *args: Any,
        limit: float = math.inf,
        pagination_token: str | None = None,
        **kwargs: Any,
    ) -> None:
        client = getattr(method, "__self__", None)
        if not isinstance(client, CoreClient):
            raise TypeError("AsyncPaginator pages the methods of a twxdata.AsyncClient")
        self.method = method
        self.client: CoreClient = client
        self.name: str = method.__name__
        self.limit = limit
        bound = inspect.signature(method).bind(*args, **kwargs)
        bound.apply_defaults()
        self._arguments: dict[str, Any] = dict(bound.arguments)
        self._arguments["params"] = dict(self._arguments.get("params") or {})
        self.endpoint = checked_plan(self.name, self._arguments).endpoint
        token_name = self.endpoint.page_token
        own = self._get(token_name) if token_name else None
        self.pagination_token = pagination_token if pagination_token is not None else own
        self.pages: list[Page] = []
        self.includes: dict[str, list[Any]] = {}
        self.errors: list[dict[str, Any]] = []
        self.meta: dict[str, Any] = {}
        self._seen: dict[str, set[Any]] = {}

    def __repr__(self) -> str:
        return f"AsyncPaginator({self.name}, limit={self.limit}, pages={len(self.pages)})"

    # ---- walking --------------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._responses(reverse=False)

    def __reversed__(self) -> AsyncIterator[Any]:
        return self._responses(reverse=True)

    async def _responses(self, reverse: bool) -> AsyncIterator[Any]:
        async for page in self._walk(reverse=reverse):
            yield self.client._wrap(page)

    async def flatten(self, limit: float = math.inf) -> AsyncIterator[Any]:
        """Yield the items (posts, users, ...) of the pages, at most ``limit`` of them."""
        if limit <= 0:
            return
        count = 0
        async for page in self._walk(reverse=False, items=limit):
            response = self.client._wrap(page)
            data = response.data if isinstance(response, Response) else page.body.get("data")
            items = data if isinstance(data, list) else ([] if data is None else [data])
            for item in items:
                yield item
                count += 1
                if count >= limit:
                    return

    async def _walk(self, *, reverse: bool, items: float = math.inf) -> AsyncIterator[Page]:
        self._reset()
        token = self.pagination_token
        token_name = self.endpoint.page_token
        requests = received = 0
        while requests < self.limit and not (requests and token is None):
            arguments = dict(self._arguments, params=dict(self._arguments["params"]))
            if token_name is not None:
                self._set(arguments, token_name, token)
            if items < math.inf:
                self._trim_page_size(arguments, items - received)
            page = await self.client._page(self.name, arguments)
            self._absorb(page)
            requests += 1
            received += len(page.data)
            if token_name is None:  # a lookup: one answer, nothing to page through
                yield page
                return
            token = page.meta.get("previous_token" if reverse else "next_token") or None
            yield page

    def _trim_page_size(self, arguments: dict[str, Any], remaining: float) -> None:
        # The last page need not bring more than flatten() will yield (the API's minimum
        # page size permitting); the items yielded are the same, the transfer smaller.
        bounds = self.endpoint.page_size
        asked = self._get("max_results") or self.endpoint.api_default_page_size
        if bounds is None or asked is None or remaining >= int(asked):
            return
        self._set(arguments, "max_results", max(bounds[0], int(remaining)))

    # ---- what a walk keeps ----------------------------------------------------------------

    def _reset(self) -> None:
        self.pages, self.includes, self.errors, self.meta = [], {}, [], {}
        self._seen = {}

    def _absorb(self, page: Page) -> None:
        self.pages.append(page)
        self.meta = page.meta
        self.errors.extend(page.errors)
        as_models = self.client.return_type is Response
        for section, objects in page.includes.items():
            key = "media_key" if section == "media" else "id"
            seen = self._seen.setdefault(section, set())
            kept = self.includes.setdefault(section, [])
            model = INCLUDE_MODELS.get(section) if as_models else None
            for obj in objects:
                ident = obj.get(key) if isinstance(obj, dict) else None
                if ident is not None and ident in seen:
                    continue
                seen.add(ident)
                kept.append(model(obj) if model is not None else obj)

    async def tables(self) -> Tables:
        """Every table of the walked pages (walks first when nothing was walked yet)."""
        await self._ensure_walked()
        return tables_of(self.pages)

    async def to_frame(self, table: str | None = None) -> pd.DataFrame:
        """The pages as one typed DataFrame: the endpoint's main table unless ``table``.

        Walks the pages first when nothing was walked yet (respecting ``limit``).
        """
        await self._ensure_walked()
        return frame_of(self.pages, table or MAIN_TABLE[self.endpoint.result])

    async def _ensure_walked(self) -> None:
        if not self.pages:
            async for _ in self._walk(reverse=False):
                pass

    # ---- arguments ------------------------------------------------------------------------

    def _get(self, name: str) -> Any:
        if name in self._arguments and name != "params":
            return self._arguments[name]
        return self._arguments["params"].get(name)

    def _set(self, arguments: dict[str, Any], name: str, value: Any) -> None:
        if name in arguments and name != "params":
            arguments[name] = value
        elif value is None:
            arguments["params"].pop(name, None)
        else:
            arguments["params"][name] = value
