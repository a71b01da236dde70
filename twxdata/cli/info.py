"""``twxdata info FILE``: what a file holds and where it came from.

Parquet files and dataset directories: their provenance (endpoint, queries, parameters, time
window, retrieval times, pages, partial errors, API meta, versions). Raw archives (JSONL): pages,
endpoints, retrieval range, and the state of the checkpoint beside them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from twxdata.cli.common import add_storage_option, url_storage_options


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "info",
        help="show where a Parquet file, dataset or raw archive came from",
        description="Print the provenance of a twxdata Parquet file or dataset directory, or "
        "a summary of a raw JSONL archive and its checkpoint.",
    )
    parser.add_argument(
        "path",
        metavar="FILE",
        help="Parquet, dataset dir or JSONL; or a URL (s3://, gs://, https://)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_storage_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from twxdata.cli import UsageError
    from twxdata.tables.storage import is_url

    options = url_storage_options(args.storage_option, args.path)
    if is_url(args.path):
        from twxdata.tables.storage import storage_failures

        with storage_failures(args.path, "cannot read it"):
            record = remote_summary(args.path, options)
        print(json.dumps(record, indent=2, sort_keys=True, default=str) if args.json
              else render(record))  # fmt: skip
        return 0
    path = Path(args.path)
    if not path.exists():  # a usage error, as in every verb (exit status 2)
        raise UsageError(f"{path}: no such file or folder")
    if path.is_file() and path.name.endswith(".checkpoint.json"):
        record = {"file": str(path), "checkpoint": checkpoint_summary(path)}
    elif path.is_file() and not _parquet(path):  # read by what it holds, not its name
        record = archive_summary(path)
    elif path.is_dir() and (tables := _tables_in(path)):
        # A folder of tables (-o DIR/) or a dataset (--dataset DIR): one block per table,
        # never one summary mixing them.
        record = {"folder": str(path), "tables": {n: parquet_summary(p) for n, p in tables}}
        if (manifest := manifest_summary(path)) is not None:
            record["dataset"] = manifest
    else:
        record = parquet_summary(path)
    if args.json:
        print(json.dumps(record, indent=2, sort_keys=True, default=str))
    else:
        print(render(record))
    return 0


def _parquet(path: Path) -> bool:
    """A Parquet file begins with ``PAR1`` (an archive, plain or compressed, never does)."""
    try:
        with open(path, "rb") as file:
            return file.read(4) == b"PAR1"
    except OSError:
        return True  # let the Parquet reader say what is wrong with it


def _tables_in(folder: Path) -> list[tuple[str, Path]]:
    """The tables of a folder: ``<table>.parquet`` files, or ``<table>/`` folders of a dataset
    (but not the ``day=...`` partitions of one table)."""
    files = [(p.stem, p) for p in sorted(folder.glob("*.parquet"))]
    folders = [
        (p.name, p)
        for p in sorted(folder.iterdir())
        if p.is_dir() and "=" not in p.name and not p.name.startswith(".")
        and any(p.rglob("*.parquet"))
    ]  # fmt: skip
    return files + folders if len(files) + len(folders) > 1 or folders else []


def manifest_summary(folder: Path) -> dict[str, Any] | None:
    """What a dataset's manifest says: its inputs and the runs that added them."""
    from twxdata.scale.engine import MANIFEST

    try:
        manifest = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    inputs = manifest.get("inputs") or []
    runs = manifest.get("runs") or []
    return {
        "manifest": MANIFEST,
        "inputs": len(inputs),
        "input_bytes": sum(int(i.get("bytes") or 0) for i in inputs),
        "runs": len(runs),
        "last_run": runs[-1].get("finished_at") if runs else None,
    }


def checkpoint_summary(path: Path) -> dict[str, Any]:
    from twxdata.store.checkpoint import Checkpoint

    state = Checkpoint.load(path)
    summary: dict[str, Any] = {
        "file": str(path),
        "collection": state.spec,
        "finished": state.finished,
        "streams": {k: {"items": v.items, "pages": v.pages, "done": v.done}
                    for k, v in state.streams.items()},
    }  # fmt: skip
    spent = state.extra.get("spent_usd")
    if isinstance(spent, (int, float)) and not isinstance(spent, bool):
        summary["cost_usd"] = spent  # over every run of the collection (data charged)
    return summary


