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
    for kind, magic, _ in KINDS:
        if head.startswith(magic):
            return kind
    if len(head) >= 4:
        return None  # bytes that are no compressed format: plain, whatever the name says
    name = str(path).lower()
    return next((kind for kind, _, suffixes in KINDS if name.endswith(suffixes)), None)


def open_input(path: Path | str) -> IO[bytes]:
    """``path`` opened for reading as a binary stream, decompressed as it is read."""
    kind = compression_of(path)
    if kind == "gzip":
        return cast(IO[bytes], gzip.open(path, "rb"))
    if kind == "bzip2":
        return bz2.open(path, "rb")
    if kind == "xz":
        return lzma.open(path, "rb")
    if kind == "zstd":
        return _zstd(path)
    return open(path, "rb")


def _zstd(path: Path | str) -> IO[bytes]:
    try:
        zstandard: Any = importlib.import_module("zstandard")
    except ImportError:
        raise DataError(
            "Zstandard-compressed: reading it needs the zstandard package "
            "(pip install 'twxdata[scale]')",
            source=str(path),
        ) from None
    raw = open(path, "rb")  # noqa: SIM115 - handed to the reader, which closes it
    # A buffered reader gives the readline and readinto the line chunker uses.
    return io.BufferedReader(_ZstdFrames(raw, zstandard.ZstdDecompressor()), 1 << 20)


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
