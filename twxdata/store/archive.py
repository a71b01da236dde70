"""The raw archive: one API response per JSONL line, appended as pages arrive.

Each line is the response as X sent it plus one ``__twxdata`` key (endpoint, request URL and
parameters — never credentials —, retrieval time, twxdata version, and the stream the page
belongs to). Lines are flushed and fsynced one by one, so a crash loses at most the page being
written; a torn last line is cut off when the archive is opened again (``repair``), never read
as data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from twxdata.errors import DataError
from twxdata.store.lock import ArchiveLock

if TYPE_CHECKING:
    from twxdata.protocol.response import Page

ARCHIVE_KEY = "__twxdata"


@dataclass(frozen=True, slots=True)
class ArchiveRepair:
    """What ``Archive.repair`` cut from the end of a file (a crash mid-write)."""

    path: Path
    line: int
    bytes_removed: int

    def __str__(self) -> str:
        return (
            f"{self.path}: removed a torn last line (line {self.line}, "
            f"{self.bytes_removed} bytes) left by an interrupted write"
        )


class Archive:
    """Append-only JSONL of API responses.

    >>> import tempfile, pathlib
    >>> archive = Archive(pathlib.Path(tempfile.mkdtemp()) / "raw.jsonl")
    >>> archive.exists
    False
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None
        self.pages_written = 0
        self.lock: ArchiveLock | None = None  # held while a collection writes (open_archive)

    @property
    def exists(self) -> bool:
        return self.path.exists() and self.path.stat().st_size > 0

    def append(self, page: Page) -> None:
        """Write one page and make it durable before returning."""
        self.append_line(page.archive_line())

    def append_line(self, line: bytes) -> None:
        """Write one archive line (``Page.archive_line()``) and make it durable."""
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self._file.write(line)
        self._file.flush()
        os.fsync(self._file.fileno())
        self.pages_written += 1

    def append_lines(self, lines: list[bytes]) -> None:
        """Write archive lines (each ending in a newline) and make them durable together: one
        ``fsync`` for a burst of stream messages, not one each."""
        if not lines:
            return
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self.path, "ab")  # noqa: SIM115 - closed in close()
        self._file.write(b"".join(lines))
        self._file.flush()
        os.fsync(self._file.fileno())
        self.pages_written += len(lines)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def repair(self) -> ArchiveRepair | None:
        """Cut a torn last line (no newline, or not JSON). Returns what was removed, if any."""
        if not self.exists:
            return None
        size = self.path.stat().st_size
        with open(self.path, "rb+") as handle:
            handle.seek(size - 1)
            ends_cleanly = handle.read(1) == b"\n"
            start = _line_start(handle, size - 1 if ends_cleanly else size)
            handle.seek(start)
            last = handle.read(size - start)
            if ends_cleanly and _is_json_object(last):
                return None
            handle.truncate(start)
            handle.flush()
            os.fsync(handle.fileno())
        return ArchiveRepair(self.path, _count_newlines(self.path) + 1, size - start)

    def lines(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(line number, response)`` for every line; a corrupt line raises ``DataError``."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise DataError(
                        f"not JSON ({exc.msg})", source=str(self.path), line=number
                    ) from None
                if not isinstance(value, dict):
                    raise DataError("not a JSON object", source=str(self.path), line=number)
                yield number, value


def _line_start(handle: IO[bytes], end: int) -> int:
    """Offset just after the last newline before ``end`` (0 when there is none)."""
    block = 65536
    while end > 0:
        start = max(0, end - block)
        handle.seek(start)
        found = handle.read(end - start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _count_newlines(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            count += chunk.count(b"\n")
    return count
