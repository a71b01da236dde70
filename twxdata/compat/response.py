"""What ``AsyncClient`` methods return: tweepy's ``Response``, the raw JSON, or a raw response.

``Response(data, includes, errors, meta)`` is tweepy's namedtuple, field for field: ``data`` is
a model (``Tweet``, ``User``, ...) or a list of them (a plain dict for counts, compliance jobs
and write confirmations), ``includes`` maps ``users``/``tweets``/``media``/``places``/``polls``
to models, ``errors`` and ``meta`` are as sent. Ours also keeps the page it came from, so
``response.to_frame()`` gives the typed table (posts with their expansions joined) and
``response.rate_limit`` what the rate-limit headers said.

Once tweepy is imported (``tweepy.asynchronous.AsyncPaginator`` imports it), the responses are
also instances of tweepy's ``Response`` namedtuple, so tweepy's own paginator (which checks
``isinstance(response, tweepy.client.Response)``) walks ``twxdata.AsyncClient`` methods too.
twxdata never imports tweepy itself: without tweepy, or before it is imported, nothing
changes and nothing is spent looking for it.

``return_type=aiohttp.ClientResponse`` cannot hand out aiohttp's object: the client reads and
releases the connection (and retries) before returning. It returns a ``RawResponse`` with
the same reading API instead: ``.status``, ``.headers``, ``.url``, ``await .read()``,
``await .text()``, ``await .json()``.

>>> from datetime import datetime, timezone
>>> from twxdata.protocol.response import Page
>>> page = Page("get_tweet", "https://api.x.com/2/tweets/1", 200,
...             {"data": {"id": "1", "text": "hi", "edit_history_tweet_ids": ["1"]}},
...             b"", datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> r = to_response(page)
>>> r.data.id, r.includes, r.errors, r.meta
(1, {}, [], {})
>>> r.to_frame()[["id", "text"]].to_dict("records")
[{'id': '1', 'text': 'hi'}]
"""

from __future__ import annotations

import sys
from collections import namedtuple
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import orjson

from twxdata.compat.models import (
    INCLUDE_MODELS,
    DirectMessageEvent,
    List,
    Model,
    Space,
    Tweet,
    User,
)
from twxdata.endpoints import Result, get_endpoint
from twxdata.protocol.ratelimit import RateLimit
from twxdata.protocol.response import Page

if TYPE_CHECKING:
    import pandas as pd

    from twxdata.tables.api import Tables

DATA_MODELS: Mapping[Result, type[Model]] = {
    Result.TWEETS: Tweet,
    Result.USERS: User,
    Result.LISTS: List,
    Result.SPACES: Space,
    Result.DM_EVENTS: DirectMessageEvent,
}
# The table that holds an endpoint's ``data`` (posts come with their expansions joined).
MAIN_TABLE: Mapping[Result, str] = {
    Result.TWEETS: "tweets",
    Result.USERS: "users",
    Result.LISTS: "lists",
    Result.SPACES: "spaces",
    Result.COUNTS: "counts",
    Result.COMPLIANCE_JOBS: "compliance",
    Result.DM_EVENTS: "other",
    Result.ACTION: "other",
}


