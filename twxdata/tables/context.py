"""What every table of one parsed chunk needs: per-page retrieval metadata, the ``data`` items
with their kind, and the ``includes`` ready for keyed lookups. Computed once per chunk, lazily.

>>> from twxdata.tables.lines import Chunk, ErrorPolicy
>>> from twxdata.tables.parse import parse_chunk
>>> line = b'{"data": {"id": "1", "username": "ann"}, "__twarc": {"url": "https://api.twitter.com/2/users/1"}}\\n'
>>> ctx = ChunkContext(parse_chunk(Chunk(line, None, 1), ErrorPolicy("raise")))
>>> ctx.endpoint.to_pylist(), ctx.item_kind.tolist()
(['get_user'], ['users'])
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.endpoints import ENDPOINTS, Endpoint, by_route
from twxdata.protocol.timefmt import utc_text
from twxdata.tables.arrow import (
    Columns,
    explode,
    keys,
    struct_columns,
    take,
    to_array,
)
from twxdata.tables.objects import MEDIA, PLACE, POLL, TWEET, USER
from twxdata.tables.parse import PageRows, cast_leaves
from twxdata.tables.schema import META_NAMES
from twxdata.tables.values import bools, ints, strings, valid_mask

# Which field of an item, when present, tells its kind (first match wins) — for pages whose
# endpoint is unknown (bare bodies, stream messages, other tools' files).
_SNIFF = (
    ("dm_events", ("event_type", "dm_conversation_id")),
    ("communities", ("join_policy", "access")),
    ("compliance_jobs", ("upload_url", "download_url")),
    ("tweets", ("text", "edit_history_tweet_ids", "author_id", "conversation_id")),
    ("users", ("username",)),
    ("counts", ("tweet_count",)),
    ("spaces", ("state", "creator_id", "host_ids")),
    ("lists", ("owner_id", "member_count", "follower_count", "private", "name")),
)
FOLLOW_ENDPOINTS = {"get_users_followers": "followers", "get_users_following": "following"}


class Includes:
    """One kind of ``includes`` objects of a chunk, with the page each came from."""

    def __init__(self, raw: pa.Array, pages: np.ndarray, target: pa.StructType, key: str):
        self.raw = raw
        self.pages = pages
        self.typed = cast_leaves(raw, target) if len(raw) else pa.nulls(0, target)
        self.key = key

    @cached_property
    def columns(self) -> Columns:
        return struct_columns(self.typed)

    @cached_property
    def keys(self) -> pa.Array:
        return keys(self.pages, self.columns[self.key])

    def find(self, pages: np.ndarray, ids: pa.Array) -> pa.Array:
        """Indices of the objects with ``ids`` in the same pages (null where missing)."""
        return pc.index_in(keys(pages, ids), value_set=self.keys, skip_nulls=True)

    def find_many(self, pages: np.ndarray, ids: list[pa.Array]) -> list[pa.Array]:
        """``find`` for several id arrays of the rows ``pages``, with one hash table."""
        if not ids:
            return []
        n = len(pages)
        text = [a if a.type == pa.string() else a.cast(pa.string()) for a in ids]
        found = self.find(np.tile(pages, len(ids)), pa.concat_arrays(text))
        return [found.slice(i * n, n) for i in range(len(ids))]


class ChunkContext:
    """The shared, lazily computed view of one chunk of pages."""

    def __init__(self, rows: PageRows) -> None:
        self.rows = rows
        self.table = rows.table
        self.n = rows.table.num_rows

    # --- per page ---------------------------------------------------------------------

    def _page_struct(self, name: str) -> Columns:
        if name not in self.table.column_names:
            return {}
        return struct_columns(to_array(self.table[name]))

    @cached_property
    def _twx(self) -> Columns:
        return self._page_struct("__twxdata")

    @cached_property
    def _twarc(self) -> Columns:
        return self._page_struct("__twarc")

    def archive_field(self, name: str) -> pa.Array | None:
        """One ``__twxdata`` field as parsed, one value per page (None: no page has it); an
        object field as a struct of its fields."""
        if name in self._twx:
            return self._twx[name]
        prefix = name + "."
        parts = {k[len(prefix) :]: v for k, v in self._twx.items() if k.startswith(prefix)}
        if not parts:
            return None
        return pa.StructArray.from_arrays(list(parts.values()), names=list(parts))

    def _meta(self, name: str, type_: pa.DataType) -> pa.Array:
        values = [a for a in (self._twx.get(name), self._twarc.get(name)) if a is not None]
        if not values:
            return pa.nulls(self.n, type_)
        return values[0] if len(values) == 1 else pc.coalesce(*values)

    @cached_property
    def url(self) -> pa.Array:
        return self._meta("url", pa.string())

    @cached_property
    def _endpoints(self) -> list[Endpoint | None]:
        named = self._meta("endpoint", pa.string()).to_pylist()
        urls = self.url.to_pylist()
        return [_endpoint(name, url) for name, url in zip(named, urls, strict=True)]

    @cached_property
    def endpoint(self) -> pa.Array:
        named = self._meta("endpoint", pa.string()).to_pylist()
        derived = [e.name if e is not None else None for e in self._endpoints]
        return strings([n or d for n, d in zip(named, derived, strict=True)])

    @cached_property
    def page_kind(self) -> list[str | None]:
        return [e.result.value if e is not None else None for e in self._endpoints]

    @cached_property
    def params(self) -> list[dict[str, str]]:
        """Each page's query parameters: the URL's query, else the archive's ``params``."""
        twx = self._page_struct_raw("__twxdata")
        has = twx is not None and twx.type.get_field_index("params") >= 0
        given_list = twx.field("params").to_pylist() if has else [None] * self.n
        out = []
        for params, url in zip(given_list, self.url.to_pylist(), strict=True):
            query = query_params(urlsplit(url).query) if url else {}
            if query or not params:  # the URL holds the parameters exactly as sent
                out.append(query)
            else:
                out.append({k: _param_text(v) for k, v in params.items() if v is not None})
        return out

    @cached_property
    def follow_relation(self) -> list[tuple[str, str] | None]:
        """``(relation, user id in the path)`` for followers/following pages."""
        out: list[tuple[str, str] | None] = []
        for endpoint, url in zip(self._endpoints, self.url.to_pylist(), strict=True):
            relation = FOLLOW_ENDPOINTS.get(endpoint.name) if endpoint is not None else None
            parts = urlsplit(url).path.split("/") if url else []
            out.append((relation, parts[3]) if relation and len(parts) > 3 else None)
        return out

    @cached_property
    def meta_columns(self) -> Columns:
        """The ``__twxdata.*`` columns, one value per page."""
        values = {
            "retrieved_at": self._meta("retrieved_at", pa.timestamp("us", tz="UTC")),
            "endpoint": self.endpoint,
            "url": self.url,
            "version": self._meta("version", pa.string()),
            "stream": self._meta("stream", pa.string()),
        }
        return {name: values[name.split(".", 1)[1]] for name in META_NAMES}

    def meta_for(self, pages: np.ndarray) -> Columns:
        index = ints(pages)
        return {name: take(array, index) for name, array in self.meta_columns.items()}

    # --- data items -------------------------------------------------------------------

    @cached_property
    def _items(self) -> tuple[pa.Array, np.ndarray]:
        if "data" not in self.table.column_names:
            return pa.nulls(0), np.zeros(0, dtype=np.int64)
        return explode(to_array(self.table["data"]))

    @property
    def items(self) -> pa.Array:
        return self._items[0]

    @property
    def item_page(self) -> np.ndarray:
        return self._items[1]

    @cached_property
    def item_kind(self) -> np.ndarray:
        """The kind of each data item: the endpoint's when known, else sniffed."""
        items, pages = self._items
        kinds = np.full(len(items), "unknown", dtype=object)
        if not len(items):
            return kinds
        names = set(items.type.names) if pa.types.is_struct(items.type) else set()
        decided = np.zeros(len(items), dtype=bool)
        for kind, fields in _SNIFF:
            for name in fields:
                if name in names:
                    hit = valid_mask(items.field(name)) & ~decided
                    kinds[hit] = kind
                    decided |= hit
        page_kind = np.array(self.page_kind, dtype=object)
        known = np.array([k is not None for k in self.page_kind], dtype=bool)[pages]
        kinds[known] = page_kind[pages[known]]
        return kinds

    def items_of(self, kind: str) -> tuple[pa.Array, np.ndarray]:
        mask = self.item_kind == kind
        if mask.all():
            return self.items, self.item_page
        return self.items.filter(bools(mask)), self.item_page[mask]

    # --- includes -----------------------------------------------------------------------

    def _included(self, kind: str) -> tuple[pa.Array, np.ndarray]:
        includes = self._page_struct_raw("includes")
        if includes is None or includes.type.get_field_index(kind) < 0:
            return pa.nulls(0), np.zeros(0, dtype=np.int64)
        lists = includes.flatten()[includes.type.get_field_index(kind)]
        return explode(lists)

    def _page_struct_raw(self, name: str) -> Any:
        if name not in self.table.column_names:
            return None
        return to_array(self.table[name])

    def _includes(self, kind: str, target: pa.StructType, key: str) -> Includes:
        raw, pages = self._included(kind)
        return Includes(raw, pages, target, key)

    @cached_property
    def users(self) -> Includes:
        return self._includes("users", USER, "id")

    @cached_property
    def tweets(self) -> Includes:
        return self._includes("tweets", TWEET, "id")

    @cached_property
    def media(self) -> Includes:
        return self._includes("media", MEDIA, "media_key")

    @cached_property
    def places(self) -> Includes:
        return self._includes("places", PLACE, "id")

    @cached_property
    def polls(self) -> Includes:
        return self._includes("polls", POLL, "id")

    @cached_property
    def topics(self) -> tuple[pa.Array, np.ndarray]:
        return self._included("topics")

    @cached_property
    def user_name_keys(self) -> pa.Array:
        """``page|lower(username)`` of included users, to resolve mentions."""
        return keys(self.users.pages, pc.utf8_lower(self.users.columns["username"]))


