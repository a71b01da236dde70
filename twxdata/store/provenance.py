"""Provenance: what a table was collected from, stored inside its Parquet file.

A reviewer years later should be able to open ``tweets.parquet`` and read which endpoint(s),
queries or users, parameters and time window it came from, when it was retrieved, how many pages
and partial errors there were, what the API's meta said, and which versions of twxdata, pyarrow
and the table schema wrote it — without the collecting code, and never with credentials (none
are ever in what this records: request URLs and parameters carry none).

>>> b = ProvenanceBuilder({"kind": "search", "targets": ["cats"]})
>>> b.add({"data": [{"id": "5"}], "meta": {"newest_id": "5", "oldest_id": "5", "result_count": 1},
...        "__twxdata": {"endpoint": "search_recent_tweets", "params": {"query": "cats"},
...                      "retrieved_at": "2024-05-01T00:00:00.000000Z", "stream": "cats"}})
>>> p = b.build(table="tweets", rows=1)
>>> p["pages"], p["api_meta"]["newest_id"], p["queries"]
(1, '5', ['cats'])
"""

from __future__ import annotations

import json
import platform
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from twxdata._version import __version__
from twxdata.endpoints import WINDOW_PARAMS, by_route
from twxdata.errors import DataError
from twxdata.protocol.timefmt import utc_text
from twxdata.store.combined import combined
from twxdata.tables.names import SCHEMA_VERSION

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from twxdata.tables.facts import PageFacts

PROVENANCE_KEY = "twxdata.provenance"
WINDOW = WINDOW_PARAMS


