"""What users do that our other tests do not: patterns that take in the output, the two
layouts in one folder, bad lines in parallel, relative names, appends then ``compact`` and
``info``, an interruption, a path that is no dataset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import twxdata.scale as scale
from twxdata.errors import DataWarning, ParameterError
from twxdata.scale import engine
from twxdata.store.provenance import read_provenance

from .conftest import good_lines


def twxdata(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twxdata", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)  # fmt: skip


@pytest.fixture
def folder(tmp_path, inputs) -> Path:
    """A user's folder of archives, named relative to it."""
    (tmp_path / "in").mkdir()
    for name in inputs[:4]:
        shutil.copy(name, tmp_path / "in" / Path(name).name)
    return tmp_path


def test_a_pattern_over_the_output_folder_leaves_what_flatten_wrote(folder):
    # The output inside the folder the pattern reads: the second run must not take the
    # first run's files (tables, a dataset's parts, its manifest) for archives.
    for _ in range(2):
        tables = twxdata("flatten", "in/**", "-o", "in/", "--workers", "2", cwd=folder)
        assert tables.returncode == 0, tables.stderr
        assert "4 inputs" in tables.stderr
    for _ in range(2):
        ran = twxdata("flatten", "in/**", "-o", "in/ds/", "--engine", "dask", cwd=folder)
        assert ran.returncode == 0, ran.stderr
    assert "4 inputs" in ran.stderr or "4 already in the dataset" in ran.stderr, ran.stderr


def test_table_files_and_a_dataset_never_share_a_folder(folder):
    assert twxdata("flatten", "in/**", "-o", "tables/", "-q", cwd=folder).returncode == 0
    refused = twxdata("flatten", "in/**", "-o", "tables/", "--engine", "dask", cwd=folder)
    assert refused.returncode == 2 and "holds table files" in refused.stderr, refused.stderr
    made = scale.flatten(sorted(str(p) for p in (folder / "in").iterdir()), str(folder / "ds"))
    assert made.rows["tweets"]
    for extra in ([], ["--workers", "2"]):
        refused = twxdata("flatten", "in/**", "-o", "ds/", *extra, cwd=folder)
        assert refused.returncode == 2 and "is a dataset" in refused.stderr, refused.stderr
        assert "--engine dask" in refused.stderr
        inside = twxdata("flatten", "in/**", "-o", "ds/users.parquet", "--table", "users",
                         *extra, cwd=folder)  # fmt: skip
        assert inside.returncode == 2 and "inside a dataset" in inside.stderr, inside.stderr


def test_rows_name_their_file_as_the_user_gave_it_in_every_mode(folder):
    names = sorted(f"in/{p.name}" for p in (folder / "in").iterdir())
    for out, extra in (("one/", []), ("two/", ["--workers", "2"])):
        assert twxdata("flatten", *names, "-o", out, "-q", *extra, cwd=folder).returncode == 0
    one = pq.read_table(folder / "one" / "pages.parquet")
    two = pq.read_table(folder / "two" / "pages.parquet")
    assert one.column("__source.file").equals(two.column("__source.file"))
    assert set(two.column("__source.file").to_pylist()) == set(names)
    sources = [s["file"] for s in read_provenance(folder / "two" / "tweets.parquet")["sources"]]
    assert sources == names


def test_bad_lines_in_parallel_are_told_once_by_the_command(folder):
    bad = folder / "in" / "z-bad.jsonl"
    bad.write_bytes(b"\n".join(good_lines("brexit")[:3]) + b'\n{"data": [\n')
    warned = twxdata("flatten", "in/**", "-o", "w/", "--workers", "2", "--on-error", "warn",
                     cwd=folder)  # fmt: skip
    assert warned.returncode == 0, warned.stderr
    lines = warned.stderr.strip().splitlines()
    assert [line for line in lines if "z-bad.jsonl:" in line] == [lines[0]], lines
    assert "DataWarning" not in warned.stderr and len(lines) == 2, lines
    assert "skipped 1 bad line" in lines[-1]
    skipped = twxdata("flatten", "in/**", "-o", "s/", "--workers", "2", "--on-error", "skip",
                      cwd=folder)  # fmt: skip
    assert skipped.returncode == 0 and len(skipped.stderr.strip().splitlines()) == 1
    assert "skipped 1 bad line" in skipped.stderr


