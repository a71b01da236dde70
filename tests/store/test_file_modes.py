"""Files we write get the permissions any new file of the user gets (their umask), except
credentials (0600); outputs are synced and left whole, and dead writers' leftovers go."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from twxdata.atomic import PendingFile, atomic_write_bytes, umask
from twxdata.cli import main
from twxdata.tables import SCHEMAS, TableWriter
from twxdata.tables.values import empty_table

PAGE = b'{"data": [{"id": "1", "text": "hi", "author_id": "9"}]}\n'


@pytest.fixture(params=[0o022, 0o027, 0o077])
def user_umask(request: pytest.FixtureRequest) -> Iterator[int]:
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_umask_is_read_without_being_changed(user_umask: int) -> None:
    assert umask() == user_umask
    assert umask() == user_umask


def test_atomic_files_get_a_new_files_mode(tmp_path: Path, user_umask: int) -> None:
    target = tmp_path / "a.json"
    atomic_write_bytes(target, b"{}")
    assert mode_of(target) == 0o666 & ~user_umask
    atomic_write_bytes(tmp_path / "secret.json", b"{}", mode=0o600)
    assert mode_of(tmp_path / "secret.json") == 0o600


def test_flatten_output_is_readable_as_the_umask_allows(tmp_path: Path, user_umask: int) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(PAGE)
    assert main(["flatten", str(source), "-o", str(tmp_path / "out.parquet"), "-q"]) == 0
    assert main(["flatten", str(source), "-o", str(tmp_path / "all") + "/", "-q"]) == 0
    assert mode_of(tmp_path / "out.parquet") == 0o666 & ~user_umask
    assert {mode_of(p) for p in (tmp_path / "all").iterdir()} == {0o666 & ~user_umask}
    assert not list(tmp_path.rglob("*twxdata-tmp*"))


def test_a_dead_writers_leftover_is_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "tweets.parquet"
    dead = tmp_path / ".tweets.parquet.999999999.abc.twxdata-tmp"
    live = tmp_path / f".tweets.parquet.{os.getpid()}.xyz.twxdata-tmp"
    dead.write_bytes(b"half")
    live.write_bytes(b"busy")
    with TableWriter(target, SCHEMAS["tweets"], name="tweets") as writer:
        writer.write(empty_table(SCHEMAS["tweets"]))
    assert not dead.exists() and live.exists()
    assert pq.read_table(target).num_rows == 0


def test_an_aborted_pending_file_leaves_the_old_version(tmp_path: Path) -> None:
    target = tmp_path / "t.txt"
    target.write_text("old")
    pending = PendingFile(target)
    pending.path.write_text("new, half written")
    pending.abort()
    assert target.read_text() == "old" and not pending.path.exists()
