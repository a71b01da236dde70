"""Fan-out under a compressed rate limit, interruption, and resume from the raw archive."""

from __future__ import annotations

import asyncio
import json
import math
import warnings
from datetime import datetime, timezone

import pytest

import twxdata
from twxdata.client import Client
from twxdata.protocol.retry import RetryPolicy
from twxdata.store.checkpoint import Checkpoint, ResumeError
from twxdata.testing import Corpus, FakeXApi

WINDOW, LIMIT = 2.0, 10
END = datetime(2024, 5, 1, tzinfo=timezone.utc)


def busiest_users(corpus, n):
    return [
        corpus.user(u)["id"]
        for u in sorted(range(300), key=lambda u: -len(corpus.by_author(u)))[:n]
    ]


def window_use(records, window, limit):
    """Share of the limit used in each rate-limit window but the last.

    The fake API opens a window with the first request after the previous one closed.
    """
    counts: list[int] = []
    closes = -math.inf
    for t in sorted(r.time for r in records):
        if t >= closes:
            counts.append(0)
            closes = t + window
        counts[-1] += 1
    return [n / limit for n in counts[:-1]]


async def test_fan_out_shares_the_budget_uses_the_window_and_never_429s():
    corpus = Corpus(seed=5, size=8_000, end=END)
    async with FakeXApi(corpus, window=WINDOW, limits={"get_users_tweets": LIMIT}) as api:
        async with Client(
            bearer_token=api.bearer_token, api_base=api.url, rate_limit_margin=0.05
        ) as client:
            users = busiest_users(api.corpus, 6)
            df = await twxdata.fetch_timeline(
                users, max_results=5, max_pages=4, client=client, progress=False, concurrency=6
            )
        records = [r for r in api.stats.log if r.endpoint == "get_users_tweets"]
        assert api.stats.too_many_requests == 0
    assert len(records) == 24 and set(df["timeline_of"]) == set(users)
    use = window_use(records, WINDOW, LIMIT)
    assert use and min(use) >= 0.9, use


async def test_interrupted_collection_keeps_what_it_has_and_resumes_exactly(tmp_path):
    corpus = Corpus(seed=6, size=20_000, end=END)
    raw = tmp_path / "climate.jsonl"
    async with FakeXApi(corpus) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            reference = await twxdata.collect_search(
                ["python", "climate"], max_results=10, client=client, progress=False
            )
            task = asyncio.ensure_future(
                twxdata.collect_search(
                    ["python", "climate"], max_results=10, raw=raw, client=client, progress=False
                )
            )
            while (current := twxdata.last_collection()) is reference or current.pages < 5:
                await asyncio.sleep(0.005)
            task.cancel()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                with pytest.raises(asyncio.CancelledError):
                    await task
            partial = twxdata.last_collection()
            assert partial.interrupted and 5 <= partial.pages < reference.pages
            assert any("interrupted" in str(w.message) for w in caught)
            served_before = api.stats.pages
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                resumed = await twxdata.collect_search(
                    ["python", "climate"], max_results=10, raw=raw, client=client, progress=False
                )
            assert any("resuming" in str(w.message) for w in caught)
            fetched_again = api.stats.pages - served_before
    assert resumed.resumed_pages >= 5
    assert fetched_again <= reference.pages - resumed.resumed_pages + 2  # each stream: <= 1 twice
    ids = resumed.tweets["id"]
    assert sorted(ids) == sorted(reference.tweets["id"])
    assert resumed.tweets.groupby("query").size().to_dict() == (
        reference.tweets.groupby("query").size().to_dict()
    )
    lines = raw.read_text().splitlines()
    assert len(lines) == reference.pages
    state = json.loads(Checkpoint.path_for(raw).read_text())
    assert all(s["done"] for s in state["streams"].values())


async def test_changed_parameters_are_refused_and_restart_keeps_old_files(tmp_path):
    raw = tmp_path / "r.jsonl"
    async with FakeXApi(Corpus(seed=7, size=3_000, end=END)) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            first = await twxdata.collect_search(
                "python", limit=20, raw=raw, client=client, progress=False
            )
            with pytest.raises(ResumeError, match=r"limit: 20 -> 30"):
                await twxdata.collect_search(
                    "python", limit=30, raw=raw, client=client, progress=False
                )
            again = await twxdata.collect_search(
                "python", limit=20, raw=raw, client=client, progress=False
            )
            assert again.resumed_pages == first.pages and again.items == 20
            fresh = await twxdata.collect_search(
                "python", limit=30, raw=raw, restart=True, client=client, progress=False
            )
    assert fresh.items == 30 and fresh.resumed_pages == 0
    kept = sorted(p.name for p in tmp_path.iterdir() if "before-restart" in p.name)
    assert len(kept) == 2  # the old archive and its checkpoint, renamed


async def test_an_archive_without_checkpoint_is_not_overwritten(tmp_path):
    raw = tmp_path / "r.jsonl"
    raw.write_text('{"data": []}\n')
    async with FakeXApi(Corpus(seed=7, size=3_000, end=END)) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            with pytest.raises(ResumeError, match="has no checkpoint"):
                await twxdata.collect_search("python", raw=raw, client=client, progress=False)
    assert raw.read_text() == '{"data": []}\n'


async def test_a_torn_last_line_is_repaired_not_read(tmp_path):
    raw = tmp_path / "r.jsonl"
    async with (
        FakeXApi(Corpus(seed=7, size=3_000, end=END)) as api,
        Client(
            bearer_token=api.bearer_token, api_base=api.url, retry=RetryPolicy(backoff_base=0.01)
        ) as client,
    ):
        whole = await twxdata.collect_search(
            "the", max_results=10, max_pages=4, raw=raw, client=client, progress=False
        )
        data = raw.read_bytes()
        last = data[:-1].rfind(b"\n") + 1
        raw.write_bytes(data[: last + 50])  # the crash cut the 4th page mid-line
        state = Checkpoint.load(Checkpoint.path_for(raw))
        state.streams["the"].done = False
        state.save(Checkpoint.path_for(raw))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            again = await twxdata.collect_search(
                "the", max_results=10, max_pages=4, raw=raw, client=client, progress=False
            )
    assert any("torn last line" in str(w.message) for w in caught)
    assert again.resumed_pages == 3 and again.pages == 4
    assert list(again.tweets["id"]) == list(whole.tweets["id"])
