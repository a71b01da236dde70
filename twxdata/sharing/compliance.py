"""Batch compliance: which posts or users of a dataset must be removed, and a cleaned copy.

Whoever keeps X data must drop what was deleted, protected or suspended since. X's batch
compliance flow does it for any number of IDs: create a job, upload the IDs (one per line) to
the job's signed upload URL, wait for the job to complete, download the results (JSON lines:
id, action, reason). ``compliance`` runs that flow for a dataset's IDs, writes a report, and
with ``apply`` writes a cleaned copy of the dataset — never touching the input.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson

from twxdata.atomic import atomic_path, atomic_write_bytes
from twxdata.client import Client
from twxdata.collect.defaults import default_client
from twxdata.errors import DataError, ParameterError, TwxError
from twxdata.sharing.ids import iter_ids, sorted_unique, source_kind
from twxdata.store.paths import same_file

if TYPE_CHECKING:
    import pyarrow as pa


class ComplianceError(TwxError):
    """The compliance job failed or did not finish in time."""


@dataclass
class ComplianceResult:
    """What the compliance job said about a dataset."""

    kind: str  # tweets or users
    checked: int
    job_id: str
    reasons: Counter[str] = field(default_factory=Counter)
    report: Path | None = None
    cleaned: Path | None = None
    removed_ids: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    @property
    def to_remove(self) -> int:
        return int(self.removed_ids.size)

    @property
    def summary(self) -> str:
        noun = "posts" if self.kind == "tweets" else "users"
        line = f"{self.to_remove:,} of {self.checked:,} {noun} must be removed"
        if self.reasons:
            line += " (" + ", ".join(f"{n:,} {r}" for r, n in self.reasons.most_common()) + ")"
        return line

    def __repr__(self) -> str:
        return f"<ComplianceResult {self.summary}>"


async def compliance(
    data: Path | str,
    *,
    users: bool = False,
    report: Path | str | None = None,
    apply: Path | str | None = None,
    name: str | None = None,
    client: Client | None = None,
    poll_interval: float = 5.0,
    timeout: float = 6 * 3600.0,
    column: str = "id",
) -> ComplianceResult:
    """Run X's batch compliance flow for the IDs in ``data`` and report what must go.

    ``data``: a twxdata Parquet file or dataset directory, a raw JSONL archive, a CSV with an
    id column, or a list of IDs. ``report``: a CSV of the IDs to remove with the reason.
    ``apply``: where to write a cleaned copy of ``data`` (same kind; never ``data`` itself).

    >>> # result = await twxdata.compliance("tweets.parquet", apply="tweets-clean.parquet")
    """
    source = Path(data)
    kind = "users" if users else "tweets"
    if apply is not None and same_file(Path(apply), source):
        raise ParameterError("apply", "must not be the input: the input is never changed")
    if apply is not None and source_kind(source) == "text":
        raise ParameterError("apply", "an ID list has nothing to clean; give the dataset")
    if poll_interval <= 0 or timeout <= 0:
        raise ParameterError("poll_interval", "poll_interval and timeout must be positive")
    client = client or default_client()
    with tempfile.TemporaryDirectory(prefix="twxdata-compliance-") as folder:
        ids_file = Path(folder) / "ids.txt"
        checked = _write_ids(source, ids_file, column)
        job = await _create(client, kind, name)
        await client.transfer("PUT", job["upload_url"], data=ids_file)
    job = await _wait(client, str(job["id"]), poll_interval, timeout)
    lines = await client.transfer("GET", job["download_url"])
    records = [orjson.loads(line) for line in lines.splitlines() if line.strip()]
    removed = np.unique(np.asarray([int(r["id"]) for r in records], dtype=np.int64))
    result = ComplianceResult(
        kind,
        checked,
        str(job["id"]),
        Counter(str(r.get("reason", "unknown")) for r in records),
        removed_ids=removed,
    )
    if report is not None:
        result.report = _write_report(Path(report), records)
    if apply is not None:
        result.cleaned = clean_copy(source, Path(apply), removed, kind=kind, column=column)
    return result


def _write_ids(source: Path, target: Path, column: str) -> int:
    count = 0
    with open(target, "wb") as handle:
        for value in sorted_unique(iter_ids(source, column=column)):
            handle.write(b"%d\n" % value)
            count += 1
    if not count:
        raise ParameterError("data", f"{source} holds no IDs")
    return count


async def _create(client: Client, kind: str, name: str | None) -> dict[str, Any]:
    body = {"type": kind, **({"name": name} if name else {})}
    page = await client.request("create_compliance_job", body=body)
    job = page.body.get("data")
    if not isinstance(job, dict) or "upload_url" not in job:
        raise ComplianceError("the compliance job came back without an upload URL")
    return job


async def _wait(client: Client, job_id: str, interval: float, timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        page = await client.request("get_compliance_job", path={"id": job_id})
        job = page.body.get("data") or {}
        status = job.get("status")
        if status == "complete":
            return dict(job)
        if status in ("failed", "expired"):
            raise ComplianceError(f"compliance job {job_id} {status}")
        if loop.time() + interval > deadline:
            raise ComplianceError(f"compliance job {job_id} still {status} after {timeout:.0f} s")
        await client.pause(
            interval, endpoint="get_compliance_job", reason=f"compliance job {status}"
        )


def _write_report(path: Path, records: list[dict[str, Any]]) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, ["id", "action", "reason", "created_at", "redacted_at"], extrasaction="ignore"
    )
    writer.writeheader()
    for record in sorted(records, key=lambda r: int(r["id"])):
        writer.writerow(record)
    atomic_write_bytes(path, buffer.getvalue().encode())
    return path


# Columns holding post or user ids, per table, that make a row go when the id must be removed.
_POST_COLUMNS = ("id", "tweet_id", "referenced_tweets.quoted.id")
_USER_COLUMNS = ("id", "author_id", "user_id", "follower_id")


def clean_copy(
    source: Path, target: Path, removed: np.ndarray, *, kind: str, column: str = "id"
) -> Path:
    """Write ``source`` without the removed posts or users to ``target`` (atomically)."""
    if target.exists() and target.resolve() == source.resolve():
        raise ParameterError("apply", "must not be the input")
    kind_of_source = source_kind(source)
    if kind_of_source == "parquet":
        return _clean_parquet(source, target, removed, kind)
    if kind_of_source == "csv":
        return _clean_csv(source, target, removed, column)
    if kind_of_source == "jsonl":
        return _clean_jsonl(source, target, removed, kind)
    raise DataError("cannot clean this kind of file", source=str(source))


def _keep_mask(table: pa.Table, removed: np.ndarray, kind: str, table_name: str) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    columns: tuple[str, ...] = _POST_COLUMNS if kind == "tweets" else _USER_COLUMNS
    if kind == "users" and table_name in ("tweets", "included_tweets"):
        columns = ("author_id",)
    gone = pa.array(removed.astype(str))
    keep = pa.array(np.ones(table.num_rows, dtype=bool))
    for name in columns:
        if name in table.column_names and pa.types.is_string(table.schema.field(name).type):
            hit = pc.is_in(table.column(name), value_set=gone)
            keep = pc.and_(keep, pc.invert(pc.fill_null(hit, False)))
    return keep


def _clean_parquet(source: Path, target: Path, removed: np.ndarray, kind: str) -> Path:
    import pyarrow.parquet as pq

    if source.is_file():
        table = pq.read_table(source)
        name = (table.schema.metadata or {}).get(b"twxdata.table", b"tweets").decode()
        cleaned = table.filter(_keep_mask(table, removed, kind, name))
        _write_parquet_atomic(cleaned, target)
        return target
    if target.exists():
        raise ParameterError("apply", f"{target} exists: a cleaned dataset goes to a new folder")
    staging = Path(tempfile.mkdtemp(prefix=".twxdata-clean-", dir=target.parent))
    try:
        for part in sorted(source.rglob("*.parquet")):
            relative = part.relative_to(source)
            table = pq.read_table(part)
            name = relative.parts[0] if len(relative.parts) > 1 else "tweets"
            out = staging / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table.filter(_keep_mask(table, removed, kind, name)), out)
        ledger = source / "_twxdata_appends.json"
        if ledger.exists():
            atomic_write_bytes(staging / ledger.name, ledger.read_bytes())
        os.replace(staging, target)
    except BaseException:
        import shutil

        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_parquet_atomic(table: pa.Table, target: Path) -> None:
    import pyarrow.parquet as pq

    with atomic_path(target) as tmp:
        pq.write_table(table, tmp)


def _clean_csv(source: Path, target: Path, removed: np.ndarray, column: str) -> Path:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    table = pcsv.read_csv(
        source, convert_options=pcsv.ConvertOptions(column_types={column: pa.string()})
    )
    hit = pc.fill_null(
        pc.is_in(table.column(column), value_set=pa.array(removed.astype(str))), False
    )
    cleaned = table.filter(pc.invert(hit))
    with atomic_path(target) as tmp:
        pcsv.write_csv(cleaned, tmp)
    return target


def _clean_jsonl(source: Path, target: Path, removed: np.ndarray, kind: str) -> Path:
    from twxdata.tables import iter_pages

    gone = {str(v) for v in removed.tolist()}
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        for page in iter_pages(source):
            handle.write(orjson.dumps(_clean_page(page, gone, kind)) + b"\n")
    return target


def _clean_page(page: dict[str, Any], gone: set[str], kind: str) -> dict[str, Any]:
    def keep(item: Any) -> bool:
        if not isinstance(item, dict):
            return True
        if kind == "tweets":
            return str(item.get("id")) not in gone
        return str(item.get("id")) not in gone and str(item.get("author_id")) not in gone

    out = dict(page)
    data = page.get("data")
    if isinstance(data, list):
        out["data"] = [d for d in data if keep(d)]
    elif isinstance(data, dict) and not keep(data):
        out.pop("data")
    includes = page.get("includes")
    if isinstance(includes, dict):
        section = "tweets" if kind == "tweets" else "users"
        if isinstance(includes.get(section), list):
            out["includes"] = {**includes, section: [x for x in includes[section] if keep(x)]}
    return out
