"""One task's work, the same on a local process or a Dask worker: hash, flatten, stage.

A task takes one input file, or a group of small ones (so 10,000 small archives are not
10,000 tasks). ``flatten_files`` reads each file's stored bytes once to hash them (SHA-256, the
identity a re-run skips by), then streams the group, in order, through the single-machine
flatten (the same parser, builders and fixed schemas, de-duplicated within the group as one
flatten of those files would) into one Arrow IPC fragment per table under
``_twxdata_staging/<task>/``. IPC is written and read back at memory speed: rows are encoded to
Parquet once, by the merge. The folder's name depends only on the inputs, so a task that is
retried (a worker killed mid-task) rewrites its own fragments and nothing else; each is
written under a temporary name and renamed, so a half-written fragment is never read.
Memory stays that of the single-process flatten: no file is ever held whole.

The task returns a plain record (``TaskRecord``) for the driver: its inputs (as shown,
without credentials; size; SHA-256), rows per table, the fragments (posts and counts split
into the merge's day buckets) and the lines it could not read.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pyarrow as pa

from twxdata.errors import DataError
from twxdata.scale.parts import STAGING, BucketSplitter, Fragment
from twxdata.scale.ranges import Piece, open_piece
from twxdata.scale.sources import (
    Source,
    StorageOptions,
    open_archive,
    open_stored,
    shown,
    storage_error,
)
from twxdata.scale.store import BLOCK_ROWS as _BLOCK_ROWS
from twxdata.scale.store import FragmentWriter, Store
from twxdata.store.dataset import PARTITION_BY
from twxdata.store.provenance import ProvenanceBuilder
from twxdata.tables.api import flatten_chunks
from twxdata.tables.lines import Chunk, ErrorPolicy, OnError, Readable, chunks_from_stream
from twxdata.tables.names import TABLE_NAMES
from twxdata.tables.schema import SCHEMAS


@dataclass
class InputRecord:
    """One input file: as shown, its stored size and SHA-256; ``skipped`` when the dataset
    holds it already (the same SHA-256)."""

    input: str
    bytes: int
    sha256: str
    skipped: bool = False
    from_byte: int = 0  # a grown archive: flattened from here (the rest was held already)

    def manifest_entry(self) -> dict[str, Any]:
        entry = {"input": self.input, "bytes": self.bytes, "sha256": self.sha256}
        return {**entry, "from_byte": self.from_byte} if self.from_byte else entry


@dataclass
class TaskRecord:
    """What one task did: its inputs, and what it staged from those not skipped."""

    inputs: list[InputRecord] = field(default_factory=list)
    staging: str = ""
    rows: dict[str, int] = field(default_factory=dict)
    fragments: dict[str, list[Fragment]] = field(default_factory=dict)  # by merge bucket
    bad_lines: list[str] = field(default_factory=list)
    facts: ProvenanceBuilder | None = None

    @property
    def flattened(self) -> list[InputRecord]:
        return [i for i in self.inputs if not i.skipped]

    @property
    def made(self) -> bool:
        """Whether it staged anything (a piece of a file lists no input of its own)."""
        return bool(self.staging)


def hash_stored(url: str, storage_options: StorageOptions | None = None) -> tuple[str, int]:
    """SHA-256 and size of the file's stored bytes (compressed as kept)."""
    digest = hashlib.sha256()
    size = 0
    block = bytearray(4 << 20)
    view = memoryview(block)
    try:
        with open_stored(url, storage_options) as stream:
            while got := stream.readinto(block):  # type: ignore[attr-defined]
                digest.update(view[:got])
                size += got
    except DataError:
        raise
    except Exception as exc:  # no such file, no credentials, a store that cannot be reached
        raise storage_error(exc, url, "cannot read it") from None
    return digest.hexdigest(), size


