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
import csv
import io
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from twxdata.cli import UsageError
from twxdata.store.paths import same_file

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
    expect: str | None = None,
    inputs: Sequence[Path | str] = (),
) -> Output:
    """Check that ``path`` can be written as the command means to; ``UsageError`` if not.

    ``suffixes`` are the file kinds the option writes (``None``: any name, as for ``--raw``);
    ``directory_ok`` allows a folder (one file per table). An existing file is replaced only
    if it is of the kind written (``expect``: ``"parquet"``, ``"csv"``, ``"ids"``; by default
    from the suffix).
    """
    target = Path(path)
    if str(path) in ("", "-"):
        raise UsageError(f"{flag}: give a file name")
    for given in inputs:  # first: the gravest mistake gets the message
        if str(given) != "-" and same_file(Path(given), target):
            raise UsageError(
                f"{flag} {target} is the input {given}: writing it would destroy what it is "
                "made from; choose another name"
            )
    if directory_ok and is_directory_target(path):
        if target.exists() and not target.is_dir():
            raise UsageError(f"{flag} {target}: exists and is not a folder")
        _check_folder(target, flag, target)
        return Output(target, flag, "directory")
    if flag == "--raw" and target.name.endswith(".checkpoint.json"):
        raise UsageError(
            f"{flag} {target}: is an archive's checkpoint, not an archive: name the archive "
            f"({target.name.removesuffix('.checkpoint.json')})"
        )
    if suffixes == ():  # a folder or nothing
        raise UsageError(f"{flag} {target}: name a folder (ending in /)")
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
    if target.is_file():
        _check_replaceable(target, flag, expect)
    _check_folder(target.parent if str(target.parent) else Path("."), flag, target)
    return Output(target, flag, "file")


def _check_replaceable(target: Path, flag: str, expect: str | None) -> None:
    """An existing file is replaced only when it is what the command writes: a user's notes
    named ``out.csv``, a raw archive named ``.parquet``, are never overwritten."""
    kind = expect or {".parquet": "parquet", ".csv": "csv"}.get(target.suffix.lower())
    if kind is None:
        return
    try:
        with open(target, "rb") as file:
            head = file.read(1 << 16)
    except OSError as exc:
        raise UsageError(f"{flag} {target}: cannot read it ({exc.strerror})") from None
    whole = len(head) < 1 << 16
    if not head or sniff(head, whole=whole) == kind:
        return
    what = {"parquet": "a Parquet file", "csv": "a CSV table", "ids": "a list of ids"}[kind]
    seen = {"jsonl": "JSON lines (an archive?)", "binary": "binary data", "text": "text"}
    holds = seen.get(sniff(head, whole=whole), "other data")
    raise UsageError(
        f"{flag} {target}: exists and is not {what} (it holds {holds}); it is left as it "
        "is: choose another name"
    )


def sniff(head: bytes, *, whole: bool = True) -> str:
    r"""What the first bytes of a file look like: parquet, jsonl, ids, csv, text or binary.

    >>> sniff(b"PAR1..."), sniff(b'{"data": []}\n'), sniff(b"1\n22\n"), sniff(b"id,text\n1,a\n")
    ('parquet', 'jsonl', 'ids', 'csv')
    """
    if head.startswith(b"PAR1"):
        return "parquet"
    if b"\x00" in head:
        return "binary"
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line.strip() for line in text.splitlines() if line.strip()][:50]
    if lines and lines[0].startswith("{"):
        return "jsonl"
    if lines and all(line.isdigit() for line in lines[:-1]) and lines[-1][:1].isdigit():
        return "ids"
    if lines and _table_like(text, whole):
        return "csv"
    return "text"


def _table_like(text: str, whole: bool) -> bool:
    """Rows with one and the same number of comma-separated fields (more than one)."""
    rows = list(csv.reader(io.StringIO(text)))
    complete = [r for r in (rows if whole else rows[:-1] or rows) if r]  # a cut-off last row
    widths = {len(r) for r in complete[:50]}
    if widths == {1}:  # one column: a table only if it is a column of ids under a name
        return len(complete) > 1 and all(r[0].strip().isdigit() for r in complete[1:])
    return len(widths) == 1


def check_not_inputs(outputs: list[Output | None], inputs: list[Path | str]) -> None:
    """Refuse an output that is one of the inputs (through symlinks and hard links too)."""
    for output in outputs:
        if output is None:
            continue
        for given in inputs:
            if str(given) != "-" and same_file(Path(given), output.path):
                raise UsageError(
                    f"{output} is the input {given}: writing it would destroy what it is made "
                    "from; choose another name"
                )


def check_distinct(*outputs: Output | None) -> None:
    """Refuse two outputs that are the same file (through symlinks and hard links too)."""
    given = [o for o in outputs if o is not None]
    for i, first in enumerate(given):
        for second in given[i + 1 :]:
            if same_file(first.path, second.path):
                raise UsageError(
                    f"{first} and {second} are the same file: one would overwrite the other"
                )


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
