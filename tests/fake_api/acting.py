"""Acting on a fresh fake API as several accounts: the helpers of the write-then-read tests.

Every test gets its own corpus (writes mutate it), the ids of a few accounts and posts that
the tests need, and ``World.get``/``World.send`` that speak for an account with OAuth 1.0a.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import aiohttp

from twxdata.testing import Corpus, FakeXApi
from twxdata.testing.posts import ORIGINAL, RETWEET

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
METRICS = {"tweet.fields": "public_metrics"}


@dataclass
class Cast:
    """User ids (strings, as the API takes them) and post ids the tests act on."""

    me: str  # a public account that writes
    other: str  # another public account, not following ``me``
    author: str  # the author of ``target``
    target: str  # ``author``'s newest visible original post, in the last days, with likers
    liker: str  # an account the corpus made like ``target``
    reposted: str  # a visible original post with a visible generated repost
    reposter: str  # the author of that repost


def cast(c: Corpus) -> Cast:
    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    visible = c.visible_rows()
    recent = [int(i) for i in visible[-200:] if int(c.posts.kind[i]) == ORIGINAL]

    def newest_own(i: int) -> bool:
        own = c.by_author(int(c.posts.author[i]))
        return int(own[c.visible[own]][-1]) == i

    target = next(
        i
        for i in reversed(recent)
        if newest_own(i) and c.likes.likers(i).size >= 2 and int(c.posts.author[i]) in ok
    )
    author = int(c.posts.author[target])
    liker = next(int(u) for u in c.likes.likers(target) if int(u) in ok and int(u) != author)
    repost = next(
        int(r)
        for r in visible[::-1]
        if int(c.posts.kind[r]) == RETWEET and int(c.posts.author[r]) in ok
    )
    writers = [u for u in ok if u not in (author, liker) and c.by_author(u).size]
    me = writers[0]
    # ``other`` does not follow ``me`` (tests make it follow through the API).
    other = next(u for u in writers[1:] if me not in c.follows.following(u))
    uid = c.users.ids
    return Cast(
        me=str(int(uid[me])),
        other=str(int(uid[other])),
        author=str(int(uid[author])),
        target=str(int(c.posts.ids[target])),
        liker=str(int(uid[liker])),
        reposted=str(int(c.posts.ids[int(c.posts.ref[repost])])),
        reposter=str(int(uid[int(c.posts.author[repost])])),
    )


class World:
    """A running fake API and a session; requests speak for the account given in ``as_``."""

    def __init__(self, api: FakeXApi, session: aiohttp.ClientSession, ids: Cast) -> None:
        self.api = api
        self.session = session
        self.ids = ids

    def auth(self, user_id: str | None) -> dict[str, str]:
        if user_id is None:
            return self.api.headers()
        return {"Authorization": f'OAuth oauth_token="{self.api.oauth1_token(user_id)}"'}

    async def get(self, path: str, as_: str | None = None, **params: Any) -> dict[str, Any]:
        """The body of a 200 answer to ``GET path`` (``tweet__fields`` -> ``tweet.fields``)."""
        query = {k.replace("__", "."): str(v) for k, v in params.items()}
        url = self.api.url + path
        async with self.session.get(url, params=query, headers=self.auth(as_)) as r:
            assert r.status == 200, await r.text()
            body: dict[str, Any] = await r.json()
            return body

    async def send(
        self, method: str, path: str, as_: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The ``data`` of a successful write."""
        url = self.api.url + path
        async with self.session.request(method, url, json=body, headers=self.auth(as_)) as r:
            assert r.status in (200, 201), await r.text()
            data: dict[str, Any] = (await r.json())["data"]
            return data

    async def post(self, as_: str, text: str, **body: Any) -> str:
        """Create a post; its id."""
        return str((await self.send("POST", "/2/tweets", as_, {"text": text, **body}))["id"])

    async def listed(self, path: str, as_: str | None = None, **params: Any) -> list[str]:
        """The ids of ``data`` (posts or accounts) on the first page."""
        return [o["id"] for o in (await self.get(path, as_, **params)).get("data", [])]


@asynccontextmanager
async def world(seed: int = 21, size: int = 2_000, **options: Any) -> AsyncIterator[World]:
    corpus = Corpus(seed=seed, size=size, end=END)
    async with FakeXApi(corpus, limits=10**6, min_interval=0.0, **options) as api:
        async with aiohttp.ClientSession() as session:
            yield World(api, session, cast(corpus))