def test_appends_then_compact_keep_every_runs_provenance(folder):
    archives = sorted(str(p) for p in (folder / "in").iterdir())
    ds = str(folder / "ds")
    scale.flatten(archives[:2], ds)
    scale.flatten(archives[2:], ds)
    before = scale.read_dataset(ds, "users").compute()
    info = twxdata("info", "ds", "--json", cwd=folder)
    assert info.returncode == 0, info.stderr
    shown = json.loads(info.stdout)
    assert shown["dataset"]["inputs"] == 4 and shown["dataset"]["runs"] == 2
    users = shown["tables"]["users"]["provenance"]
    assert users["rows"] == len(before) and users["runs"] == 2
    assert sorted(s["file"] for s in users["sources"]) == archives
    done = twxdata("compact", "ds", cwd=folder)
    assert done.returncode == 0, done.stderr
    assert not (folder / "ds" / "_twxdata_staging").exists()
    # Compacted files beside untouched ones: each run is counted once, as before compact.
    after = json.loads(twxdata("info", "ds", "--json", cwd=folder).stdout)
    for table in ("tweets", "users"):
        was, now = shown["tables"][table]["provenance"], after["tables"][table]["provenance"]
        assert (now["pages"], now["items"], now["runs"]) == (was["pages"], was["items"], 2)
    files = list((folder / "ds" / "users").rglob("*.parquet"))
    assert len(files) == 1
    record = read_provenance(files[0])
    assert record["rows"] == pq.read_metadata(files[0]).num_rows == len(before)
    assert sorted(s["file"] for s in record["sources"]) == archives
    assert record["compacted_from"] == 2


def test_an_interrupted_run_leaves_no_staging_once_its_workers_stop(folder, monkeypatch):
    # Ctrl-C in the driver while the workers still hold tasks: they finish what they hold,
    # and only then is the staging removed (before, they wrote into it after it was gone).
    monkeypatch.setattr(engine, "GROUP_BYTES", 1)  # a task per file: several are queued
    merged = engine._merged_as_done

    def interrupted(tasks, *args, **kwargs):
        tasks[0].result()
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "_merged_as_done", interrupted)
    archives = sorted(str(p) for p in (folder / "in").iterdir())
    out = folder / "out"
    out.mkdir()
    targets = {"tweets": str(out / "tweets.parquet")}
    with pytest.raises(KeyboardInterrupt):
        scale.flatten(archives, str(out), workers=2, targets=targets)
    assert list(out.iterdir()) == []
    monkeypatch.setattr(engine, "_merged_as_done", merged)
    assert scale.flatten(archives, str(out), workers=2, targets=targets).rows["tweets"]


@pytest.mark.parametrize("where", ["nosuch", "in/a-brexit.jsonl", "in"])
def test_read_dataset_of_what_is_no_dataset_says_so(folder, where, monkeypatch):
    monkeypatch.chdir(folder)
    with pytest.raises(ParameterError, match="a dataset folder"):
        scale.read_dataset(where)


def test_an_interrupted_command_leaves_no_staging_and_no_folder_it_made(folder, monkeypatch):
    # What a cluster's tasks write until it closes goes once the command's block is left.
    from twxdata.cli import main

    def interrupted(inputs, root, **kwargs):
        (Path(root) / "_twxdata_staging" / "task").mkdir(parents=True)
        (Path(root) / "_twxdata_staging" / "task" / "tweets-b0.arrow").write_bytes(b"x")
        raise KeyboardInterrupt

    monkeypatch.setattr(scale, "flatten", interrupted)
    monkeypatch.chdir(folder)
    assert main(["flatten", "in/**", "-o", "new/deeper/", "--workers", "2"]) == 130
    assert not (folder / "new").exists()
    (folder / "kept").mkdir()
    assert main(["flatten", "in/**", "-o", "kept/", "--workers", "2"]) == 130
    assert list((folder / "kept").iterdir()) == []


