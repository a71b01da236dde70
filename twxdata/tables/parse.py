"""Parsing a chunk of lines into an Arrow table of pages, one row per line.

Three tiers, fastest first; a chunk only moves down when the tier above cannot take it:

1. The Arrow JSON reader (C++) parses the whole chunk as one block, inferring types, and the
   result is cast to the documented types (``conform``); fields the schema does not know
   keep their inferred type. This is the road for API responses. (Inferring and casting is
   about twice as fast as handing the reader the ~600-field schema.) Chunks are parsed in
   parallel by ``pipeline.ordered_map``, one thread each: one block per chunk leaves no
   pieces to stitch together afterwards. A chunk whose lines mix shapes (a lookup's single
   object among lists, a count sent as "4" by 2022 pages and as 4 by 2023 ones) is unified
   in its bytes first and still read at once.
2. Line by line with orjson: a bad line is reported with its number and skipped or raised;
   single objects, flattened twarc lines and compliance records become canonical pages; the
   reader then parses the canonical lines.
3. If the reader or the cast still fails (a known field with an unexpected JSON type), every
   page is sanitised first (see ``canonical.sanitize``) and read against ``PAGE``.

>>> rows = parse_chunk(Chunk(b'{"data": [{"id": "1", "text": "hi"}]}\\n', None, 1),
...                    ErrorPolicy("raise"))
>>> rows.table["data"].to_pylist()[0][0]["text"], rows.lines.tolist()
('hi', [1])
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pj

from twxdata.errors import DataError
from twxdata.tables.canonical import PAGE_KEYS, canonical_page, sanitize
from twxdata.tables.lines import Chunk, ErrorPolicy, split_lines
from twxdata.tables.schema import COMPLIANCE_KEY, PAGE
from twxdata.tables.unify import MAX_FIXES, Fixes, data_as_list, unified, with_data_lists
from twxdata.tables.values import empty_table, valid_mask

_STRICT = pj.ParseOptions(explicit_schema=PAGE, unexpected_field_behavior="infer")
_PAGE_COLUMNS = (*PAGE_KEYS, COMPLIANCE_KEY)
_SNIFF_LIMIT = 256 << 10
_FAILED = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)
_BLANK = re.compile(rb"[ \t\r\n]*")  # what JSON counts as whitespace


@dataclass(frozen=True, slots=True)
class PageRows:
    """Parsed pages: ``table`` follows ``PAGE`` (plus inferred fields), ``lines`` gives each
    row's line number in ``source``."""

    table: pa.Table
    source: str | None
    lines: np.ndarray


def read_pages(data: bytes | memoryview, *, strict: bool = False) -> pa.Table:
    """Parse JSON lines into a table of ``PAGE`` types (raises on any problem).

    ``strict`` hands the reader the schema instead of casting after inference.
    """
    parse = _STRICT if strict else pj.ParseOptions()
    # One block, one thread: the caller runs chunks in parallel (pipeline.ordered_map), and a
    # single block gives a table of one chunk, which the builders use without a copy.
    return conform(_read(data, max(len(data) + 1, 1 << 16), parse))


def _read(data: bytes | memoryview, block_size: int, parse: pj.ParseOptions) -> pa.Table:
    # Arrow's reader (pyarrow 26.0.1) kills the process (SIGSEGV) when the first value of a
    # block is a top-level null, as in b"null\n{...}", which halving a chunk (``_bisect``) can
    # hand it. Any first value but an object is an error anyway: refused here, before the
    # reader sees it. The one block (``read_pages``) has no other first value to check.
    blank = _BLANK.match(data)
    start = blank.end() if blank is not None else 0
    if start < len(data) and data[start] != ord("{"):
        raise pa.ArrowInvalid("JSON parse error: the first line is not an object")
    options = pj.ReadOptions(block_size=block_size, use_threads=False)
    return pj.read_json(pa.BufferReader(data), read_options=options, parse_options=parse)


class LossyInference(pa.ArrowInvalid):  # type: ignore[misc]  # pyarrow ships no types
    """The reader took a string for a timestamp: casting back would not give its text."""


