"""Archives as they are kept: plain, or compressed with gzip, bzip2, xz or Zstandard.

The kind is read from the file's first bytes (its magic number), whatever its name, so an
``archive.jsonl`` that is really gzip'd still reads; the name only decides for a file too short
to tell. Every kind is streamed: a file is never decompressed whole into memory.
Zstandard needs the ``zstandard`` package (``pip install 'twxdata[scale]'``); the others are in
the standard library.

>>> import gzip, lzma, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.jsonl.xz").write_bytes(lzma.compress(b'{"data": []}\\n'))
>>> _ = (folder / "b.jsonl").write_bytes(gzip.compress(b'{"data": []}\\n'))  # named as plain
>>> [compression_of(folder / n) for n in ("a.jsonl.xz", "b.jsonl")]
['xz', 'gzip']
>>> with open_input(folder / "b.jsonl") as f:
...     f.read()
b'{"data": []}\\n'
"""

from __future__ import annotations

import bz2
import gzip
import importlib
import io
import lzma
import zlib
from pathlib import Path
from typing import IO, Any, cast

from twxdata.errors import DataError
from twxdata.tables.storage import StorageOptions, open_stored, shown

# (kind, magic bytes, name suffixes)
KINDS: tuple[tuple[str, bytes, tuple[str, ...]], ...] = (
    ("gzip", b"\x1f\x8b", (".gz", ".gzip")),
    ("bzip2", b"BZh", (".bz2",)),
    ("xz", b"\xfd7zXZ\x00", (".xz", ".lzma")),
    ("zstd", b"\x28\xb5\x2f\xfd", (".zst", ".zstd")),
)


def compression_of(path: Path | str) -> str | None:
    """``gzip``, ``bzip2``, ``xz``, ``zstd`` or ``None`` (plain): by the first bytes, else by
    the name (a file too short to tell)."""
    try:
        with open(path, "rb") as file:
            head = file.read(6)
    except OSError:
        head = b""
    return compression_by(head, str(path))


def compression_by(head: bytes, name: str) -> str | None:
    """The compression of a file starting with ``head`` and called ``name``.

    >>> compression_by(b"\\x1f\\x8b\\x08", "a.jsonl"), compression_by(b"", "a.zstd")
    ('gzip', 'zstd')
    """
    for kind, magic, _ in KINDS:
        if head.startswith(magic):
            return kind
    if len(head) >= 4:
        return None  # bytes that are no compressed format: plain, whatever the name says
    lowered = name.lower()
    return next((kind for kind, _, suffixes in KINDS if lowered.endswith(suffixes)), None)


def open_input(path: Path | str, storage_options: StorageOptions | None = None) -> IO[bytes]:
    """``path`` (a local file, or a URL fsspec reaches with ``storage_options``:
    ``tables.storage``) opened for reading as a binary stream, decompressed as it is read."""
    stored = open_stored(str(path), storage_options)
    return decompressed(stored, shown(str(path)))  # the caller closes it


def decompressed(raw: IO[bytes], name: str) -> IO[bytes]:
    """The stream of stored bytes ``raw`` (a local file, or an fsspec file of object storage)
    decompressed as it is read, by its first bytes; closing it closes ``raw``."""
    head = raw.read(6)
    if raw.seekable():
        raw.seek(0)
    else:
        raw = cast(IO[bytes], io.BufferedReader(_Replay(head, raw), 1 << 20))
    kind = compression_by(head, name)
    if kind == "zstd":
        return _zstd(raw, name)
    if kind == "gzip":
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
    elif kind == "bzip2":
        stream = cast(IO[bytes], bz2.BZ2File(raw, "rb"))
    elif kind == "xz":
        stream = cast(IO[bytes], lzma.LZMAFile(raw, "rb"))  # noqa: SIM115 - returned open
    else:
        return raw
    _owns(stream, raw)
    return stream


def _owns(stream: IO[bytes], raw: IO[bytes]) -> None:
    """Closing ``stream`` closes ``raw`` too (the standard library's decompressing files
    leave a file object they were given open)."""
    close = stream.close

    def close_both() -> None:
        try:
            close()
        finally:
            raw.close()

    setattr(stream, "close", close_both)  # noqa: B010 - an instance's own close


def _zstd(raw: IO[bytes], name: str) -> IO[bytes]:
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        raw.close()
        raise DataError(
            "Zstandard-compressed: reading it needs the zstandard package "
            "(pip install 'twxdata[scale]')",
            source=name,
        ) from None
    # A buffered reader gives the readline and readinto the line chunker uses.
    return io.BufferedReader(_ZstdFrames(raw, zstandard.ZstdDecompressor()), 1 << 20)


class _Replay(io.RawIOBase):
    """The bytes already read from a stream that cannot seek back, then the rest of it."""

    def __init__(self, head: bytes, raw: IO[bytes]) -> None:
        self._head = head
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._raw.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _ZstdFrames(io.RawIOBase):
    """Every frame of a Zstandard file, decompressed as it is read; a file that ends inside
    a frame is an ``EOFError``, as gzip, bzip2 and xz say it (zstandard's own stream reader
    stops there without a word, and a cut-off download would pass for a short archive)."""

    def __init__(self, raw: IO[bytes], decompressor: Any) -> None:
        self._raw = raw
        self._decompressor = decompressor
        self._frame = decompressor.decompressobj()
        self._started = False  # the current frame has had input
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending:
            data = self._raw.read(1 << 20)
            if not data:
                if self._started and not self._frame.eof:
                    raise EOFError("Compressed file ended before the end-of-stream marker "
                                   "was reached")  # fmt: skip
                return 0
            while data:
                if self._frame.eof:  # the next frame begins
                    self._frame = self._decompressor.decompressobj()
                self._started = True
                self._pending += self._frame.decompress(data)
                data = self._frame.unused_data if self._frame.eof else b""
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._raw.close()
        super().close()


def damaged(exc: BaseException, path: Path | str) -> bool:
    """Whether ``exc``, raised while ``path`` was read, says its compressed data is damaged
    or cut off (rather than, say, a disk error): told as one line, not a traceback."""
    if isinstance(exc, (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError)):
        return True
    if type(exc).__name__ == "ZstdError":  # zstandard's, whose module may be absent
        return True
    # bz2 says "Invalid data stream" as a bare OSError (no errno, unlike a failing disk)
    return isinstance(exc, OSError) and exc.errno is None and compression_of(path) is not None