def test_ctrl_c_while_the_workers_stop_says_the_output_is_whole(folder, monkeypatch, capsys):
    # A trial's Ctrl-C 3 s into --engine dask: "nothing was written", over a whole dataset.
    from twxdata.cli import main
    from twxdata.cli import scale as cli_scale

    close = cli_scale._client.__exit__

    def stopping(self, *exc):
        close(self, *exc)  # the cluster stops; the Ctrl-C lands as it does
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_scale._client, "__exit__", stopping)
    monkeypatch.chdir(folder)
    assert main(["flatten", "in/**", "-o", "ds/", "--engine", "dask"]) == 130
    err = capsys.readouterr().err
    assert "nothing was written" not in err, err
    assert "after the output was written whole" in err and "4 inputs" in err
    assert json.loads((folder / "ds" / engine.MANIFEST).read_text())["runs"]
    assert not (folder / "ds" / "_twxdata_staging").exists()


def test_info_and_flatten_agree_on_what_is_no_archive(folder):
    (folder / "settings.json").write_text('{"name": "x", "version": 2}\n')
    for verb in (["info", "settings.json"], ["flatten", "settings.json", "-o", "t.parquet"]):
        result = twxdata(*verb, cwd=folder)
        assert result.returncode == 1, result.stderr
        assert "settings.json:1: not an X API response" in result.stderr


def test_an_empty_input_is_named_and_only_empty_inputs_are_an_error(folder):
    (folder / "empty.jsonl").write_bytes(b"")
    for extra in ([], ["--workers", "2"]):
        some = twxdata("flatten", "in/a-brexit.jsonl", "empty.jsonl", "-o", "t.parquet",
                       "--replace", *extra, cwd=folder)  # fmt: skip
        assert some.returncode == 0, some.stderr
        assert "warning: empty.jsonl: empty, no API responses in it" in some.stderr
        none = twxdata("flatten", "empty.jsonl", "-o", "u.parquet", *extra, cwd=folder)
        assert none.returncode == 1 and "no API responses" in none.stderr, none.stderr
        assert not (folder / "u.parquet").exists()


def test_a_dataset_folder_may_have_a_dot_in_its_name(folder):
    ran = twxdata("flatten", "in/**", "-o", "ds.v2/", "--engine", "dask", "-q", cwd=folder)
    assert ran.returncode == 0, ran.stderr
    assert (folder / "ds.v2" / engine.MANIFEST).is_file()
    bare = twxdata("flatten", "in/**", "-o", "my.data.v3", "--engine", "dask", "-q", cwd=folder)
    assert bare.returncode == 0, bare.stderr  # with --engine dask, always a folder
    assert (folder / "my.data.v3" / engine.MANIFEST).is_file()
    refused = twxdata("flatten", "in/**", "-o", "ds.parquet", "--engine", "dask", cwd=folder)
    assert refused.returncode == 2 and "a dataset is a folder" in refused.stderr


def test_a_folder_of_the_users_files_is_never_made_a_dataset(folder):
    before = sorted(p.name for p in (folder / "in").iterdir())
    refused = twxdata("flatten", "in/*.jsonl*", "-o", "in/", "--engine", "dask", cwd=folder)
    assert refused.returncode == 2 and "holds other files" in refused.stderr, refused.stderr
    assert refused.stderr.count("\n") == 1
    assert sorted(p.name for p in (folder / "in").iterdir()) == before  # nothing written
    with pytest.raises(ParameterError, match="out"):
        scale.flatten([str(folder / "in" / before[0])], str(folder / "in"))
    assert sorted(p.name for p in (folder / "in").iterdir()) == before


