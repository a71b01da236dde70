"""Preloaded in each worker of the local Dask cluster ``twxdata flatten --engine dask`` starts
(``LocalCluster(preload=[...])``; Dask calls ``dask_setup`` in the worker at its start).

Ctrl-C in a terminal reaches every process of the group. The command handles it: it stops
the cluster and says, in one line, what that did; a worker would only print tracebacks
(asyncio's runner turns SIGINT into ``KeyboardInterrupt`` in each one). Only the command's
own workers are set so; a cluster the user starts is the user's.
"""

from __future__ import annotations

import signal
from typing import Any


def dask_setup(worker: Any) -> None:
    """Leave SIGINT to the command (Dask runs this in the worker's main thread)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