# Parameters that change from page to page of one request; the rest (fields, expansions,
# query: most of a URL) is parsed once per request instead of once per page.
PAGING_PARAMS = ("pagination_token", "next_token", "page_token", "cursor")
_PAGING = tuple(f"{name}=" for name in PAGING_PARAMS)


def query_params(query: str) -> dict[str, str]:
    """A URL's query string as a dict (the last value of a repeated name wins).

    >>> query_params("query=cats%20dogs&max_results=100&next_token=abc")
    {'query': 'cats dogs', 'max_results': '100', 'next_token': 'abc'}
    """
    parts = query.split("&")
    paging = [part for part in parts if part.startswith(_PAGING)]
    if not paging:
        return dict(_parsed(query))
    rest = "&".join(part for part in parts if not part.startswith(_PAGING))
    return {**dict(_parsed(rest)), **dict(parse_qsl("&".join(paging)))}


@lru_cache(maxsize=256)
def _parsed(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query))


def _param_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):  # the reader took an ISO time for a timestamp
        return utc_text(value)
    return orjson.dumps(value).decode()


def _endpoint(name: str | None, url: str | None) -> Endpoint | None:
    if name and name in ENDPOINTS:
        return ENDPOINTS[name]
    if url:
        return _route(urlsplit(url).path)
    return None


@lru_cache(maxsize=1024)
def _route(path: str) -> Endpoint | None:
    # An archive's pages share a few paths: matching each against every route once is enough.
    return by_route("GET", path)
