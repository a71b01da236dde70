"""Reading post or user IDs from any dataset, and sorting millions of them on disk.

Sources: our Parquet files and dataset directories (the ``id`` column), our and twarc2's raw
JSONL archives (the ``data`` of every response, or twarc's flattened lines), CSV files with an
id column, and plain ID lists (one per line). IDs stream in batches; ``sorted_unique`` sorts and
de-duplicates them in fixed-size chunks spilled to temporary files and merged, so memory stays
bounded whatever the dataset's size.
"""

from __future__ import annotations

import heapq
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from twxdata.errors import DataError

_ID = re.compile(r"^[0-9]{1,19}$")
CHUNK = 1_000_000  # ids sorted in memory at a time: 8 MB of int64
TWITTER_EPOCH_MS = 1288834974657


def source_kind(path: Path) -> str:
    """What kind of ID source ``path`` is: parquet, jsonl, csv or text."""
    if path.is_dir():
        return "parquet"
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes:
        return "parquet"
    if ".jsonl" in suffixes or ".json" in suffixes or ".ndjson" in suffixes:
        return "jsonl"
    if ".csv" in suffixes:
        return "csv"
    if ".txt" in suffixes or ".ids" in suffixes or not suffixes:
        return "text"
    raise DataError(
        "unknown kind of file: give a .parquet file or dataset directory, a .jsonl archive, "
        "a .csv with an id column, or a .txt list of ids",
        source=str(path),
    )


def iter_ids(path: Path | str, *, column: str = "id") -> Iterator[str]:
    """Every ID in ``path`` in file order (duplicates included), checked to be digits."""
    source = Path(path)
    if not source.exists():
        raise DataError("no such file or directory", source=str(source))
    kind = source_kind(source)
    if kind == "parquet":
        yield from _parquet_ids(source, column)
    elif kind == "csv":
        yield from _csv_ids(source, column)
    elif kind == "jsonl":
        yield from _jsonl_ids(source)
    else:
        yield from _text_ids(source)


def _checked(value: Any, source: Path, line: int | None = None) -> str:
    text = str(value).strip()
    if not _ID.match(text):
        raise DataError(f"not an id: {text[:40]!r}", source=str(source), line=line)
    return text


def _parquet_ids(source: Path, column: str) -> Iterator[str]:
    import pyarrow.dataset as ds

    try:
        dataset = ds.dataset(source, format="parquet", partitioning="hive")
        if column not in dataset.schema.names:
            raise DataError(
                f"has no {column!r} column (columns: {', '.join(dataset.schema.names[:8])}...)",
                source=str(source),
            )
        for batch in dataset.to_batches(columns=[column], batch_size=65536):
            for value in batch.column(0).to_pylist():
                if value is not None:
                    yield _checked(value, source)
    except (OSError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(
            f"not a readable Parquet file or dataset ({exc})", source=str(source)
        ) from None


def _csv_ids(source: Path, column: str) -> Iterator[str]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    options = pcsv.ConvertOptions(column_types={column: pa.string()}, include_columns=[column])
    try:
        reader = pcsv.open_csv(source, convert_options=options)
        for batch in reader:
            for value in batch.column(0).to_pylist():
                if value:
                    yield _checked(value, source)
    except (OSError, pa.ArrowInvalid, KeyError) as exc:
        raise DataError(
            f"cannot read the {column!r} column of this CSV ({exc})", source=str(source)
        ) from None


def _jsonl_ids(source: Path) -> Iterator[str]:
    from twxdata.tables import iter_pages

    for number, page in enumerate(iter_pages(source), 1):
        data = page.get("data")
        if data is None and "id" in page and "__twarc" not in page and "meta" not in page:
            data = page  # a twarc-flattened line: one post per line
        items = data if isinstance(data, list) else ([data] if isinstance(data, dict) else [])
        for item in items:
            if isinstance(item, dict) and item.get("id") is not None:
                yield _checked(item["id"], source, number)


def _text_ids(source: Path) -> Iterator[str]:
    with open(source, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise DataError(
                    "not UTF-8 text (a binary file, or UTF-16?): give one id per line, "
                    "saved as UTF-8",
                    source=str(source),
                    line=number,
                ) from None
            text = line.strip()
            if text and not text.startswith("#"):
                yield _checked(text, source, number)


def sorted_unique(ids: Iterable[str], *, chunk: int = CHUNK) -> Iterator[int]:
    """The distinct IDs in ascending numeric order, sorting on disk in bounded memory.

    >>> list(sorted_unique(["30", "4", "30", "1200"], chunk=2))
    [4, 30, 1200]
    """
    with tempfile.TemporaryDirectory(prefix="twxdata-ids-") as folder:
        runs: list[Path] = []
        buffer: list[int] = []
        for value in ids:
            buffer.append(int(value))
            if len(buffer) >= chunk:
                runs.append(_spill(buffer, Path(folder), len(runs)))
                buffer = []
        if buffer or not runs:
            runs.append(_spill(buffer, Path(folder), len(runs)))
        streams = [_read_run(path) for path in runs]
        last: int | None = None
        for number in heapq.merge(*streams):
            if number != last:
                yield number
                last = number


def _spill(values: list[int], folder: Path, index: int) -> Path:
    path = folder / f"run-{index:05d}.bin"
    np.unique(np.asarray(values, dtype=np.int64)).tofile(path)
    return path


def _read_run(path: Path, block: int = 65536) -> Iterator[int]:
    data = np.memmap(path, dtype=np.int64, mode="r") if path.stat().st_size else np.empty(0)
    for start in range(0, len(data), block):
        yield from (int(v) for v in data[start : start + block])


def snowflake_time_ms(tweet_id: int) -> int | None:
    """When a post was created, from its id (posts since November 2010 carry their time).

    >>> snowflake_time_ms(1293593516040269825)
    1597251702686
    """
    if tweet_id < (1 << 22) * 1000:  # before snowflakes: the id holds no time
        return None
    return (tweet_id >> 22) + TWITTER_EPOCH_MS
