"""tweepy's own ``AsyncPaginator`` walking ``twxdata.AsyncClient`` methods, and responses that
are tweepy's ``Response`` only once tweepy is imported."""

from __future__ import annotations

import importlib.util
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from compat.support import Ids

from twxdata.compat import AsyncClient, AsyncPaginator, Response, Tweet
from twxdata.compat.response import response_class
from twxdata.testing import FakeXApi

QUERY = "the OR data OR new"
TWEET = {"id": "1", "text": "hi", "edit_history_tweet_ids": ["1"]}


def tweepy_paginator() -> Any:
    """tweepy's ``AsyncPaginator`` class (the test is skipped without tweepy)."""
    tweepy = pytest.importorskip("tweepy", reason="tweepy is not installed")
    try:
        from tweepy.asynchronous import AsyncPaginator as TweepyPaginator
    except Exception:  # tweepy.asynchronous also wants async_lru
        # Its paginator uses only aiohttp and tweepy.client: load that module as it is.
        path = Path(tweepy.__file__).parent / "asynchronous" / "pagination.py"
        spec = importlib.util.spec_from_file_location("_tweepy_async_pagination", path)
        if spec is None or spec.loader is None:
            pytest.skip("tweepy's asynchronous paginator cannot be loaded")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        TweepyPaginator = module.AsyncPaginator
    return TweepyPaginator


async def test_tweepys_paginator_walks_our_client(
    client: AsyncClient, api: FakeXApi, ids: Ids
) -> None:
    TweepyPaginator = tweepy_paginator()
    import tweepy

    responses = [
        r
        async for r in TweepyPaginator(client.search_recent_tweets, QUERY, max_results=10, limit=3)
    ]
    assert len(responses) == 3 == api.stats.count("search_recent_tweets")
    assert all(isinstance(r, tweepy.Response) and isinstance(r, Response) for r in responses)
    posts = [t.id for r in responses for t in r.data]
    assert len(set(posts)) == 30 and posts == sorted(posts, reverse=True)  # tokens followed
    assert repr(responses[0]).startswith("Response(data=[<Tweet id=")

    items = TweepyPaginator(client.search_recent_tweets, QUERY, max_results=10, limit=3)
    tweets = [t async for t in items.flatten(limit=25)]
    assert [t.id for t in tweets] == posts[:25] and all(isinstance(t, Tweet) for t in tweets)
    ours = AsyncPaginator(client.search_recent_tweets, QUERY, max_results=10, limit=3)
    assert [t.id async for t in ours.flatten(limit=25)] == posts[:25]

    # Methods that page with pagination_token= (tweepy passes that name to them).
    followers = TweepyPaginator(client.get_users_followers, ids.other, max_results=2, limit=2)
    pages = [r async for r in followers]
    assert len(pages) == 2 == api.stats.count("get_users_followers")
    assert all(isinstance(r, tweepy.Response) for r in pages)
    assert len({u.id for r in pages for u in r.data}) == 4

    # What tweepy's Response adds is kept: the page, and a response pickles and comes back.
    assert responses[0].page is not None and responses[0].to_frame().shape[0] == 10
    again = pickle.loads(pickle.dumps(responses[0]))
    assert again == responses[0] and isinstance(again, tweepy.Response)

    # return_type=dict: the JSON as sent, as with tweepy, and the same walk as ours.
    async with AsyncClient(api.bearer_token, api_base=api.url, return_type=dict) as raw:
        bodies = [
            r
            async for r in TweepyPaginator(raw.search_recent_tweets, QUERY, max_results=10, limit=2)
        ]
        assert [type(p) for p in bodies] == [dict, dict]  # the JSON as sent, as with tweepy
        assert set(bodies[0]) == {"data", "meta"} and bodies[0]["meta"]["result_count"] == 10
        assert bodies[1]["data"][0]["id"] < bodies[0]["data"][-1]["id"]
        items = TweepyPaginator(raw.search_recent_tweets, QUERY, max_results=10, limit=2)
        flat = [t async for t in items.flatten(limit=15)]
        assert flat == bodies[0]["data"] + bodies[1]["data"][:5]
        ours = AsyncPaginator(raw.search_recent_tweets, QUERY, max_results=10, limit=2)
        assert [p async for p in ours] == bodies
        assert [t async for t in ours.flatten(limit=15)] == flat


async def test_tweepys_response_class_is_accepted_as_return_type(api: FakeXApi) -> None:
    tweepy_paginator()
    import tweepy

    async with AsyncClient(api.bearer_token, api_base=api.url, return_type=tweepy.Response) as c:
        assert c.return_type is Response
        found = await c.search_recent_tweets(QUERY, max_results=10)
    assert isinstance(found, tweepy.Response) and isinstance(found.data[0], Tweet)


def test_without_tweepy_imported_responses_are_ours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "tweepy.client", raising=False)
    assert response_class() is Response
    assert "tweepy.client" not in sys.modules  # looked for, never imported


def test_twxdata_never_imports_tweepy() -> None:
    # A response pickled while tweepy is imported unpickles, without it, as a plain Response.
    pickled = b""
    if importlib.util.find_spec("tweepy") is not None:
        import tweepy.client

        made = response_class()([Tweet(TWEET)], {}, [], {"result_count": 1})
        assert isinstance(made, tweepy.client.Response)
        pickled = pickle.dumps(made)
    code = (
        "import pickle, sys, twxdata\n"
        "from twxdata.compat import AsyncClient, AsyncPaginator, Response\n"
        "from twxdata.compat.response import response_class\n"
        "assert response_class() is Response\n"
        "data = sys.stdin.buffer.read()\n"
        "if data:\n"
        "    r = pickle.loads(data)\n"
        "    assert type(r) is Response and r.data[0].id == 1 and r.meta['result_count'] == 1\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tweepy', 'requests')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=pickled, capture_output=True, check=True
    )
    assert out.stdout.decode().strip() == "[]"
