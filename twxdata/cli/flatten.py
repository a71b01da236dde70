"""``twxdata flatten IN.jsonl [IN2.jsonl ...] -o OUT``: raw archives to typed tables.

``-o OUT.parquet`` (or ``.csv``) writes the posts table, or the one ``--table`` names;
``-o DIR/`` writes every table as ``DIR/<table>.parquet`` (``--format csv`` for CSV), or only
those named with ``--table``. Inputs are our archives or twarc2's JSONL (``.gz`` too), files
of twarc-flattened posts, stream output, or ``-`` for stdin.

The input is streamed a few MB at a time, so memory stays flat however large it is. Output
files are written beside the target and moved into place at the end: on any error nothing is
left behind and an existing output is kept. In CSV, list, struct and map columns are JSON text.

Exit status: 0 done, 1 unreadable input (the message names file and line), 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twxdata.cli import UsageError
from twxdata.cli.paths import check_output, make_folders, remove_folders
from twxdata.cli.process import tuned
from twxdata.cli.replacing import check_flatten_replacing
from twxdata.cli.scale import add_scale_options

if TYPE_CHECKING:
    from twxdata.tables.facts import PageFacts

_FORMATS = ("parquet", "csv")


def register(sub: Any) -> None:
    from twxdata.tables.names import TABLE_NAMES

    parser = sub.add_parser(
        "flatten",
        help="turn archived API responses into typed Parquet or CSV tables",
        description=__doc__.split("\n\n", 1)[1].rsplit("\n\n", 1)[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "inputs", nargs="+", metavar="IN", help="JSONL archive (ours or twarc2's), .gz, or -"
    )
    parser.add_argument(
        "-o", "--output", required=True, metavar="OUT",
        help="OUT.parquet or OUT.csv for one table; DIR/ for every table",
    )  # fmt: skip
    parser.add_argument(
        "--table", action="append", metavar="NAME", dest="tables",
        help=f"table to write (repeatable; default: tweets, or all for DIR/): "
        f"{', '.join(TABLE_NAMES)}",
    )  # fmt: skip
    parser.add_argument(
        "--format", choices=_FORMATS, help="file format for DIR/ output (default: parquet)"
    )
    parser.add_argument(
        "--on-error", choices=("raise", "skip", "warn"), default="raise",
        help="a corrupt or truncated line: stop (default), skip it, or skip it with a warning",
    )  # fmt: skip
    parser.add_argument(
        "--replace", action="store_true",
        help="let -o replace a table whose rows exist nowhere else: a collection's table, "
        "one flattened from files now gone, a CSV file, a file twxdata did not write",
    )  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    add_scale_options(parser)
    parser.set_defaults(run=run)


def plan(args: argparse.Namespace) -> dict[str, Path]:
    """Which table goes to which file; raises ``UsageError`` for impossible requests."""
    from twxdata.tables.names import TABLE_NAMES

    tables = args.tables or []
    unknown = [t for t in tables if t not in TABLE_NAMES]
    if unknown:
        raise UsageError(
            f"--table: no table {', '.join(unknown)} (tables: {', '.join(TABLE_NAMES)})"
        )
    output = check_output(args.output, "-o", directory_ok=True, inputs=args.inputs)
    out = output.path
    if output.kind == "directory":
        suffix = "." + (args.format or "parquet")
        # Only the tables that get rows are kept (run() drops the empty ones), unless named.
        return {name: out / f"{name}{suffix}" for name in (tables or TABLE_NAMES)}
    if args.format:
        raise UsageError("--format is for a folder output; name the file .parquet or .csv")
    if len(tables) > 1:
        raise UsageError("one output file holds one table; use -o DIR/ for several")
    return {(tables or ["tweets"])[0]: out}


def _check_inputs(inputs: list[str]) -> None:
    from twxdata.tables.compressed import compression_by

    for name in inputs:
        if name == "-":
            continue
        path = Path(name)
        if not path.exists():
            raise UsageError(f"{name}: no such file")
        if path.is_dir():
            raise UsageError(f"{name}: is a folder; give the JSONL files in it")
        try:
            with open(path, "rb") as file:
                head = file.read(4)
        except OSError as exc:
            raise UsageError(f"{name}: cannot read it ({exc.strerror})") from None
        if head == b"PAR1":
            raise UsageError(
                f"{name}: is a Parquet file; flatten reads API responses (JSONL), and "
                "`twxdata info` shows what a Parquet file holds"
            )
        zstd = compression_by(head, name) == "zstd"
        if zstd and importlib.util.find_spec("zstandard") is None:
            raise UsageError(
                f"{name}: is Zstandard-compressed; reading it needs the zstandard package: "
                "pip install 'twxdata[scale]'"
            )
    if inputs.count("-") > 1:
        raise UsageError("stdin (-) can be read once")
    empty = [name for name in inputs if name != "-" and Path(name).stat().st_size == 0]
    if empty and len(empty) == len(inputs):
        from twxdata.errors import DataError

        # As the one-process flatten says of an empty stream: not an empty result.
        raise DataError("no API responses in the input: nothing written", source=", ".join(empty))
    for name in empty:  # a failed command's output, a file cut to nothing: worth a word
        print(f"twxdata flatten: warning: {name}: empty, no API responses in it", file=sys.stderr)


def expand_patterns(inputs: list[str], output: str | None = None) -> list[str]:
    """Inputs with glob patterns (``'archives/**/*.jsonl.gz'``, quoted so the shell leaves
    them) replaced by the files they match, sorted; a name that is a file stays as it is.
    Tables, checkpoints and a dataset's own files are not inputs, nor anything flatten
    writes in the ``output`` folder: ``'in/**' -o in/`` runs again as it ran first."""
    out: list[str] = []
    for name in inputs:
        if name == "-" or Path(name).exists() or not glob.has_magic(name):
            out.append(name)
            continue
        found = sorted(
            path for path in glob.glob(name, recursive=True)
            if Path(path).is_file() and not _not_an_archive(Path(path), output)
        )  # fmt: skip
        if not found:
            raise UsageError(f"{name}: no file matches")
        out.extend(found)
    return out


def _not_an_archive(path: Path, output: str | None) -> bool:
    """Whether a pattern's match is certainly no archive: a table (Parquet, CSV), a
    checkpoint, a dataset's manifest or staging, or what flatten writes in ``output``."""
    name = path.name.lower()
    if name.endswith((".parquet", ".csv", ".checkpoint.json")):
        return True
    if any(part.startswith("_twxdata") for part in path.parts):
        return True
    return _written_by_flatten(path, output)


