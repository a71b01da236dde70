"""Hydrate: rebuild a dataset from shared IDs, resumably, and say what could not be rebuilt.

IDs are read lazily in batches of 100, looked up concurrently within the rate limit, and every
response is appended to a raw archive; a checkpoint records which batches are done (as ranges),
so an interrupted hydration resumes without asking for a batch twice. At the end the table is
built by streaming the archive (memory stays flat for millions of IDs) and a report lists every
ID that could not be rebuilt with the API's reason (deleted, suspended, protected).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twxdata.atomic import atomic_write_bytes
from twxdata.client import Client
from twxdata.collect.call import check_cap_pays, check_cost
from twxdata.collect.defaults import current_prices, default_client
from twxdata.collect.kinds import KINDS
from twxdata.collect.plan import Fields, field_params
from twxdata.collect.walk import gather_or_cancel
from twxdata.endpoints import get_endpoint
from twxdata.errors import ParameterError
from twxdata.notebook.progress import Progress
from twxdata.pricing import unit_price, usd_text
from twxdata.protocol.spend import SpendCap
from twxdata.sharing.ids import iter_ids
from twxdata.store.archive import Archive
from twxdata.store.checkpoint import Checkpoint, open_archive
from twxdata.store.paths import same_file
from twxdata.store.provenance import ProvenanceBuilder, provenance_metadata, read_parquet

if TYPE_CHECKING:
    import pandas as pd

BATCH = 100


@dataclass
class Hydration:
    """The outcome of a hydration: counts, the not-rebuilt report, where the files are."""

    requested: int
    rebuilt: int
    missing: pd.DataFrame  # resource_id, reason, title, detail
    raw: Path
    table: str = "tweets"
    output: Path | None = None
    report: Path | None = None
    batches_fetched: int = 0
    batches_resumed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    capped: bool = False  # stopped at the spend cap: some batches were not looked up yet
    not_asked: int = 0  # ids not looked up yet (a capped run): neither rebuilt nor missing
    cost_usd: float | None = None  # what the lookups were charged over all runs (with a cap)

    @property
    def summary(self) -> str:
        """One line: ``98.2% rebuilt (982 of 1,000); not rebuilt: 12 deleted, ...``."""
        share = 100.0 * self.rebuilt / self.requested if self.requested else 100.0
        line = f"{share:.1f}% rebuilt ({self.rebuilt:,} of {self.requested:,})"
        if self.reasons:
            line += "; not rebuilt: " + ", ".join(f"{n:,} {r}" for r, n in self.reasons.items())
        if self.capped:
            line += (f"; {self.not_asked:,} not looked up yet: stopped at the spend cap "
                     "(a higher cap continues)")  # fmt: skip
        if self.cost_usd is not None:  # as the cap counts: ids read earlier today count too
            line += f"; charged at most {usd_text(self.cost_usd)}"
        return line

    def frame(self) -> pd.DataFrame:
        """The rebuilt table as a DataFrame (read from the output, or built from the archive)."""
        if self.output is not None and self.output.suffix == ".parquet":
            return read_parquet(self.output)
        from twxdata.tables import read_jsonl

        return read_jsonl(self.raw, tables=[self.table]).to_pandas(self.table)

    def __repr__(self) -> str:
        return f"<Hydration {self.summary}>"


async def hydrate(
    ids: Path | str | Iterable[Any],
    *,
    users: bool = False,
    output: Path | str | None = None,
    raw: Path | str | None = None,
    restart: bool = False,
    fields: Fields = "research",
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
) -> Hydration:
    """Look up every post (or user, with ``users=True``) ID and rebuild its table.

    ``max_cost`` (USD) caps what the lookups are charged over all runs of this hydration: a
    batch that would pass it is not sent, the run stops there (``Hydration.capped``), and the
    same call with a higher cap continues.

    ``ids``: a file (one ID per line, as ``dehydrate`` writes; or any source ``dehydrate``
    reads) or an iterable of IDs. ``output``: ``.parquet`` or ``.csv`` for the rebuilt table,
    with ``<output>.report.csv`` listing what could not be rebuilt. ``raw``: the archive that
    makes the run resumable (default: ``<output>.raw.jsonl``; without either, a temporary file
    and no resume).

    >>> # h = await twxdata.hydrate("ids.txt", output="rebuilt.parquet"); print(h.summary)
    """
    check_cost(max_cost)
    kind = KINDS["users" if users else "tweets"]
    endpoint = get_endpoint(kind.endpoint)
    params = field_params(kind, fields)
    client = client or default_client()
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ParameterError("concurrency", "must be a positive integer", got=concurrency)
    source, cleanup = _id_source(ids)
    try:
        count, digest = _fingerprint(source)
        client.prepare(endpoint, params={**params, "ids": ["1"]})  # bad fields fail here
        client.credentials.for_endpoint(endpoint)  # no credentials: before any file is made
        out = Path(output) if output is not None else None
        if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
            raise ParameterError("output", "must end in .parquet or .csv", got=str(out))
        archive_path = (
            Path(raw)
            if raw
            else (
                out.with_name(out.name + ".raw.jsonl") if out else source.with_suffix(".raw.jsonl")
            )
        )
        _check_files(Path(ids) if isinstance(ids, (str, Path)) else None, out, archive_path)
        unit = unit_price(endpoint, current_prices())[0]
        if max_cost is not None:  # before any file or request
            check_cap_pays(max_cost, endpoint, first_usd=min(BATCH, count) * unit,
                           what="hydration", first="the first batch of lookups")  # fmt: skip
        spec = {
            "kind": f"hydrate {kind.result}",
            "ids_sha256": digest,
            "ids": count,
            "fields": fields if isinstance(fields, (str, type(None))) else dict(fields),
        }
        archive, checkpoint, cp_path = _open(archive_path, spec, restart)
        done = _Ranges(checkpoint.extra.get("done", []))
        done.update(_batches_in_archive(archive))
        resumed = len(done)
        bar = Progress(f"hydrate {kind.result}", unit="ids", total=count, enabled=progress)
        bar.items = min(count, resumed * BATCH)
        client.add_listener(bar)
        fetched = 0
        spent = checkpoint.extra.get("spent_usd")
        cap = (
            None
            if max_cost is None
            else SpendCap(
                float(max_cost), spent=float(spent) if isinstance(spent, (int, float)) else 0.0
            )
        )
        sizes = [len(batch) for _, batch in _batches(source)]  # ids a batch looks up
        waiting = next((n for i, n in enumerate(sizes) if i not in done), 0)
        if cap is not None and waiting:
            try:
                check_cap_pays(cap.limit, endpoint, first_usd=waiting * unit, spent=cap.spent,
                               what="hydration", first="the next batch")  # fmt: skip
            except ParameterError:
                client.remove_listener(bar)
                bar.close()
                archive.close()
                raise
        try:
            fetched = await _run(
                client, endpoint, params, source, done, archive, checkpoint, cp_path, concurrency,
                cap, unit,
            )  # fmt: skip
        finally:
            client.remove_listener(bar)
            bar.close()
            archive.close()
        capped = cap is not None and len(done) < len(sizes)
        asked = sum(n for i, n in enumerate(sizes) if i in done)
        extra: dict[str, Any] = {"complete": not capped}
        if capped:
            extra["incomplete"] = "stopped at the spend cap"
        if cap is not None:
            extra["cost"] = {"usd_low": round(cap.spent, 6), "cap_usd": cap.limit,
                             "low_is": "ids found charged (X: per resource returned)"}  # fmt: skip
        result = _finish(archive_path, kind.result, asked, out, extra)
        result.requested = count
        result.batches_fetched, result.batches_resumed = fetched, resumed
        result.capped = capped
        result.not_asked = count - asked
        result.cost_usd = None if cap is None else round(cap.spent, 6)
        return result
    finally:
        if cleanup is not None:
            cleanup.unlink(missing_ok=True)


def _id_source(ids: Path | str | Iterable[Any]) -> tuple[Path, Path | None]:
    """A file of IDs to stream from: the given one, or a temporary one for an iterable."""
    if isinstance(ids, (str, Path)):
        return Path(ids), None
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
        for value in ids:
            handle.write(f"{value}\n")
    return Path(handle.name), Path(handle.name)


def _fingerprint(source: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for value in iter_ids(source):
        digest.update(value.encode() + b"\n")
        count += 1
    if not count:
        raise ParameterError("ids", f"{source} holds no IDs")
    return count, digest.hexdigest()


def _batches(source: Path) -> Iterator[tuple[int, list[str]]]:
    ids = iter_ids(source)
    for index in itertools.count():
        chunk = list(itertools.islice(ids, BATCH))
        if not chunk:
            return
        yield index, list(dict.fromkeys(chunk))


def _open(path: Path, spec: dict[str, Any], restart: bool) -> tuple[Archive, Checkpoint, Path]:
    opened = open_archive(path, spec, restart=restart, what="hydration")
    if opened.new:
        opened.checkpoint.save(opened.checkpoint_path)
    return opened.archive, opened.checkpoint, opened.checkpoint_path


def _batches_in_archive(archive: Archive) -> list[int]:
    found = []
    for _, record in archive.lines():
        stream = str((record.get("__twxdata") or {}).get("stream", ""))
        if stream.startswith("batch "):
            found.append(int(stream.split()[1]))
    return found


async def _run(
    client: Client,
    endpoint: Any,
    params: dict[str, Any],
    source: Path,
    done: _Ranges,
    archive: Archive,
    checkpoint: Checkpoint,
    cp_path: Path,
    concurrency: int,
    cap: SpendCap | None = None,
    unit: float = 0.0,
) -> int:
    fetched = 0
    queue: asyncio.Queue[tuple[int, list[str]] | None] = asyncio.Queue(maxsize=concurrency * 2)

    async def produce() -> None:
        for index, batch in _batches(source):
            if index in done:
                continue
            if cap is not None and not cap.reserve(unit, wanted=len(batch), smallest=len(batch)):
                break  # the cap: this batch and the ones after wait for a higher one
            await queue.put((index, batch))
        for _ in range(concurrency):
            await queue.put(None)

    async def work() -> None:
        nonlocal fetched
        while (item := await queue.get()) is not None:
            index, batch = item
            try:
                page = await client.request(
                    endpoint, params={**params, "ids": batch}, stream=f"batch {index}"
                )
            except BaseException:
                if cap is not None:
                    cap.release(unit, granted=len(batch))
                raise
            archive.append(page)
            if cap is not None:  # X charges what it returns: found ids, not the ones asked
                cap.settle(unit, granted=len(batch), charged=len(page.data) * unit)
                checkpoint.extra["spent_usd"] = round(cap.spent, 6)
            done.add(index)
            fetched += 1
            checkpoint.extra["done"] = done.ranges
            checkpoint.save(cp_path)

    await gather_or_cancel([produce()] + [work() for _ in range(concurrency)])
    return fetched


def _check_files(ids: Path | None, output: Path | None, raw: Path) -> None:
    """Refuse, before any request, files that would overwrite each other or the id list."""
    report = output.with_name(output.name + ".report.csv") if output is not None else None
    named = {"raw": raw, "output": output, "report": report}
    for name, path in named.items():
        if path is not None and ids is not None and same_file(path, ids):
            raise ParameterError(
                name, f"is the id list {ids}: it would be destroyed", got=str(path)
            )
    if output is not None and same_file(output, raw):
        raise ParameterError("raw", "must not be the output: the table would overwrite the "
                             "responses it is built from", got=str(raw))  # fmt: skip


def _finish(
    raw: Path, result: str, requested: int, output: Path | None, extra: dict[str, Any]
) -> Hydration:
    """Build the table from the archive (streaming) and the report of what is missing;
    ``requested``: the ids looked up; ``extra``: more provenance (completeness, cost)."""
    import pyarrow as pa

    from twxdata.tables import SCHEMAS, TableWriter, iter_batches, iter_pages

    errors: list[pa.Table] = []
    rows = 0
    writer = None
    builder = ProvenanceBuilder({"kind": f"hydrate {result}", "archive": raw.name})
    if output is not None:
        if raw.exists():
            builder.add_all(iter_pages(raw))
        writer = TableWriter(output, SCHEMAS[result].empty_table().schema, name=result)
    try:
        for batch in iter_batches([raw], tables=[result, "errors"]) if raw.exists() else ():
            table = batch.get(result)
            if table is not None and table.num_rows:
                rows += table.num_rows
                if writer is not None:
                    writer.write(table)
            if batch.get("errors") is not None and batch["errors"].num_rows:
                errors.append(batch["errors"])
        if writer is not None:  # provenance once the rows are known
            writer.commit(provenance_metadata({**builder.build(table=result, rows=rows), **extra}))
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    missing = _missing(errors)
    reasons = missing["reason"].value_counts().to_dict() if len(missing) else {}
    unexplained = requested - rows - len(missing)
    if unexplained > 0:
        reasons["not returned (no reason given)"] = unexplained
    report = None
    if output is not None:
        report = output.with_name(output.name + ".report.csv")

        atomic_write_bytes(report, missing.to_csv(index=False).encode())
    return Hydration(requested, rows, missing, raw, result, output, report, reasons=reasons)


_REASONS = {
    "resource-not-found": "deleted or never existed",
    "not-authorized-for-resource": "protected",
    "suspended": "suspended",
}


def _missing(errors: list[Any]) -> pd.DataFrame:
    import pandas as pd
    import pyarrow as pa

    if not errors:
        return pd.DataFrame({"resource_id": [], "reason": [], "title": [], "detail": []})
    table = pa.concat_tables(errors)
    frame = table.select(
        ["resource_id", "resource_type", "parameter", "title", "detail", "type"]
    ).to_pandas()
    frame = frame[frame["parameter"].isin(["ids", "id", "usernames"])]
    frame = frame.drop_duplicates("resource_id")

    def reason(row: Any) -> str:
        detail = str(row["detail"] or "").lower()
        if "suspend" in detail:
            return "suspended"
        for key, text in _REASONS.items():
            if key in str(row["type"] or ""):
                return text
        return str(row["title"] or "error")

    frame["reason"] = [reason(r) for _, r in frame.iterrows()] if len(frame) else []
    return frame[["resource_id", "reason", "title", "detail"]].reset_index(drop=True)


class _Ranges:
    """A set of batch indices kept as sorted ``[start, end)`` ranges (small in checkpoints)."""

    def __init__(self, ranges: Iterable[Iterable[int]] = ()) -> None:
        self._done: set[int] = set()
        for start, end in ranges:
            self._done.update(range(start, end))

    def add(self, index: int) -> None:
        self._done.add(index)

    def update(self, indices: Iterable[int]) -> None:
        self._done.update(indices)

    def __contains__(self, index: object) -> bool:
        return index in self._done

    def __len__(self) -> int:
        return len(self._done)

    @property
    def ranges(self) -> list[list[int]]:
        out: list[list[int]] = []
        for index in sorted(self._done):
            if out and out[-1][1] == index:
                out[-1][1] = index + 1
            else:
                out.append([index, index + 1])
        return out
