"""Where posts created through the fake API show up besides search and their author's timeline.

Counts (``/2/tweets/counts/recent`` and ``/all``), the mentions timeline of every account a
post mentions (a reply mentions the account it answers, as on X), the home timeline of its
author and of everyone following the author now, the posts of every list the author is a
member of, and the quote posts of the post it quotes (a created post can be quoted too).

Like the handlers of ``post_reads``, each one replaces its generated-only twin in ``search`` or
``timelines`` (see ``OVERRIDES``) and answers exactly as it when no created post concerns the
request. Otherwise generated rows and created positions (``created.position``) are merged into
one ascending stream; a timeline's reach (the 800 most recent posts, ...) is applied to the
merged stream, then the request's time window.
Counts agree with search: a created post counts as soon as it exists, in the last bucket when
the default ``end_time`` (a few seconds before the clock) would leave it out.

>>> import asyncio, aiohttp
>>> from datetime import datetime
>>> from twxdata.testing import FakeXApi
>>> async def demo():
...     async with FakeXApi(seed=1, size=500, end=datetime(2024, 5, 1)) as api:
...         me = int(api.corpus.users.ids[3])
...         auth = {"Authorization": f'OAuth oauth_token="{api.oauth1_token(me)}"'}
...         async with aiohttp.ClientSession(headers=auth) as s:
...             await s.post(api.url + "/2/tweets", json={"text": "counting #zebras"})
...             url = api.url + "/2/tweets/counts/recent?query=%23zebras"
...             async with s.get(url) as r:
...                 return (await r.json())["meta"]["total_tweet_count"]
>>> asyncio.run(demo())
1
"""

from __future__ import annotations

import numpy as np

from twxdata.testing import search, timelines
from twxdata.testing.activity import I64, Post, as_array
from twxdata.testing.context import Ctx, Handler, Reply
from twxdata.testing.created import in_window, mentioned
from twxdata.testing.post_reads import created_positions, kept, path_post, searched_created, stream


def _post(ctx: Ctx, pos: int) -> Post:
    return ctx.corpus.state.activity.posts[pos - ctx.corpus.size]


def _merged(ctx: Ctx, rows: I64, created: list[int], cap: int, exclude: bool = True) -> I64:
    """Generated rows and created positions, both oldest first, as one timeline: its ``cap``
    most recent posts, less what ``exclude`` drops, inside the request's time window."""
    req = ctx.req
    positions = np.concatenate([rows, as_array(created)])[-cap:]
    size = ctx.corpus.size
    old = positions[positions < size]
    if exclude:
        old = timelines.not_excluded(ctx, old)
    new = [
        int(p)
        for p in positions[positions >= size]
        if (not exclude or kept(ctx, int(p)))
        and in_window(ctx, _post(ctx, int(p)), req.start, req.end)
    ]
    return np.concatenate([timelines.windowed(ctx, old), as_array(new)])


# --- counts -----------------------------------------------------------------------------------
def counts(ctx: Ctx) -> Reply:
    created, start, end = searched_created(ctx)  # the posts the search itself finds
    if not created:
        return search.counts(ctx)
    last = float(np.nextafter(end, -np.inf))  # after the default end: the last bucket
    new = [min(_post(ctx, pos).created_s, last) for pos in created]
    old = ctx.corpus.posts.sec[search.matching_rows(ctx, start, end)]
    secs = np.sort(np.concatenate([old.astype(np.float64), np.asarray(new, dtype=np.float64)]))
    return search.counts_reply(ctx, secs, start, end)


# --- timelines --------------------------------------------------------------------------------
def mentions(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    created = created_positions(ctx, lambda post: user in mentioned(ctx.corpus, post))
    if not created:
        return timelines.mentions(ctx)
    rows = timelines.visible_only(ctx, ctx.corpus.mentioning(user))
    merged = _merged(ctx, rows, created, timelines.MENTIONS_CAP, exclude=False)
    return stream(ctx, merged, previous=True)


def home_timeline(ctx: Ctx) -> Reply:
    user = ctx.own_path_user()
    authors = {*ctx.corpus.follows.following(user).tolist(), user}
    created = created_positions(ctx, lambda post: post.author in authors)
    if not created:
        return timelines.home_timeline(ctx)
    merged = _merged(ctx, timelines.home_rows(ctx, user), created, timelines.HOME_CAP)
    return stream(ctx, merged, previous=True)


def list_tweets(ctx: Ctx) -> Reply:
    k = ctx.path_list()
    members = set(ctx.corpus.lists.members(k).tolist())
    created = created_positions(ctx, lambda post: post.author in members)
    if not created:
        return timelines.list_tweets(ctx)
    rows = timelines.list_rows(ctx, k)
    positions = np.concatenate([rows, as_array(created)])[-timelines.LIST_TWEETS_CAP :]
    return stream(ctx, positions, previous=True, style="list")


def quote_tweets(ctx: Ctx) -> Reply:
    c = ctx.corpus
    tid = int(ctx.req.path["id"])
    created = created_positions(ctx, lambda p: p.kind == "quote" and p.ref == tid)
    if not created and c.state.activity.post(tid) is None:
        return timelines.quote_tweets(ctx)
    pos = path_post(ctx)
    rows = timelines.visible_only(ctx, c.quotes_of(pos)) if pos < c.size else as_array([])
    return stream(ctx, np.concatenate([rows, as_array(created)]), previous=False, style="list")


# Each replaces the generated-only handler of its endpoint (``twxdata.testing.server``).
OVERRIDES: dict[str, Handler] = {
    "get_recent_tweets_count": counts,
    "get_all_tweets_count": counts,
    "get_users_mentions": mentions,
    "get_home_timeline": home_timeline,
    "get_list_tweets": list_tweets,
    "get_quote_tweets": quote_tweets,
}
