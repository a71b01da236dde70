"""Files that are either wholly the old version or wholly the new one, never half-written."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path | str, *, mode: int = 0o644) -> Iterator[Path]:
    """A temporary file beside ``path`` to write; it replaces ``path`` when the block succeeds
    and disappears when it fails, so ``path`` is always whole: the old version or the new.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=".twxdata-tmp", dir=target.parent
    )
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def atomic_write_bytes(path: Path | str, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and ``os.replace``.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.json"
    >>> atomic_write_bytes(target, b"{}")
    >>> target.read_bytes()
    b'{}'
    """
    with atomic_path(path, mode=mode) as tmp, open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


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
