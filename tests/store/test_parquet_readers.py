"""Parquet written by twxdata, read back by pandas, DuckDB and Polars with types and provenance."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest

import twxdata
from twxdata.errors import DataError
from twxdata.store.provenance import PROVENANCE_KEY, read_provenance
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("out")
    with FakeXApi(Corpus(seed=21, size=10_000, end=END)) as api:
        twxdata.configure(api_base=api.url, bearer_token=api.bearer_token)
        try:
            c = twxdata.collect_search_sync(
                ["python", "climate"], limit=80, start_time="2024-04-25", progress=False
            )
        finally:
            twxdata.configure(api_base=None, bearer_token=None)
    c.to_parquet(folder / "files")
    c.to_dataset(folder / "dataset")
    return c, folder


def test_pandas_reads_types_and_provenance(written):
    c, folder = written
    df = twxdata.read_parquet(folder / "files" / "tweets.parquet")
    assert len(df) == len(c.tweets) and sorted(df["id"]) == sorted(c.tweets["id"])
    assert str(df["id"].dtype) == "string[pyarrow]"
    assert str(df["public_metrics.like_count"].dtype) == "int64[pyarrow]"
    assert str(df["created_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    prov = df.attrs["twxdata"]
    assert prov["collection"]["targets"] == ["python", "climate"]
    assert prov["endpoints"] == ["search_recent_tweets"] and prov["pages"] == c.pages
    assert prov["time_window"]["start_time"].endswith("Z")
    assert prov["versions"]["twxdata"] == twxdata.__version__
    assert "bearer" not in json.dumps(prov).lower()


def test_dataset_is_partitioned_by_day_and_reads_as_one_table(written):
    c, folder = written
    days = sorted(p.name for p in (folder / "dataset" / "tweets").iterdir())
    assert days and all(d.startswith("day=") for d in days)
    df = twxdata.read_parquet(folder / "dataset" / "tweets")
    assert sorted(df["id"]) == sorted(c.tweets["id"])
    assert set(df["day"].astype(str)) == {d.removeprefix("day=") for d in days}
    assert df.attrs["twxdata"]["table"] == "tweets"


def test_duckdb_reads_rows_types_and_provenance(written):
    duckdb = pytest.importorskip("duckdb")
    c, folder = written
    path = str(folder / "files" / "tweets.parquet")
    con = duckdb.connect()
    # A fan-out keeps one row per (query, post): a post matching both queries is two rows.
    rows = con.execute(
        f"select count(*), count(distinct (\"__twxdata.stream\", id)) from '{path}'"
    ).fetchone()
    assert rows == (len(c.tweets), len(c.tweets))
    types = dict(
        con.execute(
            f"select column_name, column_type from (describe select * from '{path}')"
        ).fetchall()
    )
    assert types["id"] == "VARCHAR" and types["public_metrics.like_count"] == "BIGINT"
    assert types["created_at"] == "TIMESTAMP WITH TIME ZONE"
    meta = con.execute(
        f"select value from parquet_kv_metadata('{path}') where key = '{PROVENANCE_KEY}'"
    ).fetchone()
    assert json.loads(meta[0])["pages"] == c.pages
    glob = str(folder / "dataset" / "tweets" / "**" / "*.parquet")
    count = con.execute(
        f"select count(*), count(distinct day) from read_parquet('{glob}', hive_partitioning=1)"
    ).fetchone()
    assert count[0] == len(c.tweets) and count[1] >= 1


def test_polars_reads_rows_types_and_provenance(written):
    pl = pytest.importorskip("polars")
    c, folder = written
    path = folder / "files" / "tweets.parquet"
    frame = pl.read_parquet(path)
    assert frame.height == len(c.tweets)
    assert frame.schema["id"] == pl.String and frame.schema["public_metrics.like_count"] == pl.Int64
    assert frame.schema["created_at"] == pl.Datetime("us", "UTC")
    meta = pl.read_parquet_metadata(path)
    assert json.loads(meta[PROVENANCE_KEY])["table"] == "tweets"
    lazy = pl.scan_parquet(
        folder / "dataset" / "tweets" / "**" / "*.parquet", hive_partitioning=True
    )
    assert lazy.select(pl.len()).collect().item() == len(c.tweets)


def test_appending_again_writes_nothing_new_and_never_rewrites(written, tmp_path):
    c, folder = written
    before = {p: p.stat().st_mtime_ns for p in (folder / "dataset").rglob("*.parquet")}
    assert c.to_dataset(folder / "dataset") == []
    after = {p: p.stat().st_mtime_ns for p in (folder / "dataset").rglob("*.parquet")}
    assert before == after


def test_foreign_and_broken_files_are_named_in_errors(tmp_path):
    foreign = tmp_path / "foreign.parquet"
    import pyarrow as pa

    pq.write_table(pa.table({"x": [1, 2]}), foreign)
    assert read_provenance(foreign) is None
    assert twxdata.read_parquet(foreign).attrs["twxdata"] == {}
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(DataError, match=r"broken\.parquet"):
        twxdata.read_parquet(broken)
    with pytest.raises(DataError, match=r"missing\.parquet"):
        twxdata.read_parquet(tmp_path / "missing.parquet")