def flatten_files(
    urls: Sequence[str | Piece | Source],
    out: str,
    *,
    known: Iterable[str] = (),
    tables: Iterable[str] = TABLE_NAMES,
    on_error: OnError = "raise",
    storage_options: StorageOptions | None = None,
    out_options: StorageOptions | None = None,
    spread: int = 1,
    threads: int | None = None,
) -> TaskRecord:
    """Flatten the archives at ``urls``, in order, into IPC fragments per table under
    ``out``'s staging folder: for posts and counts one per merge bucket (``spread`` of them,
    by day), one for each other table. Files whose SHA-256 is in ``known`` are only hashed.
    ``threads`` parse ahead (``tables.api.flatten_chunks``)."""
    done = set(known)
    record = TaskRecord()
    todo: list[tuple[str | Piece, InputRecord]] = []
    for given in urls:
        if isinstance(given, Piece):  # hashed by the driver, which skipped it if known
            entry = InputRecord(given.name or shown(given.url), given.size, given.sha256,
                                from_byte=given.held)  # fmt: skip
            todo.append((given, entry))
            if given.lists:  # the file is listed once, by its first piece
                record.inputs.append(entry)
            continue
        url, name = (given.url, given.shown) if isinstance(given, Source) else (given, shown(given))
        sha, size = hash_stored(url, storage_options)
        entry = InputRecord(name, size, sha, skipped=sha in done)
        record.inputs.append(entry)
        if not entry.skipped:
            todo.append((url, entry))
    if not todo:
        return record
    identity = "\n".join(f"{i.sha256} {i.input} {getattr(u, 'start', '')}"
                         for u, i in todo).encode()  # fmt: skip
    record.staging = f"{STAGING}/{hashlib.sha256(identity).hexdigest()[:20]}"
    store = Store(out, out_options)
    names = list(tables)
    writers: dict[tuple[str, int], FragmentWriter] = {}
    policy = ErrorPolicy(on_error, notify=_kept_for_the_driver)
    facts = ProvenanceBuilder()
    try:
        chunks = _chunks([(url, i.input, i.bytes) for url, i in todo], policy, storage_options)

        def stage(name: str, bucket: int, table: pa.Table, *, now: bool) -> None:
            writer = writers.get((name, bucket))
            if writer is None:
                path = f"{record.staging}/{name}-b{bucket}.arrow"
                writer = writers[name, bucket] = store.writer(path, SCHEMAS[name], ipc=True)
            writer.write(table, now=now)

        # Posts and counts go to the merge's day buckets, cut in blocks of two record
        # batches' rows (larger blocks made fewer, larger parts, and a Dask worker's peak
        # 1.19x one process's); the other tables are staged as they come.
        split = {name: BucketSplitter(name, spread, 2 * _BLOCK_ROWS)
                 for name in names if spread > 1 and name in PARTITION_BY}  # fmt: skip
        for batch in flatten_chunks(chunks, tables=names, policy=policy,
                                    on_facts=facts.add_facts, threads=threads):  # fmt: skip
            for name, table in batch.items():
                if name not in split:
                    stage(name, 0, table, now=False)
                    continue
                for bucket, part in split[name].add(table):
                    stage(name, bucket, part, now=True)
        for name, splitter in split.items():
            for bucket, part in splitter.flush():
                stage(name, bucket, part, now=True)
        for (name, bucket), writer in sorted(writers.items()):
            if writer.rows:
                fragment = Fragment(writer.commit(), writer.rows, bucket)
                record.fragments.setdefault(name, []).append(fragment)
                record.rows[name] = record.rows.get(name, 0) + writer.rows
            else:
                writer.abort()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    record.bad_lines = [str(error) for error in policy.skipped]
    record.facts = facts
    return record


def _chunks(
    files: list[tuple[str | Piece, str, int]], policy: ErrorPolicy,
    storage_options: StorageOptions | None,
) -> Iterator[Chunk]:  # fmt: skip
    """The files' chunks one file after the other, each open only while it is read; rows
    name each file as the user gave it."""
    for url, name, size in files:
        if isinstance(url, Piece):
            with open_piece(url) as stream:
                yield from chunks_from_stream(
                    cast(Readable, stream), name, policy, stored_bytes=None,
                    first_line=url.first_line,
                )  # fmt: skip
            continue
        with open_archive(url, storage_options) as stream:
            readable = cast(Readable, stream)  # every opener here gives readinto
            yield from chunks_from_stream(readable, name, policy, stored_bytes=size)


def _kept_for_the_driver(error: DataError) -> None:
    """A bad line is told once, by the driver (``ScaleResult.bad_lines``), not by a worker
    whose warnings would reach the user apart from the rest, or not at all (a cluster)."""


def new_run_id() -> str:
    """A name part for one run's files (two runs never write the same name)."""
    return uuid.uuid4().hex[:12]
