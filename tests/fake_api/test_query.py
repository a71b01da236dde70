"""The search query language: results equal a brute-force reading of the rendered posts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from twxdata.testing import Corpus, FakeXApi

Doc = dict[str, Any]
PUNCT = ".!?…"


def _docs(c: Corpus) -> list[tuple[Doc, Doc]]:
    """(post, content) for every visible post; a retweet's content is its original."""
    out = []
    for i in c.visible_rows():
        tweet = c.tweet(int(i))
        kinds = [r["type"] for r in tweet.get("referenced_tweets", [])]
        content = c.tweet(int(c.posts.ref[i])) if "retweeted" in kinds else tweet
        out.append((tweet, content))
    return out


def words(doc: Doc) -> list[str]:
    return [
        w.strip(PUNCT).lower()
        for w in doc["text"].split()
        if not w.startswith(("#", "@", "$", "http"))
    ]


def phrase(doc: Doc, text: str) -> bool:
    ws, want = words(doc), text.lower().split()
    return any(ws[k : k + len(want)] == want for k in range(len(ws)))


def tags(doc: Doc, kind: str = "hashtags") -> set[str]:
    return {e["tag"].lower() for e in doc.get("entities", {}).get(kind, [])}


def mentions(post: Doc, content: Doc, c: Corpus) -> set[str]:
    names = {e["username"].lower() for e in content.get("entities", {}).get("mentions", [])}
    if post is not content:  # a retweet mentions the original's author too
        names.add(c.user(c.users.index_of_id(int(content["author_id"])) or 0)["username"].lower())
    return names


def kinds(doc: Doc) -> set[str]:
    return {r["type"] for r in doc.get("referenced_tweets", [])}


@pytest.fixture(scope="module")
def docs(corpus: Corpus) -> list[tuple[Doc, Doc]]:
    return _docs(corpus)


def _people(c: Corpus) -> tuple[str, str, str]:
    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    prolific = max(ok, key=lambda u: c.by_author(u).size)
    famous = max(ok, key=lambda u: c.mentioning(u).size)
    return c.users.username(prolific), c.users.username(famous), str(int(c.users.ids[famous]))


def cases(c: Corpus) -> list[tuple[str, Callable[[Doc, Doc], bool]]]:
    prolific, famous, famous_id = _people(c)
    verified = {str(int(c.users.ids[u])) for u in range(c.users.n) if c.users.verified[u]}
    return [
        ("python", lambda p, d: "python" in words(d)),
        ("DATA", lambda p, d: "data" in words(d)),
        ('"open science"', lambda p, d: phrase(d, "open science")),
        ('"the data"', lambda p, d: phrase(d, "the data")),
        ("#python", lambda p, d: "python" in tags(d)),
        ("#DataScience OR #rstats", lambda p, d: bool({"datascience", "rstats"} & tags(d))),
        ("$TSLA", lambda p, d: "tsla" in tags(d, "cashtags")),
        (f"@{famous}", lambda p, d: famous.lower() in mentions(p, d, c)),
        (
            f"from:{prolific}",
            lambda p, d: c.user(c.users.index_of_username(prolific) or 0)["id"] == p["author_id"],
        ),
        (f"to:{famous_id}", lambda p, d: p.get("in_reply_to_user_id") == famous_id),
        ("the lang:en", lambda p, d: "the" in words(d) and d["lang"] == "en"),
        ("اليوم OR היום OR 今日", lambda p, d: bool({"اليوم", "היום", "今日"} & set(words(d)))),
        ("data is:retweet", lambda p, d: "data" in words(d) and "retweeted" in kinds(p)),
        ("data -is:retweet", lambda p, d: "data" in words(d) and "retweeted" not in kinds(p)),
        ("the is:reply", lambda p, d: "the" in words(d) and "replied_to" in kinds(p)),
        ("the is:quote", lambda p, d: "the" in words(d) and "quoted" in kinds(p)),
        ("the is:verified", lambda p, d: "the" in words(d) and p["author_id"] in verified),
        (
            "the has:media",
            lambda p, d: "the" in words(d) and "media_keys" in d.get("attachments", {}),
        ),
        (
            "new has:links",
            lambda p, d: "new" in words(d) and bool(d.get("entities", {}).get("urls")),
        ),
        ("the has:hashtags", lambda p, d: "the" in words(d) and bool(tags(d))),
        ("the -has:mentions", lambda p, d: "the" in words(d) and not mentions(p, d, c)),
        ("the has:cashtags", lambda p, d: "the" in words(d) and bool(tags(d, "cashtags"))),
        ("the has:geo", lambda p, d: "the" in words(d) and "geo" in p),
        (
            "(#python OR #rstats OR data) -is:retweet lang:en",
            lambda p, d: (
                (bool({"python", "rstats"} & tags(d)) or "data" in words(d))
                and "retweeted" not in kinds(p)
                and d["lang"] == "en"
            ),
        ),
        (
            "news OR (music -lang:en) OR #football",
            lambda p, d: (
                "news" in words(d)
                or ("music" in words(d) and d["lang"] != "en")
                or "football" in tags(d)
            ),
        ),
        (
            "-(the OR data) new",
            lambda p, d: "new" in words(d) and not {"the", "data"} & set(words(d)),
        ),
        ("zzzqqq", lambda p, d: False),
    ]


