"""What a chunk of pages tells a table's provenance, computed on whole columns.

``twxdata flatten`` records in every output where its rows came from (endpoints, queries, time
window, retrieval times, the API's meta). Building the ``pages`` table and reading it back row
by row for that cost about a tenth of a flattening; here each figure is one Arrow call over the
chunk, and only the distinct request URLs (a handful per chunk: pages of one request differ
only in their page token) are parsed in Python.

>>> from twxdata.tables.lines import Chunk, ErrorPolicy
>>> from twxdata.tables.parse import parse_chunk
>>> line = (b'{"data": [{"id": "1", "text": "hi"}], "meta": {"result_count": 1, "newest_id": "1"},'
...         b' "__twxdata": {"url": "https://api.x.com/2/tweets/search/recent?query=hi",'
...         b' "retrieved_at": "2024-05-01T00:00:00.000000Z"}}\\n')
>>> facts = page_facts(ChunkContext(parse_chunk(Chunk(line, None, 1), ErrorPolicy("raise"))))
>>> facts.items, facts.endpoints, facts.queries, facts.first, facts.newest
(1, ['search_recent_tweets'], ['hi'], '2024-05-01T00:00:00.000000Z', 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from twxdata.endpoints import WINDOW_PARAMS as WINDOW
from twxdata.protocol.timefmt import RFC3339
from twxdata.tables.arrow import to_array
from twxdata.tables.context import PAGING_PARAMS, ChunkContext, query_params

# A request's pages differ only in these: without them, a chunk has a few distinct URLs.
_PAGING = rf"([?&])(?:{'|'.join(PAGING_PARAMS)})=[^&]*"


@dataclass
class PageFacts:
    """The provenance figures of some pages (see ``ProvenanceBuilder.add_facts``)."""

    pages: int = 0
    items: int = 0
    partial_errors: int = 0
    endpoints: list[str] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)  # in order of first appearance
    streams: list[str] = field(default_factory=list)
    window: dict[str, list[str]] = field(default_factory=dict)
    first: str | None = None  # earliest and latest retrieval, ISO 8601 UTC
    last: str | None = None
    newest: int | None = None  # the API's meta.newest_id / oldest_id over the pages
    oldest: int | None = None
    result_count: int = 0
    total_tweet_count: int | None = None  # counts pages only: None when none was read
    gaps: list[dict[str, Any]] = field(default_factory=list)  # a stream's (__twxdata.gap)


def page_facts(ctx: ChunkContext) -> PageFacts:
    """The provenance figures of the pages of one chunk."""
    facts = PageFacts(pages=ctx.n)
    facts.items = _total_length(ctx, "data")
    facts.partial_errors = _total_length(ctx, "errors")
    facts.endpoints = _distinct(ctx.endpoint)
    meta = ctx.meta_columns
    facts.streams = _distinct(meta["__twxdata.stream"])
    retrieved = meta["__twxdata.retrieved_at"]
    if retrieved.null_count < len(retrieved):
        # As text inside Arrow (a zoned timestamp made a datetime loads pandas); in this fixed
        # format, text order is time order.
        bounds = pc.min_max(pc.strftime(retrieved, format=RFC3339))
        facts.first, facts.last = bounds["min"].as_py(), bounds["max"].as_py()
    _note_requests(ctx, facts)
    gaps = ctx.archive_field("gap")
    if gaps is not None and gaps.null_count < len(gaps):
        facts.gaps = [_as_text(g) for g in gaps.drop_null().to_pylist()
                      if isinstance(g, dict) and g.get("cause") is not None]  # fmt: skip
    if "meta" in ctx.table.column_names:
        _note_meta(to_array(ctx.table["meta"]), facts)
    return facts


def _as_text(gap: dict[str, Any]) -> dict[str, Any]:
    """A gap as the archive wrote it (Arrow may have read its times as timestamps)."""
    return {k: (f"{v.strftime('%Y-%m-%dT%H:%M:%S.')}{v.microsecond // 1000:03d}Z"
                if hasattr(v, "strftime") else v) for k, v in gap.items() if v is not None
            or k == "end"}  # fmt: skip


def _total_length(ctx: ChunkContext, column: str) -> int:
    if column not in ctx.table.column_names:
        return 0
    lengths = pc.list_value_length(to_array(ctx.table[column]))
    return int(pc.sum(lengths).as_py() or 0)


def _distinct(values: pa.Array) -> list[str]:
    return [str(v) for v in pc.unique(values.drop_null()).to_pylist()]


def _note_requests(ctx: ChunkContext, facts: PageFacts) -> None:
    """Queries and time windows, from each distinct request (the URL as sent, else the
    parameters the archive recorded)."""
    urls = ctx.url
    requests: list[dict[str, str]] = []
    if urls.null_count < len(urls):
        stripped = pc.replace_substring_regex(urls.drop_null(), _PAGING, r"\1")
        requests += [query_params(urlsplit(u).query) for u in pc.unique(stripped).to_pylist()]
    if urls.null_count:
        missing = urls.is_null().to_pylist()
        requests += [p for p, absent in zip(ctx.params, missing, strict=True) if absent]
    queries: dict[str, None] = {}
    window: dict[str, dict[str, None]] = {}
    for params in requests:
        if params.get("query"):
            queries[params["query"]] = None
        for name in WINDOW:
            if params.get(name):
                window.setdefault(name, {})[params[name]] = None
    facts.queries = list(queries)
    facts.window = {name: list(values) for name, values in window.items()}


def _note_meta(meta: pa.Array, facts: PageFacts) -> None:
    kind = meta.type
    if not pa.types.is_struct(kind):
        return
    for name, better in (("newest_id", "max"), ("oldest_id", "min")):
        if kind.get_field_index(name) < 0:
            continue
        ids = meta.field(name).drop_null()
        if pa.types.is_string(ids.type):
            ids = ids.filter(pc.match_substring_regex(ids, r"^[0-9]{1,19}$"))
        if len(ids):
            values = pc.cast(ids, pa.uint64())
            found = int((pc.max(values) if better == "max" else pc.min(values)).as_py())
            setattr(facts, name.split("_")[0], found)
    for name in ("result_count", "total_tweet_count"):
        if kind.get_field_index(name) >= 0:
            values = meta.field(name)
            if pa.types.is_integer(values.type):
                total = pc.sum(values).as_py()  # None when every page lacks it
                if total is not None or name == "result_count":
                    setattr(facts, name, int(total or 0))
