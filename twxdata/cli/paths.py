"""The files a command will write, checked before it does anything, and written safely.

Every verb that writes (``-o``, ``--raw``, reports) goes through here, so they share one
meaning for ``-o DIR/`` and for missing folders:

- ``-o FILE.parquet`` / ``FILE.csv`` is one table; ``-o DIR/`` (a trailing slash, an existing
  folder, or a name without a suffix) is one file per table inside ``DIR``.
- Missing folders are created when the output is written, and removed again if the write fails.
- Before the first request, each output is checked: its kind is known, its nearest existing
  folder is a folder in which this process can create files (tried for real, so read-only
  file systems and permissions all count), and no two outputs are the same file. A problem is
  a ``UsageError`` (exit status 2) with nothing sent and nothing written.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> check_output(folder / "new" / "out.parquet", "-o").kind
'file'
>>> check_output(folder / "tables/", "-o", directory_ok=True).kind
'directory'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from twxdata.cli import UsageError

TABLE_SUFFIXES = (".parquet", ".csv")


@dataclass(frozen=True, slots=True)
class Output:
    """An output the command will write: where, under which option, and of which kind."""

    path: Path
    flag: str
    kind: str  # "file" or "directory"

    def __str__(self) -> str:
        return f"{self.flag} {self.path}"


def is_directory_target(path: Path | str) -> bool:
    """A directory output: an existing folder, a trailing slash, or a name without a suffix.

    >>> is_directory_target("out/"), is_directory_target("out.parquet")
    (True, False)
    """
    text = str(path)
    return text.endswith(("/", os.sep)) or Path(text).is_dir() or not Path(text).suffix


def check_output(
    path: Path | str,
    flag: str,
    *,
    directory_ok: bool = False,
    suffixes: tuple[str, ...] | None = TABLE_SUFFIXES,
) -> Output:
    """Check that ``path`` can be written as the command means to; ``UsageError`` if not.

    ``suffixes`` are the file kinds the option writes (``None``: any name, as for ``--raw``);
    ``directory_ok`` allows a folder (one file per table).
    """
    target = Path(path)
    if str(path) in ("", "-"):
        raise UsageError(f"{flag}: give a file name")
    if directory_ok and is_directory_target(path):
        if target.exists() and not target.is_dir():
            raise UsageError(f"{flag} {target}: exists and is not a folder")
        _check_folder(target, flag, target)
        return Output(target, flag, "directory")
    if target.is_dir():
        raise UsageError(f"{flag} {target}: is a folder; name a file")
    if suffixes is not None and target.suffix.lower() not in suffixes:
        kinds = " or ".join(suffixes)
        raise UsageError(
            f"{flag} {target}: the file name must end in {kinds}"
            + (" (or name a folder, ending in /, for every table)" if directory_ok else "")
        )
    if target.exists() and not target.is_file():
        raise UsageError(f"{flag} {target}: exists and is not a regular file")
    _check_folder(target.parent if str(target.parent) else Path("."), flag, target)
    return Output(target, flag, "file")


def check_distinct(*outputs: Output | None) -> None:
    """Refuse two outputs that are the same file (through symlinks and hard links too)."""
    given = [o for o in outputs if o is not None]
    for i, first in enumerate(given):
        for second in given[i + 1 :]:
            if same_file(first.path, second.path):
                raise UsageError(
                    f"{first} and {second} are the same file: one would overwrite the other"
                )


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same real path, or the same inode.

    >>> same_file(Path("a/../b.txt"), Path("b.txt"))
    True
    """
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: different files
        return False


def _check_folder(folder: Path, flag: str, target: Path) -> None:
    """The nearest existing folder must be a folder this process can create files in."""
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{flag} {target}: {existing} is not a folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".twxdata-write-check-", dir=existing)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"{flag} {target}: cannot write in {existing} ({reason})") from None
    os.close(fd)
    os.unlink(probe)


def make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those made, deepest first."""
    made: list[Path] = []
    current = folder
    while not current.exists() and current.parent != current:
        made.append(current)
        current = current.parent
    for path in reversed(made):
        path.mkdir(exist_ok=True)
    return made


def remove_folders(made: list[Path]) -> None:
    """Remove folders ``make_folders`` made, deepest first, where they are still empty."""
    for path in made:
        with contextlib.suppress(OSError):
            path.rmdir()


@contextlib.contextmanager
def created_folders(folder: Path) -> Iterator[list[Path]]:
    """Create ``folder`` and its missing parents; if the block fails, remove those it made
    (when still empty), so a failed write leaves no trace."""
    made = make_folders(folder)
    try:
        yield made
    except BaseException:
        remove_folders(made)
        raise
