"""Estimates before collecting (issue 16), against the fake X API on a real running clock: the
estimate, then the same collection, and how far apart they are."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import timedelta

import numpy as np
import pytest

import twxdata
from twxdata.collect.estimate import estimate, kind_of, seconds_at_limit
from twxdata.errors import ParameterError
from twxdata.pricing import Prices, legacy
from twxdata.testing import Corpus, FakeXApi

pytestmark = pytest.mark.filterwarnings("ignore::twxdata.collect.call.PartialErrors")


@pytest.fixture(scope="module")
def api():
    with FakeXApi(seed=11, size=20_000) as server:  # the real clock: the corpus ends this hour
        yield server


def make_client(server):
    from twxdata.client import Client
    from twxdata.protocol.retry import RetryPolicy

    return Client(
        bearer_token=server.bearer_token,
        api_base=server.url,
        retry=RetryPolicy(backoff_base=0.01),
        rate_limit_margin=0.1,
    )


@pytest.fixture
async def client(api):
    async with make_client(api) as c:
        yield c


def requests_to(server, endpoint=None):
    return server.stats.count(endpoint)


def most(server, relation, n=2, scan=300):
    corpus = server.corpus
    size = {
        "followers": lambda u: len(corpus.follows.followers(u)),
        "following": lambda u: len(corpus.follows.following(u)),
    }[relation]
    return [corpus.user(u) for u in sorted(range(scan), key=size, reverse=True)[:n]]


def within(estimated, actual, share=0.05):
    return abs(estimated - actual) <= share * max(actual, 1)


# ---- search -------------------------------------------------------------------------------


async def test_recent_search_estimate_is_what_fetch_search_collects(api, client):
    queries = ["python", "climate"]
    counts_before = requests_to(api, "get_recent_tweets_count")
    e = await estimate("search", queries, start_time="3d", client=client)
    assert requests_to(api, "get_recent_tweets_count") - counts_before == 2  # one per query
    assert e.total["estimate_requests"] == 2
    assert e.total["cost_of_estimate_usd"] == pytest.approx(2 * 0.005)
    billing = getattr(api, "billing", None)
    charged_before = billing.spent if billing is not None else None

    posts = await twxdata.fetch_search(queries, start_time="3d", client=client, progress=False)

    got = posts.groupby("query").size().to_dict()
    frame = e.frame.set_index("target")
    for query in queries:
        assert within(int(frame.loc[query, "resources"]), got[query]), (query, frame, got)
        assert frame.loc[query, "requests"] == math.ceil(frame.loc[query, "resources"] / 100)
    assert within(e.total["posts"], len(posts))
    assert e.total["users"] == 0
    assert e.total["usd_low"] == pytest.approx(e.total["posts"] * 0.005)
    assert e.total["usd_high"] > e.total["usd_low"]  # the includes (authors, ...) too
    assert e.total["share_of_monthly_cap"] == pytest.approx(e.total["posts"] / 2_000_000)
    if billing is not None:  # what the fake charged: data only (as low), deduplicated
        charged = billing.spent - charged_before  # a post both queries find: charged once
        assert charged == pytest.approx(posts["id"].nunique() * 0.005)
        assert charged <= e.total["usd_low"] + 1e-9


async def test_a_limit_caps_each_query_and_the_dollars(api, client):
    e = await estimate("search", ["python", "climate"], start_time="3d", limit=40, client=client)
    assert list(e.frame["resources"]) == [40, 40]
    assert (e.frame["available"] > 40).all()
    assert e.total["posts"] == 80 and e.total["requests"] == 2
    assert e.total["usd_low"] == pytest.approx(80 * 0.005)
    assert "limit 40" in e.frame["basis"][0]
    posts = await twxdata.fetch_search(
        ["python", "climate"], start_time="3d", limit=40, client=client, progress=False
    )
    assert len(posts) == e.total["posts"]


def test_archive_search_asks_counts_all_once_per_31_days():
    corpus = Corpus(seed=5, size=20_000, span=timedelta(days=100))  # ends this hour
    with FakeXApi(corpus) as server:

        async def go():
            async with make_client(server) as c:
                whole = await estimate("search", "python", archive=True, start_time="95d", client=c)
                asked = requests_to(server, "get_all_tweets_count")
                limited = await estimate(
                    "search", "python", archive=True, start_time="95d", limit=150, client=c
                )
                asked_limited = requests_to(server, "get_all_tweets_count") - asked
                counts = await twxdata.fetch_counts(
                    "python", archive=True, start_time="95d", client=c, progress=False
                )
                posts = await twxdata.fetch_search(
                    "python", archive=True, start_time="95d", limit=150, client=c, progress=False
                )
                plan = await estimate("counts", "python", archive=True, start_time="95d", client=c)
                return whole, asked, limited, asked_limited, counts, posts, plan

        whole, asked, limited, asked_limited, counts, posts, plan = twxdata.run(go())
    # 95 days is four chunks of 31 days: four count requests, each charged as counts/all
    assert asked == 4 == whole.total["estimate_requests"]
    assert whole.total["cost_of_estimate_usd"] == pytest.approx(4 * 0.010)
    assert within(whole.total["posts"], int(counts["tweet_count"].sum()))
    assert whole.total["posts"] > 500
    # with a limit the counting stops once the newest chunk holds enough
    assert asked_limited == 1 == limited.total["estimate_requests"]
    assert limited.total["posts"] == 150 == len(posts)
    assert "at least" in limited.frame["basis"][0]
    # search/all: one request a second at most, 300 a window
    assert whole.total["rate_limit"] == {"requests_per_15_min": 300, "min_interval_s": 1.0}
    assert whole.total["seconds"] == pytest.approx(whole.total["requests"] - 1)
    # the counts kind itself: one request per 31 days, nothing asked to find that out
    assert plan.total["requests"] == 4 and plan.total["estimate_requests"] == 0
    assert plan.total["usd_low"] == plan.total["usd_high"] == pytest.approx(4 * 0.010)
    assert plan.total["posts"] == 0 and plan.total["share_of_monthly_cap"] == 0


async def test_counts_recent_is_one_request(client):
    e = await estimate("counts", ["python", "climate"], client=client)
    assert list(e.frame["requests"]) == [1, 1]
    assert e.total["usd_low"] == pytest.approx(2 * 0.005)
    assert e.total["cost_of_estimate_usd"] == 0


# ---- per user, per post ------------------------------------------------------------------


async def test_followers_estimate_is_the_edges_collected(api, client):
    top = most(api, "followers")
    targets = ["@" + top[0]["username"], top[1]["id"]]
    client.username_cache.clear()
    e = await estimate("followers", targets, client=client)
    # one user lookup for both (2 users) and the @name resolved (1 user): user reads
    assert e.total["estimate_requests"] == 2
    assert e.total["cost_of_estimate_usd"] == pytest.approx(3 * 0.010)
    edges = await twxdata.fetch_followers(targets, client=client, progress=False)
    got = edges.groupby("followers_of").size().to_dict()
    frame = e.frame.set_index("key")
    assert list(e.frame["target"]) == targets
    for user in top:
        assert frame.loc[user["id"], "available"] == user["public_metrics"]["followers_count"]
        assert within(int(frame.loc[user["id"], "resources"]), got[user["id"]])
    assert e.total["users"] == int(e.frame["resources"].sum()) and e.total["posts"] == 0
    assert e.total["usd_low"] == pytest.approx(e.total["users"] * 0.010)
    assert e.total["share_of_monthly_cap"] == 0


async def test_following_with_a_limit(api, client):
    top = most(api, "following", n=1)
    e = await estimate("following", top[0]["id"], limit=5, client=client)
    assert e.total["users"] == 5 and e.total["requests"] == 1


def test_a_timeline_is_capped_at_the_endpoint_reach():
    corpus = Corpus(seed=5, size=20_000, users=5)  # thousands of posts an account
    with FakeXApi(corpus) as server:
        user = max((corpus.user(u) for u in range(5)),
                   key=lambda u: u["public_metrics"]["tweet_count"])  # fmt: skip

        async def go():
            async with make_client(server) as c:
                whole = await estimate("timeline", user["id"], client=c)
                posts = await twxdata.fetch_timeline(user["id"], client=c, progress=False)
                no_replies = await estimate("timeline", user["id"], exclude=["replies"], client=c)
                limited = await estimate("timeline", user["id"], limit=250, client=c)
                return whole, posts, no_replies, limited

        whole, posts, no_replies, limited = twxdata.run(go())
    assert user["public_metrics"]["tweet_count"] > 3_200
    assert whole.total["posts"] == 3_200 == len(posts)
    assert whole.total["requests"] == 32
    assert "reach 3,200" in whole.frame["basis"][0]
    assert no_replies.total["posts"] == 800
    assert limited.total["posts"] == 250 and limited.total["requests"] == 3
    # the author is one user a page on a user's own timeline
    assert whole.rows[0].includes["user"] < whole.total["posts"]


async def test_mentions_are_bounded_by_the_reach_and_said_so(api, client):
    before = requests_to(api)
    e = await estimate("mentions", api.corpus.user(0)["id"], client=client)
    assert requests_to(api) == before  # nothing to ask
    assert e.total["posts"] == 800 and e.frame["available"].isna().all()
    assert any("no count" in n for n in e.notes)


async def test_liked_tweets_from_like_count(api, client):
    user = most(api, "followers", n=1)[0]
    e = await estimate("liked_tweets", user["id"], client=client)
    assert e.total["posts"] == user["public_metrics"]["like_count"]
    likes = await twxdata.fetch_liked_tweets(user["id"], client=client, progress=False)
    assert within(e.total["posts"], len(likes), 0.1)


async def test_likers_reposters_quotes_from_the_posts_metrics(api, client):
    p = api.corpus.posts
    ids = [str(int(p.ids[r])) for r in np.argsort(-p.like_count)[:2]]
    before = requests_to(api, "get_tweets")
    e = await estimate("liking_users", ids, client=client)
    assert requests_to(api, "get_tweets") - before == 1  # one post lookup for all
    assert e.total["cost_of_estimate_usd"] == pytest.approx(2 * 0.005)
    likers = await twxdata.fetch_liking_users(ids, client=client, progress=False)
    assert within(e.total["users"], len(likers))
    for kind, metric in (("retweeters", "retweet_count"), ("quote_tweets", "quote_count")):
        e = await estimate(kind, ids, client=client)
        assert list(e.frame["basis"].str.split().str[0]) == [metric, metric]


async def test_list_members_from_member_count(api, client):
    lists = api.corpus.lists
    public = next(i for i in range(lists.n) if not lists.private[i] and len(lists.members(i)) > 5)
    list_id = str(int(lists.ids[public]))
    e = await estimate("list-members", [list_id, "1"], client=client)
    assert e.total["cost_of_estimate_usd"] == pytest.approx(0.005)  # one list read
    members = await twxdata.fetch_list_members(list_id, client=client, progress=False)
    assert list(e.frame["resources"]) == [len(members), 0] and len(members) > 5
    assert e.frame["basis"][1] == "not found"


async def test_unknown_users_are_rows_of_nothing(api, client):
    e = await estimate("followers", ["1", api.corpus.user(0)["id"]], client=client)
    first = e.frame.iloc[0]
    assert first["resources"] == 0 and first["basis"]


# ---- lookups -------------------------------------------------------------------------------


async def test_lookups_count_the_ids_in_batches(api, client):
    before = requests_to(api)
    ids = [str(int(i)) for i in api.corpus.posts.ids[:250]]
    e = await estimate("tweets", ids, client=client)
    assert list(e.frame["resources"]) == [100, 100, 50]
    assert e.total["requests"] == 3 and e.total["posts"] == 250
    users = await estimate("users", ["@a_name", "@another"], client=client)
    assert users.endpoint == "get_users_by_usernames" and users.total["users"] == 2
    assert requests_to(api) == before  # nothing asked: the ids are the answer
    assert e.total["cost_of_estimate_usd"] == 0 == users.total["cost_of_estimate_usd"]


# ---- validation, prices, the object ---------------------------------------------------------


async def test_bad_arguments_are_refused_before_any_request(api, client):
    before = requests_to(api)
    for call in (
        estimate("search", "python", start_time="9d", client=client),
        estimate("search", "python", limit=0, client=client),
        estimate("followers", "not a name!", client=client),
        estimate("followers", "@x", start_time="1d", client=client),
        estimate("nothing", "x", client=client),
        estimate("search", "python", max_cost=-1, client=client),
        estimate("search", "python", prices={"post": 1}, client=client),
    ):
        with pytest.raises(ParameterError):
            await call
    assert requests_to(api) == before


def test_verbs_name_their_kinds():
    assert kind_of("quotes").name == "quote_tweets"
    assert kind_of("liking-users").name == "liking_users"
    assert kind_of("search").name == "search"


async def test_prices_can_be_overridden_and_a_legacy_tier_has_no_dollars(client):
    cheap = await estimate("search", "python", limit=100, client=client,
                           prices=Prices(post=0.001, counts_recent=0.0))  # fmt: skip
    assert cheap.total["usd_low"] == pytest.approx(0.1)
    assert cheap.total["cost_of_estimate_usd"] == 0
    basic = await estimate("search", "python", limit=100, client=client, prices=legacy("basic"))
    assert basic.total["usd_low"] == 0
    assert basic.total["share_of_monthly_cap"] == pytest.approx(100 / 15_000)
    assert "no dollar prices" in repr(basic)


async def test_max_cost_says_where_the_collection_would_stop(client):
    e = await estimate("search", "python", start_time="3d", max_cost=0.25, client=client)
    assert e.total["within_max_cost"] is False
    assert e.total["stops_at_max_cost_after"] == 50
    assert any("max_cost" in n for n in e.notes)


async def test_the_estimate_reads_well(client):
    e = await estimate("search", ["python", "climate"], start_time="2d", client=client)
    text = repr(e)
    assert text.startswith("Estimate of search (search_recent_tweets), 2 targets:")
    assert "low: only the posts in data charged" in text and "this estimate cost $0.010" in text
    assert "<table>" in e._repr_html_() and "python" in e._repr_html_()
    assert list(e.frame.columns) == [
        "target", "key", "resource", "available", "resources", "requests", "pages",
        "seconds", "usd_low", "usd_high", "basis",
    ]  # fmt: skip
    assert {"posts", "users", "requests", "pages", "usd_low", "usd_high", "seconds",
            "cost_of_estimate_usd", "share_of_monthly_cap"} <= set(e.total)  # fmt: skip
    notes = " ".join(e.notes)
    for said in ("low: only the posts", "includes", "one distinct user per post",
                 "same-UTC-day deduplication is not counted", "counts/recent"):  # fmt: skip
        assert said in notes
    json.dumps(e.as_dict())  # plain values throughout


def test_the_sync_twin(api):
    twxdata.configure(api_base=api.url, bearer_token=api.bearer_token)
    try:
        e = twxdata.estimate_sync("counts", "python")
    finally:
        twxdata.configure(api_base=None, bearer_token=None)
    assert isinstance(e, twxdata.Estimate) and e.total["requests"] == 1


def test_time_at_the_rate_limit():
    assert seconds_at_limit(1, 15) == 0
    assert seconds_at_limit(15, 15) == 0
    assert seconds_at_limit(16, 15) == 900
    assert seconds_at_limit(31, 15) == 1800
    assert seconds_at_limit(300, 300, 1.0) == 299
    assert seconds_at_limit(301, 300, 1.0) == 900


# ---- the command --------------------------------------------------------------------------


def run_cli(server, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_BEARER_TOKEN": server.bearer_token, "TWXDATA_API_BASE": server.url}
    return subprocess.run([sys.executable, "-m", "twxdata", *args], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip


def test_the_command_prints_a_table_and_json(api):
    top = most(api, "followers", n=1)[0]
    table = run_cli(api, "estimate", "search", "python", "climate", "--start-time", "3d",
                    "--limit", "50")  # fmt: skip
    assert table.returncode == 0, table.stderr
    out = table.stdout
    assert "estimate of search (search_recent_tweets), 2 targets" in out
    assert "python" in out and "climate" in out and "total" in out and "100 posts" in out
    assert "(low: only the posts in data charged)" in out and "(high: the includes" in out
    assert "this estimate cost $0.010 (2 requests)" in out
    assert "of the monthly cap of 2,000,000 posts" in out and "notes:" in out

    result = run_cli(api, "estimate", "followers", "@" + top["username"], "--json")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    total = record["total"]
    assert total["users"] == top["public_metrics"]["followers_count"]
    assert {"posts", "users", "requests", "usd_low", "usd_high"} <= set(total)
    assert record["kind"] == "followers" and record["targets"][0]["target"] == "@" + top["username"]


def test_the_command_refuses_bad_input_before_any_request(api):
    before = requests_to(api)
    for args in (
        ["estimate", "search", "python", "--start-time", "9d"],
        ["estimate", "search", "python", "--limit", "0"],
        ["estimate", "timeline", "not a name!"],
        ["estimate", "search"],
        ["estimate"],
        ["estimate", "nothing", "x"],
    ):
        result = run_cli(api, *args)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
    assert requests_to(api) == before
    said = run_cli(api, "estimate", "search", "python", "--start-time", "9d").stderr
    assert "--start-time" in said and "Traceback" not in said
