"""One large uncompressed archive as several tasks: byte ranges cut at line ends.

A stream archive is often one file of many GB; files alone would leave all but one worker
idle. A local, uncompressed JSONL file larger than two ``PIECE_BYTES`` is read once by the
driver, at disk speed, to hash it (SHA-256: the file's identity in the manifest, as for any
input) and to find, near every multiple of ``PIECE_BYTES``, where a line starts and its
number. Each ``Piece`` is then flattened by its own task, in order, exactly as the one
process would read those lines: rows keep the file's name and their own line numbers, and
the merge de-duplicates across pieces as across files. (Compressed files cannot be entered
in the middle: they stay one task each.)

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
>>> _ = path.write_bytes(b'{"n": 1}\\n{"n": 22}\\n{"n": 333}\\n')
>>> sha, pieces = cut(str(path), piece_bytes=12)
>>> [(p.start, p.end, p.first_line) for p in pieces]
[(0, 19, 1), (19, 30, 3)]
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import IO, Any

import orjson

from twxdata.tables.compressed import compression_of

PIECE_BYTES = 128 << 20


@dataclass(frozen=True)
class Piece:
    """Lines ``[start, end)`` (byte offsets) of a local file, the first numbered
    ``first_line``; ``sha256`` and ``size`` are the whole file's."""

    url: str
    start: int
    end: int
    first_line: int
    sha256: str
    size: int
    name: str = ""  # the file as the user gave it (``sources.Source.name``)
    held: int = 0  # a grown archive: the bytes the dataset holds already (``grown``)

    @property
    def lists(self) -> bool:
        """Whether this piece names the file in the task's record (one piece does)."""
        return self.start == self.held


def cuttable(path: str, size: int, piece_bytes: int | None = None) -> bool:
    """Whether ``path`` is worth cutting: local, uncompressed JSONL of two pieces or more."""
    if size < 2 * (piece_bytes or PIECE_BYTES) or compression_of(path) is not None:
        return False
    with open(path, "rb") as file:
        head = file.readline(1 << 20)
    try:
        return head.endswith(b"\n") and isinstance(orjson.loads(head), dict)
    except orjson.JSONDecodeError:
        return False


def cut(path: str, piece_bytes: int | None = None) -> tuple[str, list[Piece]]:
    """Hash ``path`` and cut it into pieces of about ``piece_bytes`` (``PIECE_BYTES``), at
    line starts."""
    piece_bytes = piece_bytes or PIECE_BYTES
    digest = hashlib.sha256()
    cuts = [(0, 1)]  # (byte offset of a line start, its line number)
    offset = lines = 0
    wanted = piece_bytes  # the next cut: the first line starting at or after this offset
    with open(path, "rb") as file:
        while block := file.read(4 << 20):
            digest.update(block)
            while wanted < offset + len(block):
                at = block.find(b"\n", max(wanted - 1 - offset, 0))
                if at < 0:
                    break  # the line goes on in the next block
                start = offset + at + 1
                cuts.append((start, lines + block.count(b"\n", 0, at + 1) + 1))
                wanted = start + piece_bytes
            if wanted < offset + len(block):
                wanted = offset + len(block) + 1  # go on looking from the next block
            lines += block.count(b"\n")
            offset += len(block)
    size = offset
    cuts = [(start, line) for start, line in cuts if start < size]
    sha = digest.hexdigest()
    ends = [start for start, _ in cuts[1:]] + [size]
    return sha, [Piece(path, start, end, line, sha, size)
                 for (start, line), end in zip(cuts, ends, strict=True)]  # fmt: skip


def grown(path: str, held_bytes: int, held_sha: str, name: str = "") -> tuple[str, Piece | None]:
    """An archive that grew since the dataset took it in (a live collection appends): its
    SHA-256, and the piece of the lines it gained — ``None`` when its first ``held_bytes``
    are not the file the dataset holds (``held_sha``), ending at a line's end. Read once.

    >>> import tempfile, pathlib, hashlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "live.jsonl"
    >>> _ = path.write_bytes(b'{"n": 1}\\n{"n": 2}\\n{"n": 3}\\n')
    >>> _, piece = grown(str(path), 18, hashlib.sha256(b'{"n": 1}\\n{"n": 2}\\n').hexdigest())
    >>> piece.start, piece.end, piece.first_line, piece.lists
    (18, 27, 3, True)
    >>> grown(str(path), 18, "0" * 64)[1] is None
    True
    """
    digest = hashlib.sha256()
    offset = lines = 0
    same = False
    with open(path, "rb") as file:
        while block := file.read(min(4 << 20, held_bytes - offset) if offset < held_bytes
                                 else 4 << 20):  # fmt: skip
            digest.update(block)
            if offset < held_bytes:
                lines += block.count(b"\n")
                if offset + len(block) == held_bytes:
                    same = digest.hexdigest() == held_sha and block.endswith(b"\n")
            offset += len(block)
    sha = digest.hexdigest()
    if not same or offset <= held_bytes:
        return sha, None
    return sha, Piece(path, held_bytes, offset, lines + 1, sha, offset, name, held_bytes)


def open_piece(piece: Piece) -> IO[bytes]:
    """The piece's bytes as a stream (the file, entered at ``start``, ending at ``end``)."""
    raw = open(piece.url, "rb")  # noqa: SIM115 - closed with the stream returned
    raw.seek(piece.start)
    return io.BufferedReader(_Slice(raw, piece.end - piece.start), 1 << 20)


class _Slice(io.RawIOBase):
    def __init__(self, raw: IO[bytes], length: int) -> None:
        self._raw = raw
        self._left = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._left <= 0:
            return 0
        data = self._raw.read(min(len(view), self._left))
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()
