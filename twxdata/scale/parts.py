"""Day partitions, and the writer that fills a table's partition folders.

In a dataset, posts (and included posts) are partitioned by the UTC day of ``created_at`` and
counts by the day of ``start`` (``store.dataset.PARTITION_BY``), the other tables not at all:
``<table>/day=YYYY-MM-DD/part-*.parquet`` and ``<table>/part-*.parquet``.

>>> import pyarrow as pa
>>> from datetime import datetime, timezone
>>> t = pa.table({"start": pa.array([datetime(2024, 5, d, tzinfo=timezone.utc) for d in (1, 2, 1)],
...                                 pa.timestamp("us", tz="UTC")), "n": [1, 2, 3]})
>>> [(p, part.num_rows) for p, part in partitions("counts", t)]
[('day=2024-05-01', 2), ('day=2024-05-02', 1)]
>>> [p for p, _ in partitions("users", pa.table({"id": ["1"]}))]
['']
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.scale.store import FragmentWriter, Store
from twxdata.store.dataset import PARTITION_BY
from twxdata.tables.schema import SCHEMAS

STAGING = "_twxdata_staging"  # where runs stage their work: ours alone, never a user's name

# A partition's rows wait until this many have gathered (row groups big enough to compress
# and read well), and all partitions together hold at most the second figure (counted in
# rows: a wide table's size in bytes is costly to ask for).
_FLUSH_ROWS = 8_192
_HELD_ROWS = 65_536


@dataclass(frozen=True)
class Fragment:
    """A file a task wrote: where, its rows, and the merge bucket they belong to."""

    path: str
    rows: int
    bucket: int = 0


def bucket_of_folder(folder: str, count: int) -> int:
    """The merge bucket of a dataset's partition folder (``day=2024-05-01``).

    >>> bucket_of_folder("day=1970-01-03", 2), bucket_of_folder("day=unknown", 2)
    (0, 0)
    """
    if count == 1 or not folder.startswith("day=") or folder == "day=unknown":
        return 0  # not a day partition (an unpartitioned table's own folder), or no day
    day = date.fromisoformat(folder.removeprefix("day=")) - date(1970, 1, 1)
    return (day.days - _UNKNOWN) % count


def _dates(name: str, table: pa.Table) -> pa.Array | None:
    """Each row's UTC date (``date32``: integer work, not a string per row)."""
    column = PARTITION_BY.get(name)
    if column is None:
        return None
    values = table.column(column)
    values = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return pc.cast(values, pa.date32())


