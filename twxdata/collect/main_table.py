"""Building a collection's main table while its pages arrive.

A collection waits on the network most of the time. ``MainTable`` flattens pages in small
batches on a worker thread (Arrow's JSON reader works outside the GIL) while the event loop
goes on downloading, so by the time the last page arrives the table is nearly built:
``fetch_*`` returns soon after the download ends instead of starting the flattening then.
Flattening responses in batches gives the same rows as flattening them together (a post's
expansions come from its own response), except for duplicates across batches, which are
dropped here by the same rule: the first occurrence wins.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import orjson

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
        self._pending: list[tuple[str, dict[str, Any] | bytes]] = []
        self._parts: dict[str, list[pa.Table]] = defaultdict(list)
        self._futures: list[Future[list[tuple[str, pa.Table]]]] = []
        self._executor: ThreadPoolExecutor | None = None
        self._broken = False

    def add(self, response: dict[str, Any] | bytes, stream: str | None = None) -> None:
        """A response as a dict, or as an archive line (JSON bytes: no re-serialising);
        ``stream`` is its ``__twxdata.stream`` when the caller knows it already."""
        self._pending.append((_stream(response) if stream is None else stream, response))
        if len(self._pending) >= BATCH and not self._broken:
            if self._executor is None:
                # One worker: batches finish in the order they were handed over.
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="twxdata-digest")
            batch, self._pending = self._pending, []
            self._futures.append(self._executor.submit(self._flatten, batch))

    def _flatten(
        self, responses: list[tuple[str, dict[str, Any] | bytes]]
    ) -> list[tuple[str, pa.Table]]:
        from twxdata.tables import flatten

        grouped: dict[str, list[dict[str, Any] | bytes]] = defaultdict(list)
        for stream, response in responses:
            grouped[stream].append(response)
        return [(s, flatten(r, tables=[self.name])[self.name]) for s, r in grouped.items()]

    def _digest(self) -> None:
        """Collect finished batches, and flatten what is still pending, in order."""
        futures, self._futures = self._futures, []
        try:
            for future in futures:
                for stream, table in future.result():
                    self._parts[stream].append(table)
            pending, self._pending = self._pending, []
            if pending:
                for stream, table in self._flatten(pending):
                    self._parts[stream].append(table)
        except Exception:  # a bad page: table() reports it by rebuilding from every response
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


def _stream(response: dict[str, Any] | bytes) -> str:
    if isinstance(response, bytes):
        # The archive line ends with its metadata: read the stream from the tail only.
        tail = response[response.rfind(b'"__twxdata":') :]
        meta = orjson.loads(tail[len(b'"__twxdata":') : -2]) if tail else {}
        return str(meta.get("stream", ""))
    return str((response.get("__twxdata") or {}).get("stream", ""))
