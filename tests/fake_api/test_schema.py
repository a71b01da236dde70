"""Every response of the fake API validates against the official OpenAPI spec (v2.166)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import aiohttp

from twxdata.testing import Corpus, FakeXApi

# Endpoints whose fake world is empty: they answer {"meta": {"result_count": 0}}.
ALWAYS_EMPTY = {
    "get_blocked",
    "get_muted",
    "get_space_buyers",
    "get_direct_message_events",
    "get_dm_events_with_participant",
    "get_dm_events_in_conversation",
    "get_rules",  # an app has no rule until it adds some (tests/stream)
}


async def test_every_read_endpoint_default_and_full(
    client: Any, sample_requests: Any, spec: Any, fields_for: Any
) -> None:
    seen_data = set()
    for s in sample_requests:
        for params in (s.params, {**s.params, **fields_for(s.name)}):
            reply = await client.get(s.path, auth=s.auth, **params)
            assert reply.status == 200, (s.name, reply.raw[:300])
            body = reply.body
            assert spec.check(s.template, 200, body) == [], (s.name, params)
            if "data" in body:
                seen_data.add(s.name)
    served = {s.name for s in sample_requests}
    assert served - seen_data == ALWAYS_EMPTY  # every other endpoint had data to validate


async def test_every_post_of_the_corpus_fully_expanded(
    client: Any, spec: Any, fields_for: Any
) -> None:
    params = {
        **fields_for("search_all_tweets"),
        "query": "the OR data OR new OR hoy OR heute OR 今日 OR اليوم OR היום OR bugün",
        "max_results": 100,  # the most allowed with context_annotations
        "start_time": "2024-03-01T00:00:00Z",
    }
    pages = await client.walk("/2/tweets/search/all", "next_token", **params)
    includes: Counter[str] = Counter()
    problem_types: Counter[str] = Counter()
    media_types: Counter[str] = Counter()
    for page in pages:
        assert spec.check("/2/tweets/search/all", 200, page) == []
        includes.update(page.get("includes", {}).keys())
        problem_types.update(e["type"].rsplit("/", 1)[-1] for e in page.get("errors", []))
        media_types.update(m["type"] for m in page.get("includes", {}).get("media", []))
    assert sum(p["meta"]["result_count"] for p in pages) > 1000
    assert set(includes) == {"users", "tweets", "media", "places", "polls"}
    assert {"resource-not-found", "not-authorized-for-resource"} <= set(problem_types)
    assert set(media_types) == {"photo", "video", "animated_gif"}


async def test_user_objects_of_the_whole_corpus(
    client: Any, spec: Any, fields_for: Any, corpus: Corpus
) -> None:
    ids = [str(int(x)) for x in corpus.users.ids]
    for start in range(0, len(ids), 100):
        reply = await client.get(
            "/2/users", ids=",".join(ids[start : start + 100]), **fields_for("get_users")
        )
        assert reply.status == 200
        assert spec.check("/2/users", 200, reply.body) == []


async def test_error_responses(client: Any, api: FakeXApi, spec: Any) -> None:
    user = int(api.corpus.users.ids[api.corpus.user_for_token("x")])
    cases = [
        ("/2/tweets/search/recent", {"query": "(cats"}, None, 400),
        ("/2/tweets/search/recent", {"query": "cats", "max_results": "5"}, None, 400),
        ("/2/tweets/search/recent", {"query": "cats", "tweet.fields": "nope"}, None, 400),
        (f"/2/users/{user}/followers", {"pagination_token": "bogus"}, None, 400),
        ("/2/tweets", {"ids": "abc"}, None, 400),
        ("/2/tweets/search/recent", {"query": "cats"}, "Bearer bad-token", 401),
        ("/2/users/me", {}, "", 401),
    ]
    for path, params, auth, status in cases:
        reply = await client.get(path, auth=auth, **params)
        assert reply.status == status, (path, params, reply.raw[:200])
        template = "/2/users/{id}/followers" if "followers" in path else path
        assert spec.check(template, status, reply.body) == [], (path, params)
    for kind, status in (("429", 429), ("500", 500), ("503", 503)):
        api.inject(kind)
        reply = await client.get("/2/tweets/search/recent", query="cats")
        assert reply.status == status
        assert spec.check("/2/tweets/search/recent", status, reply.body) == []


async def test_rate_limit_and_unsupported_auth_bodies(
    corpus: Corpus, spec: Any, make_client: Any
) -> None:
    async with FakeXApi(corpus, limits=1, strict_auth=True) as api, aiohttp.ClientSession() as s:
        client = make_client(api, s)
        assert (await client.get("/2/tweets/search/recent", query="cats")).status == 200
        reply = await client.get("/2/tweets/search/recent", query="cats")
        assert reply.status == 429
        assert spec.check("/2/tweets/search/recent", 429, reply.body) == []
        reply = await client.get("/2/users/me")
        assert reply.status == 403
        assert spec.check("/2/users/me", 403, reply.body) == []