async def test_queries_match_brute_force(client: Any, corpus: Corpus, docs: Any) -> None:
    nonempty = 0
    for query, pred in cases(corpus):
        pages = await client.walk(
            "/2/tweets/search/all",
            "next_token",
            query=query,
            max_results=500,
            start_time="2024-03-01T00:00:00Z",
        )
        got = [t["id"] for p in pages for t in p.get("data", [])]
        expected = {p["id"] for p, d in docs if pred(p, d)}
        assert len(got) == len(set(got)), query
        assert set(got) == expected, (query, len(got), len(expected))
        nonempty += bool(expected)
    assert nonempty >= len(cases(corpus)) - 2  # the cases are not vacuous


BAD = [
    ("(cats", "Unbalanced parentheses (at position 1)"),
    ("cats)", "Unbalanced parentheses (at position 5)"),
    ('"open science', "Unterminated quoted phrase (at position 1)"),
    ("cats OR", "Dangling OR (at position 6)"),
    ("OR cats", "Dangling OR (at position 1)"),
    ("cats ()", "Empty group (at position 7)"),
    ("cats - dogs", "Negation must be followed directly by a term (at position 6)"),
    ("foo:bar cats", "Reference to invalid operator 'foo' (at position 1)"),
    ("cats is:famous", "Reference to invalid field 'famous' for operator 'is:' (at position 6)"),
    ("cats has:", "Operator 'has:' needs a value (at position 6)"),
    ("is:retweet", "Rules must contain a non-negation term"),
    ("-cats", "Rules must contain a non-negation term"),
    ("has:media lang:en", "Rules must contain a non-negation term"),
    ("   ", "Empty query (at position 1)"),
]


@pytest.mark.parametrize(("query", "message"), BAD)
async def test_malformed_queries_are_invalid_requests(
    client: Any, query: str, message: str
) -> None:
    reply = await client.get("/2/tweets/search/recent", query=query)
    assert reply.status == 400
    body = reply.body
    assert list(body) == ["errors", "title", "detail", "type"]
    assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert body["title"] == "Invalid Request"
    assert body["detail"] == "One or more parameters to your request was invalid."
    (err,) = body["errors"]
    assert err["parameters"] == {"query": [query]}
    assert err["message"].startswith("There were errors processing your request: " + message)


async def test_query_length_limits(client: Any) -> None:
    long = " OR ".join(["cats"] * 110)  # 548 characters: too long for recent, fine for all
    assert len(long) > 512
    reply = await client.get("/2/tweets/search/recent", query=long)
    assert reply.status == 400 and "max allowed: 512" in reply.body["errors"][0]["message"]
    assert (await client.get("/2/tweets/search/all", query=long)).status == 200


async def test_recent_search_covers_only_the_last_seven_days(client: Any, api: FakeXApi) -> None:
    pages = await client.walk(
        "/2/tweets/search/recent",
        "next_token",
        query="the OR data",
        max_results=100,
        tweet__fields="created_at",
    )
    from twxdata.testing.timestamps import parse_rfc3339

    times = [parse_rfc3339(t["created_at"]) or 0 for p in pages for t in p["data"]]
    now = api.now()
    assert min(times) >= now - 7 * 86_400 - 1 and max(times) < now - 10
    archive = await client.walk(
        "/2/tweets/search/all", "next_token", query="the OR data", max_results=500
    )
    assert sum(len(p["data"]) for p in archive) > sum(len(p["data"]) for p in pages)
    reply = await client.get(
        "/2/tweets/search/recent", query="cats", start_time="2024-04-20T00:00:00Z"
    )
    assert reply.status == 400
    assert reply.body["errors"][0]["message"] == (
        "Invalid 'start_time':'2024-04-20T00:00Z'. 'start_time' must be on or after "
        "2024-04-24T00:00Z"
    )
    assert re.fullmatch(r"\d+", pages[0]["meta"]["newest_id"])
