"""The driver: spread files over processes or a Dask cluster, then merge, then record.

1. Every input is a task (``task.flatten_file``): hash, flatten, write fragments under the
   output's ``_twxdata_staging/``. Tasks run on a Dask ``Client`` (any cluster: local, SLURM through
   dask-jobqueue, Kubernetes, cloud), on local processes (``workers=N``), or here, one by one.
2. Every table is a task (``merge.merge_table``): its fragments in input order, de-duplicated
   as the single-machine flatten does, written as the dataset's files. Table files from local
   workers (one file, one writer) are merged here instead, each task's fragments as soon as
   it and those before it are done, while the workers go on (``_merged_as_done``).
3. The driver moves the new files into the dataset, then records the run in the manifest
   (``_twxdata_manifest.json``: every input's size, SHA-256 and rows, every run's files), and
   removes the staging folder. A re-run skips inputs whose SHA-256 the manifest holds, so it
   adds nothing; new inputs append only what the dataset does not hold yet.

State: the manifest and the files are the dataset's whole state; nothing is kept elsewhere.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from twxdata.errors import DataError, DataWarning, ParameterError
from twxdata.scale.journal import MANIFEST as MANIFEST  # where a dataset keeps its record
from twxdata.scale.journal import commit, finish
from twxdata.scale.merge import BY_POST, MergeJob, Merger, merge_table, staging_of
from twxdata.scale.parts import STAGING
from twxdata.scale.ranges import Piece, cut, cuttable, grown
from twxdata.scale.sources import (
    Source,
    StorageOptions,
    expand,
    is_url,
    shown,
    storage_failures,
)
from twxdata.scale.store import Store
from twxdata.scale.task import InputRecord, TaskRecord, flatten_files, new_run_id
from twxdata.store.lock import ArchiveLock
from twxdata.store.provenance import ProvenanceBuilder
from twxdata.tables.compressed import compression_of
from twxdata.tables.lines import OnError
from twxdata.tables.names import SCHEMA_VERSION, TABLE_NAMES

ROWS_PER_FILE = 4_000_000
# Small inputs are flattened together, a task per this many stored bytes (or files): 10,000
# small archives are a few hundred tasks, not 10,000.
GROUP_BYTES = 32 << 20
GROUP_FILES = 500


@dataclass
class ScaleResult:
    """What a run did: rows written per table, the files, the inputs flattened and skipped."""

    rows: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    inputs: list[InputRecord] = field(default_factory=list)
    skipped: list[InputRecord] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)
    retaken: list[str] = field(default_factory=list)  # an earlier version held: taken whole
    seconds: float = 0.0

    def __repr__(self) -> str:
        rows = ", ".join(f"{n:,} {t}" for t, n in self.rows.items() if n) or "no new rows"
        return (f"<ScaleResult {len(self.inputs)} inputs flattened, {len(self.skipped)} "
                f"already done; {rows}; {len(self.files)} files>")  # fmt: skip


class _Here(Executor):
    """Runs each task at once, in this process (one worker, no pool to start)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def flatten(
    inputs: Sequence[str] | str,
    out: str,
    *,
    client: Any = None,
    workers: int | None = None,
    tables: Iterable[str] = TABLE_NAMES,
    on_error: OnError = "raise",
    storage_options: StorageOptions | None = None,
    out_options: StorageOptions | None = None,
    rows_per_file: int = ROWS_PER_FILE,
    targets: dict[str, str] | None = None,
    keep_empty: bool = False,
    provenance: dict[str, Any] | None = None,
) -> ScaleResult:
    """Flatten archives (local paths, patterns or fsspec URLs; compressed or not) into a
    hive-partitioned dataset at ``out`` (a folder or a URL), in parallel.

    ``client`` is a ``dask.distributed.Client``; without it, ``workers`` local processes (one:
    this process). ``targets`` (table -> local file) writes plain table files instead of a
    dataset, as ``twxdata flatten -o DIR/ --workers N`` does (those without rows only with
    ``keep_empty``). A dataset's files hold at most ``rows_per_file`` rows.

    >>> import tempfile, os, twxdata.scale as scale
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "a.jsonl")
    >>> _ = open(path, "w").write('{"data": [{"id": "1", "text": "x"}]}\\n')
    >>> scale.flatten([path], os.path.join(folder, "dataset")).rows["tweets"]
    1
    >>> scale.flatten([path], os.path.join(folder, "dataset")).skipped[0].input == path
    True
    """
    started = time.monotonic()
    paths = [inputs] if isinstance(inputs, str) else list(inputs)
    names = _tables(tables)
    if rows_per_file < 1:
        raise ParameterError("rows_per_file", "must be a positive integer", got=rows_per_file)
    store = Store(out, out_options)
    others = foreign_files(store.local) if targets is None and store.local is not None else []
    if others:
        raise ParameterError("out", "a new or empty folder, or a dataset (it holds other "
                             f"files: {', '.join(others[:3])})", got=out)  # fmt: skip
    sources = expand(paths, storage_options)
    # Inputs' failures are named by the tasks; what is left of the store's is the output's.
    with storage_failures(out, "cannot write the dataset there"), one_writer(store):
        result = _run(store, sources, out, names, client=client, workers=workers,
                      on_error=on_error, storage_options=storage_options,
                      out_options=out_options, rows_per_file=rows_per_file, targets=targets,
                      keep_empty=keep_empty, provenance=provenance)  # fmt: skip
    result.seconds = time.monotonic() - started
    if on_error == "warn":
        for line in result.bad_lines:
            warnings.warn(f"skipped {line}", DataWarning, stacklevel=2)
    for name in result.retaken:
        warnings.warn(retaken_warning(name), DataWarning, stacklevel=2)
    return result


