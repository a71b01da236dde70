"""Building every table of one parsed chunk, with duplicates across the whole run removed.

``TableBuilder`` is fed one ``PageRows`` at a time and returns a ``pyarrow.Table`` per asked
table, each exactly of its schema in :mod:`twxdata.tables.schema`. Only the tables asked for
are built: writing just ``tweets`` skips the rest.

>>> from twxdata.tables.lines import Chunk, ErrorPolicy
>>> from twxdata.tables.parse import parse_chunk
>>> line = b'{"data": [{"id": "5", "username": "bob"}], "__twarc": {"url": "https://api.twitter.com/2/users/1/followers"}}\\n'
>>> out = TableBuilder({"users", "edges_followers"}).build(
...     parse_chunk(Chunk(line, None, 1), ErrorPolicy("raise")))
>>> out["users"]["username"].to_pylist(), out["edges_followers"].select([0, 1]).to_pylist()
(['bob'], [{'user_id': '1', 'follower_id': '5'}])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.tables.arrow import (
    Columns,
    explode,
    first_valid,
    struct_columns,
    table_of,
    take,
    to_array,
)
from twxdata.tables.build_tweets import edge_tables, extra_entries, tweet_table
from twxdata.tables.context import ChunkContext, Includes
from twxdata.tables.dedup import Seen
from twxdata.tables.extras import extra_column, find_unknown
from twxdata.tables.facts import PageFacts, page_facts
from twxdata.tables.objects import (
    COMPLIANCE,
    COUNT,
    ERROR,
    EXTRA_KEY,
    LIST,
    MEDIA,
    PLACE,
    POLL,
    SPACE,
    USER,
)
from twxdata.tables.parse import PageRows, cast_leaves
from twxdata.tables.schema import (
    COMPLIANCE_KEY,
    EDGES_FOLLOWERS,
    ERRORS,
    EXTRA_MAP,
    OTHER,
    PAGE,
    PAGES,
    SCHEMAS,
    TABLE_NAMES,
)
from twxdata.tables.values import (
    bools,
    empty_table,
    ints,
    offsets32,
    string,
    string_maps,
    strings,
    to_ints,
    valid_mask,
)

EDGE_NAMES = frozenset(n for n in TABLE_NAMES if n.startswith("edges_") and n != "edges_followers")
TABLED_KINDS = frozenset({"tweets", "users", "counts", "lists", "spaces"})
_PAGE_STRUCT = pa.struct(list(PAGE))
# Children of a page that other tables take care of (their unknown fields go there).
_PAGE_HANDLED = frozenset(
    {"data", "errors", COMPLIANCE_KEY, "__twxdata.params"}
    | {f"includes.{k}" for k in ("users", "tweets", "media", "places", "polls", "topics")}
)


def entity_table(
    ctx: ChunkContext,
    raw: pa.Array,
    pages: np.ndarray,
    target: pa.StructType,
    schema: pa.Schema,
    *,
    more: Columns | None = None,
    skip: Callable[[str], bool] | None = None,
) -> pa.Table:
    """``schema``'s rows for the objects ``raw`` of type ``target`` (one row per object)."""
    n = len(raw)
    if n == 0:
        return empty_table(schema)
    cols = struct_columns(cast_leaves(raw, target))
    cols.update(ctx.meta_for(pages))
    cols.update(more or {})
    cols[EXTRA_KEY] = extra_column(n, find_unknown(raw, target, skip=skip), extra_entries(raw))
    return table_of(cols, schema, n)


def _ids(raw: pa.Array, key: str) -> pa.Array:
    if len(raw) == 0 or raw.type.get_field_index(key) < 0:
        return pa.nulls(len(raw), pa.string())
    return raw.field(key)