class Response(namedtuple("Response", ("data", "includes", "errors", "meta"))):
    """tweepy's ``Response`` namedtuple, plus the page it came from.

    It unpacks, compares and indexes like tweepy's (``data, includes, errors, meta = r``).
    ``page`` (a ``twxdata.protocol.response.Page``) is ``None`` for hand-made responses.
    """

    page: Page | None = None

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``x-rate-limit-*`` headers of the answer (``None`` when absent)."""
        return None if self.page is None else self.page.rate_limit

    def tables(self) -> Tables:
        """Every table of this response (``twxdata.tables.Tables``)."""
        return tables_of([self.page] if self.page is not None else [])

    def to_frame(self, table: str | None = None) -> pd.DataFrame:
        """This response as a typed DataFrame: the endpoint's main table unless ``table``.

        Posts come with their expansions joined (``author.username`` ...); pass
        ``table="users"`` (``"media"``, ``"errors"``, ...) for another table.
        """
        if self.page is None:
            raise ValueError("this Response was not made by twxdata.AsyncClient")
        return frame_of([self.page], table)


class RawResponse:
    """The answer as received, for ``return_type=aiohttp.ClientResponse``.

    Unlike aiohttp's object it is already read (the connection went back to the pool), so
    ``read``/``text``/``json`` may be awaited any number of times. ``headers`` holds the
    content type and the ``x-rate-limit-*`` headers.
    """

    __slots__ = ("page",)

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def status(self) -> int:
        return self.page.status

    @property
    def url(self) -> str:
        return self.page.url

    @property
    def headers(self) -> dict[str, str]:
        out = {"content-type": "application/json; charset=utf-8"}
        rate = self.page.rate_limit
        if rate is not None:
            out["x-rate-limit-limit"] = str(rate.limit)
            out["x-rate-limit-remaining"] = str(rate.remaining)
            out["x-rate-limit-reset"] = str(rate.reset)
        return out

    async def read(self) -> bytes:
        return self.page.raw if self.page.raw else orjson.dumps(self.page.body)

    async def text(self, encoding: str = "utf-8") -> str:
        return (await self.read()).decode(encoding)

    async def json(self, **_: Any) -> Any:
        return self.page.body

    def to_frame(self, table: str | None = None) -> pd.DataFrame:
        """As ``Response.to_frame``."""
        return frame_of([self.page], table)

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status}] {self.url}>"


def to_response(page: Page) -> Response:
    """Build tweepy's ``Response`` from a page of the endpoint ``page.endpoint``."""
    body = page.body
    result = get_endpoint(page.endpoint).result
    model = DATA_MODELS.get(result)
    data = body.get("data")
    if model is not None and data is not None:
        data = [model(d) for d in data] if isinstance(data, list) else model(data)
    includes = {
        name: [INCLUDE_MODELS[name](o) for o in objs] if name in INCLUDE_MODELS else objs
        for name, objs in (body.get("includes") or {}).items()
    }
    kind = response_class()
    response = kind(data, includes, body.get("errors", []), body.get("meta", {}))
    response.page = page
    return response


_TweepyResponse: type[Response] | None = None


def response_class() -> type[Response]:
    """``Response``, or once tweepy is imported a subclass that is also tweepy's ``Response``.

    Looks in ``sys.modules`` only, never imports tweepy: without it (or before it is
    imported) this is ``Response``, found at the cost of one dictionary lookup.
    """
    global _TweepyResponse
    base = getattr(sys.modules.get("tweepy.client"), "Response", None)
    if not isinstance(base, type) or not issubclass(base, tuple):
        return Response
    if _TweepyResponse is None or base not in _TweepyResponse.__bases__:
        made = type(
            "Response",
            (Response, base),
            {
                "__module__": __name__,
                "__qualname__": "TweepyResponse",
                "__doc__": "tweepy's ``Response`` and ours (see ``Response``): made once "
                "tweepy is imported, so that tweepy's paginator accepts our responses.",
                "__reduce__": _reduce,
            },
        )
        _TweepyResponse = cast("type[Response]", made)
    return _TweepyResponse


def _reduce(response: Response) -> tuple[Any, ...]:
    # Pickled by value, not by its made-at-runtime class: unpickled where tweepy is not
    # imported, it is a plain ``Response``.
    return (_restore, (tuple(response), dict(vars(response))))


def _restore(fields: tuple[Any, ...], state: dict[str, Any]) -> Response:
    response = response_class()(*fields)
    vars(response).update(state)
    return response


def is_tweepy_response(kind: object) -> bool:
    """Whether ``kind`` is tweepy's ``Response`` class (code may still pass it as return type)."""
    return getattr(kind, "__module__", None) == "tweepy.client" and (
        getattr(kind, "__name__", None) == "Response"
    )


def tables_of(pages: Iterable[Page]) -> Tables:
    """Flatten our pages (with their provenance) into ``twxdata.tables.Tables``."""
    from twxdata.tables import flatten

    return flatten([p.archive_line() for p in pages])


def frame_of(pages: Iterable[Page], table: str | None = None) -> pd.DataFrame:
    """The main table of ``pages`` (or ``table``) as a pandas DataFrame."""
    pages = list(pages)
    if table is None:
        result = get_endpoint(pages[0].endpoint).result if pages else Result.TWEETS
        table = MAIN_TABLE[result]
    return tables_of(pages).to_pandas(table)
