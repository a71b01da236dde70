"""Files that are either wholly the old version or wholly the new one, never half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


class PendingFile:
    """A temporary file beside ``target``, to write in any way (a Parquet writer, ``open``),
    that replaces ``target`` on ``commit()`` — synced, with the permissions a new file gets
    (``0o666`` less the umask, or ``mode``) — or disappears on ``abort()``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> pending = PendingFile(target)
    >>> _ = pending.path.write_text("done")
    >>> target.exists()
    False
    >>> pending.commit()
    >>> target.read_text(), oct(target.stat().st_mode & 0o777) == oct(0o666 & ~umask())
    ('done', True)
    """

    def __init__(self, target: Path | str, *, mode: int | None = None) -> None:
        self.target = Path(target)
        self.mode = mode
        self.target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.target)
        # The PID in the name lets a later writer tell a dead writer's leftovers from a live one.
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.{os.getpid()}.",
            suffix=".twxdata-tmp",
            dir=self.target.parent,
        )
        os.close(fd)
        self.path = Path(tmp)

    def commit(self) -> None:
        """Sync the file, give it its permissions and move it over ``target``."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # mkstemp makes files only their owner can read: outputs get a new file's usual mode.
        os.chmod(self.path, self.mode if self.mode is not None else 0o666 & ~umask())
        os.replace(self.path, self.target)
        _sync_directory(self.target.parent)

    def abort(self) -> None:
        """Remove the temporary file; ``target`` is left as it was."""
        self.path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_path(path: Path | str, *, mode: int | None = None) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block succeeds
    and disappears when it fails, so ``path`` is always whole: the old version or the new.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    pending = PendingFile(path, mode=mode)
    try:
        yield pending.path
        pending.commit()
    except BaseException:
        pending.abort()
        raise


def atomic_write_bytes(path: Path | str, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and ``os.replace``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> atomic_write_bytes(target, b"{}")
    >>> target.read_bytes()
    b'{}'
    """
    with atomic_path(path, mode=mode) as tmp:
        tmp.write_bytes(data)  # synced by the commit


def umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it, then restore it
    os.umask(mask)
    return mask


def _sync_directory(folder: Path) -> None:
    # The rename is durable only once the directory entry is on disk too.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - some filesystems refuse to open directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(target: Path | str, *, max_age: float = 3600.0) -> list[Path]:
    """Delete temporary files a killed writer of ``target`` left behind.

    A temporary is stale when the process named in it (``.NAME.PID.xxx.twxdata-tmp``) is gone,
    or, without a PID, when it is older than ``max_age`` seconds; a live writer's file is left.
    """
    import time

    target = Path(target)
    removed = []
    for tmp in target.parent.glob(f".{target.name}.*.twxdata-tmp"):
        middle = tmp.name[len(target.name) + 2 : -len(".twxdata-tmp")].split(".")
        pid = int(middle[0]) if middle and middle[0].isdigit() else None
        try:
            stale = (
                (not _alive(pid))
                if pid is not None
                else (time.time() - tmp.stat().st_mtime > max_age)
            )
            if stale:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True
