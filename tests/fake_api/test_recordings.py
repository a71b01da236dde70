"""Same request, same shape: the fake API against real recorded responses.

For each academictwitteR recording the same path and query go to a fake API whose corpus ends
where the recording's window ends; ids and queries are swapped for ones of the same kind
(a user with posts, a post with likes, a suspended account, a query that matches nothing).
For each tweepy cassette (default fields) the same endpoint is asked with default fields.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp
import pytest

from twxdata.endpoints import by_route
from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.timestamps import parse_rfc3339

BROAD = "the OR data OR new OR hoy OR heute OR 今日 OR اليوم"
NOTHING = "zzzqqqxxx"
# Present on some objects only (or newer than 2021 recordings): may be missing on one side.
CONDITIONAL = {
    "attachments",
    "geo",
    "in_reply_to_user_id",
    "referenced_tweets",
    "withheld",
    "context_annotations",
    "entities",
    "pinned_tweet_id",
    "location",
    "description",
    "url",
    "most_recent_tweet_id",
    "contained_within",
}
NEWER = {"edit_history_tweet_ids"}  # default field since the edit button (2022)
TOKENS = {"next_token", "previous_token"}

ACADEMIC = sorted(
    p.name
    for p in (
        Path(__file__).resolve().parents[2] / ".." / "shared" / "real-api" / "academictwitteR"
    ).glob("[0-9]*.json")
) or ["(no recordings: the shared fixture skips)"]


def _keys(items: list[dict[str, Any]]) -> set[str]:
    return {k for item in items for k in item}


def assert_same_shape(fake: dict[str, Any], real: dict[str, Any], asked: set[str]) -> None:
    # Partial errors come and go with the data; order is always data, includes, errors, meta.
    order = ["data", "includes", "errors", "meta"]
    assert list(fake) == [k for k in order if k in fake] and list(real) == [
        k for k in order if k in real
    ]
    assert set(fake) - {"errors"} == set(real) - {"errors"}, (list(fake), list(real))
    if "errors" in real and "data" not in real:
        assert "errors" in fake
    if isinstance(real.get("data"), list):
        fk, rk = _keys(fake["data"]), _keys(real["data"])
        assert rk - fk <= CONDITIONAL, rk - fk
        assert fk - rk <= CONDITIONAL | NEWER, fk - rk
        assert fk <= asked, fk - asked
    for kind, items in real.get("includes", {}).items():
        if kind == "places" and "places" not in fake.get("includes", {}):
            continue  # geo-tagged posts are rare; the query's page may have none
        assert kind in fake["includes"], kind
        fk, rk = _keys(fake["includes"][kind]), _keys(items)
        assert rk - fk <= CONDITIONAL and fk - rk <= CONDITIONAL | NEWER, (kind, fk ^ rk)
    if "meta" in real:
        assert set(fake["meta"]) - TOKENS == set(real["meta"]) - TOKENS
    if "errors" in real:
        by_type = {e["type"]: set(e) for e in real["errors"]}
        for err in fake["errors"]:
            if err["type"] in by_type:
                assert set(err) == by_type[err["type"]], err


def _when(params: dict[str, str]) -> datetime:
    end = parse_rfc3339(params["end_time"]) if "end_time" in params else None
    base = datetime(2021, 6, 5, tzinfo=timezone.utc)
    return base if end is None else datetime.fromtimestamp(end, tz=timezone.utc)


def _asked(params: dict[str, str]) -> set[str]:
    asked = {
        "id",
        "text",
        "edit_history_tweet_ids",
        "name",
        "username",
        "media_key",
        "type",
        "full_name",
        "options",
        "start",
        "end",
        "tweet_count",
    }
    for name in ("tweet.fields", "user.fields", "place.fields", "media.fields", "poll.fields"):
        asked |= set(params.get(name, "").split(","))
    return asked


def _rewrite(name: str, path: str, params: dict[str, str], c: Corpus) -> tuple[str, dict[str, str]]:
    """Swap the recording's ids and query for corpus ones of the same kind."""
    import numpy as np

    visible = c.visible_rows()
    users = c.users
    parts = path.split("/")
    if "query" in params:
        params["query"] = NOTHING if "empty" in name else BROAD
        if "places" in name:
            params["query"] = f"({BROAD}) has:geo"
    if name == "200_tweets_lookup_data_includes_1error.json":
        params["ids"] = ",".join([str(int(c.posts.ids[i])) for i in visible[-14:]] + ["1"])
    if name == "200_users_by_partial_errors.json":
        params["usernames"] = ",".join([users.username(u) for u in range(4)] + ["adljfhjsd"])
    if "user_mentions_errors_only" in name:
        parts[3] = str(int(users.ids[int(np.flatnonzero(c.state.suspended)[0])]))
    if name == "200_user_tweets.json":
        start = parse_rfc3339(params["start_time"]) or 0
        in_window = visible[c.posts.sec[visible] >= start]
        author = int(np.bincount(c.posts.author[in_window]).argmax())
        parts[3] = str(int(users.ids[author]))
    if "liking_users" in name:
        likes = c.posts.like_count[visible]
        row = visible[int(np.argmax(likes))] if "data" in name else visible[int(np.argmin(likes))]
        parts[3] = str(int(c.posts.ids[row]))
    if "retweeted_by" in name:
        row = visible[int(np.argmax(c.posts.retweet_count[visible]))]
        parts[3] = str(int(c.posts.ids[row]))
    return "/".join(parts), params


