"""A collection's tables are never replaced by accident (``twxdata.cli.replacing``).

Every case runs the ``twxdata`` command in a subprocess against the fake X API and checks the
existing table's bytes, and that a refused run sent no request at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import twxdata
from twxdata.testing import FakeXApi


@pytest.fixture(scope="module")
def api():
    with FakeXApi(seed=21, size=3_000) as server:
        yield server


def cli(api: FakeXApi, *args: object) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {
        "TWXDATA_CONFIG_DIR": os.environ["TWXDATA_CONFIG_DIR"],
        "TWXDATA_CACHE_DIR": os.environ["TWXDATA_CACHE_DIR"],
        "TWXDATA_BEARER_TOKEN": api.bearer_token,
        "TWXDATA_API_BASE": api.url,
    }
    return subprocess.run(
        [sys.executable, "-m", "twxdata", *map(str, args)], capture_output=True, env=env,
        timeout=180,
    )  # fmt: skip


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refused(api: FakeXApi, *args: object) -> str:
    """Run a command that must be refused before any request; its one line."""
    before = api.stats.total
    result = cli(api, *args)
    text = result.stderr.decode()
    assert result.returncode == 2, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    assert api.stats.total == before, "a refused run sent a request"
    return text


def test_another_collection_never_replaces_a_table(api, tmp_path):
    out = tmp_path / "climate.parquet"
    assert cli(api, "search", "climate", "--limit", "40", "-o", out, "-q").returncode == 0
    kept = digest(out)
    line = refused(api, "search", "energy", "--limit", "40", "-o", out)
    assert f'-o {out}: holds another collection, search "climate" (' in line
    assert "--replace" in line
    # The same verb with another limit, and another verb, are other collections too.
    refused(api, "search", "climate", "--limit", "41", "-o", out)
    refused(api, "timeline", "12", "-o", out)
    assert digest(out) == kept


def test_running_a_completed_collection_again_is_refused_as_paying_twice(api, tmp_path):
    out = tmp_path / "t.parquet"
    assert cli(api, "search", "wind", "--limit", "30", "-o", out, "-q").returncode == 0
    kept = digest(out)
    line = refused(api, "search", "wind", "--limit", "30", "-o", out)
    assert "already holds this collection" in line and "pay for it again" in line
    assert digest(out) == kept


def test_replace_is_the_users_word_and_a_folder_then_holds_one_collection(api, tmp_path):
    folder = tmp_path / "tables"
    assert cli(api, "search", "climate", "--limit", "60", "-o", f"{folder}/", "-q").returncode == 0
    before = {p.name for p in folder.iterdir()}
    assert {"tweets.parquet", "users.parquet"} <= before
    user = api.corpus.user(0)["id"]
    refused(api, "followers", user, "--limit", "20", "-o", f"{folder}/")
    done = cli(api, "followers", user, "--limit", "20", "-o", f"{folder}/", "--replace")
    assert done.returncode == 0, done.stderr
    for path in folder.iterdir():  # no table of the search is left beside the followers
        held = twxdata.read_parquet(path).attrs["twxdata"]
        assert held["collection"]["kind"] == "followers", path.name
    assert (folder / "users.parquet").exists()


def test_a_file_not_written_by_a_collection_is_left_alone(api, tmp_path):
    mine = tmp_path / "mine.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(mine)
    notes = tmp_path / "notes.csv"
    notes.write_text("id,note\n1,keep me\n")
    kept = digest(mine), digest(notes)
    assert "not written by a twxdata collection" in refused(api, "search", "x", "-o", mine)
    assert "CSV file keeps no record" in refused(api, "search", "x", "-o", notes)
    assert (digest(mine), digest(notes)) == kept


def test_a_capped_run_continues_into_its_own_table(api, tmp_path):
    out = tmp_path / "capped.parquet"
    args = ("search", "the", "--limit", "80", "--max-results", "10", "-o", out, "-q")
    first = cli(api, *args, "--max-cost", "0.2")
    assert first.returncode == 0, first.stderr
    assert twxdata.read_parquet(out).attrs["twxdata"]["complete"] is False
    pages, had = api.stats.pages, len(twxdata.read_parquet(out))
    again = cli(api, *args, "--max-cost", "5")
    assert again.returncode == 0, again.stderr
    assert 0 < had < 80 and api.stats.pages - pages == (80 - had) // 10  # no page twice
    assert len(twxdata.read_parquet(out)) == 80


def test_a_complete_raw_archive_rewrites_its_table_for_free(api, tmp_path):
    out, raw = tmp_path / "o.csv", tmp_path / "r.jsonl"
    args = ("search", "rain", "--limit", "30", "--raw", raw, "-o", out, "-q")
    assert cli(api, *args).returncode == 0
    first, before = pd.read_csv(out), api.stats.total
    again = cli(api, *args)
    assert again.returncode == 0, again.stderr
    assert api.stats.total == before  # nothing asked: the archive was complete
    assert pd.read_csv(out).equals(first) and len(first)


def test_an_interrupted_run_resumes_into_the_table_of_its_first_run(tmp_path):
    """Interrupted after a table exists (from a capped run): the rerun continues the spool."""
    with FakeXApi(seed=22, size=3_000, window=8.0, limits=2) as server:
        out = tmp_path / "o.parquet"
        args = ["search", "the", "--max-results", "10", "--max-pages", "4", "-o", str(out)]
        capped = cli(server, *args, "--max-cost", "0.1", "-q")
        assert capped.returncode == 0, capped.stderr
        env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
        env |= {"TWXDATA_BEARER_TOKEN": server.bearer_token, "TWXDATA_API_BASE": server.url,
                "TWXDATA_CONFIG_DIR": os.environ["TWXDATA_CONFIG_DIR"],
                "TWXDATA_CACHE_DIR": os.environ["TWXDATA_CACHE_DIR"]}  # fmt: skip
        process = subprocess.Popen(
            [sys.executable, "-m", "twxdata", *args, "--max-cost", "1"],
            stderr=subprocess.PIPE, env=env,
        )  # fmt: skip
        assert process.stderr is not None
        for line in process.stderr:
            if b"window spent" in line:
                break
        process.send_signal(signal.SIGINT)
        process.stderr.read()
        assert process.wait(timeout=60) == 130
        again = cli(server, *args, "--max-cost", "1", "-q")
    assert again.returncode == 0, again.stderr
    assert len(twxdata.read_parquet(out)) == 40


@pytest.mark.parametrize("parallel", [[], ["--workers", "2"]], ids=["one process", "workers"])
def test_flatten_never_replaces_rows_that_exist_nowhere_else(api, tmp_path, parallel):
    paid, folder, raw = tmp_path / "paid.parquet", tmp_path / "nasa", tmp_path / "m.jsonl"
    assert cli(api, "search", "climate", "--limit", "40", "-o", paid, "-q").returncode == 0
    assert cli(api, "search", "music", "--limit", "20", "-o", f"{folder}/", "-q").returncode == 0
    assert cli(api, "search", "music", "--limit", "20", "--raw", raw, "-q").returncode == 0
    kept = {path: digest(path) for path in [paid, *folder.iterdir()]}
    text = refused(api, "flatten", raw, "-o", paid, *parallel)
    assert re.search(r'paid\.parquet: holds search "climate" \(\d+ rows, written', text)
    assert "--replace" in text
    assert "holds search" in refused(api, "flatten", raw, "-o", f"{folder}/", *parallel)
    assert {path: digest(path) for path in kept} == kept
    # A table flattened from files still there is made again by flattening them again.
    flat = tmp_path / "flat.parquet"
    for _ in range(2):
        assert cli(api, "flatten", raw, "-o", flat, "-q", *parallel).returncode == 0
    moved = raw.rename(tmp_path / "elsewhere.jsonl")
    other = tmp_path / "other.jsonl"
    assert cli(api, "search", "art", "--limit", "10", "--raw", other, "-q").returncode == 0
    text = refused(api, "flatten", other, "-o", flat, *parallel)
    assert "m.jsonl, which is no longer there as it was" in text
    # The moved archive is named: the rows are still there, in it.
    assert cli(api, "flatten", moved, "-o", flat, "-q", *parallel).returncode == 0
    # CSV keeps no provenance; and a file twxdata did not write is the user's.
    table = tmp_path / "t.csv"
    assert cli(api, "flatten", moved, "-o", table, "-q").returncode == 0
    assert "a CSV file keeps no record" in refused(api, "flatten", moved, "-o", table, *parallel)
    own = tmp_path / "own.parquet"
    pd.DataFrame({"x": [1]}).to_parquet(own)
    assert "not written by twxdata" in refused(api, "flatten", moved, "-o", own, *parallel)
    # The user's word replaces it.
    assert cli(api, "flatten", moved, "-o", paid, "--replace", "-q", *parallel).returncode == 0
    assert len(pd.read_parquet(paid)) == 20


def test_flatten_makes_its_own_table_again_from_anywhere_unless_the_bytes_changed(api, tmp_path):
    raw, sub = tmp_path / "m.jsonl", tmp_path / "sub"
    assert cli(api, "search", "music", "--limit", "40", "--raw", raw, "-q").returncode == 0
    sub.mkdir()
    out = tmp_path / "t.parquet"
    here = subprocess.run  # the same command, from another folder, with other names for it

    def flatten(source: str, target: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
        return here([sys.executable, "-m", "twxdata", "flatten", source, "-o", target, "-q"],
                    capture_output=True, cwd=cwd, timeout=180)  # fmt: skip

    assert flatten("../m.jsonl", "../t.parquet", sub).returncode == 0
    assert flatten("m.jsonl", "t.parquet", tmp_path).returncode == 0
    assert flatten(str(raw), str(out), Path("/")).returncode == 0
    # Appended to (a resumed collection): the rows are still there, and more.
    with raw.open("ab") as file:
        file.write(raw.read_bytes().splitlines(keepends=True)[0])
    assert flatten("m.jsonl", "t.parquet", tmp_path).returncode == 0
    # Cut short: rows the table holds exist nowhere else any more.
    kept = digest(out)
    raw.write_bytes(raw.read_bytes().splitlines(keepends=True)[0])
    result = flatten("m.jsonl", "t.parquet", tmp_path)
    assert result.returncode == 2 and b"no longer there as it was" in result.stderr
    assert digest(out) == kept
