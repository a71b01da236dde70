"""A dataset's folder, local or in object storage, as the engine writes and reads it.

Locally every file is written under a temporary name and renamed into place (``PendingFile``),
so a reader or a retried task never sees half a file; in object storage an object appears
whole when its upload completes, so it is written under its own name. Either way a file's
name says what it holds, so writing it again (a retried task) replaces it and nothing else.

>>> import tempfile, pyarrow as pa
>>> store = Store(tempfile.mkdtemp())
>>> w = store.writer("t/a.parquet", pa.schema([("id", pa.string())]))
>>> w.write(pa.table({"id": ["1"]})); w.commit()
't/a.parquet'
>>> store.read("t/a.parquet").num_rows, store.files("t")
(1, ['t/a.parquet'])
"""

from __future__ import annotations

import contextlib
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from twxdata.atomic import PendingFile, atomic_write_bytes
from twxdata.scale.sources import StorageOptions, filesystem, local_folder


class Store:
    """The folder ``root`` (a path or a URL); paths given to its methods are relative."""

    def __init__(self, root: str, storage_options: StorageOptions | None = None) -> None:
        self.root = root.rstrip("/") or "/"
        self.local = local_folder(self.root)
        self.options = dict(storage_options or {})
        self._fs: Any = None
        self._base = ""
        if self.local is None:
            self._fs, self._base = filesystem(self.root, self.options)

    def __reduce__(self) -> tuple[Any, ...]:  # sent to workers as root and options
        return (Store, (self.root, self.options))

    def path(self, relative: str) -> str:
        if self.local is not None:
            return str(self.local / relative)
        return posixpath.join(self._base, relative)

    def exists(self, relative: str) -> bool:
        if self.local is not None:
            return (self.local / relative).exists()
        return bool(self._fs.exists(self.path(relative)))

    def files(self, folder: str, suffix: str = ".parquet") -> list[str]:
        """Relative names of the files under ``folder`` (any depth) ending in ``suffix``."""
        if self.local is not None:
            base = self.local / folder
            if not base.is_dir():
                return []
            found = (p for p in base.rglob(f"*{suffix}") if p.is_file() and
                     not p.name.startswith("."))  # fmt: skip
            return sorted(p.relative_to(self.local).as_posix() for p in found)
        where = self.path(folder)
        if not self._fs.exists(where):
            return []
        names = self._fs.find(where)
        prefix = self._base.rstrip("/") + "/"
        return sorted(
            n.removeprefix(prefix) for n in names
            if n.endswith(suffix) and not posixpath.basename(n).startswith(".")
        )  # fmt: skip

    def read(self, relative: str, columns: list[str] | None = None) -> pa.Table:
        if self.local is not None:
            return pq.read_table(self.path(relative), columns=columns)
        with self._fs.open(self.path(relative), "rb") as handle:
            return pq.read_table(handle, columns=columns)

    def row_groups(self, relative: str) -> Iterator[pa.Table]:
        """A Parquet file a row group at a time: memory holds one, however large the file."""
        with contextlib.ExitStack() as stack:
            if self.local is not None:
                source: Any = self.path(relative)
            else:
                source = stack.enter_context(self._fs.open(self.path(relative), "rb"))
            file = pq.ParquetFile(source)
            for index in range(file.num_row_groups):
                yield file.read_row_group(index)

    def metadata(self, relative: str) -> dict[bytes, bytes]:
        if self.local is not None:
            return pq.read_metadata(self.path(relative)).metadata or {}
        with self._fs.open(self.path(relative), "rb") as handle:
            return pq.read_metadata(handle).metadata or {}

    def metadata_of(self, relative: str) -> dict[str, str]:
        """A Parquet file's footer key-value pairs (provenance, kept when it is rewritten)."""
        return {k.decode(): v.decode() for k, v in self.metadata(relative).items()
                if not k.startswith(b"ARROW:")}  # fmt: skip

    def read_bytes(self, relative: str) -> bytes | None:
        try:
            if self.local is not None:
                return (self.local / relative).read_bytes()
            data: bytes = self._fs.cat_file(self.path(relative))
            return data
        except FileNotFoundError:
            return None

    def write_bytes(self, relative: str, data: bytes) -> None:
        if self.local is not None:
            atomic_write_bytes(self.local / relative, data)
        else:
            self._fs.pipe_file(self.path(relative), data)

    def move(self, relative: str, to: str) -> None:
        """Move a file within the store (a rename, locally: it appears whole)."""
        if self.local is not None:
            import os

            target = self.local / to
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.local / relative, target)
        else:
            self._fs.mv(self.path(relative), self.path(to))

    def remove(self, relative: str) -> None:
        """Remove a file or a folder (with everything in it); nothing if it is not there."""
        if self.local is not None:
            import shutil

            target = self.local / relative
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            return
        if self._fs.exists(self.path(relative)):
            self._fs.rm(self.path(relative), recursive=True)

    def size(self, relative: str) -> int:
        if self.local is not None:
            return (self.local / relative).stat().st_size
        return int(self._fs.size(self.path(relative)))

    def writer(self, relative: str, schema: pa.Schema, *, ipc: bool = False) -> FragmentWriter:
        """A writer of ``relative``: Parquet, or Arrow IPC (``ipc``: staging that is read back
        once, at memory speed, instead of encoded twice)."""
        return FragmentWriter(self, relative, schema, ipc=ipc)

    def ipc_batches(self, relative: str) -> Iterator[pa.Table]:
        """An Arrow IPC file a record batch at a time, each read when asked for (not mapped:
        a mapped file's pages count in the worker's memory as they are read, whole)."""
        import pyarrow.ipc as ipc

        with contextlib.ExitStack() as stack:
            if self.local is not None:
                source: Any = stack.enter_context(pa.OSFile(self.path(relative)))
            else:
                source = stack.enter_context(self._fs.open(self.path(relative), "rb"))
            reader = ipc.open_file(source)
            for index in range(reader.num_record_batches):
                yield pa.Table.from_batches([reader.get_batch(index)])


