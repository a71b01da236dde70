"""A ``Collection``: every response of one collection and every table built from them.

The responses are kept as the archive keeps them (the API's JSON plus ``__twxdata``), so a
collection in memory, one saved with ``save_raw`` and one rebuilt from an archive are the same
thing. They are held as JSON lines, not parsed objects: a page of 100 posts with expansions is
about 3.6 times larger as Python dicts than as its bytes, and bytes are invisible to the garbage
collector. Tables are built on first use and rebuilt when pages were added since.
"""

from __future__ import annotations

import html
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import orjson

from twxdata.atomic import atomic_write_bytes
from twxdata.collect.kinds import KINDS, Kind
from twxdata.collect.main_table import MainTable
from twxdata.collect.meter import Meter
from twxdata.pricing import Charge
from twxdata.store.checkpoint import Checkpoint
from twxdata.store.dataset import Ledger, append_table
from twxdata.store.provenance import ProvenanceBuilder, with_provenance

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from twxdata.tables import Tables

ARCHIVE_KEY = "__twxdata"
MAIN_TABLES = ("tweets", "users", "media", "places", "polls", "errors")


@dataclass(frozen=True, slots=True)
class _PageInfo:
    """What the summaries need of a response, noted when it is added."""

    stream: str
    items: int
    errors: tuple[str, ...]  # the titles of its partial errors


class Responses(Sequence[dict[str, Any]]):
    """A collection's responses, parsed from their JSON lines on access (each access parses
    again: keep the dicts you need, or iterate once)."""

    def __init__(self, lines: list[bytes]) -> None:
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [orjson.loads(line) for line in self._lines[index]]
        value: dict[str, Any] = orjson.loads(self._lines[index])
        return value

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for line in self._lines:
            yield orjson.loads(line)


