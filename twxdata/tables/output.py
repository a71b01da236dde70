"""Writing tables to Parquet or CSV, streamed and atomic.

A ``TableWriter`` writes to a temporary file beside the target and moves it into place with
``os.replace`` only when ``commit()`` is called: a failed run leaves no partial output and
does not destroy an existing file. Parquet files carry the schema version, the table name and
every column's description; rows are written in row groups as they come.

CSV cannot hold lists, structs or maps: those columns are written as JSON text (in CSV only),
and times as ISO 8601 in UTC.

>>> import os, tempfile, pyarrow as pa, pyarrow.parquet as pq
>>> path = os.path.join(tempfile.mkdtemp(), "t.parquet")
>>> write_table(pa.table({"id": ["1"], "tags": [["a", "b"]]}), path)
>>> pq.read_table(path)["tags"].to_pylist()
[['a', 'b']]
"""

from __future__ import annotations

import contextlib
import queue
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson
import pyarrow as pa

from twxdata._version import __version__
from twxdata.atomic import PendingFile
from twxdata.tables.schema import SCHEMA_VERSION
from twxdata.tables.values import empty_table, strings

FORMATS = (".parquet", ".csv")
# Row groups of about this much Arrow data: big enough for good dictionaries and a small
# footer, small enough that the last one (encoded after the input ends, with nothing left to
# overlap it) is quick, and that pending rows hold little memory.
_FLUSH_BYTES = 8 << 20


def output_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"{path}: the file name must end in .parquet or .csv")
    return suffix[1:]


def _metadata(name: str | None) -> dict[str, str]:
    meta = {"twxdata.schema_version": SCHEMA_VERSION, "twxdata.version": __version__}
    if name:
        meta["twxdata.table"] = name
    return meta


class TableWriter:
    """Writes batches of one table to ``path`` (Parquet or CSV by suffix), atomically."""

    def __init__(self, path: Path | str, schema: pa.Schema, *, name: str | None = None) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.schema = schema.with_metadata({**(schema.metadata or {}), **_metadata(name)})
        self.rows = 0
        self._pending: list[pa.Table] = []
        self._pending_bytes = 0
        self._writer: Any = None
        self._file = PendingFile(self.path)
        self._tmp = self._file.path

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._pending.append(table)
        self._pending_bytes += table.nbytes
        self.rows += table.num_rows
        if self._pending_bytes >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        table = pa.concat_tables(self._pending).replace_schema_metadata(self.schema.metadata)
        self._pending, self._pending_bytes = [], 0
        if self._writer is None:
            self._writer = self._open()
        if self.format == "csv":
            self._writer.write_table(csv_ready(table))
        else:
            self._writer.write_table(table)

    def _open(self) -> Any:
        if self.format == "csv":
            import pyarrow.csv as pcsv

            return pcsv.CSVWriter(str(self._tmp), csv_ready(empty_table(self.schema)).schema)
        import pyarrow.parquet as pq

        return pq.ParquetWriter(str(self._tmp), self.schema, compression="snappy")

    def commit(self, metadata: dict[str, str] | None = None) -> None:
        """Finish the file and move it into place; ``metadata`` (known only once every row
        is written, such as provenance) goes into a Parquet file's footer."""
        self._flush()
        if self._writer is None:  # no rows: still a valid file with the columns
            self._writer = self._open()
        if metadata and self.format == "parquet":
            self._writer.add_key_value_metadata(metadata)
        self._writer.close()
        self._writer = None
        self._file.commit()

    def abort(self) -> None:
        """Drop everything written; the target is left as it was. Never raises for the
        writer: it runs after a failure (a full disk), which is the one to report."""
        writer, self._writer = self._writer, None
        try:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
        finally:
            self._file.abort()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.abort()  # a commit that fails (a full disk) leaves no temporary file
                raise
        else:
            self.abort()


def write_table(table: pa.Table, path: Path | str, *, name: str | None = None) -> None:
    """Write one table to ``path`` (``.parquet`` or ``.csv``) atomically."""
    with TableWriter(path, table.schema, name=name) as writer:
        writer.write(table)


def csv_ready(table: pa.Table) -> pa.Table:
    """``table`` with every list, struct and map column turned into JSON text."""
    columns, fields = [], []
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_nested(field.type):
            column = strings([_json(v) for v in column.to_pylist()])
            field = field.with_type(pa.string())
        columns.append(column)
        fields.append(field)
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=table.schema.metadata))


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return orjson.dumps(_plain(value), option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC).decode()


def _plain(value: Any) -> Any:
    """Maps arrive from Arrow as lists of pairs; JSON wants objects."""
    if isinstance(value, list):
        if value and all(isinstance(v, tuple) and len(v) == 2 for v in value):
            return {k: _plain(v) for k, v in value}
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class WriteBehind:
    """Runs ``TableWriter.write`` calls in one background thread, in order.

    Parquet encoding runs in C++ without the GIL, so it overlaps with flattening the next
    batch. At most ``depth`` batches wait, which bounds memory. A failure in the thread is
    raised by the next ``write`` or by ``finish``.
    """

    def __init__(self, depth: int = 2) -> None:
        self._queue: queue.Queue[tuple[TableWriter, pa.Table] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="twxdata-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    item[0].write(item[1])
                except BaseException as exc:  # re-raised in the submitting thread
                    self._error = exc

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, writer: TableWriter, table: pa.Table) -> None:
        self._check()
        self._queue.put((writer, table))

    def finish(self) -> None:
        """Wait for every pending write; raise the first failure."""
        self._queue.put(None)
        self._thread.join()
        self._check()