def retaken_warning(name: str) -> str:
    """What is said of a file taken whole again (``ScaleResult.retaken``)."""
    return (
        f"{name}: the dataset held an earlier version of this file, and this one was taken "
        "whole (it was not only appended to, or it is compressed or remote): its posts and "
        "users are in the dataset once, its earlier pages and errors twice"
    )


def _run(
    store: Store, sources: list[Source], out: str, names: list[str], *, client: Any,
    workers: int | None, on_error: OnError, storage_options: StorageOptions | None,
    out_options: StorageOptions | None, rows_per_file: int, targets: dict[str, str] | None,
    keep_empty: bool, provenance: dict[str, Any] | None,
) -> ScaleResult:  # fmt: skip
    """``flatten``'s work, with the folder held by this run."""
    if targets is None:
        finish(store)  # a run cut off while committing: its files and manifest first
    manifest = _read_manifest(store) if targets is None else {}
    known = [entry["sha256"] for entry in manifest.get("inputs", [])]
    # Each input's latest entry, by name: an archive that grew since is taken from where
    # the dataset's copy ends (its earlier lines again would add their pages and errors twice).
    held = {e["input"]: (int(e["bytes"]), e["sha256"]) for e in manifest.get("inputs", [])
            if isinstance(e.get("bytes"), int) and isinstance(e.get("input"), str)}  # fmt: skip
    run = new_run_id()
    needed = sorted(set(names) | ({"tweets"} if set(names) & set(BY_POST) else set()))
    result = ScaleResult()
    store.remove(STAGING)  # what a run killed before its end left
    try:
        # The pool is stopped (its workers' last writes done) before the staging goes.
        with _executor(client, workers, len(sources)) as pool:
            # Posts and counts are merged in buckets of days, a few per worker (one table
            # file cannot be split).
            spread = 1 if targets is not None else 2 * _parallelism(client, workers)
            inputs = _grown(sources, held, known, result)
            tasks = _first_pass(pool, client, inputs, out, known, needed, on_error,
                                storage_options, out_options, spread, result)  # fmt: skip
            if targets is not None and client is None:
                merged = _merged_as_done(tasks, out, names, run, targets, keep_empty,
                                         out_options, provenance, result)  # fmt: skip
            else:
                fresh = _sort_out(_gather(client, tasks), result)
                facts = _facts(fresh, provenance, dataset=targets is None)
                jobs = _jobs(names, fresh, run, targets, rows_per_file, keep_empty, spread)
                merged = _gather(client, [
                    _submit(pool, client, merge_table, out, job, facts, out_options)
                    for job in jobs
                ])  # fmt: skip
    except BaseException:
        store.remove(STAGING)  # every task's fragments: nothing half-made stays
        raise
    for done in merged:
        result.rows[done["table"]] = result.rows.get(done["table"], 0) + done["rows"]
    # A file the dataset took before under this name, changed but not by lines appended (or
    # compressed, or remote: not entered where the old one ended), was taken whole again.
    result.retaken = [i.input for i in result.inputs if not i.from_byte
                      and held.get(i.input, (0, ""))[0] > 0 and i.sha256 not in known]  # fmt: skip
    if targets is None:
        moves = [(staged, final) for done in merged for staged, final in done["moves"]]
        result.files = [final for _, final in moves]
        commit(store, moves=moves, manifest=_manifest(manifest, run, result))
        store.remove(staging_of(run))
    else:
        result.files = [f for done in merged for f in done["files"]]
    store.remove(STAGING)
    return result


