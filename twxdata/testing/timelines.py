"""Handlers of the endpoints that page through the posts of an account, a list, a post or a
space: author and mentions timelines, the home timeline, liked posts, bookmarks, quote posts,
list posts, a space's posts.

Every timeline is an ascending array of visible post rows (rows are in time order), cut to the
endpoint's reach, filtered by the request's time window, then sliced into newest-first pages.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.endpoints import ENDPOINTS
from twxdata.testing import problems
from twxdata.testing.context import I64, Ctx, Handler, Problem, Reply, empty
from twxdata.testing.payload import assemble
from twxdata.testing.posts import REPLY, RETWEET

USER_TWEETS_CAP = ENDPOINTS["get_users_tweets"].reach or 3200
USER_TWEETS_NO_REPLIES_CAP = 800  # X's docs: exclude=replies reaches fewer posts
MENTIONS_CAP = ENDPOINTS["get_users_mentions"].reach or 800
LIST_TWEETS_CAP = ENDPOINTS["get_list_tweets"].reach or 800
HOME_CAP = ENDPOINTS["get_home_timeline"].reach or 800


def windowed(ctx: Ctx, rows: I64) -> I64:
    """Keep the rows inside start_time/end_time (second granularity) and since_id/until_id."""
    req, posts = ctx.req, ctx.corpus.posts
    keep = np.ones(rows.size, dtype=bool)
    if req.start is not None:
        keep &= posts.sec[rows] >= req.start
    if req.end is not None:
        keep &= posts.sec[rows] < req.end
    if req.since_id is not None:
        keep &= posts.ids[rows] > req.since_id
    if req.until_id is not None:
        keep &= posts.ids[rows] < req.until_id
    return rows if keep.all() else rows[keep]


def visible_only(ctx: Ctx, rows: I64) -> I64:
    """The rows the public sees now."""
    return rows[ctx.corpus.visible[rows]] if rows.size else rows


def not_excluded(ctx: Ctx, rows: I64) -> I64:
    """The rows the request's ``exclude`` (replies, retweets) keeps."""
    kinds = ctx.corpus.posts.kind[rows]
    keep = np.ones(rows.size, dtype=bool)
    if "replies" in ctx.req.exclude:
        keep &= kinds != REPLY
    if "retweets" in ctx.req.exclude:
        keep &= kinds != RETWEET
    return rows[keep]


def users_tweets(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    corpus = ctx.corpus
    own = corpus.by_author(user)
    protected = corpus.user_state(user) == "protected"
    if protected and not (ctx.user_context and ctx.viewer == user):
        raise Problem(problems.not_authorized("user", "id", ctx.req.path["id"], "data"))
    # A protected account sees its own posts; everyone else only public ones.
    rows = own[~corpus.state.deleted[own]] if protected else visible_only(ctx, own)
    rows = not_excluded(ctx, rows[-USER_TWEETS_CAP:])
    if "replies" in ctx.req.exclude:
        rows = rows[-USER_TWEETS_NO_REPLIES_CAP:]
    return ctx.row_stream(windowed(ctx, rows), "timeline")


def mentions(ctx: Ctx) -> Reply:
    rows = visible_only(ctx, ctx.corpus.mentioning(ctx.path_user()))[-MENTIONS_CAP:]
    return ctx.row_stream(windowed(ctx, rows), "timeline")


def home_timeline(ctx: Ctx) -> Reply:
    rows = home_rows(ctx, ctx.own_path_user())[-HOME_CAP:]
    return ctx.row_stream(windowed(ctx, not_excluded(ctx, rows)), "timeline")


def home_rows(ctx: Ctx, user: int) -> I64:
    """Visible rows by ``user`` and the accounts ``user`` follows, oldest first (not capped)."""
    corpus = ctx.corpus

    def make() -> I64:
        authors = np.append(corpus.follows.following(user), user)
        return np.flatnonzero(np.isin(corpus.posts.author, authors) & corpus.visible)

    return corpus.cached(("home", user), make)


def _post_page(ctx: Ctx, rows: I64) -> tuple[list[int], dict[str, Any]]:
    visible = ctx.corpus.visible
    return ctx.offset_stream(rows, lambda row: bool(visible[row]))


def liked_tweets(ctx: Ctx) -> Reply:
    page, meta = _post_page(ctx, ctx.corpus.likes.liked(ctx.path_user()))
    if not page:
        return 200, assemble(None, meta=meta)
    return ctx.tweets([(row, 0) for row in page], meta)


def bookmarks(ctx: Ctx) -> Reply:
    page, meta = _post_page(ctx, ctx.corpus.likes.liked(ctx.own_path_user())[::3])
    meta.pop("previous_token", None)
    if not page:
        return 200, assemble(None, meta=meta)
    return ctx.tweets([(row, 0) for row in page], meta)


def quote_tweets(ctx: Ctx) -> Reply:
    rows = visible_only(ctx, ctx.corpus.quotes_of(ctx.path_tweet()))
    return ctx.row_stream(rows, "list", previous=False)


def list_tweets(ctx: Ctx) -> Reply:
    return ctx.row_stream(list_rows(ctx, ctx.path_list())[-LIST_TWEETS_CAP:], "list")


def list_rows(ctx: Ctx, k: int) -> I64:
    """Visible rows by the members of list ``k``, oldest first (not capped)."""
    corpus = ctx.corpus
    members = corpus.lists.members(k)
    return corpus.cached(
        ("list_tweets", k),
        lambda: np.flatnonzero(np.isin(corpus.posts.author, members) & corpus.visible),
    )


def space_tweets(ctx: Ctx) -> Reply:
    corpus = ctx.corpus
    space = ctx.space(ctx.req.path["id"])
    rows = visible_only(ctx, corpus.by_author(int(corpus.spaces.creator[space])))[-10:][::-1]
    if not rows.size:
        return empty()
    return ctx.tweets([(int(row), 0) for row in rows], {"result_count": int(rows.size)})


HANDLERS: dict[str, Handler] = {
    "get_users_tweets": users_tweets,
    "get_users_mentions": mentions,
    "get_home_timeline": home_timeline,
    "get_liked_tweets": liked_tweets,
    "get_bookmarks": bookmarks,
    "get_quote_tweets": quote_tweets,
    "get_list_tweets": list_tweets,
    "get_space_tweets": space_tweets,
}