# Rows are written in blocks of this many (counted, not measured: a wide table's size is
# costly to ask for): fewer record batches and row groups, each of a good size.
BLOCK_ROWS = 4_096


class FragmentWriter:
    """Streams batches of one table into ``relative`` (Parquet), whole or not at all."""

    def __init__(
        self, store: Store, relative: str, schema: pa.Schema, *, ipc: bool = False
    ) -> None:
        self.store = store
        self.relative = relative
        self.schema = schema
        self.ipc = ipc
        self.rows = 0
        self._writer: Any = None
        self._handle: Any = None
        self._pending: PendingFile | None = None
        self._held: list[pa.Table] = []
        self._held_rows = 0

    def write(self, table: pa.Table, *, now: bool = False) -> None:
        """Add rows; they are written in blocks (a wide table costs as much per record batch
        or row group as per megabyte of its data), or ``now``: a block made by the caller."""
        if table.num_rows == 0:
            return
        if now:
            self._flush()
            self._held = [table]
            self.rows += table.num_rows
            self._flush()
            return
        self._held.append(table)
        self._held_rows += table.num_rows
        self.rows += table.num_rows
        if self._held_rows >= BLOCK_ROWS:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        held, self._held, self._held_rows = self._held, [], 0
        if self._writer is None:
            self._open()
        tables = [t if t.schema.equals(self.schema, check_metadata=False)
                  else t.cast(self.schema) for t in held]  # fmt: skip
        block = pa.concat_tables(tables)
        if self.ipc:
            block = block.combine_chunks()  # one record batch: read back as one
        self._writer.write_table(block)

    def _open(self) -> None:
        if self.store.local is not None:
            self._pending = PendingFile(Path(self.store.path(self.relative)))
            sink: Any = str(self._pending.path)
        else:
            self.store._fs.makedirs(posixpath.dirname(self.store.path(self.relative)),
                                    exist_ok=True)  # fmt: skip
            self._handle = self.store._fs.open(self.store.path(self.relative), "wb")
            sink = self._handle
        if self.ipc:
            import pyarrow.ipc as ipc

            self._writer = ipc.new_file(sink, self.schema)
        else:
            self._writer = pq.ParquetWriter(sink, self.schema, compression="snappy")

    def commit(self, metadata: dict[str, str] | None = None) -> str:
        """Finish the file (``metadata`` in its footer) and put it in place; its name."""
        self._flush()
        if self._writer is None:
            self._open()
        if metadata and not self.ipc:
            self._writer.add_key_value_metadata(metadata)
        self._writer.close()
        self._writer = None
        if self._handle is not None:
            self._handle.close()  # the upload completes: the object appears whole
            self._handle = None
        if self._pending is not None:
            self._pending.commit()
            self._pending = None
        return self.relative

    def abort(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):  # after a failure: the first one is reported
                writer.close()
        if self._handle is not None:
            handle, self._handle = self._handle, None
            if hasattr(handle, "discard"):  # fsspec: the upload is dropped, never completed
                handle.discard()
            else:
                handle.close()
                self.store.remove(self.relative)
        if self._pending is not None:
            self._pending.abort()
            self._pending = None
