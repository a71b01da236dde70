"""Every notebook function end to end against the fake X API."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

import twxdata
from twxdata.collect.call import PartialErrors
from twxdata.errors import ParameterError


def users_with_most(api, relation, n=3, scan=200):
    corpus = api.corpus
    size = {
        "followers": lambda u: len(corpus.follows.followers(u)),
        "following": lambda u: len(corpus.follows.following(u)),
        "posts": lambda u: len(corpus.by_author(u)),
    }[relation]
    best = sorted(range(scan), key=size, reverse=True)[:n]
    return [corpus.user(u) for u in best]


async def test_search_returns_joined_typed_posts(client):
    df = await twxdata.fetch_search("python", limit=150, client=client, progress=False)
    assert len(df) == 150 and df["id"].is_unique
    assert str(df["id"].dtype) == "string[pyarrow]"
    assert str(df["public_metrics.like_count"].dtype) == "int64[pyarrow]"
    assert df["author.username"].notna().all()
    assert (df["query"] == "python").all()


async def test_search_fan_out_rows_carry_their_query(client):
    df = await twxdata.fetch_search(
        ["python", "climate", "python"], limit=40, client=client, progress=False
    )
    assert df.groupby("query").size().to_dict() == {"climate": 40, "python": 40}


async def test_counts_agree_with_search(client):
    counts = await twxdata.fetch_counts(
        "climate", granularity="hour", client=client, progress=False
    )
    assert list(counts.columns[:3]) == ["start", "end", "tweet_count"] or {
        "start",
        "end",
        "tweet_count",
    } <= set(counts.columns)
    posts = await twxdata.fetch_search("climate", client=client, progress=False)
    assert counts["tweet_count"].sum() == len(posts)
    assert str(counts["start"].dtype).startswith("timestamp")


async def test_timeline_by_username_and_id_resolves_once(api, client):
    top = users_with_most(api, "posts", 2)
    names = ["@" + top[0]["username"], top[1]["id"]]
    df = await twxdata.fetch_timeline(names, limit=30, client=client, progress=False)
    assert set(df["timeline_of"]) == {top[0]["id"], top[1]["id"]}
    assert (df["author_id"] == df["timeline_of"]).all()
    before = api.stats.count("get_users_by_usernames")
    await twxdata.fetch_timeline(names[0], limit=5, client=client, progress=False)
    assert api.stats.count("get_users_by_usernames") == before  # cached per client


async def test_unknown_username_is_refused(client):
    with pytest.raises(ParameterError, match="cannot collect for @nobody_here_x \\(not found\\)"):
        await twxdata.fetch_timeline("@nobody_here_x", client=client, progress=False)


async def test_followers_give_one_row_per_edge(api, client):
    a, b = users_with_most(api, "followers", 2)
    df = await twxdata.fetch_followers([a["id"], b["id"]], client=client, progress=False)
    corpus = api.corpus

    def shown(u):
        return {
            corpus.user(int(f))["id"]
            for f in corpus.follows.followers(u)
            if corpus.user_state(int(f)) in ("ok", "protected")
        }

    ua, ub = (int(next(i for i in range(200) if corpus.user(i)["id"] == x["id"])) for x in (a, b))
    expected = {(a["id"], f) for f in shown(ua)} | {(b["id"], f) for f in shown(ub)}
    assert set(zip(df["followers_of"], df["id"], strict=True)) == expected
    assert len(df) == len(expected)


async def test_following_mentions_and_likes(api, client):
    user = users_with_most(api, "following", 1)[0]
    following = await twxdata.fetch_following(user["id"], limit=20, client=client, progress=False)
    assert 0 < len(following) <= 20 and (following["followed_by"] == user["id"]).all()
    mentions = await twxdata.fetch_mentions(user["id"], client=client, progress=False)
    assert isinstance(mentions, pd.DataFrame)
    liked = await twxdata.fetch_liked_tweets(user["id"], limit=10, client=client, progress=False)
    assert len(liked) <= 10


async def test_post_centred_functions(client):
    posts = await twxdata.fetch_search("the", limit=300, client=client, progress=False)
    liked = posts.sort_values("public_metrics.like_count", ascending=False)["id"].iloc[0]
    likers = await twxdata.fetch_liking_users(liked, limit=50, client=client, progress=False)
    assert len(likers) > 0 and (likers["liked_tweet_id"] == liked).all()
    reposted = posts.sort_values("public_metrics.retweet_count", ascending=False)["id"].iloc[0]
    rts = await twxdata.fetch_retweeters(reposted, client=client, progress=False)
    assert (rts["retweeted_tweet_id"] == reposted).all()
    quoted = posts.sort_values("public_metrics.quote_count", ascending=False)["id"].iloc[0]
    quotes = await twxdata.fetch_quote_tweets(quoted, client=client, progress=False)
    assert (quotes["referenced_tweets.quoted.id"] == quoted).all()


async def test_list_functions(api, client):
    lists = api.corpus.lists
    biggest = max(range(lists.n), key=lambda i: len(lists.members(i)))
    list_id = str(int(lists.ids[biggest]))
    members = await twxdata.fetch_list_members(list_id, client=client, progress=False)
    assert len(members) > 0 and (members["list_id"] == list_id).all()
    posts = await twxdata.fetch_list_tweets(list_id, limit=50, client=client, progress=False)
    assert set(posts["author_id"]) <= set(members["id"]) | set(posts["author_id"])


async def test_home_timeline_with_user_context(api):
    from twxdata.client import Client

    user = api.corpus.user(3)
    keys = {
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "access_token": api.oauth1_token(user["id"]),
        "access_token_secret": "s",
    }
    async with Client(api_base=api.url, **keys) as client:
        home = await twxdata.fetch_home_timeline(limit=30, client=client, progress=False)
    assert len(home) <= 30


async def test_lookups_batch_and_report_partial_errors(client):
    posts = await twxdata.fetch_search("the", limit=250, client=client, progress=False)
    ids = [*posts["id"], "1", "2"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        collection = await twxdata.collect_tweets(ids, client=client, progress=False)
    assert len(collection.tweets) == 250 and collection.pages == 3
    assert set(collection.errors["resource_id"]) >= {"1", "2"}
    assert any(
        issubclass(w.category, PartialErrors) and "partial errors" in str(w.message) for w in caught
    )
    # The warning names the caller's line, not twxdata's internals.
    assert all(w.filename == __file__ for w in caught if issubclass(w.category, PartialErrors))
    users = await twxdata.lookup_users(
        [posts["author_id"].iloc[0], "@" + posts["author.username"].iloc[1]],
        client=client,
        progress=False,
    )
    assert len(users) == 2


async def test_bad_input_sends_nothing(api, client):
    before = len(api.stats.log)
    for call in (
        twxdata.fetch_search("x", limit=0, client=client, progress=False),
        twxdata.fetch_search(
            "x", start_time="2024-02-01", end_time="2024-01-01", client=client, progress=False
        ),
        twxdata.fetch_followers("@ok", start_time="1d", client=client, progress=False),
        twxdata.fetch_search("x", tweet_fields=["bogus"], client=client, progress=False),
        twxdata.fetch_search("x", fields="everything", client=client, progress=False),
        twxdata.fetch_counts("x", granularity="week", client=client, progress=False),
        twxdata.lookup_tweets(["12a"], client=client, progress=False),
        twxdata.fetch_liking_users("not-an-id", client=client, progress=False),
    ):
        with pytest.raises(ParameterError):
            await call
    assert len(api.stats.log) == before


async def test_collection_saves_and_rebuilds(tmp_path, client):
    from twxdata.tables import read_jsonl

    c = await twxdata.collect_search(["python", "climate"], limit=60, client=client, progress=False)
    assert "search: 120 posts" in repr(c) and "<table>" in c._repr_html_()
    raw = c.save_raw(tmp_path / "c.jsonl")
    rebuilt = read_jsonl(raw)
    assert rebuilt.tweets.equals(c.tables.tweets)
    written = c.to_parquet(tmp_path / "out")
    assert {p.name for p in written} >= {"tweets.parquet", "users.parquet"}
    assert len(c.meta) == c.pages


async def test_fetch_functions_work_inside_a_running_loop(api):
    # A *_sync call from code that is already inside asyncio must not deadlock.
    twxdata.configure(api_base=api.url, bearer_token=api.bearer_token)
    try:
        df = twxdata.fetch_search_sync("python", limit=20, progress=False)
    finally:
        twxdata.configure(api_base=None, bearer_token=None)
    assert len(df) == 20


def test_sync_functions_in_a_script(api):
    twxdata.configure(api_base=api.url, bearer_token=api.bearer_token)
    try:
        df = twxdata.lookup_users_sync([api.corpus.user(0)["id"]], progress=False)
    finally:
        twxdata.configure(api_base=None, bearer_token=None)
    assert len(df) == 1


async def test_a_collection_leaves_the_garbage_collector_as_it_found_it(client):
    # A notebook kernel's garbage collector is the user's: nothing frozen, nothing turned off.
    import gc
    import sys

    before = (gc.get_freeze_count(), gc.isenabled(), sys.getswitchinterval())
    frame = await twxdata.fetch_search("the", limit=250, client=client, progress=False)
    assert len(frame) == 250
    assert (gc.get_freeze_count(), gc.isenabled(), sys.getswitchinterval()) == before
