"""A worker's memory: rows held for later never keep whole batches alive.

A day with few posts among many (or one merge bucket of several) gets a few rows from each
batch; a slice shares its batch's buffers, so holding slices held every batch whole until the
day's rows were written: the Dask worker's peak was 1.48x the one-process flatten's
(benchmarks/scale.py). Measured here in bytes held, not in time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pyarrow as pa

import twxdata.scale.parts as parts
import twxdata.scale.store as store
from twxdata.scale.parts import PartitionedWriter
from twxdata.scale.store import Store
from twxdata.scale.task import flatten_files
from twxdata.tables.schema import SCHEMAS


def _posts(batch: int, rows: int, sparse_every: int) -> pa.Table:
    """``rows`` posts of one busy day, every ``sparse_every``-th of another day, with a long
    text each (so a batch's buffers are large next to one row)."""
    busy = datetime(2024, 5, 1, tzinfo=timezone.utc)
    days = [busy + timedelta(days=1) if n % sparse_every == 0 else busy for n in range(rows)]
    ids = [str(batch * rows + n + 1) for n in range(rows)]
    columns = {"id": ids, "text": ["x" * 2000] * rows, "created_at": days}
    schema = SCHEMAS["tweets"]
    arrays = [
        pa.array(columns[f.name], f.type) if f.name in columns else pa.nulls(rows, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def test_a_sparse_day_holds_its_rows_not_the_batches_they_came_from(tmp_path):
    writer = PartitionedWriter(Store(str(tmp_path)), "t", "tweets", 10**6, lambda rows: {})
    for batch in range(40):  # 40 batches of 1,000 rows: the sparse day gets 10 of each
        writer.write(_posts(batch, 1000, 100))
    held = [t for parts in writer._held.values() for t in parts]
    assert sum(t.num_rows for t in held) > 0
    pinned = sum(t.get_total_buffer_size() for t in held)
    needed = sum(t.nbytes for t in held)
    assert pinned < 2 * needed  # before: every batch whole, about 100x what the rows need
    writer.abort()


def test_a_task_s_buckets_hold_their_rows_not_the_parsed_batches(tmp_path, monkeypatch):
    """The first pass splits posts into merge buckets by day: the same holds there (rows wait
    as whole batches, never as slices of them; each bucket's part is staged at once)."""
    pinned: list[tuple[int, int]] = []
    add, write = parts.BucketSplitter.add, store.FragmentWriter.write

    def measured(self: parts.BucketSplitter, table: pa.Table) -> Iterator[tuple[int, pa.Table]]:
        yield from add(self, table)
        for held in (self._held, *(w._held for w in writers)):
            if held:
                pinned.append((sum(t.get_total_buffer_size() for t in held),
                               sum(t.nbytes for t in held)))  # fmt: skip

    writers: list[store.FragmentWriter] = []

    def watched(self: store.FragmentWriter, table: pa.Table, *, now: bool = False) -> None:
        writers.append(self)
        write(self, table, now=now)

    monkeypatch.setattr(parts.BucketSplitter, "add", measured)
    monkeypatch.setattr(store.FragmentWriter, "write", watched)
    lines = []
    for n in range(3000):  # one page per post: each parsed batch has many days' posts
        day = 2 if n % 50 == 0 else 1
        post = {"id": str(n + 1), "text": "y" * 500, "created_at": f"2024-05-0{day}T00:00:00.000Z"}
        lines.append(json.dumps({"data": [post]}))
    archive = tmp_path / "a.jsonl"
    archive.write_text("\n".join(lines) + "\n")
    record = flatten_files([str(archive)], str(tmp_path / "ds"), spread=2, tables=["tweets"])
    assert record.rows["tweets"] == 3000
    assert {f.bucket for f in record.fragments["tweets"]} == {0, 1}
    assert pinned and max(p / max(n, 1) for p, n in pinned) < 4