def test_a_run_killed_before_its_manifest_goes_on(folder):
    inputs = sorted(str(p) for p in (folder / "in").iterdir())
    whole = scale.flatten(inputs, str(folder / "ds"))
    (folder / "ds" / engine.MANIFEST).unlink()  # as if killed between its files and manifest
    (folder / "ds" / "_twxdata_staging").mkdir()
    again = twxdata("flatten", "in/**", "-o", "ds/", "--engine", "dask", "-q", cwd=folder)
    assert again.returncode == 0, again.stderr
    posts = pq.read_table(folder / "ds" / "tweets").num_rows
    assert posts == whole.rows["tweets"]  # the files there counted as held: no row twice


@pytest.mark.parametrize("workers", [1, 2])
def test_a_grown_archive_adds_only_the_lines_it_gained(folder, workers):
    """A live collection's archive grows; flattened into the dataset after each run, its
    earlier lines are not taken again (their pages and errors would be in it twice)."""
    lines = _longest(folder)
    live = folder / "live.jsonl"
    live.write_bytes(b"".join(lines[: len(lines) // 2]))
    out = str(folder / "ds")
    first = scale.flatten([str(live)], out, workers=workers)
    with live.open("ab") as handle:  # the next run appends
        handle.write(b"".join(lines[len(lines) // 2 :]))
    second = scale.flatten([str(live)], out, workers=workers)
    assert second.inputs[0].from_byte == first.inputs[0].bytes, second.inputs
    assert not second.retaken, (second.inputs, second.retaken)
    whole = twxdata_tables(live, folder / "whole")
    for table in ("pages", "tweets", "users"):
        got = pq.read_table(folder / "ds" / table)
        assert got.num_rows == whole[table].num_rows, table
    lines_seen = pq.read_table(folder / "ds" / "pages", columns=["__source.line"]).column(
        "__source.line"
    )
    assert sorted(lines_seen.to_pylist()) == list(range(1, len(lines) + 1))  # each line once
    manifest = json.loads((folder / "ds" / engine.MANIFEST).read_text())
    assert [e.get("from_byte", 0) for e in manifest["inputs"]] == [0, first.inputs[0].bytes]
    assert scale.flatten([str(live)], out, workers=workers).skipped  # a re-run: nothing new


def _longest(folder: Path) -> list[bytes]:
    """The lines of the user's uncompressed archive with the most of them."""
    files = [p for p in (folder / "in").iterdir() if p.suffix == ".jsonl"]
    lines = max((p.read_bytes().splitlines(True) for p in files), key=len)
    assert len(lines) > 4
    return lines


def twxdata_tables(archive: Path, out: Path) -> dict[str, object]:
    """The one-process flatten's tables of ``archive`` (the reference)."""
    ran = twxdata("flatten", archive, "-o", f"{out}/", "-q", cwd=archive.parent)
    assert ran.returncode == 0, ran.stderr
    return {p.stem: pq.read_table(p) for p in out.glob("*.parquet")}


def _cut_off_once(monkeypatch, method: str, after: int, under: str = "") -> None:
    """``Store.<method>`` raises KeyboardInterrupt on its call number ``after`` (once), of
    those on a path under ``under``."""
    from twxdata.scale.store import Store

    real = getattr(Store, method)
    calls = {"n": 0}

    def cut(self, *args):
        calls["n"] += str(args[0]).startswith(under)
        if calls["n"] == after and str(args[0]).startswith(under):
            raise KeyboardInterrupt
        return real(self, *args)

    monkeypatch.setattr(Store, method, cut)


def _rows(folder: Path) -> dict[str, int]:
    return {t.name: pq.read_table(t).num_rows for t in sorted(folder.iterdir())
            if t.is_dir() and not t.name.startswith("_")}  # fmt: skip


def test_a_run_cut_off_while_its_files_go_into_place_is_finished_by_the_next(folder, monkeypatch):
    """Ctrl-C between a run's moves and its manifest: the next run carries out the rest,
    and takes no input twice (pages and errors would be in the dataset twice)."""
    inputs = sorted(str(p) for p in (folder / "in").iterdir())
    scale.flatten(inputs, str(folder / "whole"))
    scale.flatten(inputs[:2], str(folder / "ds"))
    with monkeypatch.context() as patched:
        _cut_off_once(patched, "move", after=2)
        with pytest.raises(KeyboardInterrupt):
            scale.flatten(inputs, str(folder / "ds"))
    assert (folder / "ds" / "_twxdata_staging" / "_commit.json").is_file()
    again = scale.flatten(inputs, str(folder / "ds"))
    assert not again.inputs and len(again.skipped) == len(inputs)  # finished, not taken again
    assert _rows(folder / "ds") == _rows(folder / "whole")
    manifest = json.loads((folder / "ds" / engine.MANIFEST).read_text())
    assert len(manifest["inputs"]) == len(inputs)
    assert [r["inputs"] for r in manifest["runs"]] == [2, 2, 0]  # the cut-off run's, recorded
    assert not (folder / "ds" / "_twxdata_staging").exists()


def test_a_compaction_cut_off_leaves_no_row_twice_once_run_again(folder, monkeypatch):
    inputs = sorted(str(p) for p in (folder / "in").iterdir())
    for name in inputs:  # a run per input: several files per partition
        scale.flatten([name], str(folder / "ds"))
    before = _rows(folder / "ds")
    with monkeypatch.context() as patched:
        # After the merged file moved in: pages have no key, so a row twice stays twice.
        _cut_off_once(patched, "remove", after=2, under="pages/")
        with pytest.raises(KeyboardInterrupt):
            scale.compact(str(folder / "ds"))
    scale.compact(str(folder / "ds"))
    assert _rows(folder / "ds") == before


def test_ctrl_c_during_compact_says_the_rows_are_kept(folder, monkeypatch, capsys):
    from twxdata.cli import main

    for name in sorted((folder / "in").iterdir()):
        scale.flatten([str(name)], str(folder / "ds"))
    before = _rows(folder / "ds")
    with monkeypatch.context() as patched:
        _cut_off_once(patched, "remove", after=1, under="users/")
        assert main(["compact", str(folder / "ds")]) == 130
    assert "every row is kept" in capsys.readouterr().err
    assert main(["compact", str(folder / "ds")]) == 0
    assert _rows(folder / "ds") == before


def test_the_command_cut_off_while_its_files_go_into_place_says_so(folder, monkeypatch, capsys):
    from twxdata.cli import main

    monkeypatch.chdir(folder)
    assert main(["flatten", "in/a*", "-o", "ds/", "--engine", "dask", "-q"]) == 0
    with monkeypatch.context() as patched:
        _cut_off_once(patched, "move", after=1)
        assert main(["flatten", "in/**", "-o", "ds/", "--engine", "dask"]) == 130
    assert "the next flatten or compact of it finishes that first" in capsys.readouterr().err
    assert main(["flatten", "in/**", "-o", "ds/", "--engine", "dask"]) == 0
    assert "4 already in the dataset" in capsys.readouterr().err


def test_a_grown_compressed_archive_taken_whole_is_told(folder, monkeypatch):
    """A compressed archive cannot be entered where its earlier version ended: it is taken
    whole, and the user is told what that means for pages and errors."""
    import gzip

    lines = _longest(folder)
    live = folder / "live.jsonl.gz"
    live.write_bytes(gzip.compress(b"".join(lines[: len(lines) // 2])))
    ran = twxdata("flatten", live.name, "-o", "ds/", "--engine", "dask", "-q", cwd=folder)
    assert ran.returncode == 0 and "warning" not in ran.stderr, ran.stderr
    live.write_bytes(gzip.compress(b"".join(lines)))
    again = twxdata("flatten", live.name, "-o", "ds/", "--engine", "dask", "-q", cwd=folder)
    assert again.returncode == 0, again.stderr
    assert "warning: live.jsonl.gz: the dataset held an earlier version" in again.stderr
    assert "earlier pages and errors twice" in again.stderr
    monkeypatch.chdir(folder)  # the file named as the command's runs named it
    live.write_bytes(gzip.compress(b"".join(lines + lines[:1])))
    with pytest.warns(DataWarning, match="earlier version"):
        scale.flatten([live.name], "ds")
