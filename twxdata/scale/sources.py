"""Where archives are kept: local paths and patterns, or fsspec URLs (``s3://``, ``gs://``,
``https://``, ``az://``...), compressed or not.

Local files are opened directly (no fsspec needed); a URL goes through fsspec with the
user's ``storage_options`` (keys, endpoint, profile) or, without them, whatever their fsspec
setup provides (environment, ``~/.aws``). Those options are only ever handed to fsspec: the
records written about inputs (manifests, provenance) name the file, never how it was reached,
and a URL's ``user:password@`` part is dropped from them.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("b.jsonl", "a.jsonl.gz", "a.jsonl.checkpoint.json"):
...     _ = (folder / name).write_bytes(b"")
>>> [pathlib.Path(s.url).name for s in expand([str(folder / "*")])]
['a.jsonl.gz', 'b.jsonl']
>>> shown("https://ann:secret@example.org/x.jsonl")
'https://example.org/x.jsonl'
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from twxdata.errors import DataError, ParameterError
from twxdata.tables.compressed import decompressed
from twxdata.tables.storage import (
    StorageOptions,
    filesystem,
    is_url,
    open_stored,
    shown,
    storage_error,
    storage_failures,
)

__all__ = [
    "Source",
    "StorageOptions",
    "expand",
    "filesystem",
    "is_url",
    "local_folder",
    "open_archive",
    "open_stored",
    "shown",
    "storage_error",
    "storage_failures",
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    """One input: its location (a local path, absolute, so any worker finds it; or a URL),
    its stored size in bytes, and its ``name`` as the user gave it (rows and records name
    the file so, as the one-process flatten does)."""

    url: str
    size: int
    name: str = ""

    @property
    def shown(self) -> str:
        return self.name or shown(self.url)


def expand(inputs: Sequence[str], storage_options: StorageOptions | None = None) -> list[Source]:
    """Every file the inputs name, in order: a pattern (``*``, ``**``) becomes the files it
    matches, sorted; checkpoints beside archives are left out. ``ParameterError`` for a name that
    matches nothing (``ParameterError``: before any work)."""
    found: list[Source] = []
    for name in inputs:
        files = _remote(name, storage_options) if is_url(name) else _local(name)
        if not files:
            raise ParameterError("inputs", f"{shown(name)}: no such file, or no file matches")
        found.extend(f for f in files if not f.url.endswith(".checkpoint.json"))
    return found


def _local(name: str) -> list[Source]:
    path = name.removeprefix("file://")
    if os.path.isfile(path):
        return [Source(os.path.abspath(path), os.path.getsize(path), path)]
    if not glob.has_magic(path):
        return []
    matches = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
    return [Source(os.path.abspath(p), os.path.getsize(p), p) for p in matches]


def _remote(name: str, storage_options: StorageOptions | None) -> list[Source]:
    fs, path = filesystem(name, storage_options)
    try:
        return _listed(fs, name, path)
    except (ParameterError, DataError):
        raise
    except Exception as exc:  # the storage's own errors (no credentials, no bucket, offline)
        raise storage_error(exc, name, "cannot list it") from None


def _listed(fs: Any, name: str, path: str) -> list[Source]:
    protocol = name.split("://", 1)[0]
    if glob.has_magic(path):
        matches = fs.glob(path, detail=True)
        entries = sorted((p, info) for p, info in matches.items() if info.get("type") == "file")
    else:
        try:
            info = fs.info(path)
        except FileNotFoundError:
            return []
        entries = [(path, info)] if info.get("type") == "file" else []
    out = []
    for found, info in entries:
        url = found if "://" in found else f"{protocol}://{found}"
        if protocol in ("http", "https"):
            url = name if not glob.has_magic(path) else url
        out.append(Source(url, int(info.get("size") or 0)))
    return out


def open_archive(url: str, storage_options: StorageOptions | None = None) -> IO[bytes]:
    """The file's content, decompressed as it is read (by its first bytes, whatever its name)."""
    return decompressed(open_stored(url, storage_options), shown(url))


def local_folder(url: str) -> Path | None:
    """``url`` as a local folder, or ``None`` when it is in object storage."""
    return None if is_url(url) else Path(url.removeprefix("file://"))
