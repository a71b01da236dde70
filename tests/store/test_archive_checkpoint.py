"""The archive and checkpoint on their own: torn lines, corrupt lines, atomic saves."""

from __future__ import annotations

import os
import stat

import pytest

from twxdata.atomic import atomic_write_bytes, remove_stale_temporaries
from twxdata.errors import DataError
from twxdata.store.archive import Archive
from twxdata.store.checkpoint import Checkpoint, StreamPosition, spec_differences


@pytest.mark.parametrize(
    ("content", "kept", "removed"),
    [
        (b'{"a":1}\n{"b":2}\n', b'{"a":1}\n{"b":2}\n', None),
        (b'{"a":1}\n{"b":', b'{"a":1}\n', 5),
        (b'{"a":1}\n{"b":2}', b'{"a":1}\n', 7),  # complete JSON but no newline: not durable
        (b'{"a":1}\n{"b":2\n', b'{"a":1}\n', 7),
        (b'{"a', b"", 3),
        (b"", b"", None),
    ],
)
def test_repair_cuts_only_a_torn_last_line(tmp_path, content, kept, removed):
    path = tmp_path / "raw.jsonl"
    path.write_bytes(content)
    repair = Archive(path).repair()
    assert path.read_bytes() == kept
    assert (repair.bytes_removed if repair else None) == removed


def test_corrupt_line_in_the_middle_is_an_error_naming_file_and_line(tmp_path):
    path = tmp_path / "raw.jsonl"
    path.write_bytes(b'{"a":1}\nnot json\n{"b":2}\n')
    with pytest.raises(DataError, match=r"raw\.jsonl:2: not JSON"):
        list(Archive(path).lines())
    path.write_bytes(b'{"a":1}\n[1,2]\n')
    with pytest.raises(DataError, match=r"raw\.jsonl:2: not a JSON object"):
        list(Archive(path).lines())


def test_checkpoint_round_trip_and_fingerprint(tmp_path):
    cp = Checkpoint(spec={"kind": "search", "targets": ["a", "b"], "limit": 5})
    cp.streams["a"] = StreamPosition(token="t1", items=3, pages=1)
    cp.requests["a"] = {"path": {}, "params": {"query": "a", "start_time": "2024-01-01T00:00:00Z"}}
    path = Checkpoint.path_for(tmp_path / "raw.jsonl")
    assert path.name == "raw.jsonl.checkpoint.json"
    cp.save(path)
    back = Checkpoint.load(path)
    assert back.spec == cp.spec and back.fingerprint == cp.fingerprint
    assert back.streams["a"] == StreamPosition("t1", 3, 1, False)
    assert back.requests == cp.requests and not back.finished
    other = Checkpoint(spec={"kind": "search", "targets": ["a", "b"], "limit": 6})
    assert other.fingerprint != cp.fingerprint
    assert spec_differences(cp.spec, other.spec) == ["limit: 5 -> 6"]


def test_broken_checkpoint_is_a_data_error(tmp_path):
    path = tmp_path / "x.checkpoint.json"
    path.write_text("{")
    with pytest.raises(DataError, match="not a usable twxdata checkpoint"):
        Checkpoint.load(path)


def test_atomic_write_mode_and_stale_temporaries(tmp_path):
    target = tmp_path / "state.json"
    dead = tmp_path / ".state.json.999999999.abc.twxdata-tmp"
    dead.write_text("half")
    live = tmp_path / f".state.json.{os.getpid()}.xyz.twxdata-tmp"
    live.write_text("mine")
    atomic_write_bytes(target, b"{}", mode=0o600)
    assert target.read_bytes() == b"{}"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert not dead.exists() and live.exists()
    assert remove_stale_temporaries(target) == []
