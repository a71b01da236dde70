"""Run a coroutine from any context: a script, a Jupyter cell, inside a running loop.

In Jupyter and IPython, ``await fetch_search(...)`` works at the top level of a cell and needs
none of this. ``run`` is for synchronous code: with no loop running it is ``asyncio.run``; inside
a running loop (a notebook cell calling a ``*_sync`` function, or code already inside asyncio)
it applies nest-asyncio to that loop — only then, never at import — and runs the coroutine on
it, so the caller's client sessions and rate-limit budgets stay on one loop and nothing
deadlocks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result, whatever loop is or is not running.

    >>> async def answer():
    ...     return 42
    >>> run(answer())
    42
    """
    try:
        loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is None:
        # A loop of its own, for this call: clients made on it (the default client of
        # fetch_*) close with it (Client closes its session when its loop shuts down).
        # Outside the ``except``: the call's own errors must not read as raised while
        # handling "no running event loop".
        return asyncio.run(coro)
    import nest_asyncio  # only when a loop runs already, never at import

    nest_asyncio.apply(loop)
    return loop.run_until_complete(coro)
