"""Public counts moved by writes: likes, reposts, replies, quotes and bookmarks of each post.

The generated corpus fixes every post's ``public_metrics`` (``objects._metrics``: exactly the
likers, replies, reposts and quotes it generated). Writes move them as on X: a like or a
bookmark adds one and taking it back removes one (a generated one too); a created reply, quote
or repost adds one to its target, and deleting it (or undoing the repost) takes it back, as
does deleting a generated reply, quote or repost through the API. ``Deltas`` is what moved,
built once per state version; ``adjust`` lays it over an object at render time, so every read
that shows a post — lookups, search, timelines, likes, ``includes`` — shows the same counts. A
repost shows its source's repost count, as generated reposts do. Accounts' ``like_count``
(likes given) and ``tweet_count`` move with their likes, posts and deletions the same way.

``Corpus.delete_tweet`` called directly — the hook hydration and compliance tests use to make
posts vanish behind a collection's back — moves no count, so such tests can compare what is
left with what was collected.

>>> from datetime import datetime
>>> from twxdata.testing.corpus import Corpus
>>> c = Corpus(seed=1, size=500, end=datetime(2024, 5, 1))
>>> row = int(c.visible_rows()[-1])
>>> tid, before = int(c.posts.ids[row]), c.tweet(row)["public_metrics"]["like_count"]
>>> liker = next(u for u in range(c.users.n) if u not in c.likes.likers(row))
>>> c.state.activity.likes.add(liker, tid); c.changed("like", tid)
>>> adjust(c, c.tweet(row))["public_metrics"]["like_count"] - before
1
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from twxdata.testing.posts import QUOTE, REPLY, RETWEET

if TYPE_CHECKING:
    from twxdata.testing.corpus import Corpus

# Which count of its target a referencing post adds to, by created kind and by generated kind.
_CREATED_COUNT = {"reply": "reply_count", "quote": "quote_count", "retweet": "retweet_count"}
_ROW_COUNT = {REPLY: "reply_count", QUOTE: "quote_count", RETWEET: "retweet_count"}


@dataclass
class Deltas:
    """How writes moved counts: per post id, per count name; per account (user index)."""

    posts: dict[int, Counter[str]] = field(default_factory=dict)
    likes_given: Counter[int] = field(default_factory=Counter)
    posted: Counter[int] = field(default_factory=Counter)

    def bump(self, post_id: int, count: str, by: int) -> None:
        self.posts.setdefault(post_id, Counter())[count] += by


def deltas(c: Corpus) -> Deltas:
    """The counts moved by everything written so far (rebuilt after each change)."""
    return c.cached("metric_deltas", lambda: _compute(c))


def _generated_like(c: Corpus, u: int, post_id: int) -> bool:
    row = c.posts.index_of_id(post_id)
    return row is not None and bool(np.any(c.likes.likers(row) == u))


def _generated_bookmark(c: Corpus, u: int, post_id: int) -> bool:
    # The corpus's own bookmarks: every third liked post (``timelines.bookmarks``).
    row = c.posts.index_of_id(post_id)
    return row is not None and bool(np.any(c.likes.liked(u)[::3] == row))


def _compute(c: Corpus) -> Deltas:
    a, p = c.state.activity, c.posts
    d = Deltas()
    for (u, tid), by in [*((k, 1) for k in a.likes.added), *((k, -1) for k in a.likes.removed)]:
        # Only a change against what the corpus generated moves the count.
        if _generated_like(c, u, tid) != (by > 0):
            d.bump(tid, "like_count", by)
            d.likes_given[u] += by
    marks = [*((k, 1) for k in a.bookmarks.added), *((k, -1) for k in a.bookmarks.removed)]
    for (u, tid), by in marks:
        if _generated_bookmark(c, u, tid) != (by > 0):
            d.bump(tid, "bookmark_count", by)
    for post in a.posts:
        if post.deleted:
            continue
        d.posted[post.author] += 1
        if post.ref is not None and post.kind in _CREATED_COUNT:
            d.bump(post.ref, _CREATED_COUNT[post.kind], 1)
    deleted = [row for i in a.deleted_rows if (row := p.index_of_id(i)) is not None]
    for row in deleted:  # generated posts deleted through the API
        d.posted[int(p.author[row])] -= 1
        count = _ROW_COUNT.get(int(p.kind[row]))
        if count is not None:
            d.bump(int(p.ids[int(p.ref[row])]), count, -1)
    return d


def _target(obj: dict[str, Any]) -> tuple[int, bool]:
    """Whose counts a post shows: its own, or its source's repost count if it is a repost."""
    refs = obj.get("referenced_tweets")
    if refs and refs[0]["type"] == "retweeted":
        return int(refs[0]["id"]), True
    return int(obj["id"]), False


def row_moved(c: Corpus, i: int) -> bool:
    """Did writes move the counts that generated post row ``i`` shows? (Cheap: no object.)"""
    a = c.state.activity
    if not (a.likes or a.bookmarks or a.posts or a.deleted_rows):
        return False  # nothing written that moves counts: every render takes this path
    moved = deltas(c).posts
    if not moved:
        return False
    p = c.posts
    source = int(p.ids[int(p.ref[i])]) if int(p.kind[i]) == RETWEET else int(p.ids[i])
    return source in moved


def adjust(c: Corpus, obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with its ``public_metrics`` as they are now (``obj`` itself if none moved).

    Counts never go below zero. Earlier versions of an edited post keep their own counts.
    """
    moved = deltas(c).posts
    metrics = obj.get("public_metrics")
    if not moved or metrics is None:
        return obj
    target, repost = _target(obj)
    change = moved.get(target)
    if not change:
        return obj
    names = ("retweet_count",) if repost else tuple(change)
    fresh = dict(metrics)
    for name in names:
        if name in fresh:
            fresh[name] = max(0, int(fresh[name]) + change[name])
    return {**obj, "public_metrics": fresh}
