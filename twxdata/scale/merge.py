"""The second pass: each table's fragments, in input order, de-duplicated across inputs.

A post found in several files (overlapping searches, stream reconnects) is kept once, from
the first file that has it, exactly as the single-machine flatten keeps the first occurrence:
entities by their key (``KEYS``), follower edges by the pair, and a post's edges (mentions,
hashtags, urls, media, references) only from the file whose post was kept, told by the posts'
ids (not by the edges themselves: a later, edited version of a post must not add edges).
Rows already in the dataset count as first, so files added later append only what is new.

Measured against a shuffle by id (``benchmarks/scale.py``): the tasks stage Arrow IPC, read
back here at memory speed, and this pass streams each table once with only its keys in memory
(8 bytes an id, ``tables.dedup.Seen``). Posts (and counts) are partitioned by day and a post's
day never changes, so the tasks already split them into buckets of days (``parts.buckets``),
merged in parallel; Parquet is encoded once, here. A day is in one bucket: one file per day
partition per table per run (``rows_per_file`` allowing), however many inputs.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from twxdata.scale.parts import STAGING, PartitionedWriter, bucket_of_folder, joined, kept
from twxdata.scale.store import Store
from twxdata.store.provenance import provenance_metadata
from twxdata.tables.dedup import Seen
from twxdata.tables.output import TableWriter
from twxdata.tables.schema import SCHEMAS

KEYS: dict[str, tuple[str, ...]] = {
    "tweets": ("id",),
    "included_tweets": ("id",),
    "users": ("id",),
    "lists": ("id",),
    "spaces": ("id",),
    "media": ("media_key",),
    "places": ("id",),
    "polls": ("id",),
    "edges_followers": ("user_id", "follower_id"),
}
BY_POST = ("edges_mentions", "edges_hashtags", "edges_urls", "edges_media", "edges_references")


@dataclass(frozen=True)
class MergeJob:
    """One table's second pass (for posts and counts, one bucket of its day partitions):
    every task's fragment in input order, the posts' fragments (for edges), where the result
    goes and under which names."""

    table: str
    inputs: tuple[str, ...]  # per task: its fragment of this table and bucket, or ""
    posts: tuple[tuple[str, ...], ...]  # per task: its posts' fragments (for edges)
    run: str
    target: str  # "dataset": DIR/<table>/[day=...]/part-*.parquet; else a table file
    bucket: int = 0  # the days this job writes: day number modulo spread (parts.buckets)
    spread: int = 1
    rows_per_file: int = 4_000_000


def key_of(table: pa.Table, name: str) -> pa.Array | None:
    """The column(s) a table is de-duplicated by, as one string array; None: not at all."""
    columns = KEYS.get(name)
    if columns is None:
        return None
    arrays = [table.column(c).combine_chunks().cast(pa.string()) for c in columns]
    if len(arrays) == 1:
        return arrays[0]
    return pc.binary_join_element_wise(*arrays, "\x1f")


def existing_ids(store: Store, name: str, bucket: int = 0, spread: int = 1) -> Seen:
    """What the dataset already holds of ``name`` (in the day partitions of ``bucket``): its
    keys (posts' ids, for edges: all of them)."""
    seen = Seen()
    source = "tweets" if name in BY_POST else name
    columns = list(KEYS.get(source, ()))
    if not columns:
        return seen
    for file in store.files(source):
        folder = posixpath.basename(posixpath.dirname(file))
        if name not in BY_POST and bucket_of_folder(folder, spread) != bucket:
            continue
        key = key_of(store.read(file, columns=columns), source)
        if key is not None:
            seen.keep(key)
    return seen


def staging_of(run: str) -> str:
    return f"{STAGING}/merge-{run}"


def merge_table(
    root: str,
    job: MergeJob,
    provenance: dict[str, Any],
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``job``. Returns ``{"table", "rows", "files", "moves"}``: for a dataset, the moves
    (staged name, final name) the driver makes once every job is done; else the table file
    written. Running it again (a retried task) writes the same names."""
    merger = Merger(root, job, provenance, storage_options)
    try:
        for fragment, posts in zip(job.inputs, job.posts, strict=True):
            merger.add(fragment, posts)
        return merger.commit()
    except BaseException:
        merger.abort()
        raise


class Merger:
    """One job's second pass, fed one task's fragments at a time, in input order: by
    ``merge_table`` once every task is done, or by the driver as each one finishes (while
    the others still run). ``provenance`` may be completed up to ``commit``; a dataset's
    files closed earlier (past ``rows_per_file``) carry it as it was then."""

    def __init__(
        self,
        root: str,
        job: MergeJob,
        provenance: dict[str, Any],
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.job = job
        self.provenance = provenance
        self.store = Store(root, storage_options)
        self._table: TableWriter | None = None
        self._parts: PartitionedWriter | None = None
        if job.target != "dataset":
            self.seen = Seen()
            self._table = TableWriter(job.target, SCHEMAS[job.table], name=job.table)
            return
        self._staging = f"{staging_of(job.run)}/{job.table}/b{job.bucket}"
        self.store.remove(self._staging)  # a retried task starts from nothing
        self.seen = existing_ids(self.store, job.table, job.bucket, job.spread)
        self._parts = PartitionedWriter(
            self.store, self._staging, job.table, job.rows_per_file, self._footer
        )

    def _footer(self, rows: int) -> dict[str, str]:
        return provenance_metadata({**self.provenance, "table": self.job.table, "rows": rows})

    def add(self, fragment: str, posts: tuple[str, ...] = ()) -> None:
        """One task's fragment of this table ("": none) and, for edges, its posts' fragments."""
        writer = self._table if self._table is not None else self._parts
        assert writer is not None
        for table in _kept(self.store, self.job.table, fragment, posts, self.seen):
            writer.write(table)

    def commit(self, provenance: dict[str, Any] | None = None) -> dict[str, Any]:
        """Finish the files (with ``provenance``, if given now); what ``merge_table`` returns."""
        if provenance is not None:
            self.provenance = provenance
        job = self.job
        if self._table is not None:
            rows = self._table.rows
            self._table.commit(self._footer(rows))
            return {"table": job.table, "rows": rows, "files": [job.target], "moves": []}
        assert self._parts is not None
        files = self._parts.commit()
        moves = [(name, _final(name, self._staging, job)) for name in files]
        return {"table": job.table, "rows": self._parts.rows, "files": [to for _, to in moves],
                "moves": moves}  # fmt: skip

    def abort(self) -> None:
        if self._table is not None:
            self._table.abort()
        if self._parts is not None:
            self._parts.abort()


def _final(staged: str, staging: str, job: MergeJob) -> str:
    """``<staging>/day=D/part-N.parquet`` -> ``<table>/day=D/part-<run>-b<bucket>-N.parquet``."""
    folder, _, name = staged.removeprefix(staging + "/").rpartition("/")
    number = name.removeprefix("part-")
    return joined(job.table, folder, f"part-{job.run}-b{job.bucket}-{number}")


def _kept(
    store: Store, name: str, fragment: str, posts: tuple[str, ...], seen: Seen
) -> Iterator[pa.Table]:
    """The rows of one task's fragment that are first of their key; then, for edges, that
    task's posts claim their edges (later tasks' edges of those posts are dropped)."""
    schema = SCHEMAS[name]
    for table in store.ipc_batches(fragment) if fragment else ():
        if not table.schema.equals(schema, check_metadata=False):
            table = table.cast(schema)
        if name in BY_POST:
            table = kept(table, ~seen.contains(table.column("tweet_id")))
        else:
            key = key_of(table, name)
            if key is not None:
                table = kept(table, seen.keep(key))
        if table.num_rows:
            yield table
    for path in posts if name in BY_POST else ():
        for batch in store.ipc_batches(path):
            seen.keep(batch.column("id").combine_chunks())
