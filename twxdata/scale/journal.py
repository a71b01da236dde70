"""A run's last step — its files into the dataset, the old ones out, the manifest — made
whole even if it is cut off part way.

Moving a run's files into place, removing the files a compaction replaced, and writing the
manifest are several operations; an interruption between two of them (Ctrl-C, a killed job,
a lost connection to the store) left a dataset with some of the files and not the others:
files in place that the manifest does not know (the next run took their inputs again: their
pages and errors twice), or a compacted file beside the files it replaced (every row twice).
So the plan is written first, in one atomic write (``_twxdata_staging/_commit.json``), then
carried out; the next run that holds the folder (``flatten``, ``compact``) carries out a plan
it finds before anything else (``finish``). Each step may be done twice: a move whose file is
gone was done, a removal of what is not there does nothing, the manifest is written whole.

>>> import tempfile
>>> store = Store(tempfile.mkdtemp())
>>> store.write_bytes("a.staged", b"rows")
>>> commit(store, moves=[("a.staged", "t/a.parquet")], manifest=b"{}")
>>> store.read_bytes("t/a.parquet"), store.read_bytes("_twxdata_manifest.json"), finish(store)
(b'rows', b'{}', False)
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from twxdata.scale.parts import STAGING
from twxdata.scale.store import Store

PLAN = f"{STAGING}/_commit.json"
MANIFEST = "_twxdata_manifest.json"


def commit(
    store: Store,
    *,
    moves: Sequence[tuple[str, str]] = (),
    removes: Sequence[str] = (),
    manifest: bytes | None = None,
) -> None:
    """Move each ``(staged, final)`` file, then remove ``removes``, then write ``manifest``
    (if given): all of it, even if this is cut off (``finish``)."""
    plan = {"moves": [list(m) for m in moves], "removes": list(removes),
            "manifest": None if manifest is None else manifest.decode()}  # fmt: skip
    store.write_bytes(PLAN, orjson.dumps(plan))
    finish(store)


def finish(store: Store) -> bool:
    """Carry out a plan left by a run cut off during its ``commit``; whether there was one."""
    data = store.read_bytes(PLAN)
    if data is None:
        return False
    plan = orjson.loads(data)
    for staged, final in plan["moves"]:
        if store.exists(staged):
            store.move(staged, final)
    for name in plan["removes"]:
        store.remove(name)
    if plan["manifest"] is not None:
        store.write_bytes(MANIFEST, plan["manifest"].encode())
    store.remove(PLAN)
    return True
