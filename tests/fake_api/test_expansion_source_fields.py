"""An expansion sends the field it reads, as X does, even when ``*.fields`` does not name it.

X's docs show ``GET /2/tweets/:id?expansions=author_id`` answering with ``author_id`` in the
post, so code that asks only for the expansion can join ``includes.users`` on it. These tests
ask through the tweepy-compatible client exactly that way: the expansion alone, no fields.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from twxdata.compat import AsyncClient, Response
from twxdata.endpoints import ENDPOINTS, Result
from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.posts import QUOTE, REPLY, RETWEET
from twxdata.testing.texts import media_keys

TWEET_DEFAULT = {"id", "text", "edit_history_tweet_ids"}
END = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
async def client(api: FakeXApi) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(bearer_token=api.bearer_token, api_base=api.url) as c:
        yield c


def row(c: Corpus, test: Callable[[int], bool]) -> int:
    """The post id of the first visible post (author in good standing) that passes ``test``."""
    for i in c.visible_rows():
        i = int(i)
        if c.row_state(i) == "ok" and test(i):
            return int(c.posts.ids[i])
    raise AssertionError("no such post in the corpus")


def raw(r: Response) -> list[dict[str, Any]]:
    """The posts (or users, lists) of ``data`` as sent."""
    items = r.data if isinstance(r.data, list) else [r.data]
    return [dict(item.data) for item in items]


def included(r: Response, section: str, key: str = "id") -> list[str]:
    return [str(obj.data[key]) for obj in r.includes.get(section, [])]


async def test_author_id_alone_sends_author_id(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus
    tweet_id = row(c, lambda i: True)
    r = await client.get_tweet(tweet_id, expansions=["author_id"])
    post = raw(r)[0]
    assert set(post) == TWEET_DEFAULT | {"author_id"}  # nothing else comes with it
    assert included(r, "users") == [post["author_id"]]
    assert r.data.author_id == r.includes["users"][0].id  # the seed-style join

    ids = [int(c.posts.ids[int(i)]) for i in c.visible_rows()[-40:]]
    r = await client.get_tweets(ids, expansions=["author_id"])
    posts = raw(r)
    assert posts and all("author_id" in p for p in posts)
    authors = {p["author_id"] for p in posts}
    users = included(r, "users")
    assert users and set(users) <= authors
    assert set(users) == authors - {e["resource_id"] for e in r.errors}


async def test_author_id_in_search_pages(client: AsyncClient) -> None:
    r = await client.search_all_tweets(
        "the OR data OR new", max_results=50, start_time="2024-04-20T00:00:00Z"
    )
    assert all(set(p) == TWEET_DEFAULT for p in raw(r))  # no expansion: defaults only
    r = await client.search_all_tweets(
        "the OR data OR new",
        max_results=50,
        start_time="2024-04-20T00:00:00Z",
        expansions="author_id",
    )
    posts = raw(r)
    assert all(set(p) == TWEET_DEFAULT | {"author_id"} for p in posts)
    assert included(r, "users") == list(dict.fromkeys(p["author_id"] for p in posts))


async def test_no_expansion_no_source_field(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus
    reply = row(c, lambda i: int(c.posts.kind[i]) == REPLY and c.posts.place[i] >= 0)
    r = await client.get_tweet(reply)
    assert set(raw(r)[0]) == TWEET_DEFAULT and r.includes == {}
    # Another expansion's source field is not sent either.
    r = await client.get_tweet(reply, expansions=["geo.place_id"])
    assert set(raw(r)[0]) == TWEET_DEFAULT | {"geo"}


async def test_reply_and_referenced_posts(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus

    def ref_ok(i: int) -> bool:
        ref = int(c.posts.ref[i])
        return c.row_state(ref) == "ok" and c.user_state(int(c.posts.author[ref])) == "ok"

    reply = row(c, lambda i: int(c.posts.kind[i]) == REPLY and ref_ok(i))
    r = await client.get_tweet(reply, expansions=["in_reply_to_user_id"])
    post = raw(r)[0]
    assert set(post) == TWEET_DEFAULT | {"in_reply_to_user_id"}
    assert included(r, "users") == [post["in_reply_to_user_id"]]

    quote = row(c, lambda i: int(c.posts.kind[i]) == QUOTE and ref_ok(i))
    r = await client.get_tweet(quote, expansions=["referenced_tweets.id"])
    post = raw(r)[0]
    assert set(post) == TWEET_DEFAULT | {"referenced_tweets"}
    assert included(r, "tweets") == [t["id"] for t in post["referenced_tweets"]]
    assert all(set(t.data) == TWEET_DEFAULT for t in r.includes["tweets"])

    # Through the referenced post: the included post carries its author, the join works.
    r = await client.get_tweet(
        quote, expansions=["referenced_tweets.id", "referenced_tweets.id.author_id"]
    )
    post, (ref,) = raw(r)[0], r.includes["tweets"]
    assert set(post) == TWEET_DEFAULT | {"referenced_tweets"}
    assert set(ref.data) == TWEET_DEFAULT | {"author_id"}
    assert included(r, "users") == [ref.data["author_id"]]
    # ... and without that expansion an included post keeps only what was asked for.
    r = await client.get_tweet(quote, expansions=["referenced_tweets.id", "author_id"])
    assert set(raw(r)[0]) == TWEET_DEFAULT | {"referenced_tweets", "author_id"}
    assert set(r.includes["tweets"][0].data) == TWEET_DEFAULT


async def test_attachments_geo_and_mentions(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus
    p = c.posts
    with_media = row(
        c, lambda i: int(p.kind[i]) != RETWEET and bool(media_keys(p, i)) and not p.poll[i]
    )
    r = await client.get_tweet(with_media, expansions=["attachments.media_keys"])
    post = raw(r)[0]
    assert set(post) == TWEET_DEFAULT | {"attachments"}
    assert list(post["attachments"]) == ["media_keys"]
    assert included(r, "media", "media_key") == post["attachments"]["media_keys"]

    plain = row(c, lambda i: not media_keys(p, i) and not p.poll[i] and p.place[i] < 0)
    r = await client.get_tweet(plain, expansions=["attachments.media_keys", "geo.place_id"])
    assert set(raw(r)[0]) == TWEET_DEFAULT  # nothing to point at, nothing added

    with_poll = row(c, lambda i: bool(p.poll[i]))
    r = await client.get_tweet(with_poll, expansions=["attachments.poll_ids"])
    post = raw(r)[0]
    assert post["attachments"] == {"poll_ids": included(r, "polls")}

    located = row(c, lambda i: p.place[i] >= 0 and bool(p.coords[i]))
    r = await client.get_tweet(located, expansions=["geo.place_id"])
    post = raw(r)[0]
    assert post["geo"] == {"place_id": included(r, "places")[0]}  # no coordinates unasked
    r = await client.get_tweet(located, expansions=["geo.place_id"], tweet_fields=["geo"])
    assert set(raw(r)[0]["geo"]) == {"coordinates", "place_id"}  # asked: the whole field

    def mentions(i: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = c.tweet(i).get("entities", {}).get("mentions", [])
        return found

    mentioning = row(c, lambda i: bool(mentions(i)) and len(c.tweet(i)["entities"]) > 1)
    r = await client.get_tweet(mentioning, expansions=["entities.mentions.username"])
    post = raw(r)[0]
    assert set(post) == TWEET_DEFAULT | {"entities"} and list(post["entities"]) == ["mentions"]
    names = {m["username"] for m in post["entities"]["mentions"]}
    assert {u.username for u in r.includes.get("users", [])} <= names


async def test_user_expansions(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus

    def tweet_ok(u: int, field: str) -> bool:
        value = c.user(u).get(field)
        found = None if value is None else c.find_tweet(int(value))
        return found is not None and c.row_state(found[0]) == "ok"

    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    pinned = next(u for u in ok if tweet_ok(u, "pinned_tweet_id"))
    r = await client.get_user(id=int(c.users.ids[pinned]), expansions=["pinned_tweet_id"])
    user = raw(r)[0]
    assert "pinned_tweet_id" in user and "most_recent_tweet_id" not in user
    assert included(r, "tweets") == [user["pinned_tweet_id"]]
    assert r.data.pinned_tweet_id == r.includes["tweets"][0].id

    recent = next(u for u in ok if tweet_ok(u, "most_recent_tweet_id"))
    r = await client.get_user(id=int(c.users.ids[recent]), expansions="most_recent_tweet_id")
    user = raw(r)[0]
    assert "most_recent_tweet_id" in user and "pinned_tweet_id" not in user
    assert included(r, "tweets") == [user["most_recent_tweet_id"]]

    unpinned = next(u for u in ok if "pinned_tweet_id" not in c.user(u))
    r = await client.get_user(id=int(c.users.ids[unpinned]), expansions=["pinned_tweet_id"])
    assert "pinned_tweet_id" not in raw(r)[0]


async def test_list_and_space_expansions(client: AsyncClient, api: FakeXApi) -> None:
    c = api.corpus
    k = next(
        k
        for k in range(c.lists.n)
        if not c.lists.private[k] and c.user_state(int(c.lists.owner[k])) == "ok"
    )
    r = await client.get_list(int(c.lists.ids[k]), expansions=["owner_id"])
    lst = raw(r)[0]
    assert set(lst) == {"id", "name", "owner_id"}
    assert included(r, "users") == [lst["owner_id"]]
    r = await client.get_list(int(c.lists.ids[k]))
    assert set(raw(r)[0]) == {"id", "name"}

    r = await client.get_space(c.spaces.ids[0], expansions=["creator_id"])
    space = raw(r)[0]
    assert set(space) == {"id", "state", "creator_id"}
    assert included(r, "users") == [space["creator_id"]]


async def test_created_posts_too() -> None:
    c = Corpus(seed=11, size=800, end=END)  # its own: the post written here changes it
    me = next(u for u in range(c.users.n) if c.user_state(u) == "ok")
    me_id = int(c.users.ids[me])
    async with FakeXApi(c, min_interval=0.0, limits=10**6) as api:
        token = api.oauth1_token(me_id)
        async with AsyncClient(api.bearer_token, "k", "s", token, "t", api_base=api.url) as client:
            made = (await client.create_tweet(text="Joining on author_id")).data
            r = await client.get_tweet(made["id"], expansions=["author_id"])
            post = raw(r)[0]
            assert set(post) == TWEET_DEFAULT | {"author_id"}
            assert post["author_id"] == str(me_id) == included(r, "users")[0]
            r = await client.get_tweet(made["id"])
            assert set(raw(r)[0]) == TWEET_DEFAULT


def test_every_expansion_has_its_source_field() -> None:
    """The table covers every expansion each kind of endpoint accepts."""
    from twxdata.testing.payload import EXPANSION_SOURCES

    for e in ENDPOINTS.values():
        if e.expansions and e.result is not Result.ACTION:
            assert e.expansions <= set(EXPANSION_SOURCES[e.result.value]), e.name
