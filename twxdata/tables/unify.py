r"""Unifying the lines of a chunk that mix shapes, in its bytes, so the reader takes them at once.

Two mixes are common in real archives: a lookup's single object (``"data": {...}``) among
pages whose ``data`` is a list, and a field one era sends as ``"4"`` and another as ``4``
(``edit_controls.edits_remaining`` in 2022 and 2023 pages). The first is fixed line by line
where a line starts so (``with_data_lists``); the second by rules learned from the reader's
complaints (``Fixes``), which unquote integers sent as text or quote ids sent as numbers.

>>> with_data_lists(b'{"data": {"id": "1"}}\n{"data": [{"id": "2"}]}\n')
b'{"data":[{"id":"1"}]}\n{"data": [{"id": "2"}]}\n'
>>> fixes = Fixes()
>>> fixes.learn("Column(/data/[]/public_metrics/like_count) changed from number to string", 0)
True
>>> fixes.apply(b'{"like_count": "4"}')
(b'{"like_count": 4}', 1)
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Callable

import numpy as np
import orjson
import pyarrow as pa

from twxdata.tables.schema import PAGE


def _names_of(kind: Callable[[pa.DataType], bool]) -> frozenset[str]:
    """Field names whose type is ``kind`` wherever the page schema has them."""
    seen: dict[str, set[bool]] = {}

    def walk(type_: pa.DataType) -> None:
        for f in type_ if pa.types.is_struct(type_) else ():
            seen.setdefault(f.name, set()).add(bool(kind(f.type)))
            walk(f.type)
        if pa.types.is_list(type_):
            walk(type_.value_type)

    walk(pa.struct(list(PAGE)))
    return frozenset(name for name, kinds in seen.items() if kinds == {True})


_INT_NAMES = _names_of(pa.types.is_int64)
_STRING_NAMES = _names_of(pa.types.is_string)
_CONFLICT = re.compile(r"Column\((?:/[^)]*)?/([^/)\[\]]+)\) changed from (\w+) to (\w+)")
MAX_FIXES = 8


class Fixes:
    """Fields one source sends both as numbers and as strings, unified by rewriting bytes:
    integers quoted as strings are unquoted, ids sent as numbers are quoted.

    Threads parsing chunks of one source share it; rules are only ever added, under a lock.
    """

    def __init__(self) -> None:
        self._rules: tuple[tuple[bytes, re.Pattern[bytes], bytes], ...] = ()
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def learn(self, message: str, applied: int) -> bool:
        """Add the rule for the conflict the reader reported; whether a retry may help.

        ``applied`` is how many rules the failed read had: another thread may have added
        the rule this conflict needs since.
        """
        match = _CONFLICT.search(message)
        if match is None:
            return False
        name = match.group(1)
        with self._lock:
            if name in self._names:
                return len(self._rules) > applied
            key = re.escape(name.encode())
            if name in _INT_NAMES:
                pattern = rb'"' + key + rb'"(\s*:\s*)"(-?\d{1,18})"'
                replacement = rb'"' + key + rb'"\1\2'
            elif name in _STRING_NAMES:
                pattern = rb'"' + key + rb'"(\s*:\s*)(-?\d{1,19})(?=[\s,}\]])'
                replacement = rb'"' + key + rb'"\1"\2"'
            else:
                return False
            self._names.add(name)
            rule = (b'"' + name.encode() + b'"', re.compile(pattern), replacement)
            self._rules = (*self._rules, rule)
            return True

    def rules(self) -> tuple[tuple[bytes, re.Pattern[bytes], bytes], ...]:
        """The rules known now: ``(key, pattern, replacement)``, the pattern starting with
        the literal key."""
        return self._rules

    def apply(self, data: bytes) -> tuple[bytes, int]:
        """``data`` rewritten by every rule known now, and how many there were."""
        rules = self._rules
        for key, pattern, replacement in rules:
            data = _substituted(data, key, pattern, replacement)
        return data, len(rules)


def _substituted(data: bytes, key: bytes, pattern: re.Pattern[bytes], replacement: bytes) -> bytes:
    """``pattern.sub(replacement, data)`` for a pattern that starts with the literal ``key``.

    The key is looked for with ``bytes.find`` (twice as fast as the regex scan over a chunk);
    the pattern is tried only where it is. Without a match, ``data`` itself comes back.
    """
    view = memoryview(data)  # pieces are views: the join is the only copy
    pieces: list[bytes | memoryview] = []
    done = 0
    at = data.find(key)
    while at >= 0:
        match = pattern.match(data, at)
        if match is None:
            at = data.find(key, at + 1)
            continue
        pieces += [view[done:at], match.expand(replacement)]
        done = match.end()
        at = data.find(key, done)
    if not pieces:
        return data
    pieces.append(view[done:])
    return b"".join(pieces)


_SINGLE = re.compile(rb'\{\s*"data"\s*:\s*\{')


def _buffer_of(data: bytes | memoryview) -> bytes | bytearray:
    """What ``data`` views, to search in place: its object when the view starts at the
    object's start (the chunk reader's views do), else a copy."""
    if not isinstance(data, memoryview):
        return data
    owner = data.obj
    if isinstance(owner, (bytes, bytearray)) and len(owner) >= len(data) and data.contiguous:
        start = np.frombuffer(data, np.uint8).__array_interface__["data"][0]
        if start == np.frombuffer(owner, np.uint8).__array_interface__["data"][0]:
            return owner
    return bytes(data)


def unified(data: bytes | memoryview, fixes: Fixes) -> tuple[bytes | memoryview, int]:
    r"""``data`` with single-object lines made lists and every rule of ``fixes`` applied, and
    how many rules there were: what ``fixes.apply(with_data_lists(data))`` gives, in one pass
    and at most one copy (``data`` itself when nothing changes).

    Parse threads run this holding the GIL: each copy of a chunk is time the other threads
    wait, so the edits are collected first and the chunk is copied once. A memoryview that
    starts at its buffer's start (as the chunk reader's do) is read in place.

    >>> fixes = Fixes()
    >>> fixes.learn("Column(/data/[]/public_metrics/like_count) changed from number to string", 0)
    True
    >>> unified(b'{"data": {"like_count": "4"}}\n{"data": [{"like_count": "5"}]}\n', fixes)
    (b'{"data":[{"like_count":4}]}\n{"data": [{"like_count": 5}]}\n', 1)
    """
    raw = _buffer_of(data)
    end = len(data)
    rules = fixes.rules()
    edits: list[tuple[int, int, bytes]] = []
    start = 0
    while start < end:
        stop = raw.find(b"\n", start, end)
        stop = end if stop < 0 else stop
        if raw.startswith(b"{", start, stop) and _SINGLE.match(raw, start, min(start + 32, stop)):
            line = bytes(raw[start:stop])
            listed = data_as_list(line)
            if listed is not line:
                for key, pattern, replacement in rules:
                    listed = _substituted(listed, key, pattern, replacement)
                edits.append((start, stop, listed))
        start = stop + 1
    edited = [e[0] for e in edits]  # lines already rewritten whole, in order
    for key, pattern, replacement in rules:
        at = raw.find(key, 0, end)
        while at >= 0:
            match = pattern.match(raw, at, end)
            if match is None:
                at = raw.find(key, at + 1, end)
                continue
            before = bisect.bisect_right(edited, at) - 1  # the last rewritten line before
            if before < 0 or at >= edits[before][1]:
                edits.append((at, match.end(), match.expand(replacement)))
            at = raw.find(key, match.end(), end)
    if not edits:
        return data, len(rules)
    edits.sort()
    view = memoryview(raw)
    pieces: list[bytes | memoryview] = []
    done = 0
    for first, last, replacement in edits:
        pieces += [view[done:first], replacement]
        done = last
    pieces.append(view[done:end])
    return b"".join(pieces), len(rules)


def with_data_lists(raw: bytes) -> bytes:
    """``raw`` with every single-object line made a list (see ``data_as_list``).

    Only the start of each line is looked at, where ``data_as_list`` looks; when no line
    needs it, ``raw`` itself comes back.
    """
    view = memoryview(raw)  # pieces are views: the join is the only copy
    pieces: list[bytes | memoryview] = []
    done = start = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        if raw.startswith(b"{", start) and _SINGLE.match(raw, start, start + 32):
            pieces += [view[done:start], data_as_list(raw[start:end])]
            done = end
        start = end + 1
    if not pieces:
        return raw
    pieces.append(view[done:])
    return b"".join(pieces)


def data_as_list(raw: bytes) -> bytes:
    """A single-object response or stream message with ``data`` made a list, so it reads
    with the pages around it. Checked on the line's start only: ``data`` comes first."""
    if not _SINGLE.match(raw[:32]):
        return raw
    try:
        page = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return raw  # reported when the line is read on its own
    if isinstance(page, dict) and isinstance(page.get("data"), dict):
        page["data"] = [page["data"]]
    return orjson.dumps(page)
