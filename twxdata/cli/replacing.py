"""May a collecting run replace the tables already at its ``-o``? Decided before any request.

A collection's tables are what the user paid for. Without ``--raw`` its responses are kept
only until the tables are written, so a later run writing over them would lose them for
good: a different query sent to the same ``-o`` by mistake, or the same command run again
from the shell's history (which pays again, and for a recent search returns a different
week). So an existing table is replaced only

- by a run that continues the collection that wrote it (its provenance names this very
  collection and the archive being resumed, ``--raw`` or the spool, is there), or
- with ``--replace``, the user's explicit word; in a folder, the old collection's other
  tables then go too, so the folder never mixes two collections.

CSV keeps no record of what it holds: an existing CSV table is replaced only by a run that
continues an archive of the collection, or with ``--replace``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError
from twxdata.cli.paths import Output
from twxdata.errors import DataError
from twxdata.tables.names import TABLE_NAMES


def check_replacing(
    output: Output, spec: Mapping[str, Any], archive: Path | None, *, replace: bool
) -> list[Path]:
    """Refuse (``UsageError``) when writing ``output`` would replace another collection's
    tables; return the tables that writing must remove to leave one collection (``--replace``
    on a folder), else ``[]``."""
    existing = _tables_at(output)
    if replace:
        return existing if output.kind == "directory" else []
    continues = _archive_of(archive, spec)
    for path in existing:
        _check_one(path, output, spec, continues)
    return []


def _tables_at(output: Output) -> list[Path]:
    """The non-empty tables a run writing ``output`` could replace."""
    if output.kind == "directory":
        found = [output.path / f"{name}.parquet" for name in TABLE_NAMES]
    else:
        found = [output.path]
    return [path for path in found if path.is_file() and path.stat().st_size > 0]


def _archive_of(archive: Path | None, spec: Mapping[str, Any]) -> bool:
    """Whether ``archive`` exists with a checkpoint of this very collection."""
    from twxdata.store.checkpoint import Checkpoint

    if archive is None or not archive.is_file():
        return False
    try:
        kept = Checkpoint.load(Checkpoint.path_for(archive))
    except (OSError, DataError):
        return False  # resuming it will say what is wrong
    return kept.fingerprint == Checkpoint(spec=dict(spec)).fingerprint


def _check_one(path: Path, output: Output, spec: Mapping[str, Any], continues: bool) -> None:
    from twxdata.store.provenance import read_provenance  # late: it loads pandas

    shown = f"{output.flag} {path}"
    advice = "choose another name, or add --replace to replace it"
    if path.suffix.lower() != ".parquet":
        if continues:
            return
        raise UsageError(
            f"{shown}: exists, and a CSV file keeps no record of what it holds, so it is not "
            f"replaced by a new collection: {advice}"
        )
    try:
        provenance = read_provenance(path)
    except DataError:
        provenance = None  # not Parquet after all: not a collection's table either
    held = provenance.get("collection") if provenance else None
    if not isinstance(held, Mapping) or not held:
        raise UsageError(
            f"{shown}: exists and was not written by a twxdata collection; it is left as it "
            f"is: {advice}"
        )
    assert provenance is not None
    what = f"{_describe(held)} ({_rows_and_date(provenance)})"
    if dict(held) != dict(spec):
        raise UsageError(f"{shown}: holds another collection, {what}: {advice}")
    if not continues:
        raise UsageError(
            f"{shown}: already holds this collection, {what}; collecting it again would pay "
            f"for it again and replace it: {advice}"
        )


def _describe(spec: Mapping[str, Any]) -> str:
    """``search "climate"``, ``followers of 2 targets``: the collection as a user said it.

    >>> _describe({"kind": "search", "targets": ["climate"]})
    'search "climate"'
    >>> _describe({"kind": "followers", "targets": ["@NASA", "@ESA", "12"]})
    'followers of @NASA, @ESA and 1 more'
    """
    kind = str(spec.get("kind") or "collection")
    targets = [str(t) for t in spec.get("targets") or []]
    if kind in ("search", "counts"):
        shown = [f'"{t}"' for t in targets[:2]]
        joint = " "
    else:
        shown = targets[:2]
        joint = " of "
    if not shown:
        return kind
    more = f" and {len(targets) - 2} more" if len(targets) > 2 else ""
    return kind + joint + ", ".join(shown) + more


def _rows_and_date(provenance: Mapping[str, Any]) -> str:
    rows = provenance.get("rows")
    parts = [f"{rows:,} rows" if isinstance(rows, int) else "rows unknown"]
    written = provenance.get("written_at")
    if isinstance(written, str):
        try:
            when = datetime.fromisoformat(written.replace("Z", "+00:00"))
            parts.append(f"written {when:%Y-%m-%d %H:%M} UTC")
        except ValueError:
            pass
    return ", ".join(parts)


def check_flatten_replacing(
    targets: Mapping[str, Path], inputs: Sequence[str], *, replace: bool
) -> None:
    """Refuse (``UsageError``) when ``twxdata flatten`` would replace a table whose rows exist
    nowhere else: a collection's table (written from the API's responses, not from files), a
    table flattened from files that are gone, changed or were standard input, a CSV file (it
    keeps no record of what it holds), or a file twxdata did not write. A table flattened
    from archives still there (the same bytes, or more appended) is replaced: flattening them
    again makes it again."""
    if replace:
        return
    for path in targets.values():
        if path.is_file() and path.stat().st_size > 0:
            _check_derived(path, inputs)


def _check_derived(path: Path, inputs: Sequence[str]) -> None:
    from twxdata.store.provenance import read_provenance  # late: it loads pandas

    shown = f"-o {path}"
    advice = "choose another name, or add --replace to replace it"
    if path.suffix.lower() != ".parquet":
        raise UsageError(
            f"{shown}: exists, and a CSV file keeps no record of what it holds, so flatten "
            f"does not replace it: {advice}"
        )
    try:
        provenance = read_provenance(path)
    except DataError:
        provenance = None
    if not provenance:
        raise UsageError(f"{shown}: exists and was not written by twxdata: {advice}")
    sources = [s for s in provenance.get("sources") or [] if isinstance(s, Mapping)]
    if not sources:
        held = provenance.get("collection")
        what = _describe(held) if isinstance(held, Mapping) and held else "a collection"
        raise UsageError(
            f"{shown}: holds {what} ({_rows_and_date(provenance)}) written from the API's "
            f"responses, which flatten would replace: {advice}"
        )
    for source in sources:
        if source.get("file") == "-":
            raise UsageError(
                f"{shown}: was flattened from standard input, so its "
                f"{_rows_and_date(provenance)} exist nowhere else: {advice}"
            )
    gone = [str(s.get("file")) for s in sources if not _still_there(s, path.parent, inputs)]
    if gone:
        more = f" and {len(gone) - 1} more" if len(gone) > 1 else ""
        raise UsageError(
            f"{shown}: was flattened from {gone[0]}{more}, which is no longer there as it "
            f"was (moved, deleted or changed), so its {_rows_and_date(provenance)} exist "
            f"nowhere else: {advice}"
        )


def _still_there(source: Mapping[str, Any], beside: Path, inputs: Sequence[str]) -> bool:
    """Whether the bytes a table was flattened from are still in a file: the one named (as
    it was given, relative to where flatten ran, which may not be here), or one of this
    run's inputs; the same bytes, or those followed by more (an archive appended to)."""
    name, size, digest = source.get("file"), source.get("bytes"), source.get("sha256")
    if not isinstance(name, str):
        return False
    if "://" in name:  # in object storage: there if this run reads it again
        return name in inputs
    if not isinstance(size, int) or not isinstance(digest, str):
        return Path(name).is_file() or (beside / name).is_file()  # older records: by name
    base = Path(name).name
    local = [Path(i) for i in inputs if "://" not in i and i != "-"]
    candidates = [
        *(p for p in local if p.name == base), Path(name), beside / name,
        *(p for p in local if p.name != base),
    ]  # fmt: skip
    tried: set[Path] = set()
    for candidate in candidates:
        try:
            key = candidate.resolve()
            if key in tried or not candidate.is_file() or candidate.stat().st_size < size:
                continue
        except OSError:
            continue
        tried.add(key)
        if _prefix_digest(candidate, size) == digest:
            return True
    return False


def _prefix_digest(path: Path, size: int) -> str | None:
    """SHA-256 of the first ``size`` bytes of ``path``."""
    digest = hashlib.sha256()
    left = size
    try:
        with open(path, "rb") as file:
            while left > 0 and (block := file.read(min(left, 4 << 20))):
                digest.update(block)
                left -= len(block)
    except OSError:
        return None
    return digest.hexdigest() if left == 0 else None
