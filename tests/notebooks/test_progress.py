"""The progress bar counts partial errors as pages arrive, not only at the end."""

from __future__ import annotations

import pytest

import twxdata
from twxdata.client import Client, Received, Waiting
from twxdata.collect.call import PartialErrors
from twxdata.notebook.progress import Progress
from twxdata.testing import FakeXApi


def test_received_events_carry_partial_errors_into_the_status():
    bar = Progress("lookup", unit="posts", enabled=False)
    bar(Received("get_tweets", 200, 97, 0.1, errors=3))
    bar(Received("get_tweets", 200, 100, 0.1))
    assert (bar.items, bar.pages, bar.errors) == (197, 2, 3)
    assert bar._status() == "2 pages, 3 partial errors"


async def test_a_lookup_with_deleted_posts_shows_them_on_the_bar(capsys):
    async with FakeXApi(seed=1, size=2_000) as api:
        rows = [int(i) for i in api.corpus.visible_rows()[:150]]
        ids = [api.corpus.tweet(i)["id"] for i in rows]
        for deleted in ids[:4] + ids[120:122]:
            api.corpus.delete_tweet(deleted)
        seen: list[Received] = []
        async with Client(bearer_token=api.bearer_token, api_base=api.url,
                          on_event=lambda e: seen.append(e)) as client:  # fmt: skip
            with pytest.warns(PartialErrors):  # and the summary at the end
                c = await twxdata.collect_tweets(ids, client=client, progress=True,
                                                 concurrency=1)  # fmt: skip
    per_page = [len(r.get("errors") or ()) for r in c.responses]
    assert [e.errors for e in seen if isinstance(e, Received)] == per_page
    assert per_page[0] >= 4  # the first page already reports its deleted posts
    # tqdm.auto outside Jupyter is the text bar on stderr: what each page cost and its errors
    # so far ($0.005 a post returned), then the totals.
    err = capsys.readouterr().err
    posts = [len(r.get("data") or ()) for r in c.responses]
    first, both = posts[0] * 0.005, sum(posts) * 0.005
    assert f"1 pages, ${first:,.2f}, {per_page[0]} partial errors" in err
    assert f"2 pages, ${both:,.2f}, {sum(per_page)} partial errors" in err


def test_a_rate_limit_wait_shows_a_countdown_and_the_endpoint():
    bar = Progress("search", unit="posts", enabled=False)
    bar(Received("search_recent_tweets", 200, 100, 0.1, errors=1))
    bar(Waiting("search_recent_tweets", 65.0, "rate limit reached"))
    status = bar._status()
    assert status.startswith("1 pages, 1 partial errors, waiting 1:0")  # 1:05, or 1:04
    assert status.endswith("rate limit reached [search_recent_tweets]")
    bar(Received("search_recent_tweets", 200, 100, 0.1))
    assert bar._status() == "2 pages, 1 partial errors"  # the wait is over
