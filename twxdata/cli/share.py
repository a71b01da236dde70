"""``twxdata dehydrate`` and ``twxdata hydrate``: share IDs, rebuild datasets from them."""

from __future__ import annotations

import argparse
import asyncio
import sys
import warnings
from pathlib import Path
from typing import Any

from twxdata.cli.common import add_connection_options, client_from_args, positive_int


def register(sub: Any) -> None:
    dry = sub.add_parser(
        "dehydrate",
        help="write the distinct IDs of a dataset, with a manifest to cite",
        description="Write one ID per line (distinct, ascending) from a twxdata Parquet file "
        "or dataset directory, a raw JSONL archive (ours or twarc2's), or a CSV with an id "
        "column; plus IDS.manifest.json with counts, time span, source provenance and the "
        "SHA-256 of the list.",
    )
    dry.add_argument("data", type=Path, metavar="DATA")
    dry.add_argument("-o", "--output", type=Path, required=True, metavar="IDS.txt")
    dry.add_argument("--users", action="store_true", help="the IDs are users, not posts")
    dry.add_argument("--column", default="id", help="the ID column of a CSV or Parquet (id)")
    dry.set_defaults(run=run_dehydrate)

    wet = sub.add_parser(
        "hydrate",
        help="rebuild posts (or users) from a list of IDs, resumably",
        description="Look up every ID in batches of 100, concurrently within the rate limit, "
        "and write the rebuilt table plus OUT.report.csv listing what could not be rebuilt "
        "and why. Every response goes to a raw archive (--raw, default OUT.raw.jsonl); "
        "running the same command again resumes.",
    )
    wet.add_argument("ids", type=Path, metavar="IDS.txt")
    wet.add_argument("-o", "--output", type=Path, required=True, metavar="OUT.parquet")
    wet.add_argument("--raw", type=Path, metavar="RAW.jsonl")
    wet.add_argument("--users", action="store_true", help="the IDs are users, not posts")
    wet.add_argument("--restart", action="store_true", help="start over (old files are kept)")
    wet.add_argument("--minimal-fields", action="store_true", help="only default fields")
    wet.add_argument("--concurrency", type=positive_int, default=4, metavar="N")
    wet.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    add_connection_options(wet)
    wet.set_defaults(run=run_hydrate)


def run_dehydrate(args: argparse.Namespace) -> int:
    from twxdata.sharing.dehydrate import dehydrate, manifest_path

    manifest = dehydrate(args.data, args.output, users=args.users, column=args.column)
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

    if args.output.suffix.lower() not in (".parquet", ".csv"):
        from twxdata.cli import UsageError

        raise UsageError(f"-o {args.output}: must end in .parquet or .csv")
    client = client_from_args(args)

    async def go() -> Any:
        async with client:
            return await hydrate(
                args.ids,
                users=args.users,
                output=args.output,
                raw=args.raw,
                restart=args.restart,
                fields="minimal" if args.minimal_fields else "research",
                client=client,
                progress=not args.quiet and sys.stderr.isatty(),
                concurrency=args.concurrency,
            )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the report below says it all
        result = asyncio.run(go())
    if not args.quiet:
        print(
            f"twxdata hydrate: {result.summary} -> {args.output}, report {result.report}",
            file=sys.stderr,
        )
    return 0
