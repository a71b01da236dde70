"""Read handlers for posts that know about writes: created posts, likes, reposts, bookmarks.

Each one answers exactly as the generated-only handler in ``streams``/``lookups`` when nothing
written concerns the request (it simply calls it), and otherwise merges the written state in:
created posts in lookups, search and their author's timeline, likes in liking users and liked
posts, reposts in reposted-by, bookmarks. Created posts are searchable as soon as they exist
(the default ``end_time`` of a search, 10 seconds before the clock, does not hide them).
Counts, mentions, home timelines, list posts and quote posts merge them in ``feeds``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.testing import lookups, problems, streams
from twxdata.testing.activity import as_array
from twxdata.testing.context import Ctx, Reply, empty, errors_only
from twxdata.testing.created import (
    in_window,
    matches,
    position,
    post_id_at,
    render_posts,
    tweet_status,
    visible_post,
)
from twxdata.testing.paging import rows_page
from twxdata.testing.payload import assemble

_SHOWN = ("ok", "protected")


def stream(ctx: Ctx, positions: Any, previous: bool, style: str = "timeline") -> Reply:
    """A newest-first page of ascending positions: ``Ctx.row_stream`` for mixed posts.

    ``style`` ``"timeline"`` puts ``newest_id``/``oldest_id`` in the meta, ``"list"`` does not.
    """
    positions = np.asarray(positions, dtype=np.int64)
    cursor = ctx.cursor()
    page, older, newer = rows_page(positions, ctx.page_size(), cursor)
    if not page.size:
        return empty()
    c = ctx.corpus
    meta: dict[str, Any] = {}
    if style == "timeline":
        meta["newest_id"] = str(post_id_at(c, int(page[0])))
        meta["oldest_id"] = str(post_id_at(c, int(page[-1])))
    meta["result_count"] = int(page.size)
    if older:
        meta["next_token"] = ctx.token("next", int(page[-1]))
    if previous and newer and cursor is not None:
        meta["previous_token"] = ctx.token("prev", int(page[0]))
    return render_posts(ctx, [int(p) for p in page], meta)


def created_positions(ctx: Ctx, keep: Any) -> list[int]:
    """Positions of the visible created posts for which ``keep(post)`` holds, oldest first."""
    c = ctx.corpus
    return [
        c.size + k
        for k, post in enumerate(c.state.activity.posts)
        if visible_post(c, post, ctx.viewer) and keep(post)
    ]


# --- search, timelines, lookups ---------------------------------------------------------------
def searched_created(ctx: Ctx) -> tuple[list[int], float, float]:
    """The created posts a search (or its counts) finds — matching its query, inside the
    window it searches — with that window's start and end."""
    node = ctx.req.node
    if not ctx.corpus.state.activity.posts or node is None:
        return [], 0.0, 0.0
    start, end = streams.search_window(ctx)
    created = created_positions(
        ctx,
        lambda p: in_window(ctx, p, start, ctx.req.end) and matches(node, p, ctx.corpus),
    )
    return created, start, end


def search(ctx: Ctx) -> Reply:
    created, start, end = searched_created(ctx)
    if not created:
        return streams.search(ctx)
    rows = streams.matching_rows(ctx, start, end)
    return stream(ctx, np.concatenate([rows, as_array(created)]), previous=False)