@pytest.mark.parametrize("name", ACADEMIC)
async def test_academictwitter_recordings(name: str, shared: Path, make_client: Any) -> None:
    rec = json.loads((shared / "real-api" / "academictwitteR" / name).read_text())
    url = urlsplit(rec["request_url"])
    params = dict(parse_qsl(url.query))
    when = _when(params)
    corpus = Corpus(seed=5, size=3_000, end=when + timedelta(hours=1))
    async with FakeXApi(corpus, min_interval=0.0) as api, aiohttp.ClientSession() as session:
        client = make_client(api, session)
        if rec["status"] != 200:  # error bodies must match byte for byte (as JSON)
            auth = "" if rec["status"] == 401 else None
            reply = await client.get(url.path, auth=auth, **params)
            assert (reply.status, reply.body) == (rec["status"], rec["body"])
            return
        path, params = _rewrite(name, url.path, params, corpus)
        if name == "200_followers_empty_meta.json":
            reply = await _followers_after_last_full_page(client, corpus, params)
        elif "next_token" in params:  # a later page: walk there with our own tokens
            params.pop("next_token")
            reply = None
            pages = await client.walk(path, "next_token", **params)
            fake = pages[-1]
        else:
            reply = await client.get(path, **params)
        if reply is not None:
            assert reply.status == 200, reply.raw[:300]
            fake = reply.body
    assert_same_shape(fake, rec["body"], _asked(params))


async def _followers_after_last_full_page(client: Any, c: Corpus, params: dict[str, str]) -> Any:
    """The quirk of the recording: a full last page still has a next_token, which leads to
    ``{"meta": {"result_count": 0, "previous_token": ...}}``."""
    u = next(
        u for u in range(c.users.n) if c.follows.followers(u).size >= 2 and c.user_state(u) == "ok"
    )
    size = c.follows.followers(u).size
    path = f"/2/users/{int(c.users.ids[u])}/followers"
    params = {k: v for k, v in params.items() if k != "pagination_token"}
    first = await client.get(path, **{**params, "max_results": size})
    token = first.body["meta"]["next_token"]
    return await client.get(path, **{**params, "max_results": size, "pagination_token": token})


