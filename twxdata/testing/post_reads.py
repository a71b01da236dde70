"""Read handlers for posts that know about writes: created posts, likes, reposts, bookmarks.

Each one replaces the generated-only handler of its endpoint (in ``search``, ``timelines`` or
``lookups``; see ``OVERRIDES``): it answers exactly as that one when nothing written concerns
the request (it simply calls it), and otherwise merges the written state in:
created posts in lookups, search and their author's timeline, likes in liking users and liked
posts, reposts in reposted-by, bookmarks. Created posts are searchable as soon as they exist
(the default ``end_time`` of a search, 10 seconds before the clock, does not hide them).
Counts, mentions, home timelines, list posts and quote posts merge them in ``feeds``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.testing import lookups, problems, search, timelines
from twxdata.testing.activity import as_array
from twxdata.testing.context import (
    Ctx,
    Handler,
    Problem,
    Reply,
    empty,
    errors_only,
    found_and_errors,
)
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
    start, end = search.search_window(ctx)
    created = created_positions(
        ctx,
        lambda p: in_window(ctx, p, start, ctx.req.end) and matches(node, p, ctx.corpus),
    )
    return created, start, end


def search_tweets(ctx: Ctx) -> Reply:
    created, start, end = searched_created(ctx)
    if not created:
        return search.search_tweets(ctx)
    rows = search.matching_rows(ctx, start, end)
    return stream(ctx, np.concatenate([rows, as_array(created)]), previous=False)


def users_tweets(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    created = created_positions(
        ctx, lambda post: post.author == user and in_window(ctx, post, ctx.req.start, ctx.req.end)
    )
    created = [pos for pos in created if kept(ctx, pos)]
    if not created or ctx.corpus.user_state(user) == "protected":
        return timelines.users_tweets(ctx)
    # The generated part exactly as timelines.users_tweets walks it (public account).
    rows = timelines.visible_only(ctx, ctx.corpus.by_author(user))[-timelines.USER_TWEETS_CAP :]
    rows = timelines.not_excluded(ctx, rows)
    if "replies" in ctx.req.exclude:
        rows = rows[-timelines.USER_TWEETS_NO_REPLIES_CAP :]
    rows = timelines.windowed(ctx, rows)
    return stream(ctx, np.concatenate([rows, as_array(created)]), previous=True)


def kept(ctx: Ctx, pos: int) -> bool:
    """Does the created post at ``pos`` pass the request's ``exclude`` (replies, retweets)?"""
    post = ctx.corpus.state.activity.posts[pos - ctx.corpus.size]
    excluded = {"replies": "reply", "retweets": "retweet"}
    return all(post.kind != excluded[x] for x in ctx.req.exclude)


def post_at(ctx: Ctx, value: str, parameter: str = "id") -> int:
    """The position of post ``value``, generated or created (``created.position``), unless
    it does not exist or the credentials may not see it (``Problem``)."""
    pos = position(ctx.corpus, int(value), ctx.viewer)
    if pos is None:
        state = tweet_status(ctx.corpus, int(value))
        raise Problem(problems.for_tweet(state, parameter, value, "data"))
    return pos


def path_post(ctx: Ctx) -> int:
    """The position of the post the path names (``Problem`` when it cannot be shown)."""
    return post_at(ctx, ctx.req.path["id"])


def tweet_lookup(ctx: Ctx) -> Reply:
    if ctx.corpus.state.activity.post(int(ctx.req.path["id"])) is None:
        return lookups.tweet_lookup(ctx)
    return render_posts(ctx, [path_post(ctx)], None, single=True)


def tweets_lookup(ctx: Ctx) -> Reply:
    activity = ctx.corpus.state.activity
    if not any(activity.post(int(value)) is not None for value in ctx.req.ids):
        return lookups.tweets_lookup(ctx)
    found, errors = found_and_errors(ctx.req.ids, lambda value: post_at(ctx, value, "ids"))
    if not found:
        return errors_only(errors)
    return render_posts(ctx, found, None, errors)


# --- likes, reposts, bookmarks ----------------------------------------------------------------


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
    pos = path_post(ctx)
    base: list[int] = ctx.corpus.likes.likers(pos).tolist() if pos < ctx.corpus.size else []
    return _user_page(ctx, likes.into(tid, base))


def liked_tweets(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    likes = ctx.corpus.state.activity.likes
    if not likes.touches(a=user):
        return timelines.liked_tweets(ctx)
    corpus = ctx.corpus
    base = corpus.posts.ids[corpus.likes.liked(user)].tolist()
    return _post_page(ctx, likes.out_of(user, base))


def retweeters(ctx: Ctx) -> Reply:
    tid = int(ctx.req.path["id"])
    c = ctx.corpus
    reposts = [p for p in c.state.activity.posts if p.kind == "retweet" and p.ref == tid]
    if not reposts and c.state.activity.post(tid) is None:
        return lookups.retweeters(ctx)
    pos = path_post(ctx)
    users = [p.author for p in reversed(reposts) if visible_post(c, p, ctx.viewer)]
    if pos < c.size:
        rts = c.retweets_of(pos)
        users += c.posts.author[rts[c.visible[rts]]][::-1].astype(np.int64).tolist()
    return _user_page(ctx, list(dict.fromkeys(users)))


def bookmarks(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    saved = ctx.corpus.state.activity.bookmarks
    if not saved.touches(a=user):
        return timelines.bookmarks(ctx)
    ctx.require_self(user)
    corpus = ctx.corpus
    base = corpus.posts.ids[corpus.likes.liked(user)[::3]].tolist()
    return _post_page(ctx, saved.out_of(user, base), previous=False)


# Each replaces the generated-only handler of its endpoint (``twxdata.testing.server``).
OVERRIDES: dict[str, Handler] = {
    "search_recent_tweets": search_tweets,
    "search_all_tweets": search_tweets,
    "get_users_tweets": users_tweets,
    "get_tweet": tweet_lookup,
    "get_tweets": tweets_lookup,
    "get_liking_users": liking_users,
    "get_liked_tweets": liked_tweets,
    "get_retweeters": retweeters,
    "get_bookmarks": bookmarks,
}