def users_tweets(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if u is None:
        return fail or empty()
    created = created_positions(
        ctx, lambda p: p.author == u and in_window(ctx, p, ctx.req.start, ctx.req.end)
    )
    created = [p for p in created if kept(ctx, p)]
    if not created or ctx.corpus.user_state(u) == "protected":
        return streams.users_tweets(ctx)
    # The generated part exactly as streams.users_tweets walks it (public account).
    rows = streams._visible(ctx, ctx.corpus.by_author(u))[-streams.USER_TWEETS_CAP :]
    rows = streams._exclude(ctx, rows)
    if "replies" in ctx.req.exclude:
        rows = rows[-streams.USER_TWEETS_NO_REPLIES_CAP :]
    rows = streams._window(ctx, rows)
    return stream(ctx, np.concatenate([rows, as_array(created)]), previous=True)


def kept(ctx: Ctx, pos: int) -> bool:
    """Does the created post at ``pos`` pass the request's ``exclude`` (replies, retweets)?"""
    post = ctx.corpus.state.activity.posts[pos - ctx.corpus.size]
    excluded = {"replies": "reply", "retweets": "retweet"}
    return all(post.kind != excluded[x] for x in ctx.req.exclude)


def tweet_lookup(ctx: Ctx) -> Reply:
    value = ctx.req.path["id"]
    c = ctx.corpus
    if c.state.activity.post(int(value)) is None:
        return streams.tweet_lookup(ctx)
    pos = position(c, int(value), ctx.viewer)
    if pos is None:
        state = tweet_status(c, int(value))
        return errors_only([problems.for_tweet(state, "id", value, "data")])
    return render_posts(ctx, [pos], None, single=True)


def tweets_lookup(ctx: Ctx) -> Reply:
    c = ctx.corpus
    if not any(c.state.activity.post(int(v)) is not None for v in ctx.req.ids):
        return streams.tweets_lookup(ctx)
    found: list[int] = []
    errors = []
    for value in ctx.req.ids:
        pos = position(c, int(value), ctx.viewer)
        if pos is None:
            errors.append(problems.for_tweet(tweet_status(c, int(value)), "ids", value, "data"))
        else:
            found.append(pos)
    if not found:
        return errors_only(errors)
    return render_posts(ctx, found, None, errors)


# --- likes, reposts, bookmarks ----------------------------------------------------------------
def path_post(ctx: Ctx) -> tuple[int | None, Reply | None]:
    """The post of the path (generated or created), or the errors-only reply."""
    value = ctx.req.path["id"]
    pos = position(ctx.corpus, int(value), ctx.viewer)
    if pos is None:
        state = tweet_status(ctx.corpus, int(value))
        return None, errors_only([problems.for_tweet(state, "id", value, "data")])
    return pos, None


def _user_page(ctx: Ctx, users: list[int]) -> Reply:
    c = ctx.corpus
    page, meta = ctx.offset_stream(as_array(users), lambda u: c.user_state(u) in _SHOWN)
    return ctx.users(page, meta) if page else (200, assemble(None, meta=meta))


def _post_page(ctx: Ctx, post_ids: list[int], previous: bool = True) -> Reply:
    c = ctx.corpus
    where = [position(c, i, ctx.viewer) for i in post_ids]
    positions = as_array([p if p is not None else -1 for p in where])
    page, meta = ctx.offset_stream(positions, lambda p: p >= 0)
    if not previous:
        meta.pop("previous_token", None)
    return render_posts(ctx, page, meta) if page else (200, assemble(None, meta=meta))


def liking_users(ctx: Ctx) -> Reply:
    tid = int(ctx.req.path["id"])
    likes = ctx.corpus.state.activity.likes
    if not likes.touches(b=tid) and ctx.corpus.state.activity.post(tid) is None:
        return lookups.liking_users(ctx)
    pos, fail = path_post(ctx)
    if pos is None:
        return fail or empty()
    base: list[int] = ctx.corpus.likes.likers(pos).tolist() if pos < ctx.corpus.size else []
    return _user_page(ctx, likes.into(tid, base))


def liked_tweets(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if u is None:
        return fail or empty()
    likes = ctx.corpus.state.activity.likes
    if not likes.touches(a=u):
        return streams.liked_tweets(ctx)
    c = ctx.corpus
    base = c.posts.ids[c.likes.liked(u)].tolist()
    return _post_page(ctx, likes.out_of(u, base))


def retweeters(ctx: Ctx) -> Reply:
    tid = int(ctx.req.path["id"])
    c = ctx.corpus
    reposts = [p for p in c.state.activity.posts if p.kind == "retweet" and p.ref == tid]
    if not reposts and c.state.activity.post(tid) is None:
        return lookups.retweeters(ctx)
    pos, fail = path_post(ctx)
    if pos is None:
        return fail or empty()
    users = [p.author for p in reversed(reposts) if visible_post(c, p, ctx.viewer)]
    if pos < c.size:
        rts = c.retweets_of(pos)
        users += c.posts.author[rts[c.visible[rts]]][::-1].astype(np.int64).tolist()
    return _user_page(ctx, list(dict.fromkeys(users)))


def bookmarks(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if u is None:
        return fail or empty()
    saved = ctx.corpus.state.activity.bookmarks
    if not saved.touches(a=u):
        return streams.bookmarks(ctx)
    denied = ctx.require_self(u)
    if denied:
        return denied
    c = ctx.corpus
    base = c.posts.ids[c.likes.liked(u)[::3]].tolist()
    return _post_page(ctx, saved.out_of(u, base), previous=False)


HANDLERS = {
    "search_recent_tweets": search,
    "search_all_tweets": search,
    "get_users_tweets": users_tweets,
    "get_tweet": tweet_lookup,
    "get_tweets": tweets_lookup,
    "get_liking_users": liking_users,
    "get_liked_tweets": liked_tweets,
    "get_retweeters": retweeters,
    "get_bookmarks": bookmarks,
}
