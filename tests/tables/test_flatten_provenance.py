"""``twxdata flatten`` writes provenance into every Parquet file: the inputs (size, SHA-256),
what their pages say, and the collection's parameters when its checkpoint is beside it."""

from __future__ import annotations

import asyncio
import hashlib
import io
import sys
from datetime import datetime, timezone
from pathlib import Path

import orjson
import pytest
from helpers.shared import need_shared, recordings

import twxdata
from twxdata.cli import main
from twxdata.store.archive import Archive
from twxdata.store.checkpoint import Checkpoint
from twxdata.store.provenance import ProvenanceBuilder, read_provenance
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
# What the pages themselves say: the same whether read from the archive or from its tables.
FROM_PAGES = ("pages", "items", "partial_errors", "endpoints", "queries", "streams",
              "time_window", "retrieved", "api_meta")  # fmt: skip


def from_archive(path: Path) -> dict:
    builder = ProvenanceBuilder()
    for _, response in Archive(path).lines():
        builder.add(response)
    return builder.build(table="-", rows=0)


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("collected")
    raw = folder / "climate.jsonl"

    async def collect(api: FakeXApi) -> None:
        async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.collect_search(
                ["climate", "python"], limit=150, raw=raw, client=client, progress=False
            )

    with FakeXApi(Corpus(seed=5, size=5_000, end=END)) as api:
        asyncio.run(collect(api))
    return raw


@pytest.mark.filterwarnings("ignore::twxdata.collect.call.PartialErrors")
def test_every_output_file_tells_what_it_was_made_from(
    collected: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tables"
    assert main(["flatten", str(collected), "-o", f"{out}/", "-q"]) == 0
    expected = from_archive(collected)
    spec = Checkpoint.load(Checkpoint.path_for(collected)).spec
    digest = hashlib.sha256(collected.read_bytes()).hexdigest()
    for name in ("tweets", "users", "errors"):
        record = read_provenance(out / f"{name}.parquet")
        assert record is not None
        assert record["table"] == name
        assert record["rows"] == twxdata.read_parquet(out / f"{name}.parquet").shape[0]
        assert {k: record[k] for k in FROM_PAGES} == {k: expected[k] for k in FROM_PAGES}
        assert record["collection"] == spec
        assert record["sources"] == [
            {"file": str(collected), "bytes": collected.stat().st_size, "sha256": digest}
        ]
    assert set(expected["queries"]) == {"climate", "python"} and expected["pages"] >= 2
    frame = twxdata.read_parquet(out / "tweets.parquet")
    assert frame.attrs["twxdata"]["sources"][0]["sha256"] == digest
    capsys.readouterr()
    assert main(["info", str(out / "tweets.parquet")]) == 0
    shown = capsys.readouterr().out
    assert f"    - bytes: {collected.stat().st_size}\n" in shown
    assert f"      sha256: {digest}\n" in shown


def test_stdin_and_several_inputs(
    collected: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other.jsonl"
    other.write_bytes(collected.read_bytes().splitlines(keepends=True)[0])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(collected.read_bytes())))
    out = tmp_path / "t.parquet"
    assert main(["flatten", str(other), "-", "-o", str(out), "-q"]) == 0
    record = read_provenance(out)
    assert record is not None
    assert [s["file"] for s in record["sources"]] == [str(other), "-"]
    # Two archives of one collection share its spec; pages count both inputs.
    assert record["pages"] == from_archive(collected)["pages"] + 1


def test_csv_output_is_written_without_provenance(collected: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    assert main(["flatten", str(collected), "-o", str(out), "-q"]) == 0
    assert out.read_text().startswith('"id",')


@pytest.mark.parametrize("source", recordings("twarc2-pages", "*.jsonl"))
def test_twarc2_archives_give_the_same_provenance_as_their_lines(
    source: Path, tmp_path: Path
) -> None:
    need_shared()
    name = source.name
    good = tmp_path / name  # twarc's recordings as they are, minus a cut last line if any
    lines = [x for x in source.read_bytes().splitlines() if _is_json(x)]
    good.write_bytes(b"\n".join(lines) + b"\n")
    out = tmp_path / "t.parquet"
    assert main(["flatten", str(good), "-o", str(out), "-q"]) == 0
    record = read_provenance(out)
    expected = from_archive(good)
    assert record is not None
    if name == "flat.jsonl":  # twarc's flattened lines: a post per line, not responses
        expected["items"] = len(lines)
    assert {k: record[k] for k in FROM_PAGES} == {k: expected[k] for k in FROM_PAGES}
    assert record["collection"] is None


def _is_json(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def test_an_input_that_grows_while_read_is_marked(tmp_path: Path) -> None:
    from twxdata.cli.flatten import _checked
    from twxdata.store.provenance import source_record

    archive = tmp_path / "live.jsonl"
    archive.write_bytes(b'{"data": []}\n')
    record = source_record(archive)
    assert _checked(record) == record
    with archive.open("ab") as more:  # the collection appended a page meanwhile
        more.write(b'{"data": []}\n')
    assert _checked(record) == {**record, "changed_while_read": True}


def test_total_tweet_count_is_said_only_when_counts_pages_give_it(tmp_path: Path) -> None:
    # A search's pages carry no total: "0" would read as "nothing matched".
    search = {"data": [{"id": "1", "text": "a"}], "meta": {"result_count": 1}}
    counts = {"data": [{"start": "2024-01-01T00:00:00.000Z", "end": "2024-01-02T00:00:00.000Z",
                        "tweet_count": 5}], "meta": {"total_tweet_count": 5}}  # fmt: skip
    for pages, total in (([search], None), ([search, counts, counts], 10)):
        archive = tmp_path / "a.jsonl"
        archive.write_bytes(b"".join(orjson.dumps(p) + b"\n" for p in pages))
        out = tmp_path / "t.parquet"
        assert main(["flatten", str(archive), "-o", str(out)]) == 0
        record = read_provenance(out)
        assert record is not None and record["api_meta"]["total_tweet_count"] == total
        built = ProvenanceBuilder().add_all(pages).build(table="x", rows=0)
        assert built["api_meta"]["total_tweet_count"] == total  # the same from the pages