def foreign_files(folder: Path) -> list[str]:
    """What in a local ``folder`` without a manifest is not a dataset's own: a dataset's
    folder holds its table folders and our files only (a run killed before writing its
    manifest leaves those, and the same run again goes on), so a folder of the user's files
    is never made one.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> (folder / "tweets").mkdir(); _ = (folder / "notes.txt").write_text("mine")
    >>> foreign_files(folder)
    ['notes.txt']
    """
    if not folder.is_dir() or (folder / MANIFEST).is_file():
        return []
    return sorted(e.name for e in folder.iterdir()
                  if not (e.name in TABLE_NAMES and e.is_dir())
                  and not e.name.startswith(("_twxdata", ".")))  # fmt: skip


def one_writer(store: Store) -> contextlib.AbstractContextManager[Any]:
    """A local folder is written by one run at a time (a second is refused, naming the first:
    it would clear the first's staging); in object storage that is the user's to ensure."""
    if store.local is None:
        return contextlib.nullcontext()
    advice = "one flatten writes to a folder at a time; wait for it to finish, then run again"
    return ArchiveLock(store.local / MANIFEST, advice=advice)


def _tables(tables: Iterable[str]) -> list[str]:
    names = [tables] if isinstance(tables, str) else list(tables)
    unknown = [n for n in names if n not in TABLE_NAMES]
    if unknown or not names:
        raise ParameterError("tables", f"one or more of {', '.join(TABLE_NAMES)}", got=unknown)
    return names


@contextlib.contextmanager
def _executor(client: Any, workers: int | None, files: int) -> Any:
    if client is not None:
        yield None
        return
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)
                                or workers < 1):  # fmt: skip
        raise ParameterError("workers", "must be a positive integer", got=workers)
    count = min(workers or 1, max(files, 1))
    if count == 1:
        yield _Here()
        return
    import multiprocessing

    # spawn: a fresh interpreter per worker, whatever threads the caller (a notebook) runs.
    pool = ProcessPoolExecutor(
        count, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_start
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_start() -> None:
    """In each process the pool starts (ours, not the caller's): batches come and go, and the
    system allocator hands their memory back where Arrow's default (mimalloc) keeps it, as
    the one-process ``twxdata flatten`` does."""
    import signal

    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    # Ctrl-C in a terminal reaches every process of the group: the driver handles it (and
    # stops this pool); a worker would only print its own traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _submit(pool: Executor | None, client: Any, fn: Callable[..., Any], *args: Any,
            **kwargs: Any) -> Any:  # fmt: skip
    if client is not None:
        return client.submit(fn, *args, pure=False, **kwargs)
    assert pool is not None
    return pool.submit(fn, *args, **kwargs)


def _gather(client: Any, futures: list[Any]) -> list[Any]:
    if client is not None:
        return list(client.gather(futures))
    return [future.result() for future in futures]


