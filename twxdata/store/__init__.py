"""Storage for reproducible collections: the raw archive, its checkpoint, datasets.

Names are loaded on first use. Atomic files (``twxdata.atomic``) sit below both this package
and ``twxdata.tables``, which write through them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twxdata.store.archive import Archive, ArchiveRepair
    from twxdata.store.checkpoint import Checkpoint, StreamPosition

_HOMES = {
    "Archive": "archive",
    "ArchiveRepair": "archive",
    "Checkpoint": "checkpoint",
    "StreamPosition": "checkpoint",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'twxdata.store' has no attribute {name!r}")
    return getattr(importlib.import_module(f"twxdata.store.{_HOMES[name]}"), name)


__all__ = ["Archive", "ArchiveRepair", "Checkpoint", "StreamPosition"]
