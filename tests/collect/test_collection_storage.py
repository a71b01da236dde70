"""A collection keeps its responses as archive lines: compact, and the same as the archive."""

from __future__ import annotations

import gc
import tracemalloc

import orjson

import twxdata
from twxdata.collect.collection import Collection
from twxdata.collect.kinds import KINDS

QUERY = "python OR climate OR data OR news"


async def test_responses_are_kept_as_the_archive_lines(client, tmp_path):
    raw = tmp_path / "raw.jsonl"
    c = await twxdata.collect_search("python", limit=250, client=client, progress=False, raw=raw)
    archived = raw.read_bytes().splitlines()
    assert c.lines == archived
    assert [orjson.loads(line) for line in archived] == list(c.responses)
    assert c.responses[-1] == orjson.loads(archived[-1])
    assert c.responses[1:3] == [orjson.loads(x) for x in archived[1:3]]
    saved = c.save_raw(tmp_path / "saved.jsonl")
    assert saved.read_bytes() == raw.read_bytes()


async def test_summaries_and_tables_agree_with_the_responses(client):
    c = await twxdata.collect_search(
        ["python", "climate"], limit=120, client=client, progress=False
    )
    responses = list(c.responses)
    per_stream: dict[str, int] = {}
    for r in responses:
        stream = r["__twxdata"]["stream"]
        per_stream[stream] = per_stream.get(stream, 0) + len(r.get("data") or [])
    assert c.items_by_stream() == per_stream == {"python": 120, "climate": 120}
    assert c.items == 240 and c.pages == len(responses)
    assert len(c.tweets) == 240
    errors = [e for r in responses for e in r.get("errors") or ()]
    assert sum(c.partial_errors().values()) == len(errors)


async def test_a_page_costs_about_its_json_in_memory(client):
    # Pages of 100 posts with expansions: held as dicts they would take ~3.6x their JSON.
    source = await twxdata.collect_search(QUERY, limit=2000, client=client, progress=False)
    lines = source.lines
    pages = [orjson.loads(line) for line in lines]
    c = Collection(KINDS["search"], streams=[QUERY], spec={"kind": "search"})
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for page, line in zip(pages, lines, strict=True):
            c.add(page, line)
        c._main._digest()  # the incremental table is Arrow memory, which tracemalloc skips
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 1.3 * sum(len(x) for x in lines)
    assert source.pages >= 10 and len(c.tweets) == len(source.tweets)