def _first_pass(
    pool: Executor | None, client: Any, sources: list[Source | Piece], out: str, known: list[str],
    tables: list[str], on_error: OnError, storage_options: StorageOptions | None,
    out_options: StorageOptions | None, spread: int, result: ScaleResult,
) -> list[Any]:  # fmt: skip
    """Every task submitted, in input order: their futures (large files the dataset holds
    already, found while cutting them, go into ``result.skipped``)."""
    # Spread over processes (or a cluster), tasks parse in their own thread: the processes
    # already fill the cores, more threads would only take turns. Here, as one flatten does.
    parallel = 1 if isinstance(pool, _Here) else max(spread // 2, 2)
    futures = [
        _submit(pool, client, flatten_files,
                group, out, known=known,
                tables=tables, on_error=on_error, storage_options=storage_options,
                out_options=out_options, spread=spread,
                threads=None if isinstance(pool, _Here) else 1)
        for group in groups(_cut_large(sources, known, parallel, result))
    ]  # fmt: skip
    return futures


def groups(sources: list[Source | Piece]) -> list[list[Source | Piece]]:
    """Consecutive inputs in tasks of about ``GROUP_BYTES`` (a larger file, or a piece of
    one: a task alone).

    >>> [len(g) for g in groups([Source(str(n), 10 << 20) for n in range(7)])]
    [4, 3]
    """
    out: list[list[Source | Piece]] = []
    size = 0
    for source in sources:
        piece = isinstance(source, Piece)
        if not out or piece or size >= GROUP_BYTES or len(out[-1]) >= GROUP_FILES:
            out.append([])
            size = 0
        out[-1].append(source)
        size = GROUP_BYTES if piece else size + source.size
    return out


def _grown(
    sources: list[Source], held: dict[str, tuple[int, str]], known: list[str],
    result: ScaleResult,
) -> list[Source | Piece]:  # fmt: skip
    """Local uncompressed archives the dataset holds a shorter copy of (by name) as the piece
    of lines they gained (``ranges.grown``); a known file is skipped here, having been hashed."""
    out: list[Source | Piece] = []
    for source in sources:
        before = held.get(source.shown)
        if (before is None or before[0] >= source.size or is_url(source.url)
                or compression_of(source.url) is not None):  # fmt: skip
            out.append(source)
            continue
        sha, piece = grown(source.url, *before, name=source.shown)
        if sha in known:
            result.skipped.append(InputRecord(source.shown, source.size, sha, True))
        else:
            out.append(piece or source)
    return out


def _cut_large(
    sources: list[Source | Piece], known: list[str], parallel: int, result: ScaleResult
) -> list[Source | Piece]:
    """Large local uncompressed files as pieces (``ranges``), when there is more than one
    worker to give them to; a known file is skipped here, having been hashed."""
    if parallel < 2:
        return list(sources)
    out: list[Source | Piece] = []
    for source in sources:
        # A grown file's new lines stay one piece.
        if isinstance(source, Piece) or is_url(source.url) or not cuttable(source.url, source.size):
            out.append(source)
            continue
        sha, pieces = cut(source.url)
        if sha in known:
            result.skipped.append(InputRecord(source.shown, source.size, sha, True))
        else:
            out.extend(dataclasses.replace(piece, name=source.name) for piece in pieces)
    return out


def _parallelism(client: Any, workers: int | None) -> int:
    if client is not None:
        with contextlib.suppress(Exception):
            return max(1, len(client.scheduler_info().get("workers", {})))
        return 2
    return workers or 1


def _merged_as_done(
    tasks: list[Future[TaskRecord]], out: str, names: list[str], run: str,
    targets: dict[str, str], keep_empty: bool, out_options: StorageOptions | None,
    provenance: dict[str, Any] | None, result: ScaleResult,
) -> list[dict[str, Any]]:  # fmt: skip
    """Table files from local workers: this process merges each task's fragments as soon as
    it and those before it are done, while the workers go on with the next ones (one file
    per table has one writer whatever happens, so it might as well start at once)."""
    mergers = {name: Merger(out, MergeJob(name, (), (), run, targets[name]), {}, out_options)
               for name in names if name in targets}  # fmt: skip
    fresh: list[TaskRecord] = []
    merged: list[dict[str, Any]] = []
    try:
        for task in tasks:
            done = _sort_out([task.result()], result)
            fresh.extend(done)
            for record in done:
                posts = tuple(f.path for f in record.fragments.get("tweets", ()))
                for name, merger in mergers.items():
                    fragments = record.fragments.get(name, ())
                    merger.add(fragments[0].path if fragments else "", posts)
        facts = _facts(fresh, provenance, dataset=False)
        for name in list(mergers):
            merger = mergers.pop(name)
            if keep_empty or any(name in r.fragments for r in fresh):
                merged.append(merger.commit(facts))
            else:
                merger.abort()
    except BaseException:
        for merger in mergers.values():  # those not finished
            merger.abort()
        raise
    return merged


def _sort_out(records: list[TaskRecord], result: ScaleResult) -> list[TaskRecord]:
    """The tasks that flattened something, in input order (not those the dataset had)."""
    fresh: list[TaskRecord] = []
    for record in records:
        result.skipped.extend(i for i in record.inputs if i.skipped)
        result.inputs.extend(record.flattened)
        if record.made:
            fresh.append(record)
            result.bad_lines.extend(record.bad_lines)
    return fresh


def _facts(
    fresh: list[TaskRecord], extra: dict[str, Any] | None, *, dataset: bool
) -> dict[str, Any]:
    """The provenance every written file carries: what the inputs' pages told, and them."""
    total = ProvenanceBuilder()
    for record in fresh:
        if record.facts is not None:
            total.add_facts(record.facts)
    total.sources = [{"file": i.input, "bytes": i.bytes, "sha256": i.sha256}
                     for r in fresh for i in r.flattened]  # fmt: skip
    built = {**total.build(table="", rows=0), **(extra or {})}
    # A dataset's manifest lists them all, so its footers stay small; a table file keeps
    # them (flatten tells by them whether the table may be made again).
    if dataset and len(total.sources) > 100:
        built["sources"] = {"inputs": len(total.sources), "listed_in": MANIFEST}
    return built


def _jobs(
    names: list[str], fresh: list[TaskRecord], run: str, targets: dict[str, str] | None,
    rows_per_file: int, keep_empty: bool, spread: int,
) -> list[MergeJob]:  # fmt: skip
    jobs = []
    for name in names:
        if not any(name in r.fragments for r in fresh) and (targets is None or not keep_empty):
            continue
        if targets is not None and name not in targets:
            continue
        posts = tuple(tuple(f.path for f in r.fragments.get("tweets", ())) for r in fresh)
        found = sorted({f.bucket for r in fresh for f in r.fragments.get(name, ())}) or [0]
        for bucket in found:
            jobs.append(MergeJob(
                table=name,
                inputs=tuple(next((f.path for f in r.fragments.get(name, ())
                                   if f.bucket == bucket), "") for r in fresh),
                posts=posts,
                run=run,
                target="dataset" if targets is None else targets[name],
                bucket=bucket,
                spread=spread,
                rows_per_file=rows_per_file,
            ))  # fmt: skip
    return jobs


def _read_manifest(store: Store) -> dict[str, Any]:
    data = store.read_bytes(MANIFEST)
    if data is None:
        return {}
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise DataError("the dataset's manifest is damaged", source=shown(store.root)) from None
    return manifest if isinstance(manifest, dict) else {}


def _manifest(manifest: dict[str, Any], run: str, result: ScaleResult) -> bytes:
    """The manifest with this run's inputs and files added."""
    manifest = {
        "format": 1,
        "schema_version": SCHEMA_VERSION,
        "inputs": [*manifest.get("inputs", []), *(i.manifest_entry() for i in result.inputs)],
        "runs": [*manifest.get("runs", []), {
            "run": run,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "inputs": len(result.inputs),
            "skipped": len(result.skipped),
            "rows": result.rows,
            "bad_lines": len(result.bad_lines),
            "files": result.files,
        }],
    }  # fmt: skip
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
