"""``twxdata flatten`` beyond one process, and ``twxdata compact``.

``flatten`` comes here when it is asked to spread work (``--workers N``, ``--engine dask``) or
to read or write object storage (a URL input or output, ``--storage-option``):

- ``--workers N`` alone writes the very tables the one-process flatten writes (``-o DIR/`` or
  ``-o FILE``), from N processes;
- ``--engine dask`` (or an output URL) writes a dataset: ``OUT/<table>/day=.../part-*.parquet``
  and its manifest; a re-run skips inputs already in it (by SHA-256). Without ``--scheduler``
  a local cluster of ``--workers`` processes is started and stopped by the command.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import shutil
import sys
import warnings
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError
from twxdata.cli.common import add_storage_option, positive_int, storage_options
from twxdata.errors import DataWarning

ENGINES = ("processes", "dask")
ROWS_PER_FILE = 4_000_000  # as twxdata.scale's (not imported here: it loads Arrow)


def add_scale_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "beyond one process", "(Dask, fsspec and s3fs come with pip install 'twxdata[scale]')"
    )
    group.add_argument("--workers", type=_workers, metavar="N",
                       help="flatten on N processes (files spread over them)")  # fmt: skip
    group.add_argument("--engine", choices=ENGINES,
                       help="dask: write a day-partitioned dataset from a Dask cluster "
                       "(local, or --scheduler)")  # fmt: skip
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a running Dask scheduler (tcp://host:8786); implies --engine dask",
    )
    group.add_argument(
        "--rows-per-file",
        type=_workers,
        metavar="N",
        help="a dataset's files hold at most N rows (4,000,000)",
    )
    add_storage_option(group)


def _workers(text: str) -> int:
    return positive_int(text)


def wanted(args: argparse.Namespace) -> bool:
    """Whether this flatten runs here rather than in one process."""
    from twxdata.scale.sources import is_url

    return bool(
        (args.workers or 1) > 1 or args.engine == "dask" or args.scheduler
        or args.storage_option or is_url(args.output) or any(is_url(i) for i in args.inputs)
    )  # fmt: skip


def check_scale_options(args: argparse.Namespace) -> None:
    """Options that do not go together, or do nothing here, refused before any work; and a
    folder holding the other layout (table files or a dataset) never gets both."""
    from twxdata.scale.engine import MANIFEST, foreign_files
    from twxdata.scale.sources import is_url
    from twxdata.tables.names import TABLE_NAMES

    storage_options(args.storage_option)  # well-formed
    if args.scheduler and args.engine == "processes":
        raise UsageError("--scheduler is a Dask scheduler's address: leave out --engine processes")
    dataset = args.engine == "dask" or bool(args.scheduler) or is_url(args.output)
    if args.rows_per_file is not None and not dataset:
        raise UsageError("--rows-per-file is for a dataset (--engine dask, or a URL output); "
                         "table files hold every row")  # fmt: skip
    if args.storage_option and not (is_url(args.output) or any(map(is_url, args.inputs))):
        raise UsageError("--storage-option is for URL inputs or outputs (s3://..., gs://...); "
                         "every one here is a local file")  # fmt: skip
    if is_url(args.output):
        return
    if dataset and not args.output.endswith(("/", os.sep)):
        if Path(args.output).suffix.lower() in (".parquet", ".csv"):
            raise UsageError(f"-o {args.output}: a dataset is a folder (OUT/) or a URL")
        args.output += "/"  # a dataset is always a folder: my.data.v3 is one too
    folder = Path(args.output)
    if not dataset and folder.suffix and (folder.parent / MANIFEST).is_file():
        raise UsageError(
            f"-o {args.output}: is inside a dataset ({folder.parent}/), whose folder holds "
            "only its own files: write the table elsewhere"
        )
    if not folder.is_dir():
        return
    if dataset:
        if (folder / MANIFEST).is_file():
            return
        held = [n for n in TABLE_NAMES if (folder / f"{n}.parquet").is_file()
                or (folder / f"{n}.csv").is_file()]  # fmt: skip
        if held:
            raise UsageError(
                f"-o {args.output}: holds table files ({', '.join(held[:2])}"
                f"{' ...' if len(held) > 2 else ''}), not a dataset; a dataset needs a folder "
                "of its own: give another folder"
            )
        others = foreign_files(folder)
        if others:
            raise UsageError(
                f"-o {args.output}: holds other files ({', '.join(others[:2])}"
                f"{' ...' if len(others) > 2 else ''}), not a dataset; a dataset needs a "
                "folder of its own: give a new or empty folder"
            )
    elif (folder / MANIFEST).is_file():
        raise UsageError(
            f"-o {args.output}: is a dataset (it has {MANIFEST}); add --engine dask to add "
            "these inputs to it, or give another folder for table files"
        )


def run_parallel(args: argparse.Namespace, targets: dict[str, Path], facts: dict[str, Any]) -> int:
    """Flatten ``args.inputs`` through ``twxdata.scale``; ``targets`` as ``flatten.plan`` made
    them (ignored when a dataset is written)."""
    from twxdata.cli.paths import created_folders
    from twxdata.scale import flatten
    from twxdata.scale.engine import retaken_warning
    from twxdata.scale.journal import PLAN
    from twxdata.scale.parts import STAGING
    from twxdata.scale.sources import is_url
    from twxdata.store.lock import ArchiveLocked

    if "-" in args.inputs:
        raise UsageError("standard input (-) is read by one process: leave out --workers/--engine")
    options = storage_options(args.storage_option)
    dask = args.engine == "dask" or bool(args.scheduler)
    as_dataset = dask or is_url(args.output)
    folder_given = args.output.endswith(("/", os.sep)) or Path(args.output).is_dir()
    if as_dataset and not (is_url(args.output) or folder_given or Path(args.output).suffix == ""):
        raise UsageError(f"-o {args.output}: a dataset is a folder (OUT/) or a URL")
    if as_dataset and args.format == "csv":
        raise UsageError("--format csv: a dataset is Parquet")
    tables = list(targets) if not as_dataset or args.tables else None
    # Table files are made in a staging folder beside them (``_staging``, removed at the end).
    root = args.output if as_dataset else str(next(iter(targets.values())).parent)
    # A folder this run made goes again if it fails (when it is empty by then).
    result = None
    stopping = False  # interrupted once the output was whole: while the workers stopped
    with contextlib.nullcontext() if is_url(root) else created_folders(Path(root)):
        try:
            with _client(args, dask) as client, warnings.catch_warnings():
                warnings.simplefilter("ignore", DataWarning)  # told below, with the rest
                result = flatten(
                    args.inputs, root, client=client, workers=args.workers,
                    tables=tables or _all_tables(), on_error=args.on_error,
                    storage_options=options,
                    out_options=options if is_url(args.output) else None,
                    targets=None if as_dataset else {n: str(p) for n, p in targets.items()},
                    rows_per_file=args.rows_per_file or ROWS_PER_FILE,
                    keep_empty=bool(args.tables) or len(targets) == 1, provenance=facts,
                )  # fmt: skip
        except ArchiveLocked:
            raise  # another run holds the folder: its staging is its own
        except BaseException as exc:
            interrupted = isinstance(exc, KeyboardInterrupt)
            if interrupted and result is not None:
                stopping = True  # the output is whole: only the workers' stopping was cut
            else:
                # Cut off while its files went into place, the plan and what it moves stay
                # for the next run of the folder, which carries it out first.
                pending = not is_url(root) and (Path(root) / PLAN).is_file()
                if pending and interrupted:
                    print(f"twxdata flatten: interrupted while the files went into {root}; "
                          "the next flatten or compact of it finishes that first",
                          file=sys.stderr)  # fmt: skip
                    return 130
                if not is_url(root) and not pending:
                    # A cluster's tasks may still write until it is closed (just above,
                    # leaving the block): what they left goes now.
                    shutil.rmtree(Path(root) / STAGING, ignore_errors=True)
                raise
    assert result is not None
    if args.on_error == "warn":
        for line in result.bad_lines:
            print(f"twxdata flatten: warning: skipped {line}", file=sys.stderr)
    for name in result.retaken:
        print(f"twxdata flatten: warning: {retaken_warning(name)}", file=sys.stderr)
    if not args.quiet:
        counts = ", ".join(f"{n:,} {t}" for t, n in result.rows.items() if n) or "no new rows"
        done = f"; {len(result.skipped)} already in the dataset" if result.skipped else ""
        bad = len(result.bad_lines)
        note = f"; skipped {bad} bad line{'s' * (bad != 1)}" if bad else ""
        files = list(targets.values())
        where = args.output if as_dataset else files[0].parent if len(files) > 1 else files[0]
        print(f"twxdata flatten: {len(result.inputs)} input{'s' * (len(result.inputs) != 1)}"
              f"{done} -> {where}: {counts}{note} ({result.seconds:.1f} s)",
              file=sys.stderr)  # fmt: skip
    if stopping:
        print("twxdata flatten: interrupted while the workers stopped, after the output was "
              "written whole", file=sys.stderr)  # fmt: skip
        return 130
    return 0


def _all_tables() -> list[str]:
    from twxdata.tables.names import TABLE_NAMES

    return list(TABLE_NAMES)


class _client:  # lower case: used as a context manager, like contextlib's
    """The Dask client the run uses: the scheduler named, or a local cluster of its own."""

    def __init__(self, args: argparse.Namespace, dask: bool) -> None:
        self.args = args
        self.dask = dask
        self.cluster: Any = None
        self.client: Any = None

    def __enter__(self) -> Any:
        if not self.dask:
            return None
        try:
            distributed: Any = importlib.import_module("dask.distributed")
        except ImportError:
            raise UsageError("--engine dask needs Dask: pip install 'twxdata[scale]'") from None
        if not self.args.debug:  # the command's own process: Dask's chatter is not the user's
            logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.args.scheduler:
            try:
                self.client = distributed.Client(self.args.scheduler, timeout=10)
            except (OSError, ValueError, TypeError) as exc:  # no scheduler; not an address
                detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                raise UsageError(
                    f"--scheduler {self.args.scheduler}: cannot reach a Dask scheduler there "
                    f"({detail or type(exc).__name__}); give its address, tcp://HOST:8786"
                ) from None
        else:
            # The command's own workers: Arrow on the system allocator (batches come and go;
            # its default pool would keep their memory), as the one-process flatten.
            self.cluster = distributed.LocalCluster(
                n_workers=self.args.workers or 2, threads_per_worker=1, processes=True,
                # Any free port: None still takes 8787 and warns when another cluster (a
                # notebook's, a second flatten) has it.
                dashboard_address=":0", worker_dashboard_address=None,
                # A task's failure is the command's one line; the workers' own log of it
                # (a traceback) is for --debug.
                silence_logs=logging.DEBUG if self.args.debug else logging.CRITICAL,
                env={"ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "1"},
                preload=["twxdata.cli.dask_worker"],
            )  # fmt: skip
            self.client = distributed.Client(self.cluster)
        return self.client

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is KeyboardInterrupt and not self.args.debug:
            # Closing a cluster whose tasks were cut short makes its event loop log each
            # one ("Task exception was never retrieved"): the user pressed Ctrl-C, and the
            # command says what that did. This is the command's own process.
            for name in ("asyncio", "distributed", "tornado"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "compact",
        help="merge a dataset's small files (one file per day partition per table)",
        description="Rewrite every partition folder of a dataset written by `flatten --engine "
        "dask` (or `--dataset`) that holds more than one file as files of up to "
        "--rows-per-file rows, each post once.",
    )
    parser.add_argument("dataset", metavar="DIR", help="the dataset folder or URL")
    parser.add_argument("--rows-per-file", type=_workers, default=ROWS_PER_FILE, metavar="N")
    add_storage_option(parser)
    parser.set_defaults(run=run_compact)


def run_compact(args: argparse.Namespace) -> int:
    from twxdata.scale import compact
    from twxdata.scale.engine import MANIFEST
    from twxdata.scale.sources import is_url

    folder = Path(args.dataset)
    if not is_url(args.dataset):
        if folder.is_file():
            raise UsageError(f"{args.dataset}: is a file; compact takes a dataset's folder")
        if not folder.is_dir():
            raise UsageError(f"{args.dataset}: no such folder")
        if not (folder / MANIFEST).is_file():
            raise UsageError(f"{args.dataset}: not a dataset (no {MANIFEST}); compact merges "
                             "the files of one written by flatten --engine dask")  # fmt: skip
    try:
        done = compact(args.dataset, rows_per_file=args.rows_per_file,
                       storage_options=storage_options(args.storage_option))  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"twxdata compact: interrupted; every row is kept ({args.dataset} has some "
            "partitions compacted): run the same command again to finish",
            file=sys.stderr,
        )
        return 130
    print(f"twxdata compact: {sum(done.before.values())} files -> {sum(done.after.values())} "
          f"in {args.dataset}", file=sys.stderr)  # fmt: skip
    return 0
