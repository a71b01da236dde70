"""Fields and expansions: defaults only unless asked, includes exactly as requested."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import aiohttp

from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.posts import QUOTE, REPLY, RETWEET

QUERY = "the OR data OR new OR hoy OR 今日"
TWEET_DEFAULT = {"id", "text", "edit_history_tweet_ids"}
USER_DEFAULT = {"id", "name", "username"}
END = datetime(2024, 5, 1, tzinfo=timezone.utc)


async def search(client: Any, **params: Any) -> dict[str, Any]:
    params = {"query": QUERY, "max_results": 100, "start_time": "2024-04-20T00:00:00Z", **params}
    reply = await client.get("/2/tweets/search/all", **params)
    assert reply.status == 200, reply.raw[:300]
    return reply.body  # type: ignore[no-any-return]


async def test_defaults_only(client: Any) -> None:
    body = await search(client)
    assert list(body) == ["data", "meta"]
    assert all(set(t) == TWEET_DEFAULT for t in body["data"])
    body = await search(client, expansions="author_id")
    assert list(body["includes"]) == ["users"]
    assert all(set(u) - {"withheld"} == USER_DEFAULT for u in body["includes"]["users"])


async def test_only_what_is_asked(client: Any) -> None:
    body = await search(
        client, tweet__fields="created_at,lang", user__fields="created_at", expansions="author_id"
    )
    # author_id comes with its expansion, as X sends it (test_expansion_source_fields.py).
    asked = TWEET_DEFAULT | {"created_at", "lang", "author_id"}
    assert all(set(t) == asked for t in body["data"])
    assert all(
        set(u) - {"withheld"} == USER_DEFAULT | {"created_at"} for u in body["includes"]["users"]
    )
    body = await search(client, tweet__fields="public_metrics,entities")
    for t in body["data"]:
        assert set(t) - {"entities"} == TWEET_DEFAULT | {"public_metrics"}
        assert set(t["public_metrics"]) == {
            "retweet_count",
            "reply_count",
            "like_count",
            "quote_count",
            "bookmark_count",
            "impression_count",
        }


async def test_includes_follow_the_expansions(client: Any) -> None:
    fields = "author_id,referenced_tweets,attachments,in_reply_to_user_id,geo,entities"
    body = await search(client, tweet__fields=fields, expansions="author_id")
    users = body["includes"]["users"]
    assert len({u["id"] for u in users}) == len(users)  # each object once
    assert [u["id"] for u in users] == list(dict.fromkeys(t["author_id"] for t in body["data"]))
    body = await search(
        client,
        tweet__fields=fields,
        expansions="referenced_tweets.id,referenced_tweets.id.author_id",
    )
    inc = body["includes"]
    referenced = {r["id"] for t in body["data"] for r in t.get("referenced_tweets", [])}
    missing = {e["resource_id"] for e in body.get("errors", [])}
    assert {t["id"] for t in inc["tweets"]} | missing == referenced
    assert [u["id"] for u in inc["users"]] == list(
        dict.fromkeys(t["author_id"] for t in inc["tweets"])
    )
    body = await search(client, tweet__fields=fields, expansions="attachments.media_keys")
    keys = [k for t in body["data"] for k in t.get("attachments", {}).get("media_keys", [])]
    assert [m["media_key"] for m in body["includes"]["media"]] == keys
    assert all(set(m) == {"media_key", "type"} for m in body["includes"]["media"])
    outcomes = set()
    for hour in range(10, 24):
        body = await search(
            client,
            expansions="geo.place_id",
            tweet__fields="geo",
            start_time=f"2024-04-30T{hour}:00:00Z",
        )
        tagged = any("place_id" in t.get("geo", {}) for t in body["data"])
        # Empty arrays are left out, and so is an empty includes.
        assert ("includes" in body) == tagged
        outcomes.add(tagged)
    assert outcomes == {True, False}


def _pick(c: Corpus, kind: int) -> int:
    return int(next(i for i in c.visible_rows()[::-1] if c.posts.kind[i] == kind))


async def test_partial_errors_for_deleted_and_protected(make_client: Any) -> None:
    c = Corpus(seed=31, size=3_000, end=END)
    quote, reply = _pick(c, QUOTE), _pick(c, REPLY)
    quoted, parent = int(c.posts.ref[quote]), int(c.posts.ref[reply])
    c.delete_tweet(int(c.posts.ids[quoted]))
    c.protect_user(int(c.users.ids[int(c.posts.author[parent])]))
    ids = f"{int(c.posts.ids[quote])},{int(c.posts.ids[reply])},1,{int(c.posts.ids[quoted])}"
    async with FakeXApi(c, limits=10**6) as api, aiohttp.ClientSession() as s:
        client = make_client(api, s)
        body = (await client.get("/2/tweets", ids=ids, expansions="referenced_tweets.id")).body
    assert [t["id"] for t in body["data"]] == ids.split(",")[:2]
    errors = {(e["parameter"], e["resource_id"]): e for e in body["errors"]}
    gone = errors[("referenced_tweets.id", str(int(c.posts.ids[quoted])))]
    assert gone["title"] == "Not Found Error" and gone["resource_type"] == "tweet"
    assert gone["detail"] == f"Could not find tweet with referenced_tweets.id: [{gone['value']}]."
    hidden = errors[("referenced_tweets.id", str(int(c.posts.ids[parent])))]
    assert hidden["type"] == "https://api.twitter.com/2/problems/not-authorized-for-resource"
    assert hidden["section"] == "includes" and hidden["title"] == "Authorization Error"
    assert errors[("ids", "1")]["detail"] == "Could not find tweet with ids: [1]."
    assert errors[("ids", str(int(c.posts.ids[quoted])))]["title"] == "Not Found Error"
    assert list(body) == ["data", "errors"]  # nothing to include: includes is left out
    assert set(gone) == {
        "value",
        "detail",
        "title",
        "resource_type",
        "parameter",
        "resource_id",
        "type",
    }


async def test_lookups_of_users_by_state(make_client: Any) -> None:
    corpus = Corpus(seed=32, size=2_000, end=END)
    suspended, gone, protected = 3, 4, 5
    corpus.suspend_user(int(corpus.users.ids[suspended]))
    corpus.deactivate_user(int(corpus.users.ids[gone]))
    corpus.protect_user(int(corpus.users.ids[protected]))
    async with FakeXApi(corpus, limits=10**6) as api, aiohttp.ClientSession() as s:
        await _check_user_states(make_client(api, s), corpus, suspended, gone, protected)


async def _check_user_states(
    client: Any, corpus: Corpus, suspended: int, gone: int, protected: int
) -> None:
    ids = [int(corpus.users.ids[u]) for u in (0, suspended, gone, protected)]
    body = (
        await client.get("/2/users", ids=",".join(map(str, ids)), user__fields="protected")
    ).body
    assert [u["id"] for u in body["data"]] == [str(ids[0]), str(ids[3])]
    assert body["data"][1]["protected"] is True
    by_id = {e["resource_id"]: e for e in body["errors"]}
    assert by_id[str(ids[1])]["detail"] == f"User has been suspended: [{ids[1]}]."
    assert by_id[str(ids[1])]["title"] == "Forbidden"
    assert by_id[str(ids[2])]["detail"] == f"Could not find user with ids: [{ids[2]}]."
    name = corpus.users.username(gone)
    reply = await client.get(f"/2/users/by/username/{name}")
    assert reply.body == {
        "errors": [
            {
                "value": name,
                "detail": f"Could not find user with username: [{name}].",
                "title": "Not Found Error",
                "resource_type": "user",
                "parameter": "username",
                "resource_id": name,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
        ]
    }
    reply = await client.get(f"/2/users/{ids[1]}/tweets")
    assert list(reply.body) == ["errors"] and "suspended" in reply.body["errors"][0]["detail"]
    reply = await client.get(f"/2/users/{ids[3]}/tweets")
    assert reply.body["errors"][0]["type"].endswith("not-authorized-for-resource")


async def test_edit_history(client: Any, corpus: Corpus) -> None:
    row = int(next(i for i in corpus.visible_rows()[::-1] if corpus.posts.edits[i] == 2))
    pid = str(int(corpus.posts.ids[row]))
    body = (
        await client.get(
            f"/2/tweets/{pid}",
            expansions="edit_history_tweet_ids",
            tweet__fields="created_at,edit_controls",
        )
    ).body
    history = body["data"]["edit_history_tweet_ids"]
    assert len(history) == 3 and history[-1] == pid and history == sorted(history)
    old = body["includes"]["tweets"]
    assert [t["id"] for t in old] == history[:2]
    assert all(t["edit_history_tweet_ids"] == history for t in old)
    assert all(t["text"] != body["data"]["text"] for t in old)
    assert [t["created_at"] for t in old] < [body["data"]["created_at"]] * 2
    first = (await client.get(f"/2/tweets/{history[0]}")).body
    assert first["data"]["id"] == history[0]


async def test_retweet_media_comes_through_the_referenced_post(client: Any, corpus: Corpus) -> None:
    rows = [
        int(i)
        for i in corpus.visible_rows()
        if corpus.posts.kind[i] == RETWEET and corpus.posts.media[i]
    ]
    pid = int(corpus.posts.ids[rows[-1]])
    body = (
        await client.get(
            f"/2/tweets/{pid}", tweet__fields="attachments", expansions="attachments.media_keys"
        )
    ).body
    assert "attachments" not in body["data"] and "includes" not in body
    body = (
        await client.get(
            f"/2/tweets/{pid}", expansions="referenced_tweets.id.attachments.media_keys"
        )
    ).body
    assert body["includes"]["media"]
