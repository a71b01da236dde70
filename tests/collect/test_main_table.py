"""The main table built while pages arrive equals the table built from all pages at once."""

from __future__ import annotations

import orjson
import pytest
from helpers.shared import REAL

from twxdata.collect.main_table import MainTable
from twxdata.tables import flatten


def pages_from(name):
    path = REAL / "twarc2-pages" / name
    if not path.exists():
        pytest.skip("../shared is absent")
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@pytest.mark.parametrize("name", ["brexit.jsonl", "noflat.jsonl", "edited.jsonl"])
def test_batches_equal_one_pass_on_real_pages(name):
    pages = pages_from(name)
    pages = pages + pages[:3]  # duplicates across batches: the first occurrence must win
    main = MainTable("tweets", per_stream=False)
    for page in pages:
        main.add(page)
        if len(main._pending) >= 3:  # digest in small, uneven batches
            main._digest()
    assert main.table([""]).equals(flatten(pages, tables=["tweets"]).tweets)


def test_fan_out_keeps_one_row_per_stream_and_item():
    a = {"data": [{"id": "1", "text": "x"}, {"id": "2", "text": "y"}], "__twxdata": {"stream": "a"}}
    b = {"data": [{"id": "2", "text": "y"}], "__twxdata": {"stream": "b"}}
    again = {"data": [{"id": "1", "text": "x"}], "__twxdata": {"stream": "a"}}
    main = MainTable("tweets", per_stream=True)
    for page in (a, b, again):
        main.add(page)
        main._digest()
    table = main.table(["a", "b"])
    assert list(
        zip(
            table.column("__twxdata.stream").to_pylist(),
            table.column("id").to_pylist(),
            strict=True,
        )
    ) == [("a", "1"), ("a", "2"), ("b", "2")]