def conform(table: pa.Table) -> pa.Table:
    """Cast every known field to its documented type; unknown fields keep theirs.

    Raises ``LossyInference`` where the reader read a date-like string as a timestamp (a
    text that happened to look like a date, or an unknown field): the slow path keeps those.
    """
    schema = _documented_schema(table.schema)
    if schema == table.schema:
        # Nothing cast, so nothing checked the arrays (rebuilding them, below, does): the
        # reader can make a list whose offsets run past its values, from nulls leading a list
        # (b'{"title": "x", "__extra": [null, {...}]}', apache/arrow#51305). Read out of
        # bounds later, it may crash; refused here (a cheap check: no data is scanned).
        table.validate()
        return table
    columns = [
        pa.chunked_array([cast_leaves(c, f.type) for c in column.chunks], f.type)
        for column, f in zip(table.columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def cast_leaves(array: pa.Array, target: pa.DataType) -> pa.Array:
    """``array.cast(target)`` that copies only the leaves whose type changes (the builders
    use it too, to take each kind of object out of the pages).

    Arrow's cast of a struct or list rebuilds every level below it even where the types agree
    (about 3 ms per MB of pages); here lists and structs keep their buffers and only the few
    changed leaves (times read as text) are cast. Arrays with an offset take Arrow's cast.
    """
    if array.type == target:
        return array
    kind = array.type
    if array.offset == 0 and pa.types.is_struct(kind) and pa.types.is_struct(target):
        n = len(array)
        children = []
        for f in target:
            i = kind.get_field_index(f.name)
            child = pa.nulls(n, f.type) if i < 0 else cast_leaves(array.field(i), f.type)
            children.append(child)
        return pa.Array.from_buffers(
            target, n, array.buffers()[:1], array.null_count, children=children
        )
    if array.offset == 0 and pa.types.is_list(kind) and pa.types.is_list(target):
        values = cast_leaves(array.values, target.value_type)
        return pa.Array.from_buffers(
            target, len(array), array.buffers()[:2], array.null_count, children=[values]
        )
    return array.cast(target)


@functools.lru_cache(maxsize=256)
def _documented_schema(inferred: pa.Schema) -> pa.Schema:
    # Cached: pages read in many small parts share a handful of inferred schemas.
    fields = []
    for column in inferred:
        index = PAGE.get_field_index(column.name)
        if index < 0:
            _no_timestamps(column.type, column.name)
            fields.append(column)
        else:
            target = PAGE.field(index).type
            fields.append(column.with_type(_documented(column.type, target, column.name)))
    return pa.schema(fields)


def _documented(inferred: pa.DataType, target: pa.DataType, path: str) -> pa.DataType:
    if pa.types.is_struct(target) and pa.types.is_struct(inferred):
        fields = []
        for f in target:
            i = inferred.get_field_index(f.name)
            sub = f"{path}.{f.name}"
            fields.append(f if i < 0 else f.with_type(_documented(inferred[i].type, f.type, sub)))
        for f in inferred:
            if target.get_field_index(f.name) < 0:
                _no_timestamps(f.type, f"{path}.{f.name}")
                fields.append(f)
        return pa.struct(fields)
    if pa.types.is_list(target) and pa.types.is_list(inferred):
        return pa.list_(_documented(inferred.value_type, target.value_type, path))
    if pa.types.is_timestamp(inferred) and not pa.types.is_timestamp(target):
        raise LossyInference(f"{path}: date-like text read as a timestamp")
    return target


def _no_timestamps(type_: pa.DataType, path: str) -> None:
    if path in ("__twxdata.params", "__twxdata.gap"):
        return  # request parameters (read from the URL when they matter); a stream's gap
    if pa.types.is_timestamp(type_) or pa.types.is_date(type_):
        raise LossyInference(f"{path}: date-like text read as a timestamp")
    if pa.types.is_struct(type_):
        for f in type_:
            _no_timestamps(f.type, f"{path}.{f.name}")
    elif pa.types.is_list(type_):
        _no_timestamps(type_.value_type, path)


@dataclass
class ParseState:
    """What the chunks of each source taught: that its lines mix shapes, and which fields
    it sends both as numbers and as strings (to be unified before reading)."""

    mixed: set[str | None] = field(default_factory=set)
    fixes: dict[str | None, Fixes] = field(default_factory=dict)


def parse_chunk(
    chunk: Chunk, policy: ErrorPolicy, state: ParseState | None = None
) -> PageRows | None:
    """The pages of ``chunk``; None when none of its lines could be read.

    ``state`` (kept across the chunks of a run) lets a source whose lines needed unifying
    skip the plain read next time, which would fail the same way. It may be shared by
    threads parsing chunks in parallel: it only ever decides which road is tried first.
    """
    state = state if state is not None else ParseState()
    if not _first_line_is_page(chunk):
        return _slow(list(split_lines(chunk)), chunk.source, policy)
    if chunk.source not in state.mixed:
        table = _pages_or_none(chunk.data)
        if table is not None:
            return PageRows(table.combine_chunks(), chunk.source, _line_numbers(chunk, table))
        state.mixed.add(chunk.source)
    # Lines of different shapes in one chunk (a single object among lists, a count sent as
    # "4" here and 5 there, a corrupt line): unified in the chunk's bytes and read at once;
    # only when that fails are the lines taken one by one, halved until each part reads.
    fixes = state.fixes.setdefault(chunk.source, Fixes())
    table = _pages_or_none(chunk.data, fixes, lists=True)
    if table is not None:
        return PageRows(table.combine_chunks(), chunk.source, _line_numbers(chunk, table))
    lines = [(n, data_as_list(raw)) for n, raw in split_lines(chunk)]
    parts = _bisect(lines, chunk.source, policy, fixes)
    return _joined(parts, lines, chunk.source, policy)


def _pages_or_none(
    data: bytes | memoryview, fixes: Fixes | None = None, *, lists: bool = False
) -> pa.Table | None:
    """The pages of ``data`` read at once, or None; with ``fixes``, rewritten by its rules
    (learning new ones from the reader's complaints), with ``lists`` single objects made
    lists first."""
    first = True
    for _ in range(MAX_FIXES):
        applied = 0
        try:
            if fixes is not None and lists and first:
                data, applied = unified(data, fixes)  # one pass, one copy at most
            elif lists and first:
                data = with_data_lists(bytes(data))
            elif fixes is not None:
                # Rules only unify what they match: applied again, the earlier ones leave the
                # bytes as they are (no copy), so only the latest version is kept.
                data, applied = fixes.apply(bytes(data))  # bytes(b) is b itself: no copy
            first = False
            table = read_pages(data)
        except pa.ArrowInvalid as exc:
            if fixes is not None and fixes.learn(str(exc), applied):
                continue
            return None
        except _FAILED:
            return None
        return table if _all_pages(table) else None
    return None


Lines = list[tuple[int, bytes]]


def _bisect(lines: Lines, source: str | None, policy: ErrorPolicy, fixes: Fixes) -> list[PageRows]:
    table = _pages_or_none(b"\n".join(raw for _, raw in lines), fixes)
    if table is not None:
        return [PageRows(table, source, np.array([n for n, _ in lines], dtype=np.int64))]
    if len(lines) > 1:
        middle = len(lines) // 2
        return [*_bisect(lines[:middle], source, policy, fixes),
                *_bisect(lines[middle:], source, policy, fixes)]  # fmt: skip
    rows = _slow(lines, source, policy)
    return [] if rows is None else [rows]


def _joined(
    parts: list[PageRows], lines: Lines, source: str | None, policy: ErrorPolicy
) -> PageRows | None:
    if not parts:
        return None
    try:
        table = pa.concat_tables([p.table for p in parts], promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Unknown fields typed differently by the parts: sanitised, they cannot disagree.
        good = {int(n) for p in parts for n in p.lines}
        return _slow([x for x in lines if x[0] in good], source, policy, sanitize=True)
    numbers = np.concatenate([p.lines for p in parts])
    return PageRows(table.combine_chunks(), source, numbers)


def _first_line_is_page(chunk: Chunk) -> bool:
    """Whether the first line is an API response (else the chunk goes the slow way)."""
    head = bytes(chunk.data[:_SNIFF_LIMIT])
    start = 0
    while True:
        end = head.find(b"\n", start)
        line = head[start:] if end < 0 else head[start:end]
        if line.strip() or end < 0:
            break
        start = end + 1
    if end < 0 and len(head) == _SNIFF_LIMIT:
        return True  # longer than the window: flattened posts and compliance records are not
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(value, dict) and bool(PAGE_KEYS & value.keys()) and "id" not in value


def _all_pages(table: pa.Table) -> bool:
    """Every row is an API response (not a flattened post or a compliance record)."""
    if "id" in table.column_names and table["id"].null_count < table.num_rows:
        return False
    present = [table[name] for name in _PAGE_COLUMNS if name in table.column_names]
    if not present:
        return bool(table.num_rows == 0)
    any_present = np.zeros(table.num_rows, dtype=bool)
    for column in present:
        if column.num_chunks:
            any_present |= np.concatenate([valid_mask(c) for c in column.chunks])
    return bool(np.all(any_present))


def _line_numbers(chunk: Chunk, table: pa.Table) -> np.ndarray:
    rows = table.num_rows
    data = chunk.data
    total = chunk.newlines + (0 if data[-1:] == b"\n" else 1)
    if total == rows:  # no blank lines: rows are consecutive lines
        return np.arange(chunk.first_line, chunk.first_line + rows, dtype=np.int64)
    return np.array([line for line, _ in split_lines(chunk)], dtype=np.int64)


def _slow(
    lines: Lines, source: str | None, policy: ErrorPolicy, *, sanitize: bool = False
) -> PageRows | None:
    """Lines one by one: bad ones reported, the rest made canonical pages and read
    (sanitised if the reader still refuses them, or straight away with ``sanitize``)."""
    pages: list[dict[str, object]] = []
    numbers: list[int] = []
    for line, raw in lines:
        try:
            pages.append(canonical_page(orjson.loads(raw)))
        except orjson.JSONDecodeError as exc:
            policy.report(DataError(f"invalid JSON ({exc})", source=source, line=line))
            continue
        except DataError as exc:
            policy.report(DataError(exc.reason, source=source, line=line))
            continue
        numbers.append(line)
    if not pages:
        return None
    if not sanitize:
        try:
            data = b"".join(orjson.dumps(p, option=orjson.OPT_APPEND_NEWLINE) for p in pages)
            table = read_pages(data)
            return PageRows(table.combine_chunks(), source, np.array(numbers, dtype=np.int64))
        except _FAILED:
            pass
    sanitized = _sanitized(pages, numbers, source, policy)
    kept = [line for line, keep in zip(numbers, sanitized.keep, strict=True) if keep]
    if not kept:
        return None
    return PageRows(sanitized.table.combine_chunks(), source, np.array(kept, dtype=np.int64))


@dataclass(frozen=True, slots=True)
class _Sanitized:
    table: pa.Table
    keep: list[bool]


def _sanitized(
    pages: list[dict[str, object]], lines: list[int], source: str | None, policy: ErrorPolicy
) -> _Sanitized:
    clean = [orjson.dumps(sanitize(p), option=orjson.OPT_APPEND_NEWLINE) for p in pages]
    try:
        return _Sanitized(read_pages(b"".join(clean), strict=True), [True] * len(clean))
    except _FAILED:
        pass
    # Sanitised pages always parse; should one not, it is reported alone, never the batch.
    tables, keep = [], []
    for line, data in zip(lines, clean, strict=True):
        try:
            tables.append(read_pages(data, strict=True))
            keep.append(True)
        except _FAILED as exc:
            policy.report(DataError(f"unreadable page ({exc})", source=source, line=line))
            keep.append(False)
    if not tables:
        return _Sanitized(empty_table(PAGE), keep)
    return _Sanitized(pa.concat_tables(tables, promote_options="permissive"), keep)
