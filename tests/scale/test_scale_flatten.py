"""Beyond one machine (issue 17): the parallel flatten equals the single-machine one.

Inputs are real recorded responses (``../shared/real-api``): whole archives, an overlapping
one (half of another's pages, so the same posts sit in two files, with an edited version of
a post after its first one), the same content twice under two names, and compressed copies
(gzip, Zstandard). Every table of the result is compared with ``read_jsonl`` over the same
inputs: rows, columns, types and values.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest

import twxdata.scale as scale
import twxdata.scale.engine as engine
import twxdata.scale.sources as scale_sources
from twxdata.tables import read_jsonl

from .conftest import assert_same, good_lines


def test_the_inputs_overlap_so_deduplication_is_tested(single, inputs):
    separate = sum(read_jsonl(i).tweets.num_rows for i in inputs)
    assert single.tweets.num_rows < separate
    assert single.edges_mentions.num_rows and single.users.num_rows and single.counts.num_rows


def test_local_processes_equal_the_single_machine_flatten(single, inputs, tmp_path):
    result = scale.flatten(inputs, str(tmp_path / "ds"), workers=2)
    assert_same(single, tmp_path / "ds")
    assert result.skipped == []  # the same content under two names: two inputs, as in flatten
    assert result.rows["tweets"] == single.tweets.num_rows
    assert not (tmp_path / "ds" / "_twxdata_staging").exists()


def test_a_rerun_adds_nothing_and_new_files_append_only_what_is_new(single, inputs, tmp_path):
    out = tmp_path / "ds"
    scale.flatten(inputs[:2], str(out))
    files = sorted(out.rglob("*.parquet"))
    again = scale.flatten(inputs[:2], str(out))
    assert again.files == [] and len(again.skipped) == 2
    assert sorted(out.rglob("*.parquet")) == files
    more = scale.flatten(inputs, str(out))  # the rest: the first two and a's copy skipped
    assert sorted(Path(r.input).name for r in more.skipped) == [
        "a-brexit.jsonl",
        "b-overlap.jsonl.gz",
        "e-same-as-a.jsonl",
    ]
    assert_same(read_jsonl(*inputs[:4]), out)  # a's content once: its copy was known
    manifest = orjson.loads((out / scale.MANIFEST).read_bytes())
    assert len(manifest["inputs"]) == 4 and len(manifest["runs"]) == 3
    assert all(len(entry["sha256"]) == 64 for entry in manifest["inputs"])


def test_compaction_leaves_one_file_per_partition_and_the_same_rows(single, inputs, tmp_path):
    out = tmp_path / "ds"
    for path in inputs:
        scale.flatten([path], str(out), rows_per_file=10_000)
    before = len(list(out.rglob("*.parquet")))
    done = scale.compact(str(out))
    folders = {p.parent for p in out.rglob("*.parquet")}
    assert len(list(out.rglob("*.parquet"))) == len(folders) < before
    assert sum(done.after.values()) == len(folders)
    assert_same(read_jsonl(*inputs[:4]), out)  # the copy of a, flattened alone, was known


def test_read_dataset_gives_the_single_machine_columns_and_types(single, inputs, tmp_path):
    scale.flatten(inputs, str(tmp_path / "ds"))
    frame = scale.read_dataset(str(tmp_path / "ds"), "tweets").compute()
    want = single.to_pandas("tweets")
    assert list(frame.columns) == list(want.columns)
    assert (frame.dtypes == want.dtypes).all()
    assert sorted(frame["id"]) == sorted(want["id"])


def test_the_command_with_workers_writes_the_tables_flatten_writes(single, inputs, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for out, extra in ((one, []), (two, ["--workers", "2"])):
        result = subprocess.run(
            [sys.executable, "-m", "twxdata", "flatten", *inputs, "-o", f"{out}/", "-q", *extra],
            capture_output=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in one.iterdir()) == sorted(p.name for p in two.iterdir())
    for path in one.iterdir():
        a, b = pq.read_table(path), pq.read_table(two / path.name)
        assert a.schema.remove_metadata() == b.schema.remove_metadata(), path.name
        assert a.equals(b), path.name  # same rows in the same order


def test_an_unreadable_line_names_the_file_and_leaves_no_staging(tmp_path, inputs):
    bad = tmp_path / "bad.jsonl"
    shutil.copy(inputs[0], bad)
    with bad.open("ab") as file:
        file.write(b'{"data": [{"id": "1", \n')
    with pytest.raises(Exception, match=r"bad\.jsonl"):
        scale.flatten([inputs[3], str(bad)], str(tmp_path / "ds"), workers=2)
    assert not (tmp_path / "ds" / scale.MANIFEST).exists()
    assert not list((tmp_path / "ds").rglob("*.parquet"))


def test_table_files_merged_as_tasks_finish_leave_nothing_when_a_later_one_fails(tmp_path, inputs):
    # Local workers' table files are merged while later tasks still run: a failure in the
    # last input must leave the folder as it was (no table file, no temporary one).
    bad = tmp_path / "bad.jsonl"
    shutil.copy(inputs[0], bad)
    with bad.open("ab") as file:
        file.write(b'{"data": [{"id": "1", \n')
    out = tmp_path / "out"
    out.mkdir()
    (out / "tweets.parquet").write_bytes(b"the user's own file")
    targets = {name: str(out / f"{name}.parquet") for name in ("tweets", "users", "edges_mentions")}
    with pytest.raises(Exception, match=r"bad\.jsonl"):
        scale.flatten([*inputs, str(bad)], str(out), workers=2, targets=targets)
    assert [p.name for p in out.iterdir()] == ["tweets.parquet"]
    assert (out / "tweets.parquet").read_bytes() == b"the user's own file"


def test_many_small_archives_make_one_file_per_partition(tmp_path, monkeypatch):
    pages = []
    for name in ("brexit", "noflat", "geo_tweets", "users", "lists", "counts", "edited_after"):
        for line in good_lines(name):  # a page of 100 posts: ten pages of 10, includes kept
            page = orjson.loads(line)
            data = page.get("data")
            if not isinstance(data, list):
                pages.append(line)
                continue
            for at in range(0, len(data), 10):
                pages.append(orjson.dumps({**page, "data": data[at : at + 10]}))
    small = []
    for n, page in enumerate(pages):
        path = tmp_path / "in" / f"{n:03d}.jsonl"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(page + b"\n")
        small.append(str(path))
    # Tasks of a few small files each: groups, in order, de-duplicated as one flatten would.
    monkeypatch.setattr(engine, "GROUP_BYTES", 50_000)
    assert 3 < len(engine.groups(scale_sources.expand(small))) < len(small)
    out = tmp_path / "ds"
    scale.flatten(small, str(out), workers=2)
    files = list(out.rglob("*.parquet"))
    folders = {p.parent for p in files}
    assert len(small) > 20 and len(files) == len(folders)  # one file per partition folder
    assert_same(read_jsonl(*small), out)


def test_a_users_own_files_beside_the_output_are_never_touched(tmp_path, inputs):
    out = tmp_path / "tables"
    mine = out / "_staging" / "notes.txt"
    mine.parent.mkdir(parents=True)
    mine.write_text("mine")
    targets = {"tweets": str(out / "tweets.parquet")}
    scale.flatten(inputs[:2], str(out), workers=2, targets=targets)
    assert mine.read_text() == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["_staging", "tweets.parquet"]


def test_a_second_writer_into_the_same_folder_is_refused_naming_the_first(tmp_path, inputs):
    from twxdata.store.lock import ArchiveLock, ArchiveLocked

    out = tmp_path / "ds"
    out.mkdir()
    with ArchiveLock(out / scale.MANIFEST):  # as a run in another process holds it
        with pytest.raises(ArchiveLocked, match="one flatten writes to a folder at a time"):
            scale.flatten(inputs[:1], str(out))
    assert scale.flatten(inputs[:1], str(out)).rows["tweets"]


def test_a_large_plain_file_is_cut_at_line_ends_and_equals_one_flatten(tmp_path, monkeypatch):
    import twxdata.scale.ranges as ranges

    lines = [line for name in ("brexit", "noflat", "geo_tweets", "edited_before", "users",
                               "counts", "edited_after", "mentions_tweet", "noflat")
             for line in good_lines(name)]  # fmt: skip  # noflat twice: duplicates across cuts
    big = tmp_path / "stream.jsonl"
    big.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(ranges, "PIECE_BYTES", 150_000)
    sha, pieces = ranges.cut(str(big))
    assert len(pieces) > 3 and sha == hashlib.sha256(big.read_bytes()).hexdigest()
    assert pieces[0].first_line == 1 and pieces[-1].end == big.stat().st_size
    out = tmp_path / "ds"
    result = scale.flatten([str(big)], str(out), workers=2)
    assert [i.input for i in result.inputs] == [str(big)]  # one input, in pieces
    assert_same(read_jsonl(big), out)  # rows, and each row's file and line number
    again = scale.flatten([str(big)], str(out), workers=2)
    assert again.files == [] and [i.input for i in again.skipped] == [str(big)]


def test_a_cut_file_gives_the_very_tables_of_one_flatten(tmp_path, monkeypatch):
    import twxdata.scale.ranges as ranges

    lines = [line for name in ("noflat", "brexit", "noflat", "users") for line in good_lines(name)]
    big = tmp_path / "stream.jsonl"
    big.write_bytes(b"\n".join(lines) + b"\n")
    monkeypatch.setattr(ranges, "PIECE_BYTES", 100_000)
    names = ("tweets", "users", "pages", "edges_mentions")
    targets = {name: str(tmp_path / "out" / f"{name}.parquet") for name in names}
    scale.flatten([str(big)], str(tmp_path / "out"), workers=2, targets=targets)
    one = read_jsonl(big)
    for name in names:  # same rows in the same order, line numbers included
        assert pq.read_table(targets[name]).equals(one[name]), name


def test_duckdb_polars_and_pandas_read_the_dataset_as_it_is(single, inputs, tmp_path):
    import duckdb
    import pandas as pd
    import polars as pl

    scale.flatten(inputs, str(tmp_path / "ds"), rows_per_file=50)  # several files a day
    tweets = tmp_path / "ds" / "tweets"
    want = single.tweets.num_rows
    counted = duckdb.sql(f"SELECT count(DISTINCT id), count(*) FROM '{tweets}/**/*.parquet'")
    assert counted.fetchall() == [(want, want)]
    assert pl.scan_parquet(f"{tweets}/**/*.parquet").select(pl.len()).collect().item() == want
    frame = pd.read_parquet(tweets, dtype_backend="pyarrow")
    assert len(frame) == want and str(frame["id"].dtype) == "string[pyarrow]"
    assert "day" in frame.columns  # the partition folders, as a column
