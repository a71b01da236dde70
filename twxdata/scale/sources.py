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
import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from twxdata.errors import DataError, ParameterError
from twxdata.tables.compressed import decompressed

StorageOptions = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Source:
    """One input: its location (a local path or a URL) and its stored size in bytes."""

    url: str
    size: int


def is_url(name: str) -> bool:
    """Whether ``name`` is read through fsspec (``s3://...``) rather than as a local path.

    >>> is_url("s3://b/a.jsonl"), is_url("archive.jsonl"), is_url("file:///tmp/a.jsonl")
    (True, False, False)
    """
    return "://" in name and not name.startswith("file://")


def shown(url: str) -> str:
    """``url`` as it may be written down: without credentials in it."""
    if not is_url(url):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host))


def filesystem(url: str, storage_options: StorageOptions | None = None) -> tuple[Any, str]:
    """The fsspec filesystem holding ``url``, and the path in it."""
    try:
        fsspec: Any = importlib.import_module("fsspec")
    except ImportError:
        raise ParameterError(
            "inputs", f"{shown(url)}: reading URLs needs fsspec: pip install 'twxdata[scale]'"
        ) from None
    try:
        fs, path = fsspec.core.url_to_fs(url, **dict(storage_options or {}))
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package missing
        raise ParameterError("inputs", f"{shown(url)}: {exc}") from None
    return fs, path


def expand(inputs: Sequence[str], storage_options: StorageOptions | None = None) -> list[Source]:
    """Every file the inputs name, in order: a pattern (``*``, ``**``) becomes the files it
    matches, sorted; checkpoints beside archives are left out. ``DataError`` for a name that
    matches nothing."""
    found: list[Source] = []
    for name in inputs:
        files = _remote(name, storage_options) if is_url(name) else _local(name)
        if not files:
            raise DataError("no such file, or no file matches", source=shown(name))
        found.extend(f for f in files if not f.url.endswith(".checkpoint.json"))
    return found


def _local(name: str) -> list[Source]:
    path = name.removeprefix("file://")
    if os.path.isfile(path):
        return [Source(os.path.abspath(path), os.path.getsize(path))]
    if not glob.has_magic(path):
        return []
    matches = sorted(p for p in glob.glob(path, recursive=True) if os.path.isfile(p))
    return [Source(os.path.abspath(p), os.path.getsize(p)) for p in matches]


def _remote(name: str, storage_options: StorageOptions | None) -> list[Source]:
    fs, path = filesystem(name, storage_options)
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


def open_stored(url: str, storage_options: StorageOptions | None = None) -> IO[bytes]:
    """The file's stored bytes (compressed as kept), for hashing."""
    if not is_url(url):
        return open(url.removeprefix("file://"), "rb")
    fs, path = filesystem(url, storage_options)
    stream: IO[bytes] = fs.open(path, "rb", block_size=4 << 20)
    return stream


def open_archive(url: str, storage_options: StorageOptions | None = None) -> IO[bytes]:
    """The file's content, decompressed as it is read (by its first bytes, whatever its name)."""
    return decompressed(open_stored(url, storage_options), shown(url))


def local_folder(url: str) -> Path | None:
    """``url`` as a local folder, or ``None`` when it is in object storage."""
    return None if is_url(url) else Path(url.removeprefix("file://"))
