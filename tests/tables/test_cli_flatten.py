"""``twxdata flatten``: outputs, table choice, exit statuses, atomic writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from tables.fixtures import followers_page, lines_file, search_page

from twxdata.cli import main
from twxdata.tables import TABLE_NAMES


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return lines_file(tmp_path, [search_page(), followers_page()])


def test_one_file_gets_the_posts(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "posts.parquet"
    assert main(["flatten", str(archive), "-o", str(out)]) == 0
    assert pq.read_table(out)["id"].to_pylist() == ["10", "11"]
    assert "2 tweets" in capsys.readouterr().err


def test_a_directory_gets_every_table_with_rows(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "new" / "tables"  # missing folders are made, as for every verb
    assert main(["flatten", str(archive), "-o", f"{out}/", "-q"]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert set(written) < {f"{n}.parquet" for n in TABLE_NAMES}
    assert all(pq.read_table(out / name).num_rows for name in written)  # no empty tables
    assert pq.read_table(out / "edges_followers.parquet").num_rows == 2
    assert pq.read_table(out / "users.parquet").num_rows == 4


def test_table_choice_and_csv(archive: Path, tmp_path: Path) -> None:
    assert main(["flatten", str(archive), "-o", str(tmp_path / "u.csv"), "--table", "users",
                 "-q"]) == 0  # fmt: skip
    with (tmp_path / "u.csv").open() as f:
        assert next(csv.reader(f))[:3] == ["id", "created_at", "username"]
    out = tmp_path / "d"
    assert main(["flatten", str(archive), "-o", f"{out}/", "--table", "media", "--table",
                 "places", "--format", "csv", "-q"]) == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["media.csv", "places.csv"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.txt"], "must end in .parquet or .csv"),
        (["-o", "x.parquet", "--table", "nope"], "no table nope"),
        (["-o", "x.parquet", "--table", "users", "--table", "media"], "one output file"),
        (["-o", "x.parquet", "--format", "csv"], "--format is for a folder"),
    ],
)
def test_usage_errors_exit_2(archive: Path, tmp_path: Path, args: list[str], message: str,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    assert main(["flatten", str(archive), *args]) == 2
    assert message in capsys.readouterr().err


def test_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["flatten", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o.parquet")]) == 2


def test_bad_line_exits_1_naming_file_and_line_and_keeps_old_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = lines_file(tmp_path, [search_page(), '{"data": [', search_page()], "bad.jsonl")
    out = tmp_path / "posts.parquet"
    good = lines_file(tmp_path, [search_page()], "good.jsonl")
    assert main(["flatten", str(good), "-o", str(out), "-q"]) == 0
    previous = out.read_bytes()
    capsys.readouterr()
    assert main(["flatten", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{bad}:2: invalid JSON" in err[0]
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bad.jsonl",
        "good.jsonl",
        "posts.parquet",
    ]


def test_an_existing_file_of_another_kind_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = lines_file(tmp_path, [search_page()], "good.jsonl")
    notes = tmp_path / "notes.csv"
    notes.write_text("my notes, not a table\nsecond line\n")
    archive_named_parquet = tmp_path / "keep.parquet"
    archive_named_parquet.write_bytes(good.read_bytes())
    for target in (archive_named_parquet, notes):
        before = target.read_bytes()
        assert main(["flatten", str(good), "-o", str(target)]) == 2
        assert target.read_bytes() == before
    assert "exists and is not a Parquet file" in capsys.readouterr().err


def test_a_failed_directory_output_leaves_nothing(tmp_path: Path) -> None:
    bad = lines_file(tmp_path, [search_page(), "{"], "bad.jsonl")
    assert main(["flatten", str(bad), "-o", f"{tmp_path}/out/", "-q"]) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl"]


def test_skip_and_warn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = lines_file(tmp_path, [search_page(), "oops", followers_page()], "bad.jsonl")
    out = tmp_path / "posts.parquet"
    assert main(["flatten", str(bad), "-o", str(out), "--on-error", "warn"]) == 0
    err = capsys.readouterr().err
    assert f"warning: skipped {bad}:2: invalid JSON" in err and "skipped 1 bad line" in err
    assert pq.read_table(out).num_rows == 2


def test_several_inputs_dedupe_across_files(tmp_path: Path) -> None:
    a = lines_file(tmp_path, [search_page()], "a.jsonl")
    b = lines_file(tmp_path, [search_page(), {"data": [{"id": "12", "text": "z"}]}], "b.jsonl")
    out = tmp_path / "p.parquet"
    assert main(["flatten", str(a), str(b), "-o", str(out), "-q"]) == 0
    assert pq.read_table(out)["id"].to_pylist() == ["10", "11", "12"]


def test_pages_table_names_the_source(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "pages.parquet"
    assert main(["flatten", str(archive), "-o", str(out), "--table", "pages", "-q"]) == 0
    pages = pq.read_table(out).select(["__source.file", "__source.line", "kind"]).to_pylist()
    assert pages == [
        {"__source.file": str(archive), "__source.line": 1, "kind": "tweets"},
        {"__source.file": str(archive), "__source.line": 2, "kind": "users"},
    ]
    assert json.loads(json.dumps(pages))
