"""Hive-partitioned Parquet datasets that grow by appending, never by rewriting.

Layout: ``DIR/<table>/day=YYYY-MM-DD/part-<time>-<id>-<n>.parquet`` for tables with a time
(posts by ``created_at``, counts by ``start``), ``DIR/<table>/part-...parquet`` for the others.
pandas, DuckDB, Polars and Spark read ``DIR/<table>`` as one table with a ``day`` column. Every
append writes new files only — earlier partitions are never touched — and each file is written
under a temporary name and renamed into place, so a reader never sees half a file.

A ledger (``DIR/_twxdata_appends.json``) remembers which pages of which collection were already
appended, so writing a collection again after it resumed appends only its new pages.

>>> import tempfile, pathlib, pyarrow as pa
>>> from datetime import datetime, timezone
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> t = pa.table({"id": ["1", "2"], "created_at": pa.array(
...     [datetime(2024, 5, 1, tzinfo=timezone.utc), datetime(2024, 5, 2, tzinfo=timezone.utc)],
...     pa.timestamp("us", tz="UTC"))})
>>> files = append_table(folder, "tweets", t)
>>> sorted(p.parent.name for p in files)
['day=2024-05-01', 'day=2024-05-02']
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from twxdata.atomic import atomic_write_bytes
from twxdata.protocol.timefmt import utc_text

if TYPE_CHECKING:
    import pyarrow as pa

PARTITION_BY = {"tweets": "created_at", "included_tweets": "created_at", "counts": "start"}
LEDGER = "_twxdata_appends.json"


def append_table(folder: Path | str, name: str, table: pa.Table) -> list[Path]:
    """Append ``table`` as new files under ``folder/name`` (partitioned by day if it has a
    time column); returns the files written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds

    if table.num_rows == 0:
        return []
    base = Path(folder) / name
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".staging-{uuid.uuid4().hex[:12]}"
    stamp = time.strftime("%Y%m%dT%H%M%S")
    template = f"part-{stamp}-{uuid.uuid4().hex[:8]}-{{i}}.parquet"
    column = PARTITION_BY.get(name)
    partitioning = None
    if column and column in table.column_names:
        day = pc.strftime(table.column(column), format="%Y-%m-%d").fill_null("unknown")
        table = table.append_column("day", day)
        partitioning = ds.partitioning(pa.schema([("day", pa.string())]), flavor="hive")
    try:
        ds.write_dataset(
            table, staging, format="parquet", partitioning=partitioning,
            basename_template=template, existing_data_behavior="error",
        )  # fmt: skip
        written = []
        for tmp in sorted(staging.rglob("*.parquet")):
            target = base / tmp.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)  # each file appears whole or not at all
            written.append(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


class Ledger:
    """Which pages of which collections a dataset already holds."""

    def __init__(self, folder: Path | str) -> None:
        self.path = Path(folder) / LEDGER
        self.entries: list[dict[str, Any]] = []
        if self.path.exists():
            self.entries = list(orjson.loads(self.path.read_bytes()).get("appends", []))

    def pages_written(self, fingerprint: str) -> int:
        return max((e["pages_end"] for e in self.entries if e["collection"] == fingerprint),
                   default=0)  # fmt: skip

    def record(self, fingerprint: str, start: int, end: int, files: Mapping[str, int]) -> None:
        self.entries.append(
            {"collection": fingerprint, "pages_start": start, "pages_end": end,
             "at": utc_text(time.time()), "files": dict(files)}
        )  # fmt: skip
        atomic_write_bytes(self.path, orjson.dumps({"appends": self.entries},
                                                   option=orjson.OPT_INDENT_2))  # fmt: skip