def _written_by_flatten(path: Path, output: str | None) -> bool:
    """Whether ``path`` is in the ``output`` folder as flatten writes there: a table file, a
    dataset's table folder, its manifest or staging."""
    from twxdata.tables.names import TABLE_NAMES

    if output is None or Path(output).suffix:
        return False
    try:
        first = path.resolve().relative_to(Path(output).resolve()).parts[0]
    except (ValueError, IndexError, OSError):
        return False
    table = first.removesuffix(".parquet").removesuffix(".csv")
    return table in TABLE_NAMES or first.startswith("_twxdata")


def run(args: argparse.Namespace) -> int:
    from twxdata.cli.scale import check_scale_options, run_parallel, wanted
    from twxdata.scale.sources import is_url

    remote = [name for name in args.inputs if is_url(name)]  # fsspec expands its own patterns
    local = [n for n in args.inputs if not is_url(n)]
    args.inputs = expand_patterns(local, args.output) + remote
    check_scale_options(args)
    targets = {} if is_url(args.output) else plan(args)
    _check_inputs([name for name in args.inputs if not is_url(name)])
    check_flatten_replacing(targets, args.inputs, replace=args.replace)
    try:
        if wanted(args):
            spec, collected = _collection_facts(args.inputs)
            return run_parallel(args, targets, {**collected, "collection": spec})
        return _one_process(args, targets)
    except KeyboardInterrupt:
        print("twxdata flatten: interrupted; nothing was written (the output is as it was): "
              "run the same command again", file=sys.stderr)  # fmt: skip
        return 130


def _one_process(args: argparse.Namespace, targets: dict[str, Path]) -> int:
    # First, before pyarrow loads: hashing the inputs (outside the GIL) fills the second core
    # while the imports keep the first busy, so it costs no time up to a few hundred MB.
    provenance = _Provenance(args.inputs)
    # Read when pyarrow and numpy load; values the user set are kept. Arrow's C++ code (the
    # Parquet encoder, the JSON reader's scratch space) allocates from its own default pool,
    # mimalloc, which keeps freed memory: ~15 MB more at the peak. numpy's OpenBLAS starts a
    # thread per core, unused here, which costs ~50 ms of start and exit on two cores.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import pyarrow as pa

    from twxdata.errors import DataError
    from twxdata.tables import iter_batches
    from twxdata.tables.lines import ErrorPolicy
    from twxdata.tables.output import TableWriter, WriteBehind
    from twxdata.tables.schema import SCHEMAS

    # Batches come and go: the system allocator hands their memory back to the OS, where
    # Arrow's default (mimalloc) keeps it, and the peak would grow by ~100 MB.
    pa.set_memory_pool(pa.system_memory_pool())

    def warn(error: DataError) -> None:
        print(f"twxdata flatten: warning: skipped {error}", file=sys.stderr)

    policy = ErrorPolicy(args.on_error, notify=warn)
    made = make_folders(next(iter(targets.values())).parent)
    writers = {name: TableWriter(path, SCHEMAS[name], name=name) for name, path in targets.items()}
    # In a folder, tables that got no rows are not written (unless named with --table).
    keep_empty = bool(args.tables) or len(targets) == 1
    behind = WriteBehind()
    # Flattening makes no reference cycles (a whole run leaves none to collect): the collector
    # would only re-scan the batches' short-lived wrappers (cli.process).
    process = tuned(collect_garbage=False)
    process.__enter__()
    try:
        batches = iter_batches(
            args.inputs, tables=list(targets), policy=policy, on_facts=provenance.add_facts
        )
        for batch in batches:
            for name, table in batch.items():
                behind.write(writers[name], table)
        behind.finish()
        if not provenance.builder.pages and not any(w.rows for w in writers.values()):
            # An empty input (a failed command before the pipe, an empty file) is not an
            # empty result: say so rather than write a table that looks like one.
            raise DataError(
                "no API responses in the input: nothing written", source=", ".join(args.inputs)
            )
        if not any(w.rows for w in writers.values()) and len(writers) > 1:
            raise DataError("no rows in any table: nothing written", source=", ".join(args.inputs))
        for name, writer in writers.items():
            if writer.rows or keep_empty:
                writer.commit(provenance.metadata(name, writer.rows))
            else:
                writer.abort()
    except BaseException:
        provenance.cancel()
        with contextlib.suppress(BaseException):  # the first failure is the one to report
            behind.finish()
        for writer in writers.values():
            writer.abort()
        remove_folders(made)  # a failed run leaves nothing behind, not even a folder
        raise
    finally:
        process.__exit__(None, None, None)
    if not args.quiet:
        _summary(args.inputs, {n: w for n, w in writers.items() if w.rows or keep_empty},
                 len(policy.skipped))  # fmt: skip
    return 0


