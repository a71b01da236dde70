"""Keeping one row per id across every batch of a run: the first occurrence wins.

Streaming forbids "last wins" (it would hold every row until the end); first-wins needs only
the ids seen so far. Ids that are integers written plainly (posts, users, lists: all of them
in practice) are kept as ``int64`` in a few sorted numpy runs, 8 bytes each, merged as they
grow, so checking a batch costs a binary search per id whatever the number seen; other ids
(media keys, space ids) go in a set.

>>> import pyarrow as pa
>>> seen = Seen()
>>> seen.keep(pa.array(["1", "2", "1"])).tolist(), seen.keep(pa.array(["2", "3"])).tolist()
([True, True, False], [False, True])
>>> seen.keep(pa.array(["3_9", "02", "2", None, "3_9"])).tolist()
[True, True, False, True, False]
>>> seen.contains(pa.array(["3", "4", "3_9", None])).tolist()
[True, False, True, False]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.tables.arrow import to_array
from twxdata.tables.values import bools, to_bools, to_ints, valid_mask

# Decimal integers that fit int64, without sign, spaces or leading zeros: exactly the texts
# that casting to int64 and back gives unchanged, so the number stands for the text.
_PLAIN_INTEGER = r"^(?:0|[1-9][0-9]{0,17}|[1-8][0-9]{18})$"


class Seen:
    """The ids emitted so far for one table."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []  # sorted, each at most half the one before
        self._other: set[str] = set()
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def keep(self, ids: pa.Array) -> np.ndarray:
        """Which of ``ids`` are new: first in this batch and never seen before.

        Rows without an id are always kept (they cannot be duplicates of anything known).
        """
        ids = to_array(ids)
        n = len(ids)
        if n == 0:
            return np.zeros(0, dtype=bool)
        ids = ids.cast(pa.string())
        valid = valid_mask(ids)
        first = np.zeros(n, dtype=bool)
        positions = pc.index_in(pc.unique(ids), value_set=ids, skip_nulls=True)
        first[to_ints(positions.drop_null())] = True
        numeric = to_bools(pc.match_substring_regex(ids, _PLAIN_INTEGER))
        text = valid & ~numeric
        old = np.zeros(n, dtype=bool)
        numbers = np.zeros(0, dtype=np.int64)
        if numeric.any():
            numbers = to_ints(ids.filter(bools(numeric)).cast(pa.int64()))
            old[numeric] = self._has(numbers)
        words: list[str] = []
        if text.any():
            words = ids.filter(bools(text)).to_pylist()
            old[text] = [w in self._other for w in words]
        fresh = first & valid & ~old
        if fresh.any():
            self._add(numbers[fresh[numeric]])
            self._other.update(w for w, f in zip(words, fresh[text], strict=True) if f)
            self._count += int(fresh.sum())
        kept: np.ndarray = (first & ~old) | ~valid
        return kept

    def contains(self, ids: pa.Array) -> np.ndarray:
        """Which of ``ids`` were seen before; nothing is added (rows without an id: no)."""
        ids = to_array(ids)
        found = np.zeros(len(ids), dtype=bool)
        if not len(ids):
            return found
        ids = ids.cast(pa.string())
        valid = valid_mask(ids)
        numeric = to_bools(pc.match_substring_regex(ids, _PLAIN_INTEGER))
        if numeric.any():
            found[numeric] = self._has(to_ints(ids.filter(bools(numeric)).cast(pa.int64())))
        text = valid & ~numeric
        if text.any():
            found[text] = [w in self._other for w in ids.filter(bools(text)).to_pylist()]
        return found

    def _has(self, numbers: np.ndarray) -> np.ndarray:
        found = np.zeros(len(numbers), dtype=bool)
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, numbers), len(run) - 1)
            found |= run[at] == numbers
        return found

    def _add(self, numbers: np.ndarray) -> None:
        if not len(numbers):
            return
        self._runs.append(np.sort(numbers))
        # Merged like a binary counter: a run never outgrows half the one before it, so there
        # are at most log2(ids) runs and each id is copied log2(ids) times in all.
        while len(self._runs) > 1 and 2 * len(self._runs[-1]) > len(self._runs[-2]):
            last = self._runs.pop()
            merged = np.concatenate([self._runs.pop(), last])
            merged.sort()
            self._runs.append(merged)
