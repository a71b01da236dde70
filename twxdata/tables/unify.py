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

import re
import threading
from collections.abc import Callable

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
