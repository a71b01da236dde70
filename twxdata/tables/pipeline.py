"""Running one stage of the flattening ahead of the next, in a background thread.

The heavy steps — reading a file, the JSON reader, casts, Parquet encoding — run in Arrow's C++
code without the GIL, so parsing the next chunk (or writing the last one) overlaps with
building the current one. The queue between stages is short, so memory stays bounded.

>>> list(prefetch(iter(range(5))))
[0, 1, 2, 3, 4]
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Yield ``items`` while a thread produces the next ``depth`` of them ahead.

    An exception in the producer is raised here, where the item would have been.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            _run(items)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _run(items: Iterator[T]) -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        slots.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            slots.put(_Failure(exc))

    worker = threading.Thread(target=produce, name="twxdata-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while worker.is_alive():
            try:
                slots.get_nowait()
            except queue.Empty:
                worker.join(timeout=0.05)
