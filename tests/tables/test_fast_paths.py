"""The fast roads give exactly the tables of the reference roads they shortcut.

- ``conform`` and ``cast_leaves`` (casting only the leaves whose type changes) against
  Arrow's cast, of whole pages and of the objects taken out of them;
- a mixed chunk unified in its bytes and read at once against the line-by-line road;
- chunks parsed in parallel threads against one thread;
- ids remembered as numbers in sorted runs against a plain set;

on the real recordings (mixed into one archive, in small chunks) and on generated pages.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tables.conftest import recorded_pages
from tables.test_properties import pages as generated_pages

from twxdata.tables import TABLE_NAMES, iter_batches, pipeline, unify
from twxdata.tables import parse as parse_module
from twxdata.tables.context import ChunkContext
from twxdata.tables.dedup import Seen
from twxdata.tables.lines import Chunk, ErrorPolicy, chunks_from_file, split_lines
from twxdata.tables.objects import MEDIA, PLACE, POLL, TWEET, USER
from twxdata.tables.parse import PageRows, ParseState, cast_leaves, parse_chunk

_INCLUDED = [("users", USER), ("tweets", TWEET), ("media", MEDIA), ("places", PLACE),
             ("polls", POLL)]  # fmt: skip


def _archive(real: Path, tmp_path: Path) -> Path:
    """Every real recording as one archive of JSON lines: pages of every shape, single
    objects, 2022 and 2023 pages (a count sent as "4" and as 4), stream messages, flattened
    posts, compliance records, a truncated line."""
    files = [
        *sorted((real / "twarc2-pages").glob("*.jsonl")),
        *sorted((real / "academictwitteR").glob("[0-9]*.json")),
    ]
    lines = []
    for path in files:
        lines += [json.dumps(page) for page in recorded_pages(path)]
    lines.insert(len(lines) // 2, '{"data": [{"id": "1", "te')  # a corrupt line mid-way
    out = tmp_path / "mixed.jsonl"
    out.write_text("\n".join(lines) + "\n")
    return out


def _reference_rows(chunk: Chunk) -> PageRows | None:
    """The line-by-line road: single objects made lists line by line, halved until read."""
    policy, fixes = ErrorPolicy("skip"), unify.Fixes()
    lines = [(n, unify.data_as_list(raw)) for n, raw in split_lines(chunk)]
    parts = parse_module._bisect(lines, chunk.source, policy, fixes)
    return parse_module._joined(parts, lines, chunk.source, policy)


def _same_rows(a: PageRows | None, b: PageRows | None) -> None:
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        assert a.table.equals(b.table)
        assert a.lines.tolist() == b.lines.tolist()


@pytest.mark.parametrize("chunk_bytes", [20_000, 300_000])
def test_mixed_chunks_read_at_once_match_the_line_by_line_road(
    real: Path, tmp_path: Path, chunk_bytes: int
) -> None:
    path = _archive(real, tmp_path)
    state = ParseState(mixed={str(path)})  # every chunk takes the mixed road
    chunks = list(chunks_from_file(path, ErrorPolicy("skip"), chunk_bytes))
    assert len(chunks) > 3
    for chunk in chunks:
        _same_rows(parse_chunk(chunk, ErrorPolicy("skip"), state), _reference_rows(chunk))


def _lists_line_by_line(data: bytes) -> bytes:
    return b"\n".join(unify.data_as_list(line) for line in data.split(b"\n"))


def test_single_objects_become_lists_as_line_by_line(real: Path, tmp_path: Path) -> None:
    data = _archive(real, tmp_path).read_bytes()
    unified = unify.with_data_lists(data)
    assert unified == _lists_line_by_line(data)
    assert unified != data  # the recordings hold single-object lookups and stream messages


def test_one_pass_unifying_matches_lists_then_rules(real: Path, tmp_path: Path) -> None:
    path = _archive(real, tmp_path)
    fixes = unify.Fixes()
    message = "Column(/data/[]/edit_controls/edits_remaining) changed from number to string"
    assert fixes.learn(message, 0)
    assert fixes.learn("Column(/includes/users/[]/id) changed from string to number", 1)
    data = path.read_bytes()
    expected, _ = fixes.apply(unify.with_data_lists(data))
    assert unify.unified(data, fixes) == (expected, 2) and expected != data
    for chunk in chunks_from_file(path, ErrorPolicy("skip"), 200_000):  # memoryviews
        assert isinstance(chunk.data, memoryview)
        one, _ = unify.unified(chunk.data, fixes)
        assert bytes(one) == fixes.apply(unify.with_data_lists(bytes(chunk.data)))[0]


def test_conform_matches_arrows_cast(real: Path) -> None:
    checked = 0
    for path in sorted((real / "twarc2-pages").glob("*.jsonl")):
        for line in path.read_bytes().splitlines():
            try:
                table = parse_module._read(line, len(line) + 1, parse_module.pj.ParseOptions())
            except pa.ArrowInvalid:
                continue  # the truncated stream line
            checked += _conform_matches_cast(table)
    assert checked > 50


def _conform_matches_cast(table: pa.Table) -> bool:
    """Whether ``conform`` was compared with Arrow's cast (the slow road's cases are not)."""
    try:
        schema = parse_module._documented_schema(table.schema)
    except parse_module.LossyInference:
        return False  # a flattened post (created_at at the top)
    try:
        expected = table.cast(schema)
    except pa.ArrowNotImplementedError:  # data as one object
        with pytest.raises(pa.ArrowNotImplementedError):
            parse_module.conform(table)
        return False
    got = parse_module.conform(table)
    assert got.schema.equals(expected.schema) and got.equals(expected)
    return True


def test_objects_taken_out_of_pages_match_arrows_cast(real: Path, tmp_path: Path) -> None:
    path = _archive(real, tmp_path)
    compared = 0
    for chunk in chunks_from_file(path, ErrorPolicy("skip"), 300_000):
        rows = parse_chunk(chunk, ErrorPolicy("skip"))
        if rows is None:
            continue
        ctx = ChunkContext(rows)
        for raw, target in [
            (ctx.items, TWEET),
            (ctx.items, USER),
            *((ctx._included(kind)[0], t) for kind, t in _INCLUDED),
        ]:
            if len(raw) and pa.types.is_struct(raw.type):
                assert cast_leaves(raw, target).equals(raw.cast(target))
                compared += 1
    assert compared > 20


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_pages(), st.booleans())
def test_generated_pages_take_every_road_to_the_same_rows(
    generated: list[dict[str, Any]], single: bool
) -> None:
    if single and generated[0]["data"]:  # a lookup's single object among the lists
        generated[0] = {**generated[0], "data": generated[0]["data"][0]}
    data = b"".join(json.dumps(p).encode() + b"\n" for p in generated)
    assert unify.with_data_lists(data) == _lists_line_by_line(data)
    fixes = unify.Fixes()
    fixes.learn("Column(/data/[]/public_metrics/like_count) changed from number to string", 0)
    assert unify.unified(data, fixes)[0] == fixes.apply(_lists_line_by_line(data))[0]
    chunk = Chunk(data, "gen", 1)
    try:  # a new field sent as a number here and as text there stops the reader: no cast
        table = parse_module._read(data, len(data) + 1, parse_module.pj.ParseOptions())
    except pa.ArrowInvalid:
        table = None
    if table is not None:
        _conform_matches_cast(table)
    mixed = parse_chunk(chunk, ErrorPolicy("skip"), ParseState(mixed={"gen"}))
    _same_rows(mixed, _reference_rows(chunk))


def _all_batches(path: Path, chunk_bytes: int) -> dict[str, pa.Table]:
    parts: dict[str, list[pa.Table]] = {}
    policy = ErrorPolicy("skip")
    for batch in iter_batches([path], chunk_bytes=chunk_bytes, policy=policy):
        for name, table in batch.items():
            parts.setdefault(name, []).append(table)
    assert [e.line for e in policy.skipped]  # the corrupt line, reported in both runs
    return {name: pa.concat_tables(tables).combine_chunks() for name, tables in parts.items()}


def test_parallel_parsing_gives_the_sequential_tables(
    real: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _archive(real, tmp_path)
    parallel = _all_batches(path, 50_000)
    monkeypatch.setattr(pipeline, "WORKERS", 1)
    sequential = _all_batches(path, 50_000)
    assert set(parallel) == set(sequential) == set(TABLE_NAMES)
    for name in TABLE_NAMES:
        assert parallel[name].equals(sequential[name]), name
    assert parallel["tweets"].num_rows > 200


_IDS = st.one_of(
    st.integers(min_value=0, max_value=2**64).map(str),  # past int64 too: kept as text
    st.sampled_from(["00", "01", "-1", "+5", " 7", "3_44", "abc", ""]),
    st.none(),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_IDS, max_size=30), max_size=6))
def test_ids_seen_as_numbers_or_text_match_a_set(batches: list[list[str | None]]) -> None:
    seen, known = Seen(), set()
    for ids in batches:
        expected, here = [], set()
        for i in ids:
            expected.append(i is None or (i not in known and i not in here))
            here.add(i)
        assert seen.keep(pa.array(ids, pa.string())).tolist() == expected
        known |= here - {None}
    assert len(seen) == len(known)


def test_bad_lines_are_reported_in_input_order_from_parallel_chunks(tmp_path: Path) -> None:
    lines = [json.dumps({"data": [{"id": str(i), "text": "x"}]}) for i in range(400)]
    for bad in (350, 120, 7):
        lines[bad] = "{broken"
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    policy = ErrorPolicy("skip")
    rows = sum(b["tweets"].num_rows for b in iter_batches([path], chunk_bytes=600, policy=policy))
    assert rows == 397
    assert [e.line for e in policy.skipped] == [8, 121, 351]


def test_workers_stop_when_the_reader_stops_early(tmp_path: Path) -> None:
    lines = [json.dumps({"data": [{"id": str(i), "text": "x"}]}) for i in range(400)]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n")
    batches = iter_batches([path], chunk_bytes=600)
    assert next(batches)["tweets"].num_rows > 0
    assert any(t.name.startswith("twxdata-parse") for t in threading.enumerate())
    batches.close()
    assert not any(t.name.startswith("twxdata-parse") for t in threading.enumerate())


def test_a_failure_in_a_worker_is_raised_at_its_item_in_order() -> None:
    def halve(n: int) -> int:
        if n == 5:
            raise RuntimeError("five")
        return n // 2

    got: list[int] = []
    with pytest.raises(RuntimeError, match="five"):
        for value in pipeline.ordered_map(halve, iter(range(40)), workers=2):
            got.append(value)
    assert got == [n // 2 for n in range(5)]


def test_the_library_leaves_the_process_as_it_found_it(tmp_path: Path) -> None:
    # The switch interval and the garbage collector are the user's process state: flattening
    # (in threads) and collecting change neither; only the command line tunes its own process.
    import gc

    def state() -> tuple[float, bool, int]:
        return sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count()

    before = state()
    seen: list[tuple[float, bool, int]] = []

    def note(n: int) -> int:
        seen.append(state())
        return n

    assert list(pipeline.ordered_map(note, iter(range(6)), workers=2)) == list(range(6))
    assert set(seen) == {before} and state() == before


def test_the_command_line_tunes_its_own_process_and_restores_it(tmp_path: Path) -> None:
    import gc

    from twxdata.cli import main
    from twxdata.cli.process import SWITCH_INTERVAL, tuned

    before = (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count())
    with tuned(collect_garbage=False):
        assert sys.getswitchinterval() == min(SWITCH_INTERVAL, before[0])
        assert not gc.isenabled() and gc.get_freeze_count() > 0
    assert (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count()) == before
    with pytest.raises(KeyError), tuned():
        raise KeyError("a failed run restores it too")
    assert (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count()) == before
    archive = tmp_path / "a.jsonl"
    archive.write_text('{"data": [{"id": "1", "text": "x"}]}\n')
    assert main(["flatten", str(archive), "-o", str(tmp_path / "o.parquet"), "-q"]) == 0
    assert main(["flatten", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "x.parquet")]) == 2
    assert (sys.getswitchinterval(), gc.isenabled(), gc.get_freeze_count()) == before