class Collection:
    """Responses of one collection, their tables, and what happened while collecting.

    >>> c = Collection(KINDS["search"], streams=["cats"], spec={"kind": "search"})
    >>> c.add({"data": [{"id": "1", "text": "hi"}], "__twxdata": {"stream": "cats"}})
    >>> len(c.tweets), c.tweets["query"].tolist(), c.responses[0]["data"][0]["text"]
    (1, ['cats'], 'hi')
    """

    def __init__(
        self,
        kind: Kind,
        *,
        streams: Sequence[str],
        spec: dict[str, Any],
        target_names: Mapping[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.streams = list(streams)
        self.spec = spec
        # stream key (a user id) -> the username the caller gave for it, without "@"
        self.target_names = dict(target_names or {})
        self._lines: list[bytes] = []
        self._info: list[_PageInfo] = []
        self._items = 0  # kept as pages come: a stream asks after every message
        self._provenance = ProvenanceBuilder(spec)
        # Which collection this is, for datasets' ledgers: an archive-backed collection keeps
        # its checkpoint's (a resume is the same collection), any other run is a new one even
        # with the same parameters (tomorrow's run of the same search appends tomorrow's posts).
        self.identity = f"{Checkpoint(spec=spec).fingerprint}@{uuid.uuid4().hex}"
        self.stream_errors: dict[str, str] = {}  # stream -> why it stopped early
        # What the pages cost as X charges them, and the spend cap (set by collect()).
        self.meter: Meter | None = None
        self.capped = False  # a stream stopped at the spend cap (the same call resumes)
        self.interrupted = False
        self.resumed_pages = 0
        self.started_at = time.time()
        self.finished_at: float | None = None
        self._tables: Tables | None = None
        self._frames: dict[str, pd.DataFrame] = {}
        self._frames_at = 0
        self._built_at = -1
        self._main = MainTable(kind.result, per_stream=bool(kind.column))

    # ---- filling -----------------------------------------------------------------------------

    def add(
        self,
        response: dict[str, Any],
        line: bytes | None = None,
        *,
        earlier: bool = False,
        charged_as: dict[str, Any] | None = None,
    ) -> Charge | None:
        """Add one response in archive form (the API JSON plus its ``__twxdata`` key);
        ``line`` is the same response as an archive line, when at hand (no re-serialising).

        Returns what the page cost (with a ``meter``): ``charged_as`` is the answer as X sent
        it when ``response`` was cut to a limit; ``earlier`` pages were paid by an earlier run.
        """
        paid = None
        if self.meter is not None:
            paid = self.meter.page(charged_as or response, earlier=earlier)
        line = orjson.dumps(response) if line is None else line.rstrip(b"\n")
        errors = tuple(_error_title(e) for e in response.get("errors") or ())
        info = _PageInfo(_stream(response), page_items(response), errors)
        self._lines.append(line)
        self._info.append(info)
        self._items += info.items
        self._provenance.add(response)
        self._main.add(line, info.stream)
        return paid

    @property
    def cost(self) -> dict[str, Any]:
        """What this collection cost as X charges it (``usd_low``: resources in ``data``;
        ``usd_high``: ``includes`` too), what the same-day deduplication made free, and what
        earlier runs of it cost. Empty without a meter (a collection built by hand)."""
        return self.meter.as_dict() if self.meter is not None else {}

    @property
    def responses(self) -> Responses:
        """Every response in archive form, parsed from its stored JSON line on access."""
        return Responses(self._lines)

    @property
    def lines(self) -> list[bytes]:
        """Every response as its archive line (JSON bytes, no newline), in arrival order."""
        return list(self._lines)

    @property
    def pages(self) -> int:
        return len(self._lines)

    @property
    def items(self) -> int:
        return self._items

    def items_by_stream(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for info in self._info:
            counts[info.stream] += info.items
        return {s: counts.get(s, 0) for s in self.streams}

    def partial_errors(self) -> Counter[str]:
        """How many partial errors of each title (``Not Found Error``, ...) came back."""
        return Counter(title for info in self._info for title in info.errors)

    # ---- tables ------------------------------------------------------------------------------

    @property
    def tables(self) -> Tables:
        """Every table over all streams (one row per unique post, user, ...)."""
        from twxdata.tables import flatten

        if self._tables is None or self._built_at != len(self._lines):
            self._tables = flatten(self._lines)
            self._frames.clear()
            self._built_at = len(self._lines)
        return self._tables

    def table(self, name: str) -> pa.Table:
        """One table as ``pyarrow.Table``; for the main result, one row per (stream, item),
        led by the columns that name each row's target (``targets_columns``)."""
        if name == self.kind.result and not self._main.broken:
            try:
                return self._with_targets(self._main.table(self.streams))
            except RuntimeError:
                pass  # rebuilt below from every response, raising what made it fail
        return self._table_of(name, None)

    def _with_targets(self, table: pa.Table) -> pa.Table:
        """The main table led by what each row came from: ``followers_of`` (the id, or the
        query) and, for users, ``followers_of.username`` (as the caller gave it, else null)."""
        import pyarrow as pa

        column = self.kind.column
        if not column or column in table.column_names:
            return table
        if "__twxdata.stream" in table.column_names:
            keys = table.column("__twxdata.stream")
        else:
            keys = pa.nulls(table.num_rows, pa.string())
        table = table.add_column(0, column, keys)
        if self.kind.target != "user":
            return table
        names = self.target_names
        chunks = []
        for chunk in keys.chunks if isinstance(keys, pa.ChunkedArray) else [keys]:
            encoded = chunk.dictionary_encode()
            values = pa.array(
                [names.get(k) for k in encoded.dictionary.to_pylist()], type=pa.string()
            )
            chunks.append(values.take(encoded.indices))
        usernames = pa.chunked_array(chunks, type=pa.string())
        return table.add_column(1, f"{column}.username", usernames)

    def _table_of(self, name: str, start: int | None) -> pa.Table:
        """``name`` over every response, or over those from ``start`` on."""
        from twxdata.tables import flatten

        if start is None and not (
            name == self.kind.result and len(self.streams) > 1 and self.kind.column
        ):
            table = self.tables[name]
            return self._with_targets(table) if name == self.kind.result else table
        first = start or 0
        if name != self.kind.result or not self.kind.column:
            return flatten(self._lines[first:])[name]
        return self._with_targets(self._per_stream(name, first))

    def frame(self, name: str | None = None) -> pd.DataFrame:
        """A table as a DataFrame with Arrow-backed dtypes; the main result by default.

        In the main result the stream's key (the query, the user whose followers these are,
        ...) is the first column, named after the collection (``query``, ``followers_of``);
        for users, ``followers_of.username`` follows with the username the caller gave.
        """
        from twxdata.tables import to_pandas

        name = name or self.kind.result
        if self._frames_at != len(self._lines):  # pages arrived since: frames are stale
            self._frames.clear()
            self._frames_at = len(self._lines)
        if name not in self._frames:
            self._frames[name] = to_pandas(self.table(name))
        return self._frames[name]

    def _per_stream(self, name: str, start: int) -> pa.Table:
        import pyarrow as pa

        from twxdata.tables import flatten

        grouped: dict[str, list[bytes]] = defaultdict(list)
        for line, info in zip(self._lines[start:], self._info[start:], strict=True):
            grouped[info.stream].append(line)
        parts = [flatten(grouped[s])[name] for s in self.streams if grouped.get(s)]
        if not parts:
            return flatten([])[name]
        return pa.concat_tables(parts)

    @property
    def tweets(self) -> pd.DataFrame:
        """Posts, expansions joined (authors, places, polls, media keys, referenced posts)."""
        return self.frame("tweets")

    @property
    def users(self) -> pd.DataFrame:
        return self.frame("users")

    @property
    def media(self) -> pd.DataFrame:
        return self.frame("media")

    @property
    def places(self) -> pd.DataFrame:
        return self.frame("places")

    @property
    def polls(self) -> pd.DataFrame:
        return self.frame("polls")

    @property
    def counts(self) -> pd.DataFrame:
        """For count collections: ``start``, ``end``, ``tweet_count`` (and ``query``)."""
        return self.frame("counts")

    @property
    def errors(self) -> pd.DataFrame:
        """Partial errors: deleted, suspended, protected resources, with their request."""
        return self.frame("errors")

    @property
    def meta(self) -> pd.DataFrame:
        """One row per response: endpoint, stream, result count, ids, tokens, retrieval time."""
        return self.frame("pages")

    # ---- saving ------------------------------------------------------------------------------

    def save_raw(self, path: Path | str) -> Path:
        """Write every response as JSONL (our archive format), atomically.

        ``twxdata flatten`` and ``twxdata.read_jsonl`` rebuild every table from it.
        """
        data = b"".join(line + b"\n" for line in self._lines)
        target = Path(path)
        atomic_write_bytes(target, data)
        return target

    def provenance(self, name: str, rows: int) -> dict[str, Any]:
        """The provenance record written into ``name``'s Parquet file."""
        record = {**self._provenance.build(table=name, rows=rows), **self.completeness()}
        if self.meter is not None:
            record["cost"] = self.cost
        return record

    def failed_streams(self) -> dict[str, str]:
        """Targets that gave nothing because of an error: refused by the API
        (``stream_errors``), or answered with partial errors only (a protected account's
        timeline, a batch of ids all deleted).

        >>> c = Collection(KINDS["timeline"], streams=["12"], spec={})
        >>> c.add({"errors": [{"title": "Authorization Error"}], "__twxdata": {"stream": "12"}})
        >>> c.failed_streams()
        {'12': 'nothing returned: 1 Authorization Error'}
        """
        failed = dict(self.stream_errors)
        items: Counter[str] = Counter()
        errors: dict[str, Counter[str]] = defaultdict(Counter)
        for info in self._info:
            items[info.stream] += info.items
            errors[info.stream].update(info.errors)
        for stream in self.streams:
            if stream not in failed and not items[stream] and errors[stream]:
                listed = ", ".join(f"{n} {t}" for t, n in errors[stream].most_common())
                failed[stream] = f"nothing returned: {listed}"
        return failed

    def completeness(self) -> dict[str, Any]:
        """``{"complete": True}``, or ``False`` with why: a table written from an interrupted
        collection, or one whose targets did not all succeed, says so in its provenance (and
        ``twxdata info`` shows it).

        >>> c = Collection(KINDS["search"], streams=["a", "b"], spec={})
        >>> c.stream_errors["b"] = "400 Invalid Request"
        >>> c.completeness()
        {'complete': False, 'incomplete': ['1 of 2 targets failed: b']}
        """
        why = []
        if self.interrupted:
            why.append("interrupted before the end")
        if self.capped:
            why.append("stopped at the spend cap")
        failed = self.failed_streams()
        if failed:
            names = ", ".join(list(failed)[:10])
            why.append(f"{len(failed)} of {len(self.streams)} targets failed: {names}")
        return {"complete": not why, **({"incomplete": why} if why else {})}

    def write(self, name: str, path: Path | str) -> Path:
        """One table to ``path`` (``.parquet`` with provenance, or ``.csv``), atomically."""
        from twxdata.tables import write_table

        table = self.table(name)
        target = Path(path)
        if target.suffix.lower() == ".parquet":
            table = with_provenance(table, self.provenance(name, table.num_rows))
        write_table(table, target, name=name)
        return target

    def to_parquet(self, folder: Path | str, tables: Iterable[str] | None = None) -> list[Path]:
        """Write tables as ``folder/<name>.parquet`` (non-empty ones by default), atomically,
        each with its provenance (read it back with ``twxdata.read_parquet``)."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        names = list(tables) if tables is not None else [
            n for n, t in self.tables.items() if t.num_rows
        ]  # fmt: skip
        return [self.write(name, out / f"{name}.parquet") for name in names]

    def to_dataset(self, folder: Path | str) -> list[Path]:
        """Append this collection's tables to a hive-partitioned dataset in ``folder``.

        Posts are partitioned by day of ``created_at``; earlier files are never rewritten, and
        pages already appended by an earlier call (before a resume) are not appended again.
        """
        from twxdata.tables import flatten

        ledger = Ledger(folder)
        start = ledger.pages_written(self.identity)
        new = self._lines[start:]
        if not new:
            return []
        builder = ProvenanceBuilder(self.spec).add_all(Responses(new))
        written: list[Path] = []
        counts: dict[str, int] = {}
        for name, table in flatten(new).items():
            if name == self.kind.result:
                table = self._table_of(name, start)
            if not table.num_rows:
                continue
            provenance = {**builder.build(table=name, rows=table.num_rows), **self.completeness()}
            files = append_table(folder, name, with_provenance(table, provenance))
            written += files
            counts[name] = table.num_rows
        ledger.record(self.identity, start, len(self._lines), counts)
        return written

    # ---- display -----------------------------------------------------------------------------

    def summary(self) -> str:
        """One line: what, how much, and what went wrong."""
        noun = {"tweets": "posts", "users": "users", "counts": "count buckets"}[self.kind.result]
        streams = f" over {len(self.streams)} streams" if len(self.streams) > 1 else ""
        parts = [f"{self.kind.name}: {self.items:,} {noun} in {self.pages:,} pages{streams}"]
        errors = sum(len(info.errors) for info in self._info)
        if errors:
            parts.append(f"{errors} partial errors (see .errors)")
        if self.stream_errors:
            parts.append(f"{len(self.stream_errors)} streams failed (see .stream_errors)")
        if self.resumed_pages:
            parts.append(f"{self.resumed_pages} pages from an earlier run")
        if self.meter is not None and self.meter.low.requests:
            parts.append(f"cost ${self.meter.low.usd:,.2f}")
        if self.capped:
            parts.append("stopped at the spend cap")
        if self.interrupted:
            parts.append("INTERRUPTED: partial result")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<Collection {self.summary()}>"

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(s)}</td><td>{n:,}</td></tr>"
            for s, n in self.items_by_stream().items()
        )
        return (
            f"<b>twxdata Collection</b>: {html.escape(self.summary())}"
            f"<table><tr><th>{html.escape(self.kind.column or 'stream')}</th><th>items</th></tr>"
            f"{rows}</table>"
        )


def _stream(response: dict[str, Any]) -> str:
    meta = response.get(ARCHIVE_KEY) or {}
    return str(meta.get("stream", ""))


def _error_title(error: Any) -> str:
    if not isinstance(error, dict):
        return "error"
    return str(error.get("title") or error.get("type") or "error")


def page_items(response: dict[str, Any]) -> int:
    data = response.get("data")
    if data is None:
        return 0
    return 1 if isinstance(data, dict) else len(data)


__all__ = ["KINDS", "Collection", "Responses"]
