"""Writing the tables a collecting verb produced: Parquet or CSV, atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from twxdata.cli import UsageError

if TYPE_CHECKING:
    from twxdata.collect.collection import Collection

SUFFIXES = (".parquet", ".csv")


def is_directory_target(path: Path) -> bool:
    """A directory output: an existing directory, a trailing slash, or no suffix."""
    return path.is_dir() or str(path).endswith(("/", "\\")) or not path.suffix


def check_output_path(path: Path, *, directory_ok: bool = False) -> None:
    """Reject an output path before any request is sent (exit status 2)."""
    if directory_ok and is_directory_target(path):
        if path.exists() and not path.is_dir():
            raise UsageError(f"-o {path}: exists and is not a directory")
        return
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(
            f"-o {path}: the file name must end in .parquet or .csv"
            + (" (or name a directory for every table)" if directory_ok else "")
        )
    if path.is_dir():
        raise UsageError(f"-o {path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"-o {path}: {parent} is not a directory")


def write_collection(collection: Collection, path: Path) -> list[Path]:
    """The main table to a file (``.parquet``/``.csv``), or every table into a directory."""
    from twxdata.store.atomic import remove_stale_temporaries

    if is_directory_target(path):
        return collection.to_dataset(path)
    remove_stale_temporaries(path)
    return [collection.write(collection.kind.result, path)]
