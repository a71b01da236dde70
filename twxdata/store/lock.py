"""One writer per archive: an advisory lock held for the whole collection.

Two processes appending to one archive would interleave their pages (and each resume from a
checkpoint the other keeps overwriting). ``ArchiveLock`` takes an exclusive, non-blocking OS
lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) on a small lock file for the archive. The
OS drops it when the process ends, however it ends (a SIGKILL included), so a stale lock can
never block a resume. The lock file records who holds it (process id, host, start time) for
the message a second writer gets; it is kept in the user's cache folder, named after a hash of
the archive's real path, so no file appears beside the user's data.

>>> import tempfile, pathlib
>>> archive = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
>>> with ArchiveLock(archive, folder=archive.parent):
...     try:
...         ArchiveLock(archive, folder=archive.parent).acquire()
...     except ArchiveLocked as exc:
...         print("refused:", "in use by process" in str(exc))
refused: True
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from types import TracebackType
from typing import IO

from twxdata.errors import TwxError
from twxdata.folders import cache_dir


class ArchiveLocked(TwxError):
    """Another process is writing to this archive."""


class ArchiveLock:
    """An exclusive lock on ``archive`` for this process; ``acquire`` raises
    ``ArchiveLocked`` naming the holder when another process has it."""

    def __init__(
        self, archive: Path | str, *, folder: Path | None = None, advice: str | None = None
    ) -> None:
        self.archive = Path(archive)
        self.advice = advice or (
            "one collection writes to an archive at a time; wait for it to finish (or stop "
            "it), then run this again to resume"
        )
        real = os.path.realpath(self.archive)
        name = hashlib.sha256(real.encode()).hexdigest()[:32] + ".lock"
        self.path = (folder if folder is not None else _lock_folder(self.archive)) / name
        self._file: IO[str] | None = None

    def acquire(self) -> ArchiveLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        if not _try_lock(file):
            file.seek(0)
            holder = file.read().strip() or "another process"
            file.close()
            raise ArchiveLocked(f"{self.archive} is in use by {holder}: {self.advice}")
        file.seek(0)
        file.truncate()
        file.write(f"process {os.getpid()} on {_host()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        file.flush()
        self._file = file
        return self

    def release(self) -> None:
        if self._file is not None:
            _unlock(self._file)
            self._file.close()
            self._file = None

    def __enter__(self) -> ArchiveLock:
        return self.acquire()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _host() -> str:
    try:
        return os.uname().nodename  # not socket: the command line imports this early
    except AttributeError:  # pragma: no cover - Windows
        return os.environ.get("COMPUTERNAME", "this machine")


def _lock_folder(archive: Path) -> Path:
    folder = cache_dir()
    return (folder / "locks") if folder is not None else archive.parent


try:
    import fcntl

    def _try_lock(file: IO[str]) -> bool:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True

    def _unlock(file: IO[str]) -> None:
        fcntl.flock(file.fileno(), fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(file: IO[str]) -> bool:
        try:
            file.seek(0)
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True

    def _unlock(file: IO[str]) -> None:
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
