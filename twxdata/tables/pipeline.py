"""Running the parsing of chunks in worker threads, ahead of the building, in input order.

The heavy steps — the JSON reader and the casts — run in Arrow's C++ code without the GIL, so
two chunks parse on two cores while the caller builds tables from the chunk before them. Each
chunk is parsed whole by one thread (one reader block: nothing to stitch together afterwards),
results come back in input order, and at most ``ahead`` chunks wait, which bounds memory.

>>> list(ordered_map(lambda x: x * 2, iter(range(5))))
[0, 2, 4, 6, 8]
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS = max(1, min(2, os.cpu_count() or 1))


def ordered_map(
    fn: Callable[[T], R],
    items: Iterator[T],
    *,
    workers: int | None = None,
    ahead: int = 2,
    started: Callable[[], None] | None = None,
) -> Iterator[R]:
    """``fn(item)`` for each of ``items``, in order, computed by ``workers`` threads
    (default ``WORKERS``), with at most ``ahead`` results computed before they are asked for.

    ``items`` is iterated in the calling thread. An exception in ``fn`` is raised here, where
    its result would have been. ``started`` is called once the first items are being worked
    on, before waiting for the first result: the caller's own preparation (imports) overlaps
    them. Fewer than two items are mapped inline: small inputs (most calls of ``flatten``)
    start no thread.
    """
    workers = WORKERS if workers is None else workers
    try:
        head = list(itertools.islice(items, 2))
        if len(head) < 2 or workers < 2:
            if started is not None:
                started()
            for item in itertools.chain(head, items):
                yield fn(item)
            return
        yield from _threaded(fn, itertools.chain(head, items), workers, ahead, started)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _threaded(
    fn: Callable[[T], R],
    items: Iterator[T],
    workers: int,
    ahead: int,
    started: Callable[[], None] | None,
) -> Iterator[R]:
    pending: deque[Future[R]] = deque()
    pool = ThreadPoolExecutor(workers, thread_name_prefix="twxdata-parse")
    try:
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) > ahead:
                if started is not None:
                    started()
                    started = None
                yield pending.popleft().result()
        if started is not None:
            started()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:  # the consumer stopped early or a chunk failed
            future.cancel()
        pool.shutdown(wait=True)
