"""Reading inputs as chunks of JSON lines, and what to do with a line that cannot be read.

Files are read in blocks of whole lines (a few MB each), so memory does not grow with the
input. A file may be JSONL (ours, twarc2's, twarc's flattened lines, stream messages), gzip
compressed JSONL (``.gz``), or one JSON document (a response, or an array of responses, as
saved by other tools). In-memory pages — dicts, bytes, str, or the client's ``Page`` objects —
are serialised to lines and take the same road.

>>> [c.first_line for c in chunks_from_items([{"data": []}, {"data": []}], ErrorPolicy("raise"))]
[1]
"""

from __future__ import annotations

import io
import os
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, cast

import orjson

from twxdata.errors import DataError, DataWarning
from twxdata.tables.compressed import damaged, open_input
from twxdata.tables.storage import StorageOptions

OnError = Literal["raise", "skip", "warn"]
# Two chunks parse at once and up to three more are read ahead of the one being built
# (api._batches): 4 MB chunks keep that near 20 MB of input plus its pages, and are big
# enough that the builders' per-chunk work stays small beside their per-byte work.
CHUNK_BYTES = 4 << 20
_DOCUMENT_LIMIT = 256 << 20  # largest file tried as one JSON document when line 1 is not JSON
ARCHIVE_KEY = "__twxdata"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole lines of one source; ``first_line`` is the 1-based number of the first.

    ``data`` may be a view into a larger buffer (no copy is made of file blocks).
    """

    data: bytes | memoryview
    source: str | None
    first_line: int
    counted: int | None = None  # newlines in data, when the reader already counted them

    @property
    def newlines(self) -> int:
        if self.counted is not None:
            return self.counted
        return bytes(self.data).count(b"\n")


@dataclass(slots=True)
class ErrorPolicy:
    """Applies ``on_error`` to bad lines and remembers the skipped ones.

    ``notify``, when given, is told of each skipped line instead of ``warnings.warn``.
    """

    on_error: OnError
    skipped: list[DataError] = field(default_factory=list)
    notify: Callable[[DataError], None] | None = None

    def __post_init__(self) -> None:
        if self.on_error not in ("raise", "skip", "warn"):
            raise ValueError(f"on_error must be 'raise', 'skip' or 'warn', not {self.on_error!r}")

    def report(self, error: DataError) -> None:
        if self.on_error == "raise":
            raise error
        self.skipped.append(error)
        if self.on_error == "warn":
            if self.notify is not None:
                self.notify(error)
            else:
                warnings.warn(f"skipped {error}", DataWarning, stacklevel=4)


class Readable(Protocol):
    def readline(self) -> bytes: ...
    def read(self, size: int = -1, /) -> bytes: ...
    def readinto(self, buffer: memoryview, /) -> int | None: ...
    def seek(self, offset: int, /) -> int: ...
    def close(self) -> None: ...


def _open(path: Path | str, storage_options: StorageOptions | None = None) -> Readable:
    if str(path) == "-":
        return cast(Readable, sys.stdin.buffer)  # a BufferedReader: it has readinto
    return cast(Readable, open_input(path, storage_options))  # plain, gzip, bzip2, xz or zstd


def chunks_from_file(
    path: Path | str,
    policy: ErrorPolicy,
    chunk_bytes: int = CHUNK_BYTES,
    *,
    storage_options: StorageOptions | None = None,
) -> Iterator[Chunk]:
    """Yield ``path`` (a URL: reached with ``storage_options``) as chunks of whole lines
    (about ``chunk_bytes`` each)."""
    source = str(path)
    try:
        stream = _open(path, storage_options)
    except OSError as exc:
        raise DataError(f"cannot read ({exc.strerror or exc})", source=source) from None
    size = None if source == "-" else _size(path)
    try:
        yield from chunks_from_stream(stream, source, policy, chunk_bytes, stored_bytes=size)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def chunks_from_stream(
    stream: Readable,
    source: str,
    policy: ErrorPolicy,
    chunk_bytes: int = CHUNK_BYTES,
    *,
    stored_bytes: int | None,
    first_line: int = 1,
) -> Iterator[Chunk]:
    """Yield an open, decompressed ``stream`` as chunks of whole lines; ``stored_bytes`` (the
    file's size, ``None`` for a pipe) decides whether it may be read whole as one JSON
    document; ``first_line`` numbers its first line (a part of a larger file). The caller
    closes ``stream``."""
    try:
        head = stream.readline()
        document = _as_document(head, stream, stored_bytes)
        if document is not None:
            yield from chunks_from_items(document, policy, source=source, chunk_bytes=chunk_bytes)
            return
        yield from _line_chunks(head, stream, source, chunk_bytes, first_line)
    except Exception as exc:
        if not damaged(exc, source):
            raise
        # A cut-off download or a damaged file: say which, not a decompressor's traceback.
        raise DataError(
            f"damaged or truncated compressed data ({type(exc).__name__}: {exc})", source=source
        ) from None


def _line_chunks(
    head: bytes, stream: Readable, source: str, size: int, line: int = 1
) -> Iterator[Chunk]:
    # readinto a fresh buffer and hand out views of it: a block is copied once, from the file.
    pending = head
    while True:
        buffer = bytearray(len(pending) + size)
        buffer[: len(pending)] = pending
        got = stream.readinto(memoryview(buffer)[len(pending) :])
        if not got:
            break
        total = len(pending) + got
        cut = buffer.rfind(b"\n", 0, total) + 1
        if cut == 0:  # a line longer than a block: keep reading until it ends
            pending = bytes(buffer[:total])
            continue
        newlines = buffer.count(b"\n", 0, cut)
        yield Chunk(memoryview(buffer)[:cut], source, line, newlines)
        line += newlines
        pending = bytes(buffer[cut:total])
    if pending:
        yield Chunk(pending, source, line)


def _as_document(head: bytes, stream: Readable, stored_bytes: int | None) -> list[Any] | None:
    """The items of a file that is one JSON document rather than JSONL, else None."""
    text = head.lstrip()
    if not text:
        return None
    if text[:1] == b"{":
        try:
            orjson.loads(head)
            return None  # a complete object on line 1: JSONL
        except orjson.JSONDecodeError:
            pass
    elif text[:1] != b"[":
        return None
    if stored_bytes is None or stored_bytes > _DOCUMENT_LIMIT:
        return None
    rest = stream.read()
    try:
        value = orjson.loads(head + rest)
    except orjson.JSONDecodeError:
        # Not a document either: rewind so the lines are reported one by one.
        stream.seek(0)
        stream.readline()
        return None
    return value if isinstance(value, list) else [value]


def _size(path: Path | str) -> int | None:
    try:
        return os.path.getsize(path)
    except OSError:
        return None


def chunks_from_items(
    items: Iterable[Any],
    policy: ErrorPolicy,
    *,
    source: str | None = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[Chunk]:
    """Serialise pages (dict, bytes, str or ``Page``) to lines and yield them in chunks."""
    buffer = io.BytesIO()
    first = 1
    for position, item in enumerate(items, start=1):
        try:
            line = to_line(item)
        except DataError as exc:
            policy.report(DataError(exc.reason, source=source, line=position))
            line = b"\n"  # keeps line numbers in step with positions
        buffer.write(line)
        if buffer.tell() >= chunk_bytes:
            yield Chunk(buffer.getvalue(), source, first)
            buffer = io.BytesIO()
            first = position + 1
    if buffer.tell():
        yield Chunk(buffer.getvalue(), source, first)


def to_line(item: Any) -> bytes:
    """One page as one JSON line (ending in a newline)."""
    if isinstance(item, dict):
        return _dumps(item)
    body = getattr(item, "body", None)
    record = getattr(item, "archive_record", None)
    if isinstance(body, dict) and callable(record):  # twxdata.protocol.response.Page
        return _dumps({**body, ARCHIVE_KEY: record()})
    if isinstance(item, str):
        item = item.encode()
    if isinstance(item, (bytes, bytearray, memoryview)):
        raw = bytes(item).strip()
        if b"\n" in raw or b"\r" in raw:  # pretty-printed: one line it must become
            try:
                return _dumps(orjson.loads(raw))
            except orjson.JSONDecodeError as exc:
                raise DataError(f"invalid JSON: {exc}") from None
        return raw + b"\n"
    raise DataError(f"not a page: {type(item).__name__}")


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError as exc:
        raise DataError(f"cannot serialise page: {exc}") from None


def split_lines(chunk: Chunk) -> Iterator[tuple[int, bytes]]:
    """``(line number, line)`` for each line of ``chunk`` that is not blank."""
    for offset, raw in enumerate(bytes(chunk.data).split(b"\n")):
        if raw.strip():
            yield chunk.first_line + offset, raw
