"""Helpers of the AsyncClient tests: the corpus ids they act on and client factories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from twxdata.compat import AsyncClient
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)
USER_TOKEN = "oauth2-user-token"  # registered with the fake as an OAuth 2.0 user token


@dataclass
class Ids:
    """Ids of corpus objects that the tests act on (all as ints, like tweepy's models)."""

    me: int  # the account the clients act for
    other: int  # a public account that is not me
    protected: int  # a protected account
    tweet: int  # a visible post by someone else, liked, reposted and quoted
    mine: int  # a visible original post by me
    list: int  # a public list with members, owned by someone else
    owner: int  # that list's owner
    space: str
    space_creator: int


def pick_ids(c: Corpus) -> Ids:
    ok = [u for u in range(c.users.n) if c.user_state(u) == "ok"]
    me = max(ok, key=lambda u: (c.lists.followed(u).size > 0, c.likes.liked(u).size))
    other = next(
        u
        for u in ok
        if u != me
        and c.follows.followers(u).size > 2
        and c.visible[c.by_author(u)].sum() >= 3
        and u not in c.follows.following(me)
    )
    protected = next(u for u in range(c.users.n) if c.user_state(u) == "protected")
    visible = c.visible_rows()
    originals = [int(i) for i in visible if int(c.posts.kind[i]) == 0]
    score = c.posts.retweet_count + c.posts.quote_count + c.posts.like_count
    tweet = max((i for i in originals if int(c.posts.author[i]) != me), key=lambda i: score[i])
    mine = next(i for i in reversed(originals) if int(c.posts.author[i]) == me)
    public = [
        k
        for k in range(c.lists.n)
        if not c.lists.private[k]
        and int(c.lists.owner[k]) != me
        and c.user_state(int(c.lists.owner[k])) == "ok"
    ]
    k = max(public, key=lambda k: c.lists.members(k).size)
    uid = c.users.ids
    return Ids(
        me=int(uid[me]),
        other=int(uid[other]),
        protected=int(uid[protected]),
        tweet=int(c.posts.ids[tweet]),
        mine=int(c.posts.ids[mine]),
        list=int(c.lists.ids[k]),
        owner=int(uid[int(c.lists.owner[k])]),
        space=c.spaces.ids[0],
        space_creator=int(uid[int(c.spaces.creator[0])]),
    )


def make_client(api: FakeXApi, user_id: int, **kw: object) -> AsyncClient:
    """A client with an app bearer token and OAuth 1.0a keys acting as ``user_id``."""
    return AsyncClient(
        api.bearer_token,
        "consumer-key",
        "consumer-secret",
        api.oauth1_token(user_id),
        "access-token-secret",
        api_base=api.url,
        **kw,  # type: ignore[arg-type]
    )
