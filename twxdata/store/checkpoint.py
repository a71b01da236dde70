"""The checkpoint beside a raw archive: what the collection is, and where each stream stands.

``climate.jsonl`` gets ``climate.jsonl.checkpoint.json``, rewritten atomically after every
page. It records the collection's parameters (so a rerun with different ones is refused instead
of mixing two collections in one file) and, per stream (query or user), the next page token, the
items and pages so far, and whether the stream is finished. The archive stays the source of
truth: on resume the positions are rebuilt from the archive's own lines, which also catches a
page that reached the archive just before a crash but not the checkpoint.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from twxdata._version import __version__
from twxdata.errors import DataError, TwxError
from twxdata.store.atomic import atomic_write_bytes

FORMAT = 1


class ResumeError(TwxError):
    """An archive cannot be resumed with these parameters (or is not a twxdata collection)."""


@dataclass(slots=True)
class StreamPosition:
    """Where one stream of a collection stands."""

    token: str | None = None
    items: int = 0
    pages: int = 0
    done: bool = False


@dataclass(slots=True)
class Checkpoint:
    """The parameters of a collection and the position of every stream.

    >>> cp = Checkpoint(spec={"kind": "search", "targets": ["cats"]})
    >>> cp.position("cats").items
    0
    >>> len(cp.fingerprint)
    16
    """

    spec: dict[str, Any]
    streams: dict[str, StreamPosition] = field(default_factory=dict)
    # stream key -> {"path": ..., "params": ...} as sent (relative times resolved); not part
    # of the fingerprint, so "7d" today and "7d" tomorrow are the same collection
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # kind-specific state (hydrate ranges)
    started_at: float = field(default_factory=time.time)
    updated_at: float = field(default_factory=time.time)
    version: str = __version__

    @property
    def fingerprint(self) -> str:
        """A digest of the parameters: equal specs, equal fingerprints."""
        canonical = orjson.dumps(self.spec, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(canonical).hexdigest()[:16]

    def position(self, stream: str) -> StreamPosition:
        return self.streams.setdefault(stream, StreamPosition())

    @property
    def finished(self) -> bool:
        targets = self.spec.get("targets") or []
        return bool(targets) and all(self.position(str(t)).done for t in targets)

    @staticmethod
    def path_for(archive: Path) -> Path:
        return archive.with_name(archive.name + ".checkpoint.json")

    def save(self, path: Path) -> None:
        self.updated_at = time.time()
        record = {
            "format": FORMAT,
            "twxdata": self.version,
            "fingerprint": self.fingerprint,
            "spec": self.spec,
            "streams": {k: asdict(v) for k, v in self.streams.items()},
            "requests": self.requests,
            "extra": self.extra,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
        }
        atomic_write_bytes(path, orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n")

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            record = orjson.loads(path.read_bytes())
            spec = record["spec"]
            streams = {str(k): StreamPosition(**v) for k, v in record["streams"].items()}
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise DataError(f"not a twxdata checkpoint ({exc})", source=str(path)) from None
        if record.get("format") != FORMAT:
            raise DataError(f"checkpoint format {record.get('format')} is not {FORMAT}",
                            source=str(path))  # fmt: skip
        return cls(
            spec=spec,
            streams=streams,
            requests=dict(record.get("requests") or {}),
            extra=dict(record.get("extra") or {}),
            started_at=float(record.get("started_at", time.time())),
            updated_at=float(record.get("updated_at", time.time())),
            version=str(record.get("twxdata", "")),
        )


def spec_differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Human-readable differences between two collection specs.

    >>> spec_differences({"kind": "search", "limit": 10}, {"kind": "search", "limit": 20})
    ['limit: 10 -> 20']
    """
    out = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            out.append(f"{key}: {_short(old.get(key))} -> {_short(new.get(key))}")
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
