"""Writing the tables a collecting verb produced: Parquet or CSV, atomically."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from twxdata.cli import UsageError

if TYPE_CHECKING:
    from twxdata.protocol.response import Page

SUFFIXES = (".parquet", ".csv")


def check_output_path(path: Path) -> None:
    """Reject an output path before any request is sent (exit status 2)."""
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"-o {path}: the file name must end in .parquet or .csv")
    if path.is_dir():
        raise UsageError(f"-o {path}: is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"-o {path}: {parent} is not a directory")


def write_posts(pages: Sequence[Page], path: Path) -> None:
    """Flatten ``pages`` into the posts table and write it to ``path`` atomically."""
    from twxdata.tables import flatten, write_table

    tables = flatten(pages)
    write_table(tables.tweets, path)
