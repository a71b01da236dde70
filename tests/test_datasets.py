"""The sample datasets are what their datasheets say."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from twxdata.tables import read_jsonl

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "fake-search-sample"


def without_retrieval(table):
    return table.drop_columns([c for c in table.column_names if c.startswith("__twxdata")])


def test_sample_table_rebuilds_from_its_raw_archive():
    stored = pq.read_table(SAMPLE / "tweets.parquet")
    rebuilt = read_jsonl(SAMPLE / "raw.jsonl").tweets
    assert stored.num_rows == 500
    assert without_retrieval(rebuilt).equals(without_retrieval(stored))


def test_datasheet_names_the_files_and_says_synthetic():
    sheet = (SAMPLE / "DATASHEET.md").read_text()
    assert "Synthetic data" in sheet and "twxdata demo --end" in sheet
    assert len((SAMPLE / "raw.jsonl").read_text().splitlines()) == 5