class ProvenanceBuilder:
    """Accumulates provenance over responses (in archive form), one at a time."""

    def __init__(self, spec: Mapping[str, Any] | None = None) -> None:
        self.spec = dict(spec) if spec else None
        self.pages = 0
        self.items = 0
        self.partial_errors = 0
        self.endpoints: set[str] = set()
        self.queries: dict[str, None] = {}
        self.streams: dict[str, None] = {}
        self.window: dict[str, set[str]] = {}
        self.first: str | None = None
        self.last: str | None = None
        self.newest: int | None = None
        self.oldest: int | None = None
        self.result_count = 0
        self.total_tweet_count: int | None = None  # counts endpoints' pages only
        self.sources: list[dict[str, Any]] = []  # input files: path, bytes, sha256
        # A live stream's gaps (the first message after each carries its own): the time it
        # was not being received, so a study can state its coverage.
        self.gaps: list[dict[str, Any]] = []

    def add(self, response: Mapping[str, Any]) -> None:
        """One response in archive form (the API's JSON plus ``__twxdata`` or ``__twarc``)."""
        meta = response.get("__twxdata") or response.get("__twarc") or {}
        data = response.get("data")
        api_meta = response.get("meta") or {}
        url = meta.get("url") if isinstance(meta.get("url"), str) else None
        params = meta.get("params") or {}
        endpoint = meta.get("endpoint")
        if url and not endpoint:  # other tools' archives (twarc2) record only the URL
            endpoint = _endpoint_of(url)
        if url and not params:
            params = dict(parse_qsl(urlsplit(url).query))
        if isinstance(meta.get("gap"), Mapping):
            self.gaps.append(dict(meta["gap"]))
        self._note(
            items=0 if data is None else (1 if isinstance(data, dict) else len(data)),
            errors=len(response.get("errors") or ()),
            endpoint=endpoint,
            params=params,
            stream=meta.get("stream"),
            retrieved_at=_utc_text(meta.get("retrieved_at")),
            api_meta=api_meta,
        )

    def add_facts(self, facts: PageFacts | ProvenanceBuilder) -> None:
        """What a chunk of pages told (``twxdata.tables.facts.page_facts``), as ``add`` would
        have noted its responses one by one; or all another builder noted (one file's, when
        files are flattened apart)."""
        self.pages += facts.pages
        self.items += facts.items
        self.partial_errors += facts.partial_errors
        self.endpoints.update(facts.endpoints)
        self.queries.update(dict.fromkeys(facts.queries))
        self.streams.update(dict.fromkeys(facts.streams))
        for name, values in facts.window.items():
            self.window.setdefault(name, set()).update(values)
        if facts.first is not None:
            self.first = facts.first if self.first is None else min(self.first, facts.first)
        if facts.last is not None:
            self.last = facts.last if self.last is None else max(self.last, facts.last)
        if facts.newest is not None:
            self.newest = facts.newest if self.newest is None else max(self.newest, facts.newest)
        if facts.oldest is not None:
            self.oldest = facts.oldest if self.oldest is None else min(self.oldest, facts.oldest)
        self.result_count += facts.result_count
        self.gaps += facts.gaps
        if facts.total_tweet_count is not None:
            self.total_tweet_count = (self.total_tweet_count or 0) + facts.total_tweet_count

    def _note(
        self,
        *,
        items: int,
        errors: int,
        endpoint: Any,
        params: Mapping[str, Any],
        stream: Any,
        retrieved_at: Any,
        api_meta: Mapping[str, Any],
    ) -> None:
        self.pages += 1
        self.items += items
        self.partial_errors += errors
        if endpoint:
            self.endpoints.add(str(endpoint))
        if params.get("query"):
            self.queries[str(params["query"])] = None
        if stream is not None:
            self.streams[str(stream)] = None
        for name in WINDOW:
            if params.get(name):
                self.window.setdefault(name, set()).add(str(params[name]))
        if isinstance(retrieved_at, str):
            self.first = retrieved_at if self.first is None else min(self.first, retrieved_at)
            self.last = retrieved_at if self.last is None else max(self.last, retrieved_at)
        for key, better in (("newest_id", max), ("oldest_id", min)):
            value = api_meta.get(key)
            if isinstance(value, str) and value.isdigit():
                current = self.newest if key == "newest_id" else self.oldest
                chosen = int(value) if current is None else better(current, int(value))
                if key == "newest_id":
                    self.newest = chosen
                else:
                    self.oldest = chosen
        if isinstance(api_meta.get("result_count"), int):
            self.result_count += api_meta["result_count"]
        if isinstance(api_meta.get("total_tweet_count"), int):
            self.total_tweet_count = (self.total_tweet_count or 0) + api_meta["total_tweet_count"]

    def add_all(self, responses: Iterable[Mapping[str, Any]]) -> ProvenanceBuilder:
        for response in responses:
            self.add(response)
        return self

    def _coverage(self) -> dict[str, Any]:
        return _gaps_record(self.gaps)

    def build(self, *, table: str, rows: int) -> dict[str, Any]:
        """The provenance record of one table written from what was added."""
        import pyarrow  # late: `twxdata flatten` hashes its inputs before pyarrow loads

        window = {k: sorted(v)[0] if len(v) == 1 else sorted(v) for k, v in self.window.items()}
        return {
            "table": table,
            "rows": rows,
            "schema_version": SCHEMA_VERSION,
            "written_at": utc_text(datetime.now(timezone.utc)),
            "collection": self.spec,
            "endpoints": sorted(self.endpoints),
            "queries": list(self.queries),
            "streams": list(self.streams)[:1000],
            "time_window": window,
            "retrieved": {"first": self.first, "last": self.last},
            "pages": self.pages,
            "items": self.items,
            "partial_errors": self.partial_errors,
            "api_meta": {
                "newest_id": None if self.newest is None else str(self.newest),
                "oldest_id": None if self.oldest is None else str(self.oldest),
                "result_count": self.result_count,
                "total_tweet_count": self.total_tweet_count,
            },
            "sources": self.sources,
            **self._coverage(),
            "versions": {
                "twxdata": __version__,
                "pyarrow": pyarrow.__version__,
                "python": platform.python_version(),
            },
        }


def _gaps_record(gaps: list[dict[str, Any]]) -> dict[str, Any]:
    """A stream's gaps, and that a table with gaps is not complete."""
    if not gaps:
        return {}
    count = f"{len(gaps)} gap{'s' * (len(gaps) != 1)}"
    return {"gaps": sorted(gaps, key=_start), "complete": False,
            "incomplete": [f"{count} in the stream (see gaps)"]}  # fmt: skip


def _start(gap: Mapping[str, Any]) -> str:
    return str(gap.get("start"))