def _keep(raw: pa.Array, pages: np.ndarray, keep: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    if keep.all():
        return raw, pages
    return raw.filter(bools(keep)), pages[keep]


class TableBuilder:
    """Builds the tables ``names`` chunk by chunk, remembering ids across chunks."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        unknown = self.names - set(TABLE_NAMES)
        if unknown:
            raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
        self.seen: dict[str, Seen] = {}

    def _seen(self, name: str) -> Seen:
        return self.seen.setdefault(name, Seen())

    def build(
        self, rows: PageRows, on_facts: Callable[[PageFacts], None] | None = None
    ) -> dict[str, pa.Table]:
        """The tables of one chunk; ``on_facts`` is given what its pages tell provenance."""
        ctx = ChunkContext(rows)
        if on_facts is not None:
            on_facts(page_facts(ctx))
        out: dict[str, pa.Table] = {}
        names = self.names
        if names & (EDGE_NAMES | {"tweets"}):
            raw, pages = ctx.items_of("tweets")
            raw, pages = _keep(raw, pages, self._seen("tweets").keep(_ids(raw, "id")))
            tweets = tweet_table(ctx, raw, pages, rules=True)
            if "tweets" in names:
                out["tweets"] = tweets
            out.update(edge_tables(ctx, tweets, pages, names & EDGE_NAMES))
        if "included_tweets" in names:
            inc = ctx.tweets
            raw, pages = _keep(inc.raw, inc.pages, self._seen("included").keep(_ids(inc.raw, "id")))
            out["included_tweets"] = tweet_table(ctx, raw, pages, rules=False)
        if "users" in names:
            out["users"] = self._users(ctx)
        if "edges_followers" in names:
            out["edges_followers"] = self._followers(ctx)
        for name, target in (("lists", LIST), ("spaces", SPACE)):
            if name in names:
                raw, pages = ctx.items_of(name)
                raw, pages = _keep(raw, pages, self._seen(name).keep(_ids(raw, "id")))
                out[name] = entity_table(ctx, raw, pages, target, SCHEMAS[name])
        for name, target, key in (
            ("media", MEDIA, "media_key"),
            ("places", PLACE, "id"),
            ("polls", POLL, "id"),
        ):
            if name in names:
                inc = getattr(ctx, name)
                raw, pages = _keep(inc.raw, inc.pages, self._seen(name).keep(_ids(inc.raw, key)))
                out[name] = entity_table(ctx, raw, pages, target, SCHEMAS[name])
        if "counts" in names:
            out["counts"] = self._counts(ctx)
        if "compliance" in names:
            raw, pages = _page_list(ctx, COMPLIANCE_KEY)
            out["compliance"] = entity_table(ctx, raw, pages, COMPLIANCE, SCHEMAS["compliance"])
        if "errors" in names:
            out["errors"] = _errors(ctx)
        if "pages" in names:
            out["pages"] = _pages(ctx)
        if "other" in names:
            out["other"] = _other(ctx)
        return out

    def _users(self, ctx: ChunkContext) -> pa.Table:
        data_raw, data_pages = ctx.items_of("users")
        inc: Includes = ctx.users
        ids = pa.concat_arrays([_ids(data_raw, "id"), _ids(inc.raw, "id")])
        keep = self._seen("users").keep(ids)
        parts = [
            entity_table(ctx, *_keep(data_raw, data_pages, keep[: len(data_raw)]), USER,
                         SCHEMAS["users"]),
            entity_table(ctx, *_keep(inc.raw, inc.pages, keep[len(data_raw):]), USER,
                         SCHEMAS["users"]),
        ]  # fmt: skip
        return pa.concat_tables(parts)

    def _followers(self, ctx: ChunkContext) -> pa.Table:
        raw, pages = ctx.items_of("users")
        relation = ctx.follow_relation
        if not len(raw) or not any(relation):
            return empty_table(EDGES_FOLLOWERS)
        path_id = strings([r[1] if r is not None else None for r in relation])
        kind = np.array([r[0] if r is not None else "" for r in relation], dtype=object)[pages]
        is_followers, is_following = kind == "followers", kind == "following"
        index = ints(pages)
        other, item = take(path_id, index), raw.field("id")
        user = pc.if_else(bools(is_followers), other, item)
        follower = pc.if_else(bools(is_followers), item, other)
        related = bools(is_followers | is_following)
        cols: Columns = {
            "user_id": user.filter(related),
            "follower_id": follower.filter(related),
            "__twxdata.retrieved_at": take(
                ctx.meta_columns["__twxdata.retrieved_at"], index
            ).filter(related),
        }
        pair = pc.binary_join_element_wise(cols["user_id"], cols["follower_id"], string("\x1f"))
        keep = bools(self._seen("edges_followers").keep(pair))
        cols = {name: array.filter(keep) for name, array in cols.items()}
        return table_of(cols, EDGES_FOLLOWERS, len(cols["user_id"]))

    def _counts(self, ctx: ChunkContext) -> pa.Table:
        raw, pages = ctx.items_of("counts")
        params = ctx.params
        index = ints(pages)
        more = {
            name: take(strings([p.get(name) for p in params]), index)
            for name in ("query", "granularity")
        }
        return entity_table(ctx, raw, pages, COUNT, SCHEMAS["counts"], more=more)


def _page_list(ctx: ChunkContext, column: str) -> tuple[pa.Array, np.ndarray]:
    if column not in ctx.table.column_names:
        return pa.nulls(0), np.zeros(0, dtype=np.int64)
    return explode(to_array(ctx.table[column]))


def _page_column(ctx: ChunkContext, name: str, type_: pa.DataType) -> pa.Array:
    if name not in ctx.table.column_names:
        return pa.nulls(ctx.n, type_)
    return to_array(ctx.table[name]).cast(type_)


def _errors(ctx: ChunkContext) -> pa.Table:
    raw, pages = _page_list(ctx, "errors")
    problem = {name: _page_column(ctx, name, ERRORS.field(name).type)
               for name in ("title", "detail", "type", "status")}  # fmt: skip
    parts = []
    if len(raw):
        index = ints(pages)
        more: Columns = {"parameters": _parameters(raw)}
        typed = struct_columns(cast_leaves(raw, ERROR))
        for name, page_values in problem.items():
            more[name] = first_valid(typed[name], take(page_values, index))
        handled = {"parameters"}.__contains__  # a column of its own, not an unknown field
        parts.append(entity_table(ctx, raw, pages, ERROR, ERRORS, more=more, skip=handled))
    error_counts = _list_lengths(ctx, "errors")
    has_problem = np.zeros(ctx.n, dtype=bool)
    for values in (problem["title"], problem["detail"], problem["type"]):
        has_problem |= valid_mask(values)
    alone = np.flatnonzero(has_problem & (error_counts == 0))
    if len(alone):
        index = ints(alone)
        cols = {name: take(values, index) for name, values in problem.items()}
        cols.update(ctx.meta_for(alone))
        parts.append(table_of(cols, ERRORS, len(alone)))
    return pa.concat_tables(parts) if parts else empty_table(ERRORS)


def _parameters(raw: pa.Array) -> pa.Array:
    """The sanitiser's ``[{key, value}]`` entries as a ``map<string, list<string>>``."""
    type_ = ERRORS.field("parameters").type
    if raw.type.get_field_index("parameters") < 0:
        return pa.nulls(len(raw), type_)
    entries = raw.field("parameters")
    if entries.null_count == len(entries):
        return pa.nulls(len(raw), type_)
    pairs, _ = explode(entries)
    lengths = to_ints(pc.list_value_length(entries))
    offsets = np.zeros(len(entries) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    mask = bools(~valid_mask(entries)) if entries.null_count else None
    return pa.MapArray.from_arrays(
        offsets32(offsets), pairs.field("key"), pairs.field("value"), mask=mask
    )


def _list_lengths(ctx: ChunkContext, column: str) -> np.ndarray:
    if column not in ctx.table.column_names:
        return np.zeros(ctx.n, dtype=np.int64)
    return to_ints(pc.list_value_length(to_array(ctx.table[column])))


def _pages(ctx: ChunkContext) -> pa.Table:
    n, table = ctx.n, ctx.table
    kinds: list[str | None] = list(ctx.page_kind)
    first_items = np.unique(ctx.item_page, return_index=True)
    for page, item in zip(*first_items, strict=True):
        kinds[page] = kinds[page] or ctx.item_kind[item]
    cols: Columns = {
        "__source.file": strings([ctx.rows.source] * n),
        "__source.line": ints(ctx.rows.lines),
        "kind": strings(kinds),
        "data_count": ints(_list_lengths(ctx, "data")),
        "errors_count": ints(_list_lengths(ctx, "errors")),
        "__twxdata.params": string_maps([sorted(p.items()) for p in ctx.params]),
        **ctx.meta_columns,
    }
    if "meta" in table.column_names:
        cols.update({"meta." + k: v for k, v in struct_columns(to_array(table["meta"])).items()})
    if "matching_rules" in table.column_names:
        cols["matching_rules"] = to_array(table["matching_rules"])
    twx = struct_columns(to_array(table["__twxdata"])) if "__twxdata" in table.column_names else {}
    if "status" in twx:
        cols["__twxdata.status"] = twx["status"]
    whole = pa.StructArray.from_arrays([to_array(c) for c in table.columns], table.column_names)
    unknown = find_unknown(whole, _PAGE_STRUCT, skip=_PAGE_HANDLED.__contains__)
    entries = to_array(table[EXTRA_KEY]) if EXTRA_KEY in table.column_names else None
    cols[EXTRA_KEY] = extra_column(n, unknown, entries)
    return table_of(cols, PAGES, n)


def _other(ctx: ChunkContext) -> pa.Table:
    parts = []
    kinds = ctx.item_kind
    for kind in sorted(set(kinds.tolist()) - TABLED_KINDS):
        raw, pages = ctx.items_of(kind)
        parts.append(_other_rows(ctx, kind, raw, pages))
    raw, pages = ctx.topics
    if len(raw):
        parts.append(_other_rows(ctx, "topics", raw, pages))
    return pa.concat_tables(parts) if parts else empty_table(OTHER)


def _other_rows(ctx: ChunkContext, kind: str, raw: pa.Array, pages: np.ndarray) -> pa.Table:
    objects = [_restore(obj) for obj in raw.to_pylist()]
    cols: Columns = {
        "kind": strings([kind] * len(raw)),
        "id": strings([o.get("id") if isinstance(o.get("id"), str) else None for o in objects]),
        "json": strings([orjson.dumps(o).decode() for o in objects]),
    }  # fmt: skip
    cols.update(ctx.meta_for(pages))
    return table_of(cols, OTHER, len(raw))


def _restore(value: Any) -> Any:
    """An object as the API sent it: unset fields dropped, sanitised values put back."""
    if isinstance(value, list):
        return [_restore(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {k: _restore(v) for k, v in value.items() if v is not None and k != EXTRA_KEY}
    for entry in value.get(EXTRA_KEY) or ():
        node = out
        *parents, leaf = entry["key"].split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = orjson.loads(entry["value"])
    return out


__all__ = ["EXTRA_MAP", "TableBuilder", "entity_table"]
