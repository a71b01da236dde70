"""The command line beyond one process: ``flatten --engine dask``, ``compact``, and the
careless uses (one line each, exit status 2, before any work)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import assert_same

pytest.importorskip("distributed")


def twxdata(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twxdata", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)  # fmt: skip


def test_a_dask_dataset_from_the_command_then_a_rerun_then_compact(single, inputs, tmp_path):
    out = tmp_path / "ds"
    first = twxdata("flatten", *inputs, "-o", f"{out}/", "--engine", "dask", "--workers", "2")
    assert first.returncode == 0, first.stderr
    assert first.stderr.count("\n") == 1, first.stderr  # the summary, no cluster chatter
    assert f"{len(inputs)} inputs -> {out}/:" in first.stderr
    assert_same(single, out)
    again = twxdata("flatten", *inputs, "-o", f"{out}/", "--engine", "dask")
    assert again.returncode == 0 and f"{len(inputs)} already in the dataset" in again.stderr
    assert "no new rows" in again.stderr
    compacted = twxdata("compact", out)
    assert compacted.returncode == 0, compacted.stderr
    assert_same(single, out)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-o", "x.parquet", "--engine", "dask"], "a dataset is a folder"),
        (["-o", "x/", "--engine", "dask", "--format", "csv"], "a dataset is Parquet"),
        (["-o", "x/", "--workers", "0"], "--workers"),
        (["-o", "x/", "--storage-option", "no-equals"], "KEY=VALUE"),
        (["-", "-o", "x/", "--workers", "2"], "standard input"),
        (["nosuch://bucket/a.jsonl", "-o", "x/"], "nosuch"),
        (["missing.jsonl", "-o", "x/", "--workers", "2"], "missing.jsonl"),
        (["-o", "x/", "--scheduler", "tcp://h:8786", "--engine", "processes"], "--scheduler"),
        (["-o", "x/", "--workers", "2", "--rows-per-file", "10"], "--rows-per-file is for a"),
        (["-o", "x/", "--storage-option", "anon=true"], "--storage-option is for URL"),
        (["-o", "x/", "--scheduler", "nonsense"], "--scheduler nonsense: cannot reach"),
    ],
)
def test_careless_uses_are_one_line_and_exit_2(inputs, tmp_path, args, says):
    result = twxdata("flatten", inputs[0], *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and "Traceback" not in result.stderr, lines
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing made


def test_compact_of_a_missing_folder_is_a_usage_error(tmp_path):
    result = twxdata("compact", tmp_path / "nope")
    assert result.returncode == 2 and "no such folder" in result.stderr


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: (d / "f.jsonl").write_text("{}"), "is a file"),
        (lambda d: (d / "f.jsonl").mkdir(), "not a dataset"),
    ],
)
def test_compact_of_something_else_than_a_dataset_is_a_usage_error(tmp_path, make, says):
    make(tmp_path)
    result = twxdata("compact", tmp_path / "f.jsonl")
    assert result.returncode == 2 and says in result.stderr, result.stderr
