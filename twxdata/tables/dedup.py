"""Keeping one row per id across every batch of a run: the first occurrence wins.

Streaming forbids "last wins" (it would hold every row until the end); first-wins needs only
the ids seen so far, kept as one Arrow string array (about 25 bytes per id).

>>> import pyarrow as pa
>>> seen = Seen()
>>> seen.keep(pa.array(["1", "2", "1"])).tolist(), seen.keep(pa.array(["2", "3"])).tolist()
([True, True, False], [False, True])
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.tables.arrow import to_array
from twxdata.tables.values import bools, strings, to_bools, to_ints, valid_mask


class Seen:
    """The ids emitted so far for one table."""

    def __init__(self) -> None:
        self._ids = strings([])

    def __len__(self) -> int:
        return len(self._ids)

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
        if len(self._ids):
            old = pc.is_in(ids, value_set=self._ids, skip_nulls=True)
            first &= ~to_bools(old)
        fresh = first & valid
        if fresh.any():
            self._ids = pa.concat_arrays([self._ids, ids.filter(bools(fresh))])
        kept: np.ndarray = first | ~valid
        return kept