class _Provenance:
    """What the output was made from, recorded in every Parquet file's footer: the inputs
    (path, size, SHA-256, hashed on a thread from the start; a file that grows meanwhile, such
    as an archive still being collected, is hashed as it was then), what their pages say
    (endpoints, queries, time window, retrieval times, API meta), and the collection's
    parameters when an input has its checkpoint beside it."""

    def __init__(self, inputs: list[str]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from twxdata.store.provenance import ProvenanceBuilder, source_record

        spec, self._collected = _collection_facts(inputs)
        self.builder = ProvenanceBuilder(spec)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="twxdata-hash")
        files = [name for name in inputs if name != "-"]
        self._sources = [self._pool.submit(source_record, name) for name in files]
        self._stdin = "-" in inputs

    def add_facts(self, facts: PageFacts) -> None:
        self.builder.add_facts(facts)

    def metadata(self, table: str, rows: int) -> dict[str, str]:
        from twxdata.store.provenance import provenance_metadata

        if not self.builder.sources:
            self.builder.sources = [_checked(future.result()) for future in self._sources]
            if self._stdin:
                self.builder.sources.append({"file": "-"})
            self._pool.shutdown()
        record = {**self.builder.build(table=table, rows=rows), **self._collected}
        return provenance_metadata(record)

    def cancel(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _checked(source: dict[str, Any]) -> dict[str, Any]:
    """``source`` marked when the file's size changed since it was hashed (an archive still
    being collected): its hash then describes what the file was, not what was read."""
    with contextlib.suppress(OSError):
        if os.path.getsize(source["file"]) != source["bytes"]:
            return {**source, "changed_while_read": True}
    return source


def _collection_facts(inputs: list[str]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The parameters of the collection whose archive is being flattened, when its checkpoint
    is beside it (one collection: several different ones have no single spec), and what the
    checkpoint says of it: whether every target was finished (a run stopped at its spend
    cap, or interrupted, was not) and what it cost over all its runs."""
    from twxdata.store.checkpoint import Checkpoint
    from twxdata.store.combined import CUMULATIVE

    loaded = []
    for name in inputs:
        path = Checkpoint.path_for(Path(name)) if name != "-" else None
        if path is not None and path.is_file():
            with contextlib.suppress(Exception):  # a damaged checkpoint only costs the spec
                loaded.append(Checkpoint.load(path))
    specs = [c.spec for c in loaded]
    unique = [s for i, s in enumerate(specs) if s not in specs[:i]]
    if len(unique) != 1 or len(loaded) != 1:
        return (unique[0] if len(unique) == 1 else None), {}
    checkpoint = loaded[0]
    facts: dict[str, Any] = {}
    targets = set(checkpoint.requests) | set(checkpoint.streams)  # requests: every target
    if targets:
        positions = checkpoint.streams
        done = all(key in positions and positions[key].done for key in targets)
        facts["complete"] = done
        if not done:
            facts["incomplete"] = "the collection's checkpoint has targets not finished"
    if checkpoint.spec.get("kind") == "stream":  # the rules it watched, how it went
        keep = ("rules", "reconnections", "duplicates_dropped")
        facts["stream"] = {k: checkpoint.extra[k] for k in keep if k in checkpoint.extra}
    spent = checkpoint.extra.get("spent_usd")
    if isinstance(spent, (int, float)) and not isinstance(spent, bool):
        facts["cost"] = {"usd_low": spent, "from": CUMULATIVE}
    return unique[0], facts


def _summary(inputs: list[str], writers: dict[str, Any], skipped: int) -> None:
    counts = ", ".join(f"{w.rows:,} {name}" for name, w in writers.items() if w.rows)
    where = writers[next(iter(writers))].path
    target = where.parent if len(writers) > 1 else where
    note = f"; skipped {skipped} bad line{'s' * (skipped != 1)}" if skipped else ""
    print(
        f"twxdata flatten: {len(inputs)} input{'s' * (len(inputs) != 1)} -> {target}: "
        f"{counts or 'no rows'}{note}",
        file=sys.stderr,
    )
