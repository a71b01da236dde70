"""Dehydrate: a dataset becomes a list of IDs one may share, plus a manifest to cite.

X's terms let researchers share post and user IDs, not content. ``dehydrate`` writes one ID per
line — distinct, in ascending order, so the same dataset always gives the same file — and a
manifest beside it: how many IDs, how many duplicates were dropped, the time span (from the IDs
themselves), the source's query and provenance, and the SHA-256 of the ID list, so a paper can
cite exactly which list it used.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from twxdata._version import __version__
from twxdata.atomic import atomic_path, atomic_write_bytes
from twxdata.protocol.timefmt import utc_text
from twxdata.sharing.ids import iter_ids, snowflake_time_ms, sorted_unique, source_kind
from twxdata.store.provenance import ProvenanceBuilder, read_provenance


def manifest_path(ids_file: Path | str) -> Path:
    path = Path(ids_file)
    return path.with_name(path.name + ".manifest.json")


def dehydrate(
    source: Path | str,
    output: Path | str,
    *,
    users: bool = False,
    column: str = "id",
    shown_as: str | None = None,
) -> dict[str, Any]:
    """Write the distinct IDs of ``source`` to ``output`` and return the manifest.

    ``source``: a twxdata Parquet file or dataset directory, a raw JSONL archive (ours or
    twarc2's), a CSV with an ``id`` column (``column`` to choose another), or a list of IDs.
    ``users=True`` says the IDs are users (no time span is derived from them).
    ``shown_as`` names the source in the manifest when ``source`` is a local copy of it (a URL,
    without credentials).

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "in.txt").write_text("1293593516040269825\\n20\\n20\\n")
    >>> m = dehydrate(folder / "in.txt", folder / "ids.txt")
    >>> (folder / "ids.txt").read_text().split(), m["count"], m["duplicates_removed"]
    (['20', '1293593516040269825'], 2, 1)
    """
    src, target = Path(source), Path(output)
    digest = hashlib.sha256()
    count = read = 0
    first = last = None

    def counted() -> Any:
        nonlocal read
        for value in iter_ids(src, column=column):
            read += 1
            yield value

    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        for value in sorted_unique(counted()):
            line = b"%d\n" % value
            handle.write(line)
            digest.update(line)
            count += 1
            first = value if first is None else first
            last = value
        handle.flush()
        os.fsync(handle.fileno())
    manifest = {
        "ids_file": target.name,
        "kind": "users" if users else "tweets",
        "count": count,
        "duplicates_removed": read - count,
        "sha256": digest.hexdigest(),
        "order": "ascending numeric",
        "time_span": None if users else _span(first, last),
        "source": {
            "path": shown_as or str(src),
            "type": source_kind(src),
            **_source_provenance(src),
        },
        "created_at": utc_text(datetime.now(timezone.utc)),
        "twxdata": __version__,
    }
    atomic_write_bytes(
        manifest_path(target), json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    )
    return manifest


def _span(first: int | None, last: int | None) -> dict[str, str] | None:
    if first is None or last is None:
        return None
    times = [snowflake_time_ms(first), snowflake_time_ms(last)]
    if None in times:
        return None
    return {
        "first": utc_text((times[0] or 0) / 1000),
        "last": utc_text((times[1] or 0) / 1000),
        "from": "the IDs (snowflakes carry their creation time)",
    }


def _source_provenance(src: Path) -> dict[str, Any]:
    """What the source says about itself: Parquet provenance or the archive's metadata."""
    kind = source_kind(src)
    if kind == "parquet":
        files = [src] if src.is_file() else sorted(src.rglob("*.parquet"))
        provenance = read_provenance(files[0]) if files else None
        if provenance:
            keep: tuple[str, ...] = (
                "collection",
                "endpoints",
                "queries",
                "time_window",
                "retrieved",
                "pages",
                "partial_errors",
                "versions",
            )
            return {"provenance": {k: provenance.get(k) for k in keep}}
        return {}
    if kind == "jsonl":
        from twxdata.tables import iter_pages

        builder = ProvenanceBuilder().add_all(iter_pages(src))
        record = builder.build(table="raw archive", rows=builder.items)
        summary = ("endpoints", "queries", "time_window", "retrieved", "pages", "partial_errors")
        return {"provenance": {k: record.get(k) for k in summary}}
    return {}
