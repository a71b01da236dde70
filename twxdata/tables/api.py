"""Flattening API pages into typed tables: the public entry points.

>>> from twxdata.tables import flatten
>>> page = {"data": [{"id": "1", "text": "hi", "author_id": "9"}],
...         "includes": {"users": [{"id": "9", "username": "ann", "name": "Ann"}]}}
>>> t = flatten([page])
>>> t.tweets.select(["id", "author.username"]).to_pylist()
[{'id': '1', 'author.username': 'ann'}]
>>> t.users.num_rows
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa

from twxdata.errors import DataError
from twxdata.tables.lines import (
    ARCHIVE_KEY,
    CHUNK_BYTES,
    Chunk,
    ErrorPolicy,
    OnError,
    chunks_from_file,
    chunks_from_items,
    split_lines,
)
from twxdata.tables.parse import PageRows, ParseState, parse_chunk
from twxdata.tables.pipeline import ordered_map
from twxdata.tables.schema import SCHEMAS, TABLE_NAMES
from twxdata.tables.storage import StorageOptions
from twxdata.tables.values import empty_table

if TYPE_CHECKING:
    import pandas as pd

    from twxdata.tables.build import TableBuilder
    from twxdata.tables.facts import PageFacts

PathLike = str | Path


@dataclass
class Tables:
    """Every table of a flattening, as ``pyarrow.Table`` (see ``twxdata.tables.schema``).

    ``skipped`` lists the lines that could not be read (with ``on_error="skip"/"warn"``).
    """

    tweets: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["tweets"]))
    included_tweets: pa.Table = field(
        default_factory=partial(empty_table, SCHEMAS["included_tweets"])
    )
    users: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["users"]))
    media: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["media"]))
    places: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["places"]))
    polls: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["polls"]))
    lists: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["lists"]))
    spaces: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["spaces"]))
    counts: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["counts"]))
    compliance: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["compliance"]))
    errors: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["errors"]))
    pages: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["pages"]))
    other: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["other"]))
    edges_mentions: pa.Table = field(
        default_factory=partial(empty_table, SCHEMAS["edges_mentions"])
    )
    edges_hashtags: pa.Table = field(
        default_factory=partial(empty_table, SCHEMAS["edges_hashtags"])
    )
    edges_urls: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["edges_urls"]))
    edges_media: pa.Table = field(default_factory=partial(empty_table, SCHEMAS["edges_media"]))
    edges_references: pa.Table = field(
        default_factory=partial(empty_table, SCHEMAS["edges_references"])
    )
    edges_followers: pa.Table = field(
        default_factory=partial(empty_table, SCHEMAS["edges_followers"])
    )
    skipped: list[DataError] = field(default_factory=list)

    def __getitem__(self, name: str) -> pa.Table:
        if name not in SCHEMAS:
            raise KeyError(f"no such table: {name!r}")
        table: pa.Table = getattr(self, name)
        return table

    def items(self) -> Iterator[tuple[str, pa.Table]]:
        """``(name, table)`` for every table, in ``TABLE_NAMES`` order."""
        for name in TABLE_NAMES:
            yield name, self[name]

    def to_pandas(self, name: str = "tweets") -> pd.DataFrame:
        """One table as a DataFrame with Arrow-backed dtypes (``pd.ArrowDtype``)."""
        return to_pandas(self[name])


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """``table`` as a pandas DataFrame whose columns keep their Arrow types.

    IDs stay strings, counts ``int64[pyarrow]`` with nulls, times UTC timestamps, lists and
    structs Arrow lists and structs (works on pandas 2.2 and 3).

    >>> import pyarrow as pa
    >>> to_pandas(pa.table({"n": pa.array([1, None])})).dtypes["n"]
    int64[pyarrow]
    """
    import pandas as pd

    return table.to_pandas(types_mapper=pd.ArrowDtype)


def iter_batches(
    paths: Iterable[PathLike],
    *,
    tables: Iterable[str] = TABLE_NAMES,
    on_error: OnError = "raise",
    chunk_bytes: int = CHUNK_BYTES,
    policy: ErrorPolicy | None = None,
    on_facts: Callable[[PageFacts], None] | None = None,
) -> Iterator[dict[str, pa.Table]]:
    """Flatten files a chunk at a time: memory stays flat however large they are.

    ``paths`` are JSONL files (ours, twarc2's, flattened lines, stream output; ``.gz`` too),
    files holding one JSON document, or ``"-"`` for stdin. Each batch maps table names to new
    rows only: ids already seen in an earlier batch are left out. ``on_facts`` is called with
    what each chunk's pages tell provenance (``twxdata.tables.facts``), before its batch.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
    >>> _ = open(path, "w").write('{"data": {"id": "1", "text": "x"}}\\n')
    >>> [b["tweets"].num_rows for b in iter_batches([path], tables=["tweets"])]
    [1]
    """
    policy = policy or ErrorPolicy(on_error)
    chunks = (c for path in paths for c in chunks_from_file(path, policy, chunk_bytes))
    return _batches(chunks, tables, policy, on_facts)


def flatten_chunks(
    chunks: Iterable[Chunk],
    *,
    tables: Iterable[str] = TABLE_NAMES,
    policy: ErrorPolicy | None = None,
    on_facts: Callable[[PageFacts], None] | None = None,
    threads: int | None = None,
) -> Iterator[dict[str, pa.Table]]:
    """``iter_batches`` for chunks already read (``lines.chunks_from_stream``: a file from
    object storage, say). ``threads`` parse chunks ahead (default: up to two; one where
    processes already share the cores, as ``twxdata.scale``'s tasks do)."""
    return _batches(chunks, tables, policy or ErrorPolicy("raise"), on_facts, threads)


def _batches(
    chunks: Iterable[Chunk],
    tables: Iterable[str],
    policy: ErrorPolicy,
    on_facts: Callable[[PageFacts], None] | None = None,
    threads: int | None = None,
) -> Iterator[dict[str, pa.Table]]:
    names = frozenset(tables)
    unknown = names - set(TABLE_NAMES)
    if unknown:
        raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
    state = ParseState()
    builders: list[TableBuilder] = []

    def start_building() -> None:
        # Imported once the first chunks are parsing: the builders' imports (pyarrow.compute
        # among them, ~40 ms) run beside the parsing instead of before it.
        from twxdata.tables.build import TableBuilder

        builders.append(TableBuilder(names))

    def parse(chunk: Chunk) -> tuple[PageRows | None, list[DataError]]:
        # Chunks parse in worker threads: their bad lines are noted there and reported here,
        # in input order (raised, skipped or warned as ``policy`` says).
        noted = ErrorPolicy("skip")
        return parse_chunk(chunk, noted, state), noted.skipped

    for rows, errors in ordered_map(
        parse, iter(chunks), workers=threads, ahead=3, started=start_building
    ):
        for error in errors:
            policy.report(error)
        if rows is not None and rows.table.num_rows:
            yield builders[0].build(rows, on_facts)


def _collect(batches: Iterable[dict[str, pa.Table]], policy: ErrorPolicy) -> Tables:
    parts: dict[str, list[pa.Table]] = {}
    for batch in batches:
        for name, table in batch.items():
            parts.setdefault(name, []).append(table)
    result = Tables(skipped=policy.skipped)
    for f in fields(Tables):
        if f.name in parts:
            setattr(result, f.name, pa.concat_tables(parts[f.name]).combine_chunks())
    return result


def flatten(
    pages: Iterable[Any] | dict[str, Any] | bytes,
    *,
    tables: Iterable[str] = TABLE_NAMES,
    on_error: OnError = "raise",
    endpoint: str | None = None,
    url: str | None = None,
) -> Tables:
    """Flatten API pages held in memory into ``Tables``.

    ``pages`` is one page or an iterable of pages: dicts, JSON bytes or str, or the client's
    ``Page`` objects. ``endpoint``/``url`` say where pages without their own ``__twxdata`` or
    ``__twarc`` metadata came from (needed only for followers pages and provenance).

    >>> flatten({"data": [{"id": "7", "username": "ann"}]}, endpoint="get_users").users.num_rows
    1
    """
    if isinstance(pages, (dict, bytes, str)):
        pages = [pages]
    if endpoint is not None or url is not None:
        pages = (_with_origin(p, endpoint, url) for p in pages)
    policy = ErrorPolicy(on_error)
    return _collect(_batches(chunks_from_items(pages, policy), tables, policy), policy)


def _with_origin(page: Any, endpoint: str | None, url: str | None) -> Any:
    if isinstance(page, (bytes, str)):
        try:
            page = orjson.loads(page)
        except orjson.JSONDecodeError:
            return page  # reported as a bad page when it is read
    if not isinstance(page, dict) or ARCHIVE_KEY in page or "__twarc" in page:
        return page
    origin = {k: v for k, v in (("endpoint", endpoint), ("url", url)) if v is not None}
    return {**page, ARCHIVE_KEY: origin}


def read_jsonl(
    *paths: PathLike, tables: Iterable[str] = TABLE_NAMES, on_error: OnError = "raise"
) -> Tables:
    """Flatten archive files (ours or twarc2's JSONL, ``.gz``, JSON documents) into ``Tables``.

    ``on_error`` decides what a truncated or corrupt line does: ``"raise"`` a ``DataError``
    naming file and line, ``"skip"`` it (listed in ``Tables.skipped``), or ``"warn"`` and skip.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
    >>> _ = open(path, "w").write('{"data": [{"id": "1", "text": "a"}]}\\n{"data": [{"id"\\n')
    >>> t = read_jsonl(path, on_error="skip")
    >>> t.tweets.num_rows, [str(e).split(": ")[0][-9:] for e in t.skipped]
    (1, ['a.jsonl:2'])
    """
    policy = ErrorPolicy(on_error)
    return _collect(iter_batches(list(paths), tables=tables, policy=policy), policy)


def iter_pages(
    path: PathLike, *, on_error: OnError = "raise", storage_options: StorageOptions | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file (a URL: reached with fsspec's ``storage_options``),
    one per line, without flattening.

    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "a.jsonl")
    >>> _ = open(path, "w").write('{"data": []}\\n\\n{"meta": {}}\\n')
    >>> [sorted(p) for p in iter_pages(path)]
    [['data'], ['meta']]
    """
    policy = ErrorPolicy(on_error)
    for chunk in chunks_from_file(path, policy, storage_options=storage_options):
        for line, raw in split_lines(chunk):
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                policy.report(DataError(f"invalid JSON ({exc})", source=chunk.source, line=line))
                continue
            if isinstance(value, dict):
                yield value
            else:
                policy.report(DataError("not a JSON object", source=chunk.source, line=line))