def _cassettes(shared: Path) -> list[tuple[str, str]]:
    rows = []
    for line in (shared / "real-api" / "tweepy-cassettes" / "index.tsv").read_text().splitlines():
        cols = line.split("\t")
        if line.startswith("#") or cols[0] == "file" or not cols[0].startswith("test_client"):
            continue
        rows.append((cols[0], cols[2].split(" ", 1)[1]))
    return rows


CASSETTE_ALWAYS_EMPTY = {"get_muted"}  # the fake world has no mutes


async def test_tweepy_cassettes_default_fields(shared: Path, api: FakeXApi, client: Any) -> None:
    c = api.corpus
    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    me = max(ok, key=lambda u: (c.lists.followed(u).size > 0, c.likes.liked(u).size))
    auth = f'OAuth oauth_token="{api.oauth1_token(int(c.users.ids[me]))}"'
    visible = c.visible_rows()
    engaged = c.posts.retweet_count[visible] * c.posts.like_count[visible]
    tweet = str(int(c.posts.ids[visible[int(engaged.argmax())]]))
    quoted = max(visible, key=lambda i: c.quotes_of(int(i)).size)
    listed = max(range(c.lists.n), key=lambda k: (not c.lists.private[k], c.lists.members(k).size))
    owner = next(
        int(c.lists.owner[k])
        for k in range(c.lists.n)
        if c.user_state(int(c.lists.owner[k])) == "ok"
    )
    member = max(ok, key=lambda u: c.lists.memberships(u).size)
    checked = 0
    for file, url in _cassettes(shared):
        real = json.loads((shared / "real-api" / "tweepy-cassettes" / file).read_text())
        split = urlsplit(url)
        e = by_route("GET", split.path)
        assert e is not None, url
        if e.name in CASSETTE_ALWAYS_EMPTY:
            continue
        params = dict(parse_qsl(split.query))
        values = {
            "id": str(int(c.users.ids[me]))
            if e.me or "timelines" in e.path
            else str(int(c.posts.ids[quoted]))
            if e.name == "get_quote_tweets"
            else tweet
            if e.path.startswith("/2/tweets/")
            else str(int(c.lists.ids[listed]))
            if e.path.startswith("/2/lists/")
            else c.spaces.ids[0]
            if e.path.startswith("/2/spaces/")
            else str(int(c.users.ids[owner]))
            if e.name == "get_owned_lists"
            else str(int(c.users.ids[member]))
            if e.name == "get_list_memberships"
            else str(int(c.users.ids[me])),
            "username": c.users.username(me),
        }
        path = e.path
        for p in e.path_params:
            path = path.replace("{" + p + "}", values[p])
        if "query" in params:
            params["query"] = "data" if "spaces" in path else BROAD
        if e.ids_param == "ids":
            params["ids"] = ",".join(
                c.spaces.ids[:2]
                if "spaces" in path
                else [str(int(x)) for x in c.posts.ids[visible[-2:]]]
                if "tweets" in path
                else [str(int(x)) for x in c.users.ids[:2]]
            )
        if e.ids_param == "usernames":
            params["usernames"] = ",".join(c.users.username(u) for u in (0, 1))
        if e.ids_param == "user_ids":
            params["user_ids"] = ",".join(str(int(c.users.ids[int(u)])) for u in c.spaces.creator)
        reply = await client.get(path, auth=auth, **params)
        assert reply.status == 200, (file, reply.raw[:200])
        fake = reply.body
        assert set(fake) == set(real), (file, list(fake), list(real))
        data_f, data_r = fake["data"], real["data"]
        if isinstance(data_r, dict):
            data_f, data_r = [data_f], [data_r]
        # Only withheld accounts carry "withheld"; a page may or may not have one.
        assert _keys(data_f) ^ _keys(data_r) <= {"withheld"}, (file, _keys(data_f) ^ _keys(data_r))
        if "meta" in real:
            assert set(fake["meta"]) - TOKENS == set(real["meta"]) - TOKENS, file
        checked += 1
    assert checked >= 25
