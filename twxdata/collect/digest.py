"""Building a collection's main table while its pages arrive.

A collection waits on the network most of the time. ``MainTable`` flattens pages in small
batches from a callback the event loop runs between network events, so by the time the last
page arrives the table is nearly built: ``fetch_*`` returns soon after the download ends
instead of starting the flattening then. Flattening responses one by one gives the same rows
as flattening them together (a post's expansions come from its own response), except for
duplicates across batches, which are dropped here by the same rule: the first occurrence wins.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger("twxdata.collect")
BATCH = 10  # pages per flattening call: large enough to amortise its fixed cost


class MainTable:
    """The main table of one collection, grown in batches as responses come in.

    >>> m = MainTable("tweets", per_stream=True)
    >>> m.add({"data": [{"id": "1", "text": "a"}], "__twxdata": {"stream": "q"}})
    >>> m.add({"data": [{"id": "1", "text": "a"}], "__twxdata": {"stream": "q"}})
    >>> m.table(["q"]).num_rows
    1
    """

    def __init__(self, name: str, *, per_stream: bool) -> None:
        self.name = name
        self.per_stream = per_stream  # fan-outs keep one row per (stream, item)
        self._pending: list[dict[str, Any]] = []
        self._parts: dict[str, list[pa.Table]] = defaultdict(list)
        self._scheduled = False
        self._broken = False

    def add(self, response: dict[str, Any]) -> None:
        self._pending.append(response)
        if len(self._pending) >= BATCH and not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop (a collection rebuilt offline): built on first use instead
            self._scheduled = True
            loop.call_soon(self._digest)

    def _digest(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        if not pending or self._broken:
            return
        try:
            from twxdata.tables import flatten

            grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for response in pending:
                grouped[_stream(response)].append(response)
            for stream, responses in grouped.items():
                self._parts[stream].append(flatten(responses, tables=[self.name])[self.name])
        except Exception:  # a bad page must not kill the loop; table() rebuilds and raises
            log.debug(
                "incremental flattening failed; the table is rebuilt at the end", exc_info=True
            )
            self._broken = True

    @property
    def broken(self) -> bool:
        return self._broken

    def table(self, streams: Sequence[str]) -> pa.Table:
        """The table so far: streams in the given order, duplicates dropped (first wins)."""
        import pyarrow as pa

        from twxdata.tables import flatten

        self._digest()
        if self._broken:
            raise RuntimeError("incremental flattening failed")
        order = list(streams) + [s for s in self._parts if s not in streams]
        pieces = [p for s in order for p in self._parts.get(s, [])]
        if not pieces:
            return flatten([], tables=[self.name])[self.name]
        if self.per_stream:
            return pa.concat_tables(
                [
                    _first_of_each(pa.concat_tables(self._parts[s]))
                    for s in order
                    if self._parts.get(s)
                ]
            )
        return _first_of_each(pa.concat_tables(pieces))


def _first_of_each(table: pa.Table, key: str = "id") -> pa.Table:
    """Keep the first row of every ``key`` (tables without the key are returned as they are)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if key not in table.column_names or table.num_rows < 2:
        return table.combine_chunks()
    indexed = table.select([key]).append_column("__row", pa.array(range(table.num_rows)))
    firsts = indexed.group_by(key, use_threads=False).aggregate([("__row", "min")])
    rows = pc.sort_indices(firsts.column("__row_min"))
    return table.take(pc.take(firsts.column("__row_min"), rows)).combine_chunks()


def _stream(response: dict[str, Any]) -> str:
    return str((response.get("__twxdata") or {}).get("stream", ""))
