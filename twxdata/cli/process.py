"""Tuning the command's own process for throughput: the garbage collector and the GIL.

Both are process-wide settings, so the library never touches them (a user's notebook kernel
is not ours to tune); the ``twxdata`` command owns its process and sets them for a run, and
puts back what was there when the run ends, however it ends (``main`` may be called in-process).

- **The garbage collector**: everything alive when a run starts (modules, schemas) outlives
  it, so it is frozen out of the full collections that the run's many short-lived objects
  trigger; ``flatten`` makes no reference cycles and turns collection off altogether (about a
  seventh of its time when nothing is frozen).
- **The GIL switch interval**: while chunks parse in threads, each thread alternates short
  Arrow calls (which release the GIL) with Python between them. Getting the GIL back waits for
  the holder to reach the switch interval (5 ms by default): a builder making hundreds of
  Arrow calls per chunk then waits more than it works. 0.5 ms cut the wall time of
  ``twxdata flatten`` by about a tenth.

>>> import gc, sys
>>> before = (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count())
>>> with tuned(collect_garbage=False):
...     sys.getswitchinterval() <= SWITCH_INTERVAL, gc.isenabled()
(True, False)
>>> (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count()) == before
True
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

SWITCH_INTERVAL = 0.0005


@contextlib.contextmanager
def tuned(
    *, collect_garbage: bool = True, switch_interval: float = SWITCH_INTERVAL
) -> Iterator[None]:
    """Freeze what is alive now out of garbage collection (and, with ``collect_garbage=False``,
    pause collection), shorten the GIL switch interval; all restored on the way out."""
    interval = sys.getswitchinterval()
    enabled = gc.isenabled()
    frozen_before = gc.get_freeze_count()
    if frozen_before == 0:  # someone else's freeze is theirs: leave it (and add none)
        gc.freeze()
    if not collect_garbage:
        gc.disable()
    sys.setswitchinterval(min(switch_interval, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if frozen_before == 0:
            gc.unfreeze()
        if enabled:
            gc.enable()
