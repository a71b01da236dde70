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
import logging
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from twxdata._version import __version__
from twxdata.atomic import atomic_write_bytes
from twxdata.errors import DataError, ParameterError, TwxError
from twxdata.store.archive import Archive, ArchiveRepair
from twxdata.store.lock import ArchiveLock

log = logging.getLogger("twxdata.store")

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
    # The oldest post received (posts come newest first): where the walk goes on with
    # ``until_id`` when its token cannot (a recent search's window moved on a resume).
    below: str | None = None


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
        # A hand-edited or damaged checkpoint is one clear line naming the file, whatever is
        # wrong with it: never a traceback, never a resume from half-understood positions.
        try:
            record = orjson.loads(path.read_bytes())
            if not isinstance(record, dict):
                raise TypeError("not a JSON object")
            if record.get("format") != FORMAT:
                raise DataError(f"checkpoint format {record.get('format')!r} is not {FORMAT}",
                                source=str(path))  # fmt: skip
            spec = record["spec"]
            if not isinstance(spec, dict):
                raise TypeError("'spec' is not an object")
            streams = {str(k): _position(v) for k, v in record["streams"].items()}
            return cls(
                spec=spec,
                streams=streams,
                requests=dict(record.get("requests") or {}),
                extra=dict(record.get("extra") or {}),
                started_at=float(record.get("started_at", time.time())),
                updated_at=float(record.get("updated_at", time.time())),
                version=str(record.get("twxdata", "")),
            )
        except DataError:
            raise
        except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError,
                AttributeError) as exc:  # fmt: skip
            reason = exc.strerror if isinstance(exc, OSError) else f"{type(exc).__name__}: {exc}"
            raise DataError(
                f"not a usable twxdata checkpoint ({reason}); move it away (and its archive) "
                "to start over",
                source=str(path),
            ) from None


def _position(value: Any) -> StreamPosition:
    if not isinstance(value, dict):
        raise TypeError(f"a stream position is {type(value).__name__}, not an object")
    position = StreamPosition(**value)
    if position.token is not None and not isinstance(position.token, str):
        raise TypeError("a stream's token is not text")
    if position.below is not None and not (
        isinstance(position.below, str) and position.below.isdigit()
    ):
        raise TypeError("a stream's oldest post is not an id")
    for name in ("items", "pages"):
        number = getattr(position, name)
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise TypeError(f"a stream's {name} is not a count")
    return position


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


@dataclass(slots=True)
class OpenedArchive:
    """An archive opened for appending, with its checkpoint (``new`` when just created)."""

    archive: Archive
    checkpoint: Checkpoint
    checkpoint_path: Path
    new: bool
    repair: ArchiveRepair | None = None


def open_archive(path: Path, spec: dict[str, Any], *, restart: bool, what: str) -> OpenedArchive:
    """Open ``path`` to continue the collection ``spec``, or start it; refuse a mismatch.

    ``restart`` sets the old archive and checkpoint aside (renamed, never deleted) first. A torn
    last line is cut (reported in ``repair``). An archive whose checkpoint holds other
    parameters, or that has no checkpoint, is refused with ``ResumeError``: appending to it
    would mix two collections in one file. ``what`` names the collection in messages.
    """
    if path.is_dir():  # before the lock, and before restart could set a folder aside
        raise ParameterError("raw", "a file to archive to; this is a folder", got=str(path))
    archive = Archive(path)
    # One writer per archive, from before anything is looked at or moved until the collection
    # ends (Archive.close releases it); a second one is refused naming the first.
    archive.lock = ArchiveLock(path).acquire()
    try:
        return _open_locked(archive, spec, restart=restart, what=what)
    except BaseException:
        archive.close()
        raise


def _open_locked(
    archive: Archive, spec: dict[str, Any], *, restart: bool, what: str
) -> OpenedArchive:
    path = archive.path
    cp_path = Checkpoint.path_for(path)
    if restart:
        set_aside(path, cp_path)
    # Every refusal comes before any repair: a torn last line is cut only from a file proven
    # to be this collection's archive, never from a file of the user's.
    if cp_path.exists():
        checkpoint = Checkpoint.load(cp_path)
        if checkpoint.fingerprint != Checkpoint(spec=spec).fingerprint:
            changes = "; ".join(spec_differences(checkpoint.spec, spec))
            raise ResumeError(
                f"{path} holds a {what} with other parameters ({changes}). Rerun with the "
                "original parameters to resume it, pass restart=True (--restart) to start "
                "over (the old files are kept, renamed), or choose another file"
            )
        return OpenedArchive(archive, checkpoint, cp_path, False, archive.repair())
    if archive.exists:
        raise ResumeError(
            f"{path} exists but has no checkpoint ({cp_path.name}), so it cannot be resumed "
            "safely; pass restart=True (--restart) to keep it aside and start a new one, or "
            "choose another file"
        )
    return OpenedArchive(archive, Checkpoint(spec=spec), cp_path, True, None)


def set_aside(*paths: Path) -> None:
    """Rename existing files to ``NAME.before-restart-TIME``: kept, out of the way."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for path in paths:
        if path.exists():
            target = path.with_name(f"{path.name}.before-restart-{stamp}")
            path.rename(target)
            log.warning("restart: kept the previous %s as %s", path.name, target.name)
