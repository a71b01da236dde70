"""One input file's work, the same on a local process or a Dask worker: hash, flatten, write.

``flatten_file`` reads the file's stored bytes once to hash them (SHA-256, the identity a
re-run skips by), then streams it through the single-machine flatten (the same parser,
builders and fixed schemas, de-duplicated within the file) into one Parquet fragment per
table under ``_staging/<input>/`` (named from the file's SHA-256 and location). The names
depend only on the input, so a task that is retried (a worker killed mid-task) rewrites its
own fragments and nothing else; each is written under a temporary name and renamed, so a
half-written fragment is never read. Memory stays that of the single-process flatten: the
file is never held whole.

The task returns a plain record (``FileRecord``) for the driver's manifest: the input (as
shown, without credentials), its size and SHA-256, rows per table, the fragments and the
lines it could not read.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from twxdata.errors import DataError
from twxdata.scale.sources import StorageOptions, open_archive, open_stored, shown, storage_error
from twxdata.scale.store import Store
from twxdata.store.provenance import ProvenanceBuilder
from twxdata.tables.api import flatten_chunks
from twxdata.tables.lines import ErrorPolicy, OnError, Readable, chunks_from_stream
from twxdata.tables.names import TABLE_NAMES
from twxdata.tables.schema import SCHEMAS

STAGING = "_staging"


@dataclass
class FileRecord:
    """What one task did with one input; ``skipped`` is ``True`` for content already in the
    dataset (same SHA-256)."""

    input: str
    bytes: int
    sha256: str
    skipped: bool = False
    rows: dict[str, int] = field(default_factory=dict)
    fragments: dict[str, str] = field(default_factory=dict)  # table -> path in the store
    bad_lines: list[str] = field(default_factory=list)
    facts: ProvenanceBuilder | None = None

    @property
    def staging(self) -> str:
        """This input's fragments' folder: the same content under two names is two inputs
        (each row keeps the file it came from), as in the single-machine flatten."""
        where = hashlib.sha256(self.input.encode()).hexdigest()[:8]
        return f"{STAGING}/{self.sha256[:16]}-{where}"

    def manifest_entry(self) -> dict[str, Any]:
        return {"input": self.input, "bytes": self.bytes, "sha256": self.sha256,
                "rows": self.rows, "bad_lines": len(self.bad_lines)}  # fmt: skip


def hash_stored(url: str, storage_options: StorageOptions | None = None) -> tuple[str, int]:
    """SHA-256 and size of the file's stored bytes (compressed as kept)."""
    digest = hashlib.sha256()
    size = 0
    block = bytearray(4 << 20)
    view = memoryview(block)
    with open_stored(url, storage_options) as stream:
        while got := stream.readinto(block):  # type: ignore[attr-defined]
            digest.update(view[:got])
            size += got
    return digest.hexdigest(), size


def flatten_file(
    url: str,
    out: str,
    *,
    known: Iterable[str] = (),
    tables: Iterable[str] = TABLE_NAMES,
    on_error: OnError = "raise",
    storage_options: StorageOptions | None = None,
    out_options: StorageOptions | None = None,
) -> FileRecord:
    """Flatten the archive at ``url`` into fragments under ``out``'s staging folder; a file
    whose SHA-256 is in ``known`` is only hashed (its rows are in the dataset already)."""
    try:
        sha, size = hash_stored(url, storage_options)
    except DataError:
        raise
    except Exception as exc:  # no such file, no credentials, a store that cannot be reached
        raise storage_error(exc, url, "cannot read it") from None
    record = FileRecord(shown(url), size, sha)
    if sha in set(known):
        record.skipped = True
        return record
    store = Store(out, out_options)
    folder = record.staging
    names = list(tables)
    writers = {name: store.writer(f"{folder}/{name}.parquet", SCHEMAS[name]) for name in names}
    policy = ErrorPolicy(on_error)
    facts = ProvenanceBuilder()
    try:
        with open_archive(url, storage_options) as stream:
            readable = cast(Readable, stream)  # every opener here gives readinto
            chunks = chunks_from_stream(readable, shown(url), policy, stored_bytes=size)
            for batch in flatten_chunks(chunks, tables=names, policy=policy,
                                        on_facts=facts.add_facts):  # fmt: skip
                for name, table in batch.items():
                    writers[name].write(table)
        for name, writer in writers.items():
            if writer.rows:
                record.fragments[name] = writer.commit()
                record.rows[name] = writer.rows
            else:
                writer.abort()
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    record.bad_lines = [str(error) for error in policy.skipped]
    record.facts = facts
    return record


def new_run_id() -> str:
    """A name part for one run's files (two runs never write the same name)."""
    return uuid.uuid4().hex[:12]
