"""Storage for reproducible collections: the raw archive, its checkpoint, atomic files.

Names are loaded on first use: ``twxdata flatten`` needs only the atomic files, not the
archive and checkpoint machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twxdata.store.archive import Archive, ArchiveRepair
    from twxdata.store.atomic import atomic_write_bytes
    from twxdata.store.checkpoint import Checkpoint, StreamPosition

_HOMES = {
    "Archive": "archive",
    "ArchiveRepair": "archive",
    "atomic_write_bytes": "atomic",
    "Checkpoint": "checkpoint",
    "StreamPosition": "checkpoint",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'twxdata.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"twxdata.store.{_HOMES[name]}"), name)


__all__ = ["Archive", "ArchiveRepair", "Checkpoint", "StreamPosition", "atomic_write_bytes"]
