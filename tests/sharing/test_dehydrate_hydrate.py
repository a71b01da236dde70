"""Share, rebuild, and know what is missing: dehydrate and hydrate end to end."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest
from helpers.shared import REAL

import twxdata
from twxdata.client import Client
from twxdata.sharing.dehydrate import dehydrate, manifest_path
from twxdata.sharing.hydrate import hydrate
from twxdata.sharing.ids import sorted_unique
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


def stable(table):
    # What a post is, without how it was collected: retrieval metadata, and the target column
    # a search's table leads with (the query), which a lookup by id has no counterpart for.
    drop = [c for c in table.column_names if c.startswith("__twxdata") or c == "query"]
    return table.drop_columns(drop).sort_by("id")


async def test_round_trip_rebuilds_everything_still_there(tmp_path):
    async with FakeXApi(Corpus(seed=51, size=20_000, end=END)) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            original = await twxdata.collect_search(
                "the OR python", start_time="2024-04-24", limit=700, client=client, progress=False
            )
            original.to_parquet(tmp_path / "orig")
            manifest = dehydrate(tmp_path / "orig" / "tweets.parquet", tmp_path / "ids.txt")
            ids = (tmp_path / "ids.txt").read_text().split()
            posts = original.tweets.set_index("id")
            gone = ids[10]
            protected_author = next(
                a for a in posts["author_id"] if a != posts.loc[gone, "author_id"]
            )
            api.corpus.delete_tweet(gone)
            api.corpus.protect_user(protected_author)
            hidden = {gone} | {i for i in ids if posts.loc[i, "author_id"] == protected_author}
            result = await hydrate(
                tmp_path / "ids.txt",
                output=tmp_path / "new" / "t.parquet",
                client=client,
                progress=False,
            )
    assert manifest["count"] == len(ids) == len(set(ids)) == len(original.tweets)
    assert ids == sorted(ids, key=int)
    rebuilt = pq.read_table(tmp_path / "new" / "t.parquet")
    assert set(rebuilt.column("id").to_pylist()) == set(ids) - hidden
    before = stable(pq.read_table(tmp_path / "orig" / "tweets.parquet"))
    keep = [i for i in before.column("id").to_pylist() if i not in hidden]
    import pyarrow.compute as pc

    expected = before.filter(
        pc.is_in(before.column("id"), value_set=__import__("pyarrow").array(keep))
    )
    assert stable(rebuilt).equals(expected)
    assert set(result.missing["resource_id"]) == hidden
    reasons = dict(zip(result.missing["resource_id"], result.missing["reason"], strict=True))
    assert reasons[gone] == "deleted or never existed"
    assert {reasons[i] for i in hidden - {gone}} == {"protected"}
    assert result.summary.startswith(f"{100 * (len(ids) - len(hidden)) / len(ids):.1f}% rebuilt")
    report = (tmp_path / "new" / "t.parquet.report.csv").read_text()
    assert gone in report


async def test_interrupted_hydrate_does_not_ask_for_finished_batches_again(tmp_path):
    ids_file = tmp_path / "ids.txt"
    async with FakeXApi(Corpus(seed=52, size=30_000, end=END), faults="slow=1.0,delay=0.02") as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            search = await twxdata.fetch_search(
                "the OR python OR climate", start_time="2024-04-24", client=client, progress=False
            )
            ids_file.write_text("\n".join(search["id"]) + "\n")
            batches = -(-len(search) // 100)
            assert batches >= 8
            before = api.stats.count("get_tweets")
            out = tmp_path / "t.parquet"
            task = asyncio.ensure_future(
                hydrate(ids_file, output=out, client=client, progress=False, concurrency=2)
            )
            raw = tmp_path / "t.parquet.raw.jsonl"
            while not raw.exists() or len(raw.read_text().splitlines()) < 3:
                await asyncio.sleep(0.005)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            first = api.stats.count("get_tweets") - before
            done_first = len((tmp_path / "t.parquet.raw.jsonl").read_text().splitlines())
            result = await hydrate(
                ids_file, output=out, client=client, progress=False, concurrency=2
            )
            total = api.stats.count("get_tweets") - before
    assert result.batches_resumed == done_first and done_first >= 3
    assert result.batches_fetched == batches - done_first
    assert total - batches == first - done_first  # only in-flight batches were asked twice
    assert result.rebuilt == len(search)
    lines = (tmp_path / "t.parquet.raw.jsonl").read_text().splitlines()
    streams = [json.loads(line)["__twxdata"]["stream"] for line in lines]
    assert len(streams) == len(set(streams)) == batches


@pytest.mark.parametrize("source", ["jsonl", "csv", "dataset", "twarc"])
def test_dehydrate_reads_every_kind_of_source(tmp_path, source):
    if source == "twarc":
        if not REAL.is_dir():
            pytest.skip("../shared is absent")
        path = REAL / "twarc2-pages" / "noflat.jsonl"
        expected = {
            t["id"]
            for line in path.read_text().splitlines()
            if line.strip()
            for t in json.loads(line).get("data", [])
        }
    else:
        import pandas as pd

        ids = [str(10**18 + i) for i in (5, 3, 5, 9)]
        expected = set(ids)
        if source == "jsonl":
            path = tmp_path / "a.jsonl"
            path.write_text(json.dumps({"data": [{"id": i, "text": "x"} for i in ids]}) + "\n")
        elif source == "csv":
            path = tmp_path / "a.csv"
            pd.DataFrame({"id": ids, "text": "x"}).to_csv(path, index=False)
        else:
            import pyarrow as pa

            from twxdata.store.dataset import append_table

            path = tmp_path / "ds"
            append_table(path, "users", pa.table({"id": ids}))
            path = path / "users"
    dehydrate(path, tmp_path / "ids.txt")
    written = (tmp_path / "ids.txt").read_text().split()
    assert set(written) == expected and written == sorted(written, key=int)
    stored = json.loads(manifest_path(tmp_path / "ids.txt").read_text())
    assert stored["count"] == len(expected) and len(stored["sha256"]) == 64
    if source == "twarc":
        assert stored["source"]["provenance"]["pages"] > 0


def test_bad_sources_name_the_file(tmp_path):
    bad = tmp_path / "ids.txt"
    bad.write_text("123\nabc\n")
    with pytest.raises(twxdata.DataError, match=r"ids\.txt:2: not an id"):
        dehydrate(bad, tmp_path / "out.txt")
    assert not (tmp_path / "out.txt").exists()


def test_sorting_in_chunks_equals_sorting_in_memory():
    rng = random.Random(1)
    values = [str(rng.randrange(1, 10**18)) for _ in range(20_000)]
    values += values[:500]
    assert list(sorted_unique(values, chunk=1_000)) == sorted({int(v) for v in values})
