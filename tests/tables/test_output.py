"""Writing tables: Parquet with provenance, CSV with JSON-encoded nesting, atomically."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tables.fixtures import search_page

from twxdata.tables import SCHEMA_VERSION, TableWriter, flatten, write_table


def test_parquet_round_trip_keeps_types_docs_and_version(tmp_path: Path) -> None:
    tweets = flatten([search_page()]).tweets
    path = tmp_path / "t.parquet"
    write_table(tweets, path, name="tweets")
    back = pq.read_table(path)
    assert back.equals(tweets)
    assert back.schema.metadata[b"twxdata.schema_version"] == SCHEMA_VERSION.encode()
    assert back.schema.metadata[b"twxdata.table"] == b"tweets"
    assert back.schema.field("author.username").metadata[b"doc"].startswith(b"Author: ")


def test_csv_encodes_nested_columns_as_json(tmp_path: Path) -> None:
    tweets = flatten([search_page()]).tweets
    path = tmp_path / "t.csv"
    write_table(tweets, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["10", "11"]
    assert json.loads(rows[1]["entities.hashtags"]) == [{"start": 10, "end": 12, "tag": "x"}]
    assert json.loads(rows[1]["geo.geo.bbox"]) == [13.0, 52.3, 13.7, 52.6]
    assert rows[0]["entities.hashtags"] == ""
    assert rows[0]["created_at"].startswith("2024-01-02")


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    path.write_bytes(b"old")
    table = pa.table({"a": [1]})
    with pytest.raises(RuntimeError), TableWriter(path, table.schema) as writer:
        writer.write(table)
        raise RuntimeError("boom")
    assert path.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [path]


def test_an_empty_table_still_has_its_columns(tmp_path: Path) -> None:
    schema = flatten([]).users.schema
    path = tmp_path / "u.parquet"
    with TableWriter(path, schema):
        pass
    assert pq.read_table(path).schema.names == schema.names


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in \.parquet or \.csv"):
        write_table(pa.table({"a": [1]}), tmp_path / "t.xlsx")


def test_flattening_never_imports_pandas(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text((json.dumps(search_page()) + "\n") * 20)  # chunks parsed in threads too
    code = (
        "import sys\n"
        "from twxdata.tables import iter_batches, TableWriter, SCHEMAS\n"
        f"writers = {{n: TableWriter(r'{tmp_path}' + '/' + n + '.parquet', s)"
        " for n, s in SCHEMAS.items()}\n"
        f"for b in iter_batches([r'{path}'], chunk_bytes=4000):\n"
        "    for n, t in b.items(): writers[n].write(t)\n"
        "for w in writers.values(): w.commit()\n"
        "assert 'pandas' not in sys.modules, 'pandas was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert pq.read_table(tmp_path / "tweets.parquet").num_rows == 2