def partitions(name: str, table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """``table``'s rows by partition folder (in each, the rows keep their order)."""
    days = _day_numbers(name, table)
    if days is None:
        yield "", table
        return
    for day, part in _runs(table, days):
        yield _folder(day), part


def buckets(name: str, table: pa.Table, count: int) -> Iterator[tuple[int, pa.Table]]:
    """``table``'s rows by merge bucket: the day number modulo ``count`` (a post's day never
    changes, so each of its copies lands in the same bucket); all in 0 when not partitioned.
    Rows come out grouped by day, so the merge writes them without sorting again."""
    days = _day_numbers(name, table)
    if days is None or count == 1:
        yield 0, table
        return
    shifted = days.astype(np.int64) - _UNKNOWN  # >= 0: unknown days first
    keys = shifted % count * (1 << 33) + shifted  # by bucket, then by day within it
    for key, part in _runs(table, keys):
        yield int(key >> 33), part


class BucketSplitter:
    """One table's parsed batches on their way to the merge buckets, cut at most one copy of
    each row: batches are held whole (never as slices, which would pin them) until
    ``block_rows`` have gathered, then the block is split by bucket and day (``buckets``), each
    part one chunk a column: a record batch for the stage to write at once, never held.
    Holding a slice per bucket, copying it out, then combining a bucket's slices copied each
    row two or three times (``benchmarks/scale.py``: one process's dataset took 1.3x as long).

    >>> from datetime import datetime, timezone
    >>> utc = pa.timestamp("us", tz="UTC")
    >>> day = lambda d: pa.table({"created_at": pa.array([datetime(1970, 1, d, tzinfo=timezone.utc)
    ...                                                   ], utc)})
    >>> split = BucketSplitter("tweets", 2, block_rows=3)
    >>> [list(split.add(day(d))) for d in (1, 2)]
    [[], []]
    >>> [(b, part.num_rows) for b, part in split.add(day(1))]
    [(0, 2), (1, 1)]
    >>> list(split.flush())
    []
    """

    def __init__(self, name: str, count: int, block_rows: int) -> None:
        self.name = name
        self.count = count
        self.block_rows = block_rows
        self._held: list[pa.Table] = []
        self._rows = 0

    def add(self, table: pa.Table) -> Iterator[tuple[int, pa.Table]]:
        """Hold ``table``; the parts of a block once one has gathered."""
        self._held.append(table)
        self._rows += table.num_rows
        if self._rows >= self.block_rows:
            yield from self.flush()

    def flush(self) -> Iterator[tuple[int, pa.Table]]:
        """The parts of what is held, by bucket (each compact: one chunk a column)."""
        if not self._held:
            return
        block = pa.concat_tables(self._held)
        self._held, self._rows = [], 0
        for bucket, part in buckets(self.name, block, self.count):
            yield bucket, part.combine_chunks()


def _day_numbers(name: str, table: pa.Table) -> np.ndarray | None:
    dates = _dates(name, table)
    if dates is None:
        return None
    days: np.ndarray = dates.cast(pa.int32()).fill_null(_UNKNOWN).to_numpy()
    return days


def _runs(table: pa.Table, keys: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """``table`` in runs of equal ``keys``: zero-copy slices when equal keys are already
    together (archives come in time order), else after one stable sort and one copy (a wide
    table's filter per value would copy every column once per value)."""
    if not len(keys):
        return
    changes = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    if len(changes) + 1 != len(np.unique(keys)):
        order = np.argsort(keys, kind="stable")
        table, keys = table.take(pa.array(order)), keys[order]
        changes = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    edges = [0, *changes.tolist(), len(keys)]
    for start, end in itertools.pairwise(edges):
        yield int(keys[start]), table.slice(start, end - start)


_UNKNOWN = -(2**31)


def _folder(day: int) -> str:
    if day == _UNKNOWN:
        return "day=unknown"
    return f"day={date.fromordinal(date(1970, 1, 1).toordinal() + day):%Y-%m-%d}"


def held(part: pa.Table, whole: pa.Table) -> pa.Table:
    """``part`` (a slice of ``whole``) to keep for later: a copy of its rows when it is a small
    part, so that holding a few rows of many batches (a sparse day, a bucket) does not keep
    every one of those batches whole in memory (a slice shares its batch's buffers).

    >>> whole = pa.table({"n": list(range(100))})
    >>> held(whole.slice(0, 10), whole).get_total_buffer_size() < whole.get_total_buffer_size()
    True
    """
    if 2 * part.num_rows >= whole.num_rows:
        return part
    columns = [pa.concat_arrays(column.chunks) if column.num_chunks else column
               for column in part.columns]  # fmt: skip
    return pa.Table.from_arrays(columns, schema=part.schema)


def kept(table: pa.Table, mask: Any) -> pa.Table:
    """``table.filter(mask)``, without copying a table wholly kept or wholly dropped (a wide
    table's filter copies every column)."""
    mask = mask if isinstance(mask, (pa.Array, pa.ChunkedArray)) else pa.array(mask)
    count = pc.sum(mask).as_py() or 0
    if count == len(table):
        return table
    if count == 0:
        return table.slice(0, 0)
    return table.filter(mask)


def joined(*parts: str) -> str:
    return "/".join(p for p in parts if p)


class PartitionedWriter:
    """Writes one table's rows into its partition folders under ``folder``: files of at most
    ``rows_per_file`` rows, rows held per partition until a good row group has gathered."""

    def __init__(
        self,
        store: Store,
        folder: str,
        table: str,
        rows_per_file: int,
        footer: Callable[[int], dict[str, str]],
    ) -> None:
        self.store = store
        self.folder = folder
        self.table = table
        self.rows_per_file = rows_per_file
        self.footer = footer
        self.rows = 0
        self.files: list[str] = []
        self._held: dict[str, list[pa.Table]] = {}
        self._held_rows: dict[str, int] = {}
        self._writers: dict[str, FragmentWriter] = {}
        self._count: dict[str, int] = {}

    def write(self, table: pa.Table) -> None:
        for partition, part in partitions(self.table, table):
            self._held.setdefault(partition, []).append(held(part, table))
            self._held_rows[partition] = self._held_rows.get(partition, 0) + part.num_rows
            self.rows += part.num_rows
            if self._held_rows[partition] >= _FLUSH_ROWS:
                self._flush(partition)
        while sum(self._held_rows.values()) > _HELD_ROWS:
            self._flush(max(self._held_rows, key=self._held_rows.__getitem__))

    def _flush(self, partition: str) -> None:
        parts = self._held.pop(partition, [])
        self._held_rows.pop(partition, None)
        if not parts:
            return
        table = pa.concat_tables(parts)
        while table.num_rows:
            writer = self._writers.get(partition)
            if writer is None:
                number = self._count.get(partition, 0)
                self._count[partition] = number + 1
                name = joined(self.folder, partition, f"part-{number}.parquet")
                writer = self._writers[partition] = self.store.writer(name, SCHEMAS[self.table])
            room = self.rows_per_file - writer.rows
            writer.write(table.slice(0, room))
            table = table.slice(room)
            if writer.rows >= self.rows_per_file:
                self.files.append(writer.commit(self.footer(writer.rows)))
                del self._writers[partition]

    def commit(self) -> list[str]:
        """Every file finished (footers from ``footer(rows)``); their names."""
        for partition in list(self._held):
            self._flush(partition)
        for writer in self._writers.values():
            self.files.append(writer.commit(self.footer(writer.rows)))
        self._writers.clear()
        return self.files

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.abort()
        self._writers.clear()
        self._held.clear()
        self._held_rows.clear()
