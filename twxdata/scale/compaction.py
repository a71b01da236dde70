"""``compact``: many small files of a dataset merged into few (``twxdata compact DIR``).

Appends add files (each run its own, per day partition); a year of daily runs, or an older
dataset built from many small flattens, ends with thousands. Each table's partition folder
with more than one file is rewritten as files of up to ``rows_per_file`` rows, keeping the
first row of each key, as every write does. New files are put in place before the old ones
are removed, so a reader never misses rows (one reading at that instant may see some twice).
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from typing import Any

from twxdata.scale.engine import one_writer
from twxdata.scale.journal import commit, finish
from twxdata.scale.merge import key_of
from twxdata.scale.parts import STAGING
from twxdata.scale.sources import StorageOptions, storage_failures
from twxdata.scale.store import Store
from twxdata.scale.task import new_run_id
from twxdata.store.combined import combined
from twxdata.store.provenance import PROVENANCE_KEY, provenance_metadata
from twxdata.tables.dedup import Seen
from twxdata.tables.names import TABLE_NAMES
from twxdata.tables.schema import SCHEMAS


@dataclass
class Compacted:
    """Files before and after, per table."""

    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Compacted {sum(self.before.values())} files -> {sum(self.after.values())}>"


def compact(
    path: str,
    *,
    rows_per_file: int = 4_000_000,
    storage_options: StorageOptions | None = None,
) -> Compacted:
    """Merge each partition's files of the dataset at ``path`` into as few as fit.

    >>> import tempfile, os, twxdata.scale as scale
    >>> folder = tempfile.mkdtemp()
    >>> for n in range(3):
    ...     name = os.path.join(folder, f"{n}.jsonl")
    ...     _ = open(name, "w").write('{"data": [{"id": "%d", "text": "x"}]}\\n' % n)
    ...     _ = scale.flatten([name], os.path.join(folder, "ds"))
    >>> scale.compact(os.path.join(folder, "ds")).after["tweets"]
    1
    """
    store = Store(path, storage_options)
    # Not while a flatten appends, nor two at once.
    with storage_failures(path, "cannot compact the dataset there"), one_writer(store):
        finish(store)  # a run cut off while committing: its files first
        done = _compact(store, rows_per_file)
        store.remove(STAGING)
        return done


def _compact(store: Store, rows_per_file: int) -> Compacted:
    result = Compacted()
    run = new_run_id()
    for table in TABLE_NAMES:
        files = store.files(table)
        result.before[table] = len(files)
        folders: dict[str, list[str]] = {}
        for name in files:
            folders.setdefault(posixpath.dirname(name), []).append(name)
        after = 0
        for folder, names in folders.items():
            if len(names) == 1:
                after += 1
                continue
            after += _rewrite(store, table, folder, names, run, rows_per_file)
        if files:
            result.after[table] = after
        else:
            del result.before[table]
    return result


def _rewrite(
    store: Store, table: str, folder: str, names: list[str], run: str, rows_per_file: int
) -> int:
    schema = SCHEMAS[table]
    seen = Seen()
    staged: list[str] = []
    writer = None
    # Each new file is described by every merged file's record (their runs combined).
    records = [r for name in names if (r := _provenance(store, name)) is not None]

    first = store.metadata_of(names[0])

    def footer(rows: int) -> dict[str, str]:
        if not records:
            return first
        record = combined(records, table=table, rows=rows, keep_runs=True)
        return {**first, **provenance_metadata({**record, "compacted_from": len(names)})}

    try:
        for name in names:
            part = store.read(name).select(schema.names).cast(schema)
            key = key_of(part, table)
            if key is not None:
                part = part.filter(seen.keep(key))
            if writer is None:
                staged_name = f"{STAGING}/compact-{run}/{folder}/part-c{run}-{len(staged)}.parquet"
                writer = store.writer(staged_name, schema)
            writer.write(part)
            if writer.rows >= rows_per_file:
                staged.append(writer.commit(footer(writer.rows)))
                writer = None
        if writer is not None:
            staged.append(writer.commit(footer(writer.rows)))
    except BaseException:
        if writer is not None:
            writer.abort()
        store.remove(f"{STAGING}/compact-{run}")
        raise
    prefix = f"{STAGING}/compact-{run}/"
    # The merged files in, the ones they replace out: both, or (cut off) both by the next run.
    commit(store, moves=[(name, name.removeprefix(prefix)) for name in staged], removes=names)
    store.remove(f"{STAGING}/compact-{run}")
    return len(staged)


def _provenance(store: Store, name: str) -> dict[str, Any] | None:
    raw = store.metadata_of(name).get(PROVENANCE_KEY)
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None