def parquet_summary(path: Path) -> dict[str, Any]:
    from twxdata.store.provenance import read_parquet

    frame = read_parquet(path)
    provenance = dict(frame.attrs.get("twxdata") or {})
    summary: dict[str, Any] = {"file": str(path), "rows": len(frame),
                               "columns": len(frame.columns)}  # fmt: skip
    if provenance:
        summary["provenance"] = provenance
    else:
        summary["provenance"] = "none (not written by twxdata, or by a version without it)"
    if "twxdata_files" in frame.attrs:
        summary["files_with_provenance"] = len(frame.attrs["twxdata_files"])
    return summary


def archive_summary(path: Path) -> dict[str, Any]:
    from twxdata.errors import DataError
    from twxdata.store.archive import Archive
    from twxdata.store.checkpoint import Checkpoint
    from twxdata.store.provenance import ProvenanceBuilder
    from twxdata.tables.api import iter_pages
    from twxdata.tables.canonical import canonical_page
    from twxdata.tables.compressed import compression_of

    def read(responses: Iterator[dict[str, Any]]) -> ProvenanceBuilder:
        builder = ProvenanceBuilder()
        for number, response in enumerate(responses, 1):
            try:
                canonical_page(response)  # what flatten would refuse, info does not describe
            except DataError as exc:
                raise DataError(exc.reason, source=str(path), line=number) from None
            builder.add(response)
        return builder

    if compression_of(path) is not None:  # compressed: read as flatten reads it
        builder = read(iter_pages(path))
    else:
        try:
            builder = read(response for _, response in Archive(path).lines())
        except DataError as exc:
            if exc.line != 1:
                raise
            builder = read(iter_pages(path))  # one JSON document over many lines, say
    record = builder.build(table="raw archive", rows=builder.items)
    summary: dict[str, Any] = {"file": str(path), "archive": record}
    checkpoint = Checkpoint.path_for(path)
    if checkpoint.exists():
        summary["checkpoint"] = checkpoint_summary(checkpoint)
    return summary


def remote_summary(url: str, storage_options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A file in object storage: a Parquet file's provenance, or an archive's summary (read
    through fsspec with ``storage_options`` and the user's own setup: environment, profiles)."""
    import pyarrow.parquet as pq

    from twxdata.store.provenance import PROVENANCE_KEY, ProvenanceBuilder
    from twxdata.tables.api import iter_pages
    from twxdata.tables.storage import open_stored, shown

    with open_stored(url, storage_options) as stream:
        if stream.read(4) == b"PAR1":
            stream.seek(0)
            metadata = pq.read_metadata(stream)
            raw = (metadata.metadata or {}).get(PROVENANCE_KEY.encode())
            return {"file": shown(url), "rows": metadata.num_rows,
                    "provenance": json.loads(raw) if raw else "none"}  # fmt: skip
    builder = ProvenanceBuilder().add_all(iter_pages(url, storage_options=storage_options))
    return {"file": shown(url), "archive": builder.build(table="raw archive", rows=builder.items)}


def render(record: dict[str, Any], indent: int = 0) -> str:
    """Nested dicts as indented ``key: value`` lines."""
    lines = []
    pad = "  " * indent
    for key, value in record.items():
        if isinstance(value, dict):
            if not value:
                lines.append(f"{pad}{key}: -")
                continue
            lines.append(f"{pad}{key}:")
            lines.append(render(value, indent + 1))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{pad}{key}:")  # records (input files): one block each
            for item in value:
                block = render(item, indent + 2).splitlines()
                lines.append(f"{pad}  - {block[0].lstrip()}")
                lines.extend(block[1:])
        elif isinstance(value, list):
            shown = ", ".join(str(v) for v in value[:10]) + (" ..." if len(value) > 10 else "")
            lines.append(f"{pad}{key}: {shown or '-'}")
        else:
            lines.append(f"{pad}{key}: {'-' if value is None else value}")
    return "\n".join(lines)
