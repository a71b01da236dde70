"""A live collection's gaps as a table: when the stream was not being received, and why.

``StreamCollection.gaps`` holds ``protocol.stream.Gap`` records (times in epoch seconds, as
the reconnection logic counts them); a study states its coverage from a table, so
``StreamCollection.gap_frame()`` gives them against ``GAP_SCHEMA``: UTC timestamps, the
seconds missed, the cause in X's or our words.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from twxdata.protocol.stream import Gap
from twxdata.tables import to_pandas

GAP_SCHEMA = pa.schema([
    pa.field("start", pa.timestamp("ms", tz="UTC")),  # the last message before (null: none yet)
    pa.field("end", pa.timestamp("ms", tz="UTC")),  # the first after (null: none came)
    pa.field("seconds", pa.float64()),  # end - start (null when either is)
    pa.field("cause", pa.string(), nullable=False),  # stall, network, http, operational-...
    pa.field("detail", pa.string()),
])  # fmt: skip


def gap_table(gaps: Iterable[Gap]) -> pa.Table:
    """``gaps`` as an Arrow table of ``GAP_SCHEMA``, in order.

    >>> table = gap_table([Gap(0.0, 21.5, "stall"), Gap(60.0, None, "stopped")])
    >>> [(str(r["end"]), r["seconds"], r["cause"]) for r in table.to_pylist()]
    [('1970-01-01 00:00:21.500000+00:00', 21.5, 'stall'), ('None', None, 'stopped')]
    """
    rows = list(gaps)

    def times(values: list[float | None]) -> pa.Array:
        ms = [None if v is None else round(v * 1000) for v in values]
        return pa.array(ms, pa.int64()).cast(GAP_SCHEMA.field("start").type)

    return pa.table({
        "start": times([g.start for g in rows]),
        "end": times([g.end for g in rows]),
        "seconds": pa.array([g.seconds for g in rows], pa.float64()),
        "cause": pa.array([g.cause for g in rows], pa.string()),
        "detail": pa.array([g.detail or None for g in rows], pa.string()),
    }, schema=GAP_SCHEMA)  # fmt: skip


def gap_frame(gaps: Iterable[Gap]) -> pd.DataFrame:
    """``gap_table(gaps)`` as a DataFrame with Arrow dtypes.

    >>> gap_frame([Gap(0.0, 21.5, "stall")]).dtypes["start"]
    timestamp[ms, tz=UTC][pyarrow]
    """
    return to_pandas(gap_table(gaps))
