"""``twxdata dehydrate`` and ``twxdata hydrate``: share IDs, rebuild datasets from them."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import posixpath
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from twxdata.cli import UsageError
from twxdata.cli.common import (
    add_connection_options,
    add_storage_option,
    client_from_args,
    dollars,
    positive_int,
    positive_seconds,
    url_storage_options,
)
from twxdata.cli.paths import check_distinct, check_not_inputs, check_output


def _input(text: str) -> Path | str:
    """A path, or a URL kept as text (``Path`` would fold its ``//``)."""
    from twxdata.tables.storage import is_url

    return text if is_url(text) else Path(text)


def _check_input(path: Path | str, name: str) -> None:
    if str(path) == "-" or isinstance(path, str):  # a URL: its reader says what is wrong
        return
    if not path.exists():
        raise UsageError(f"{name} {path}: no such file or folder")


@contextlib.contextmanager
def _local(source: Path | str, storage_options: dict[str, Any] | None = None) -> Iterator[Path]:
    """``source`` as a local file: a URL is copied (its stored bytes, streamed) into a private
    temporary folder, removed afterwards; the readers behind these verbs take paths."""
    if isinstance(source, Path):
        yield source
        return
    from twxdata.tables.storage import open_stored, shown

    folder = Path(tempfile.mkdtemp(prefix="twxdata-input-"))
    target = folder / (posixpath.basename(urlsplit(source).path) or "input")
    try:
        try:
            with open_stored(source, storage_options) as stream, open(target, "wb") as out:
                shutil.copyfileobj(stream, out, 4 << 20)
        except (OSError, ValueError) as exc:
            raise UsageError(f"{shown(source)}: cannot read it ({exc})") from None
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def register(sub: Any) -> None:
    dry = sub.add_parser(
        "dehydrate",
        help="write the distinct IDs of a dataset, with a manifest to cite",
        description="Write one ID per line (distinct, ascending) from a twxdata Parquet file "
        "or dataset directory, a raw JSONL archive (ours or twarc2's), or a CSV with an id "
        "column; plus IDS.manifest.json with counts, time span, source provenance and the "
        "SHA-256 of the list.",
    )
    dry.add_argument(
        "data",
        type=_input,
        metavar="DATA",
        help="a file, dataset folder, or URL (s3://, gs://, https://)",
    )
    dry.add_argument("-o", "--output", required=True, metavar="IDS.txt")
    dry.add_argument("--users", action="store_true", help="the IDs are users, not posts")
    dry.add_argument("--column", default="id", help="the ID column of a CSV or Parquet (id)")
    add_storage_option(dry)
    dry.set_defaults(run=run_dehydrate)

    wet = sub.add_parser(
        "hydrate",
        help="rebuild posts (or users) from a list of IDs, resumably",
        description="Look up every ID in batches of 100, concurrently within the rate limit, "
        "and write the rebuilt table plus OUT.report.csv listing what could not be rebuilt "
        "and why. Every response goes to a raw archive (--raw, default OUT.raw.jsonl); "
        "running the same command again resumes.",
    )
    wet.add_argument(
        "ids",
        type=_input,
        metavar="IDS.txt",
        help="the ids (or any source dehydrate reads); a URL too",
    )
    wet.add_argument("-o", "--output", required=True, metavar="OUT.parquet")
    wet.add_argument("--raw", metavar="RAW.jsonl")
    wet.add_argument("--users", action="store_true", help="the IDs are users, not posts")
    wet.add_argument("--restart", action="store_true", help="start over (old files are kept)")
    wet.add_argument("--minimal-fields", action="store_true", help="only default fields")
    wet.add_argument("--concurrency", type=positive_int, default=4, metavar="N")
    wet.add_argument("--max-cost", type=dollars, metavar="USD",
                     help="the most the lookups may be charged, over all runs; a higher cap "
                     "continues")  # fmt: skip
    wet.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    add_connection_options(wet)
    add_storage_option(wet)
    wet.set_defaults(run=run_hydrate)

    check = sub.add_parser(
        "compliance",
        help="find what must be removed from a dataset (X batch compliance), and clean it",
        description="Run X's batch compliance flow for the IDs of a dataset: create a job, "
        "upload the IDs, wait, download the results. Writes a report of the posts or users "
        "that must be removed and why; with --apply, a cleaned copy (the input is never "
        "changed).",
    )
    check.add_argument("data", type=Path, metavar="DATA")
    check.add_argument("--users", action="store_true", help="check users, not posts")
    check.add_argument(
        "--report",
        metavar="REPORT.csv",
        help="IDs to remove with the reason (default: DATA.compliance.csv)",
    )
    check.add_argument(
        "--apply",
        metavar="CLEAN",
        help="write a cleaned copy of DATA here (same kind of file)",
    )
    check.add_argument("--column", default="id", help="the ID column of a CSV (id)")
    check.add_argument(
        "--poll",
        type=positive_seconds,
        default=5.0,
        metavar="S",
        help="seconds between job status checks (5)",
    )
    add_connection_options(check)
    check.set_defaults(run=run_compliance)


def run_dehydrate(args: argparse.Namespace) -> int:
    from twxdata.sharing.dehydrate import dehydrate, manifest_path

    _check_input(args.data, "DATA")
    options = url_storage_options(args.storage_option, args.data)
    output = check_output(args.output, "-o", suffixes=None, expect="ids", inputs=[args.data])
    manifest_file = check_output(manifest_path(output.path), "its manifest", suffixes=None,
                                 expect="jsonl", inputs=[args.data])  # fmt: skip
    check_not_inputs([output, manifest_file], [args.data])
    from twxdata.tables.storage import shown

    with _local(args.data, options) as data:
        manifest = dehydrate(data, output.path, users=args.users, column=args.column,
                             shown_as=shown(str(args.data)))  # fmt: skip
    span = manifest.get("time_span") or {}
    when = f", {span['first']} to {span['last']}" if span else ""
    print(
        f"twxdata dehydrate: {manifest['count']:,} IDs ({manifest['duplicates_removed']:,} "
        f"duplicates dropped{when}) -> {args.output}, manifest {manifest_path(args.output)}",
        file=sys.stderr,
    )
    return 0


def run_hydrate(args: argparse.Namespace) -> int:
    from twxdata.sharing.hydrate import hydrate

    _check_input(args.ids, "IDS.txt")
    options = url_storage_options(args.storage_option, args.ids)
    inputs = [args.ids]
    output = check_output(args.output, "-o", inputs=inputs)
    raw = check_output(args.raw or f"{output.path}.raw.jsonl", "--raw", suffixes=None,
                       inputs=inputs)  # fmt: skip
    report = check_output(f"{output.path}.report.csv", "its report", inputs=inputs)
    check_distinct(output, raw, report)
    check_not_inputs([output, raw, report], [args.ids])
    client = client_from_args(args)

    async def go(ids: Path) -> Any:
        async with client:
            return await hydrate(
                ids,
                users=args.users,
                output=output.path,
                raw=raw.path,
                restart=args.restart,
                fields="minimal" if args.minimal_fields else "research",
                client=client,
                progress=not args.quiet and sys.stderr.isatty(),
                concurrency=args.concurrency,
                max_cost=args.max_cost,
            )

    with _local(args.ids, options) as ids, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report below says it all
        try:
            result = asyncio.run(go(ids))
        except KeyboardInterrupt:
            if raw.path.exists():  # what was looked up is kept: say where, and how to go on
                print(f"twxdata hydrate: interrupted; the lookups so far are kept in {raw.path}: "
                      "run the same command again to continue", file=sys.stderr)  # fmt: skip
            raise
    if not args.quiet:
        print(
            f"twxdata hydrate: {result.summary} -> {args.output}, report {result.report}",
            file=sys.stderr,
        )
    return 0


def run_compliance(args: argparse.Namespace) -> int:
    from twxdata.sharing.compliance import compliance

    _check_input(args.data, "DATA")
    report_out = check_output(
        args.report or args.data.with_name(args.data.name + ".compliance.csv"), "--report"
    )
    cleaned = (
        check_output(args.apply, "--apply", directory_ok=args.data.is_dir()) if args.apply else None
    )
    check_distinct(report_out, cleaned)
    check_not_inputs([report_out, cleaned], [args.data])
    report = report_out.path
    client = client_from_args(args)

    async def go() -> Any:
        async with client:
            return await compliance(
                args.data,
                users=args.users,
                report=report,
                apply=cleaned.path if cleaned is not None else None,
                client=client,
                poll_interval=args.poll,
                column=args.column,
            )

    result = asyncio.run(go())
    copy = f"; cleaned copy {result.cleaned}" if result.cleaned else ""
    print(f"twxdata compliance: {result.summary}; report {result.report}{copy}", file=sys.stderr)
    return 0
