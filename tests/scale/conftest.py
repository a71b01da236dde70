"""Inputs shared by the scale tests: real recorded responses, overlapping, some compressed,
and the single-machine flatten of them to compare against."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from twxdata.tables import read_jsonl
from twxdata.tables.names import TABLE_NAMES
from twxdata.tables.schema import SCHEMAS

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real-api" / "twarc2-pages"


def good_lines(name: str) -> list[bytes]:
    lines = []
    for line in (REAL / f"{name}.jsonl").read_bytes().splitlines():
        try:
            orjson.loads(line)
        except orjson.JSONDecodeError:
            continue  # the recorded stream ends with a cut line
        lines.append(line)
    return lines


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    if not REAL.is_dir():
        pytest.skip("../shared/real-api is absent")
    zstandard = pytest.importorskip("zstandard")
    folder = tmp_path_factory.mktemp("inputs")
    brexit = good_lines("brexit")
    files = {
        "a-brexit.jsonl": brexit,
        "b-overlap.jsonl.gz": brexit[len(brexit) // 2 :] + good_lines("edited_after"),
        "c-mixed.jsonl.zst": good_lines("noflat") + good_lines("geo_tweets")
        + good_lines("edited_before") + good_lines("mentions_tweet"),
        "d-users.jsonl": good_lines("users") + good_lines("lists") + good_lines("counts")
        + good_lines("streaming_output_with_error") + good_lines("media_tweet"),
        "e-same-as-a.jsonl": brexit,
    }  # fmt: skip
    for name, lines in files.items():
        data = b"\n".join(lines) + b"\n"
        if name.endswith(".gz"):
            data = gzip.compress(data)
        elif name.endswith(".zst"):
            data = zstandard.ZstdCompressor().compress(data)
        (folder / name).write_bytes(data)
    return [str(folder / name) for name in files]


def canonical(table: pa.Table) -> list[bytes]:
    """The rows as sorted JSON texts: equal tables, equal lists, whatever the row order."""
    rows = table.to_pylist()
    return sorted(orjson.dumps(r, default=str, option=orjson.OPT_SORT_KEYS) for r in rows)


def dataset_table(root: Path, name: str) -> pa.Table | None:
    files = sorted((root / name).rglob("*.parquet"))
    if not files:
        return None
    for file in files:  # every file keeps the fixed schema, all-null columns included
        assert pq.read_schema(file).remove_metadata() == SCHEMAS[name].remove_metadata(), file
    return pa.concat_tables(pq.read_table(f, schema=SCHEMAS[name]) for f in files)


def assert_same(expected, root: Path) -> None:
    for name in TABLE_NAMES:
        want = expected[name]
        got = dataset_table(root, name)
        if want.num_rows == 0:
            assert got is None, name
            continue
        assert got is not None, name
        assert got.schema.remove_metadata() == want.schema.remove_metadata(), name
        assert got.num_rows == want.num_rows, name
        assert canonical(got) == canonical(want), name


@pytest.fixture(scope="module")
def single(inputs):
    return read_jsonl(*inputs)