def _utc_text(value: Any) -> str | None:
    """A retrieval time as ISO 8601 UTC with microseconds (archives write it in several ways:
    ``...Z``, ``...+00:00``, with or without fractions), so times compare as text."""
    when: datetime
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    elif isinstance(value, datetime):
        when = value
    else:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _endpoint_of(url: str) -> str | None:
    endpoint = by_route("GET", urlsplit(url).path)
    return endpoint.name if endpoint is not None else None


def source_record(path: Path | str) -> dict[str, Any]:
    """An input file as provenance records it: path, size and SHA-256 of its bytes.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "a.jsonl"
    >>> _ = f.write_bytes(b"{}\\n")
    >>> source_record(f)["sha256"][:12], source_record(f)["bytes"]
    ('ca3d163bab05', 3)
    """
    import hashlib

    digest = hashlib.sha256()
    size = 0
    block = bytearray(4 << 20)  # few blocks: each one waits for the GIL once
    view = memoryview(block)
    with open(path, "rb") as handle:
        while got := handle.readinto(block):
            digest.update(view[:got])  # hashlib works outside the GIL on blocks this size
            size += got
    return {"file": str(path), "bytes": size, "sha256": digest.hexdigest()}


def with_provenance(table: pa.Table, provenance: Mapping[str, Any]) -> pa.Table:
    """``table`` whose schema metadata carries ``provenance`` (written into Parquet files)."""
    metadata = dict(table.schema.metadata or {})
    metadata.update({k.encode(): v.encode() for k, v in provenance_metadata(provenance).items()})
    return table.replace_schema_metadata(metadata)


def provenance_metadata(provenance: Mapping[str, Any]) -> dict[str, str]:
    """The Parquet key-value pair that holds ``provenance``."""
    return {PROVENANCE_KEY: json.dumps(provenance, sort_keys=True)}


def read_provenance(path: Path | str) -> dict[str, Any] | None:
    """The provenance stored in a Parquet file (``None`` when it has none).

    Raises ``DataError`` naming the file when it is not a Parquet file.
    """
    import pyarrow.parquet as pq

    try:
        # The footer's key-value pairs: they hold the schema's metadata (``with_provenance``)
        # and what a streaming writer adds once the input has been read (``twxdata flatten``).
        metadata = pq.read_metadata(path).metadata or {}
    except (OSError, ValueError) as exc:
        raise DataError(f"not a readable Parquet file ({exc})", source=str(path)) from None
    raw = metadata.get(PROVENANCE_KEY.encode())
    if raw is None:
        return None
    value = json.loads(raw)
    return value if isinstance(value, dict) else None


def read_parquet(path: Path | str, **kwargs: Any) -> pd.DataFrame:
    """A twxdata Parquet file or dataset directory as a DataFrame, provenance in ``df.attrs``.

    Columns keep their Arrow types (``pd.ArrowDtype``): IDs strings, counts integers, times UTC.
    ``df.attrs["twxdata"]`` holds the provenance (endpoint, queries, parameters, time window,
    retrieval times, pages, partial errors, versions); it is empty for files from elsewhere.

    >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
    >>> pq.write_table(with_provenance(pa.table({"id": ["1"]}), {"pages": 1}), path)
    >>> read_parquet(path).attrs["twxdata"]["pages"]
    1
    """
    import pandas as pd
    import pyarrow.dataset as ds

    target = Path(path)
    if not target.exists():
        raise DataError("no such file or directory", source=str(target))
    try:
        dataset = ds.dataset(target, format="parquet", partitioning="hive")
        table = dataset.to_table(**kwargs)
    except (OSError, ValueError) as exc:
        raise DataError(f"not a readable Parquet file or dataset ({exc})",
                        source=str(target)) from None  # fmt: skip
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    files = [target] if target.is_file() else sorted(Path(f) for f in dataset.files)
    found = {str(f): p for f in files if (p := read_provenance(f)) is not None}
    # A dataset grows by appends, each file with the record of the run that wrote it: the
    # table is described by them all (counts summed over runs, sources joined).
    latest = max(found.values(), key=lambda p: str(p.get("written_at")), default=None)
    table_name = str(latest.get("table") or "") if latest else ""
    frame.attrs["twxdata"] = combined(found.values(), table=table_name, rows=len(frame))
    if len(found) > 1:
        frame.attrs["twxdata_files"] = found
    return frame
