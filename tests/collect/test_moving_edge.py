"""A recent search from the 7-day edge while the edge moves: during a run and across a resume.

X binds a page token to the query it was made for, and refuses a ``start_time`` older than
7 days. A walk that starts at the edge must move its start as the clock runs (rate-limit waits,
a resume the next hour), and then its token is refused. The walk goes on below the oldest post
it received (``until_id``) instead. Before, such a run ended in a 400 after the first wait, and
"the same command with a higher cap continues" did not. The API clock here advances a fixed
step per request: deterministic, no sleeping.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

import twxdata
from twxdata.client import Client
from twxdata.protocol.retry import RetryPolicy
from twxdata.store.checkpoint import Checkpoint
from twxdata.testing import Corpus, FakeXApi

STEP = 20.0  # API seconds per request: past the window's 15 s margin at every page


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(seed=3, size=20_000)  # ends this hour: the client's clock starts near X's


class StepClock:
    """The API clock: moves ``STEP`` seconds at each request the server answers."""

    def __init__(self, api_stats: list[FakeXApi]) -> None:
        self.start = time.time()  # read once: from here the clock moves only by requests
        self.extra = 0.0
        self.servers = api_stats

    def __call__(self) -> float:
        served = self.servers[0].stats.total if self.servers else 0
        return self.start + STEP * served + self.extra


def serve(corpus: Corpus, **options: object) -> tuple[FakeXApi, StepClock]:
    holder: list[FakeXApi] = []
    clock = StepClock(holder)
    api = FakeXApi(corpus, now=clock, **options)  # type: ignore[arg-type]
    holder.append(api)
    return api, clock


def client_of(api: FakeXApi) -> Client:
    return Client(
        bearer_token=api.bearer_token, api_base=api.url, retry=RetryPolicy(backoff_base=0.01)
    )


def search_requests(api: FakeXApi) -> list[dict[str, str]]:
    return [r.params for r in api.stats.log if r.endpoint == "search_recent_tweets"]


def assert_one_walk(posts: list[str], pages: list[list[str]]) -> None:
    """Every post once, and each page entirely older than the one before (no gap can hide
    between pages of a newest-first walk that continues below its oldest post)."""
    assert len(posts) == len(set(posts))
    for newer, older in itertools.pairwise(pages):
        assert max(map(int, older)) < min(map(int, newer))


async def test_a_walk_from_the_edge_goes_on_below_its_oldest_post(corpus: Corpus) -> None:
    api, _ = serve(corpus)
    async with api, client_of(api) as client:
        found = await twxdata.collect_search(
            "the", start_time="7d", max_results=10, limit=80, client=client, progress=False
        )
    assert [r.status for r in api.stats.log] == [200] * 8  # no 400: no refused token
    sent = search_requests(api)
    assert "start_time" in sent[0] and "until_id" not in sent[0]
    # every later page: the start moved, so the token gave way to until_id (and no time)
    assert all("until_id" in p and "next_token" not in p and "start_time" not in p
               for p in sent[1:])  # fmt: skip
    pages = [[t["id"] for t in page.get("data", [])] for page in found.responses]
    assert_one_walk([i for page in pages for i in page], pages)
    assert found.items == 80 and not found.stream_errors


async def test_a_walk_inside_the_window_keeps_its_tokens(corpus: Corpus) -> None:
    api, _ = serve(corpus)
    async with api, client_of(api) as client:
        await twxdata.collect_search(
            "the", start_time="5d", max_results=10, limit=40, client=client, progress=False
        )
    sent = search_requests(api)
    assert all("until_id" not in p for p in sent)
    assert all("next_token" in p for p in sent[1:])


async def test_a_capped_walk_resumes_an_hour_later_with_a_higher_cap(
    corpus: Corpus, tmp_path: Path
) -> None:
    raw = tmp_path / "r.jsonl"
    api, clock = serve(corpus, credits=100.0)
    async with api:
        async with client_of(api) as client:
            first = await twxdata.collect_search(
                "the", start_time="7d", max_results=10, raw=raw, max_cost=0.25, client=client,
                progress=False,
            )  # fmt: skip
        assert first.capped and first.items == 50
        position = Checkpoint.load(Path(str(raw) + ".checkpoint.json")).streams["the"]
        assert position.token and position.below  # where the walk stands, both ways
        clock.extra += 3600.0  # an hour later the 7-day edge has moved: the token is stale
        async with client_of(api) as client:
            client.clock_offset = clock() - time.time()  # the hour passed on our clock too
            again = await twxdata.collect_search(
                "the", start_time="7d", max_results=10, raw=raw, max_cost=0.60, client=client,
                progress=False,
            )  # fmt: skip
    assert [r.status for r in api.stats.log] == [200] * len(api.stats.log)
    assert again.capped and again.items == 120 and again.resumed_pages == 5
    resumed = search_requests(api)[5]
    assert resumed.get("until_id") == position.below and "next_token" not in resumed
    pages = [[t["id"] for t in page.get("data", [])] for page in again.responses]
    assert_one_walk([i for page in pages for i in page], pages)
    # what X charged: every post once, within the caps of both runs
    assert api.billing.spent == pytest.approx(120 * 0.005)
    assert api.billing.free.get("post", 0) == 0
