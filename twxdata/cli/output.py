"""Where a collecting verb's results go: tables (``-o``), a dataset (``--dataset``), the raw
archive (``--raw``), or standard output; and where responses wait until the tables are safe.

Without ``--raw``, a command that writes tables still archives every response as it arrives,
in a spool file in the user's cache folder (``cache_dir()/unsaved/``), and deletes it only once
the tables are written. If that last write fails (a full disk, a folder removed meanwhile) or
the run is interrupted, the message names the spool: nothing collected is lost.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from twxdata.cli import UsageError
from twxdata.cli.paths import Output, created_folders

if TYPE_CHECKING:
    from twxdata.collect.collection import Collection

SPOOL_FOLDER = "unsaved"


def write_collection(collection: Collection, output: Output) -> list[Path]:
    """The main table to a file (``.parquet``/``.csv``), or every non-empty table (and the
    main one) into a folder as ``<table>.parquet``; missing folders are made, and removed
    again if the write fails."""
    from twxdata.atomic import remove_stale_temporaries

    path = output.path
    if output.kind == "directory":
        with created_folders(path):
            names = [n for n, t in collection.tables.items() if t.num_rows]
            if collection.kind.result not in names:
                names.insert(0, collection.kind.result)
            return collection.to_parquet(path, names)
    with created_folders(path.parent if str(path.parent) else Path(".")):
        remove_stale_temporaries(path)
        return [collection.write(collection.kind.result, path)]


def write_dataset(collection: Collection, output: Output) -> list[Path]:
    """Append the collection's tables to a hive-partitioned dataset folder."""
    with created_folders(output.path):
        return collection.to_dataset(output.path)


def spool_for(verb: str, key: str, fallback: Path) -> Path:
    """The archive of a run without ``--raw``, named after what it collects (``key``): in the
    cache folder, else beside the output (``fallback``'s folder, hidden). ``UsageError`` when
    neither can be written."""
    from twxdata.cli.paths import check_output
    from twxdata.folders import cache_dir

    name = f"{verb}-{key}.jsonl"
    folders = []
    cache = cache_dir()
    if cache is not None:
        folders.append(cache / SPOOL_FOLDER)
    folders.append(fallback)
    for folder in folders:
        hidden = "" if folder.name == SPOOL_FOLDER else ".twxdata-unsaved-"
        with contextlib.suppress(UsageError):
            return check_output(folder / f"{hidden}{name}", "spool", suffixes=None).path
    tried = ", ".join(map(str, folders))
    raise UsageError(
        f"no folder to keep the responses in while the tables are written ({tried}); "
        "give --raw FILE"
    )


def remove_spool(path: Path) -> None:
    """Delete a spool and its checkpoint (its tables are safely written)."""
    from twxdata.store.checkpoint import Checkpoint

    for file in (path, Checkpoint.path_for(path)):
        with contextlib.suppress(OSError):
            file.unlink()
    if path.parent.name == SPOOL_FOLDER:
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only when empty: other runs' spools stay
