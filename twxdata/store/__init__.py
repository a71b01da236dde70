"""Storage for reproducible collections: the raw archive, its checkpoint, atomic files."""

from __future__ import annotations

from twxdata.store.archive import Archive, ArchiveRepair
from twxdata.store.atomic import atomic_write_bytes
from twxdata.store.checkpoint import Checkpoint, StreamPosition

__all__ = ["Archive", "ArchiveRepair", "Checkpoint", "StreamPosition", "atomic_write_bytes"]
