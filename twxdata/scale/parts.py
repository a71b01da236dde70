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

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from twxdata.scale.store import FragmentWriter, Store
from twxdata.store.dataset import PARTITION_BY
from twxdata.tables.schema import SCHEMAS

# A partition's rows wait until this much has gathered (row groups big enough to compress
# and read well), and all partitions together hold at most the second figure.
_FLUSH_BYTES = 8 << 20
_HELD_BYTES = 128 << 20


@dataclass(frozen=True)
class Fragment:
    """A file a task wrote: where, and its rows."""

    path: str
    rows: int


def day_column(name: str, table: pa.Table) -> pa.Array | None:
    """The partition folder of each row of ``table`` (``None``: the table has none)."""
    column = PARTITION_BY.get(name)
    if column is None:
        return None
    day = pc.strftime(table.column(column), format="day=%Y-%m-%d").fill_null("day=unknown")
    return day.combine_chunks() if isinstance(day, pa.ChunkedArray) else day


def partitions(name: str, table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """``table``'s rows by partition folder, in order of first appearance."""
    day = day_column(name, table)
    if day is None:
        yield "", table
        return
    for value in pc.unique(day).to_pylist():
        yield value, table.filter(pc.equal(day, value))


def only(name: str, table: pa.Table, days: Collection[str] | None) -> pa.Table:
    """The rows of ``table`` in the partitions ``days`` (all when ``None``)."""
    day = day_column(name, table)
    if days is None or day is None:
        return table
    return table.filter(pc.is_in(day, value_set=pa.array(sorted(days), pa.string())))


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
        self._held_bytes: dict[str, int] = {}
        self._writers: dict[str, FragmentWriter] = {}
        self._count: dict[str, int] = {}

    def write(self, table: pa.Table) -> None:
        for partition, part in partitions(self.table, table):
            self._held.setdefault(partition, []).append(part)
            self._held_bytes[partition] = self._held_bytes.get(partition, 0) + part.nbytes
            self.rows += part.num_rows
            if self._held_bytes[partition] >= _FLUSH_BYTES:
                self._flush(partition)
        while sum(self._held_bytes.values()) > _HELD_BYTES:
            self._flush(max(self._held_bytes, key=self._held_bytes.__getitem__))

    def _flush(self, partition: str) -> None:
        parts = self._held.pop(partition, [])
        self._held_bytes.pop(partition, None)
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
        self._held_bytes.clear()
