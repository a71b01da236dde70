"""The second pass: each table's fragments, in input order, into one de-duplicated table.

A post found in several files (overlapping searches, stream reconnects) is kept once, from
the first file that has it, exactly as the single-machine flatten keeps the first occurrence:
entities by their key (``KEYS``), follower edges by the pair, and a post's edges (mentions,
hashtags, urls, media, references) only from the file whose post was kept, told by the posts'
ids (not by the edges themselves: a later, edited version of a post must not add edges).
Rows already in the dataset count as first, so files added later append only what is new.

Measured against a shuffle by id: every table streams through one pass with only its ids in
memory (8 bytes each, ``tables.dedup.Seen``), and reading Parquet back is several times faster
than flattening JSON, so this pass costs a fraction of the first (``benchmarks/scale.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from twxdata.scale.store import Store
from twxdata.store.dataset import PARTITION_BY
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
PART = "part-{run}-{{i}}.parquet"


@dataclass(frozen=True)
class MergeJob:
    """One table's second pass: its fragments (and the posts' fragments, for edges) in input
    order, where the result goes and under which names."""

    table: str
    fragments: tuple[str, ...]
    posts: tuple[str, ...]  # the posts fragment of each input, "" when it has none
    run: str
    target: str  # "dataset": DIR/<table>/[day=...]/part-*.parquet; else a file name
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


def existing_ids(store: Store, name: str) -> Seen:
    """What the dataset already holds of ``name``: its keys (posts' ids for edges)."""
    seen = Seen()
    source = "tweets" if name in BY_POST else name
    columns = list(KEYS.get(source, ()))
    if not columns:
        return seen
    for file in store.files(source):
        seen.keep(key_of(store.read(file, columns=columns), source))
    return seen


def kept_batches(store: Store, job: MergeJob, seen: Seen) -> Iterator[pa.Table]:
    """The rows of ``job``'s fragments that are first of their key, fragment by fragment."""
    schema = SCHEMAS[job.table]
    for position, fragment in enumerate(job.fragments):
        for group in store.row_groups(fragment) if fragment else ():
            table = group.cast(schema)
            if job.table in BY_POST:
                table = table.filter(pa.array(~seen.contains(table.column("tweet_id"))))
            else:
                key = key_of(table, job.table)
                if key is not None:
                    table = table.filter(pa.array(seen.keep(key)))
            if table.num_rows:
                yield table
        posts = job.posts[position] if job.table in BY_POST else ""
        if posts:  # the posts this input kept claim their edges from here on
            seen.keep(store.read(posts, columns=["id"]).column("id").combine_chunks())


def merge_table(
    root: str,
    job: MergeJob,
    provenance: dict[str, Any],
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run ``job``: for a dataset, write its files under the run's staging folder (the driver
    moves them into place once every table is done); else write the one table file. Returns
    ``{"table", "rows", "files"}``. Running it again (a retried task) writes the same names."""
    store = Store(root, storage_options)
    seen = existing_ids(store, job.table) if job.target == "dataset" else Seen()
    batches = kept_batches(store, job, seen)
    record = {**provenance, "table": job.table}
    if job.target != "dataset":
        writer = TableWriter(job.target, SCHEMAS[job.table], name=job.table)
        try:
            for table in batches:
                writer.write(table)
            record["rows"] = writer.rows
            writer.commit(provenance_metadata(record))
        except BaseException:
            writer.abort()
            raise
        return {"table": job.table, "rows": writer.rows, "files": [job.target]}
    staging = f"{staging_of(job.run)}/{job.table}"
    store.remove(staging)  # a retried task starts from nothing
    rows, files = _write_parts(store, job, staging, batches, record)
    return {"table": job.table, "rows": rows, "files": files}


def staging_of(run: str) -> str:
    return f"_staging/merge-{run}"


def _write_parts(
    store: Store, job: MergeJob, staging: str, batches: Iterator[pa.Table],
    record: dict[str, Any],
) -> tuple[int, list[str]]:  # fmt: skip
    """Stream kept rows into files of at most ``rows_per_file`` rows, one set per day."""
    schema = SCHEMAS[job.table]
    writers: dict[str, Any] = {}  # partition folder -> (writer, file number)
    numbers: dict[str, int] = {}
    files: list[str] = []
    rows = 0

    def finish(folder: str) -> None:
        writer = writers.pop(folder)
        files.append(writer.commit(provenance_metadata({**record, "rows": writer.rows})))

    try:
        for table in batches:
            rows += table.num_rows
            for folder, part in _by_partition(job.table, table):
                writer = writers.get(folder)
                if writer is None:
                    number = numbers.get(folder, 0)
                    numbers[folder] = number + 1
                    name = PART.format(run=job.run).format(i=number)
                    writer = writers[folder] = store.writer(
                        "/".join(p for p in (staging, folder, name) if p), schema
                    )
                writer.write(part)
                if writer.rows >= job.rows_per_file:
                    finish(folder)
        for folder in list(writers):
            finish(folder)
    except BaseException:
        for writer in writers.values():
            writer.abort()
        raise
    return rows, files


def _by_partition(name: str, table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    column = PARTITION_BY.get(name)
    if column is None:
        yield "", table
        return
    day = pc.strftime(table.column(column), format="%Y-%m-%d").fill_null("unknown")
    for value in pc.unique(day).to_pylist():
        yield f"day={value}", table.filter(pc.equal(day, value))
