"""Parsing a chunk of lines into an Arrow table of pages, one row per line.

Three tiers, fastest first; a chunk only moves down when the tier above cannot take it:

1. The Arrow JSON reader (C++, multi-threaded) parses the whole chunk, inferring types, and
   the result is cast to the documented types (``conform``); fields the schema does not know
   keep their inferred type. This is the road for API responses. (Inferring and casting is
   about twice as fast as handing the reader the ~600-field schema.)
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
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.json as pj

from twxdata.errors import DataError
from twxdata.tables.canonical import PAGE_KEYS, canonical_page, sanitize
from twxdata.tables.lines import Chunk, ErrorPolicy, split_lines
from twxdata.tables.schema import COMPLIANCE_KEY, PAGE
from twxdata.tables.values import empty_table, valid_mask

_STRICT = pj.ParseOptions(explicit_schema=PAGE, unexpected_field_behavior="infer")
_PAGE_COLUMNS = (*PAGE_KEYS, COMPLIANCE_KEY)
_BLOCKS = 4  # blocks per chunk, parsed in parallel by the reader's threads
_SNIFF_LIMIT = 256 << 10
_FAILED = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError)


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
    size = max(len(data) // _BLOCKS + 1, 1 << 20)
    try:
        table = _read(data, size, parse)
    except pa.ArrowInvalid as exc:
        if "straddl" not in str(exc):
            raise
        table = _read(data, max(len(data), 1 << 16), parse)  # a line longer than a block
    return conform(table)


def _read(data: bytes | memoryview, block_size: int, parse: pj.ParseOptions) -> pa.Table:
    options = pj.ReadOptions(block_size=block_size, use_threads=True)
    return pj.read_json(pa.BufferReader(data), read_options=options, parse_options=parse)


class LossyInference(pa.ArrowInvalid):  # type: ignore[misc]  # pyarrow ships no types
    """The reader took a string for a timestamp: casting back would not give its text."""


def conform(table: pa.Table) -> pa.Table:
    """Cast every known field to its documented type; unknown fields keep theirs.

    Raises ``LossyInference`` where the reader read a date-like string as a timestamp (a
    text that happened to look like a date, or an unknown field): the slow path keeps those.
    """
    schema = _documented_schema(table.schema)
    return table if schema == table.schema else table.cast(schema)


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
    if path == "__twxdata.params":  # request parameters: read from the URL when they matter
        return
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
    fixes: dict[str | None, _Fixes] = field(default_factory=dict)


def parse_chunk(
    chunk: Chunk, policy: ErrorPolicy, state: ParseState | None = None
) -> PageRows | None:
    """The pages of ``chunk``; None when none of its lines could be read.

    ``state`` (kept across the chunks of a run) lets a source whose lines needed unifying
    skip the plain read next time, which would fail the same way.
    """
    state = state if state is not None else ParseState()
    if not _first_line_is_page(chunk):
        return _slow(list(split_lines(chunk)), chunk.source, policy)
    if chunk.source not in state.mixed:
        table = _pages_or_none(chunk.data)
        if table is not None:
            numbers = _line_numbers(chunk, table.num_rows)
            return PageRows(table.combine_chunks(), chunk.source, numbers)
        state.mixed.add(chunk.source)
    # Lines of different shapes in one chunk (a single object among lists, a count sent as
    # "4" here and 5 there, a corrupt line): unified, then halved until each part reads.
    fixes = state.fixes.setdefault(chunk.source, _Fixes())
    lines = [(n, _data_as_list(raw)) for n, raw in split_lines(chunk)]
    parts = _bisect(lines, chunk.source, policy, fixes)
    return _joined(parts, lines, chunk.source, policy)


def _pages_or_none(data: bytes | memoryview, fixes: _Fixes | None = None) -> pa.Table | None:
    for _ in range(_MAX_FIXES):
        try:
            table = read_pages(fixes.apply(data) if fixes is not None else data)
        except pa.ArrowInvalid as exc:
            if fixes is not None and fixes.learn(str(exc)):
                continue
            return None
        except _FAILED:
            return None
        return table if _all_pages(table) else None
    return None


Lines = list[tuple[int, bytes]]


def _bisect(lines: Lines, source: str | None, policy: ErrorPolicy, fixes: _Fixes) -> list[PageRows]:
    table = _pages_or_none(b"\n".join(raw for _, raw in lines), fixes)
    if table is not None:
        return [PageRows(table, source, np.array([n for n, _ in lines], dtype=np.int64))]
    if len(lines) > 1:
        middle = len(lines) // 2
        return [*_bisect(lines[:middle], source, policy, fixes),
                *_bisect(lines[middle:], source, policy, fixes)]  # fmt: skip
    rows = _slow(lines, source, policy)
    return [] if rows is None else [rows]


def _names_of(kind: Callable[[pa.DataType], bool]) -> frozenset[str]:
    """Field names whose type is ``kind`` wherever the page schema has them."""
    seen: dict[str, set[bool]] = {}

    def walk(type_: pa.DataType) -> None:
        for f in type_ if pa.types.is_struct(type_) else ():
            seen.setdefault(f.name, set()).add(bool(kind(f.type)))
            walk(f.type)
        if pa.types.is_list(type_):
            walk(type_.value_type)

    walk(pa.struct(list(PAGE)))
    return frozenset(name for name, kinds in seen.items() if kinds == {True})


_INT_NAMES = _names_of(pa.types.is_int64)
_STRING_NAMES = _names_of(pa.types.is_string)
_CONFLICT = re.compile(r"Column\((?:/[^)]*)?/([^/)\[\]]+)\) changed from (\w+) to (\w+)")
_MAX_FIXES = 8


class _Fixes:
    """Fields one source sends both as numbers and as strings, unified by rewriting bytes:
    integers quoted as strings are unquoted, ids sent as numbers are quoted."""

    def __init__(self) -> None:
        self._rules: list[tuple[re.Pattern[bytes], bytes]] = []
        self._names: set[str] = set()

    def learn(self, message: str) -> bool:
        """Add the rule for the conflict the reader reported; False if there is none."""
        match = _CONFLICT.search(message)
        if match is None or match.group(1) in self._names:
            return False
        name = match.group(1)
        key = re.escape(name.encode())
        if name in _INT_NAMES:
            pattern = rb'"' + key + rb'"(\s*:\s*)"(-?\d{1,18})"'
            replacement = rb'"' + key + rb'"\1\2'
        elif name in _STRING_NAMES:
            pattern = rb'"' + key + rb'"(\s*:\s*)(-?\d{1,19})(?=[\s,}\]])'
            replacement = rb'"' + key + rb'"\1"\2"'
        else:
            return False
        self._names.add(name)
        self._rules.append((re.compile(pattern), replacement))
        return True

    def apply(self, data: bytes | memoryview) -> bytes | memoryview:
        for pattern, replacement in self._rules:
            data = pattern.sub(replacement, bytes(data))
        return data


_SINGLE = re.compile(rb'\{\s*"data"\s*:\s*\{')


def _data_as_list(raw: bytes) -> bytes:
    """A single-object response or stream message with ``data`` made a list, so it reads
    with the pages around it. Checked on the line's start only: ``data`` comes first."""
    if not _SINGLE.match(raw[:32]):
        return raw
    try:
        page = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw  # reported when the line is read on its own
    if isinstance(page, dict) and isinstance(page.get("data"), dict):
        page["data"] = [page["data"]]
    return orjson.dumps(page)


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


def _line_numbers(chunk: Chunk, rows: int) -> np.ndarray:
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
