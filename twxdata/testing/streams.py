"""Handlers of the endpoints that return posts or counts: search, timelines, likes, lists.

Every stream is an ascending array of visible post rows (rows are in time order), filtered by
the request's time window, then sliced into newest-first pages. Search and counts share one
function for "which rows match", so they agree by construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from twxdata.endpoints import ENDPOINTS
from twxdata.testing import problems
from twxdata.testing.context import I64, BadRequest, Ctx, Reply, empty, errors_only
from twxdata.testing.paging import rows_page
from twxdata.testing.params import END_MARGIN_S, RECENT_DAYS
from twxdata.testing.payload import assemble
from twxdata.testing.posts import REPLY, RETWEET
from twxdata.testing.problems import param_error
from twxdata.testing.query import evaluate
from twxdata.testing.timefmt import iso

ARCHIVE_DEFAULT_DAYS = 30
COUNTS_CHUNK_S = 31 * 86_400
GRANULARITY_S = {"minute": 60, "hour": 3600, "day": 86_400}
USER_TWEETS_CAP = ENDPOINTS["get_users_tweets"].reach or 3200
USER_TWEETS_NO_REPLIES_CAP = 800  # X's docs: exclude=replies reaches fewer posts
MENTIONS_CAP = ENDPOINTS["get_users_mentions"].reach or 800
LIST_TWEETS_CAP = ENDPOINTS["get_list_tweets"].reach or 800
HOME_CAP = ENDPOINTS["get_home_timeline"].reach or 800


def _window(ctx: Ctx, rows: I64) -> I64:
    """Keep the rows inside start_time/end_time (second granularity) and since_id/until_id."""
    req, p = ctx.req, ctx.corpus.posts
    keep = np.ones(rows.size, dtype=bool)
    if req.start is not None:
        keep &= p.sec[rows] >= req.start
    if req.end is not None:
        keep &= p.sec[rows] < req.end
    if req.since_id is not None:
        keep &= p.ids[rows] > req.since_id
    if req.until_id is not None:
        keep &= p.ids[rows] < req.until_id
    return rows if keep.all() else rows[keep]


def _visible(ctx: Ctx, rows: I64) -> I64:
    return rows[ctx.corpus.visible[rows]] if rows.size else rows


def search_window(ctx: Ctx) -> tuple[float, float]:
    """The (start, end) a search or count covers, with the API's defaults filled in."""
    req, now = ctx.req, ctx.now
    end = req.end if req.end is not None else now - END_MARGIN_S
    recent = "recent" in req.endpoint.name
    if req.start is not None:
        start = req.start
    elif recent:
        start = now - RECENT_DAYS * 86_400
    elif req.since_id is not None:
        start = 0.0
    else:
        start = end - ARCHIVE_DEFAULT_DAYS * 86_400
    return start, end


def matching_rows(ctx: Ctx, start: float, end: float) -> I64:
    """Visible rows matching the query inside [start, end) and the id bounds, oldest first."""
    c, req = ctx.corpus, ctx.req
    p = c.posts
    lo = int(np.searchsorted(p.sec, start, side="left"))
    hi = int(np.searchsorted(p.sec, end, side="left"))
    if req.since_id is not None:
        lo = max(lo, int(np.searchsorted(p.ids, req.since_id, side="right")))
    if req.until_id is not None:
        hi = min(hi, int(np.searchsorted(p.ids, req.until_id, side="left")))
    if hi <= lo or req.node is None:
        return np.zeros(0, dtype=np.int64)
    node = req.node

    def make() -> I64:
        mask = c.query_mask(req.query or "", lambda: evaluate(node, c))
        return lo + np.flatnonzero(mask[lo:hi] & c.visible[lo:hi])

    return c.cached(("search", req.query, lo, hi), make)  # type: ignore[no-any-return]


def search(ctx: Ctx) -> Reply:
    start, end = search_window(ctx)
    rows = matching_rows(ctx, start, end)
    size = ctx.page_size()
    cursor = ctx.cursor()
    page, older, _ = rows_page(rows, size, cursor)
    if not page.size:
        return empty()
    ids = ctx.corpus.posts.ids
    meta: dict[str, Any] = {
        "newest_id": str(int(ids[page[0]])),
        "oldest_id": str(int(ids[page[-1]])),
        "result_count": int(page.size),
    }
    if older:
        meta["next_token"] = ctx.token("next", int(page[-1]))
    return ctx.tweets([(int(i), 0) for i in page], meta)


def counts(ctx: Ctx) -> Reply:
    start, end = search_window(ctx)
    return counts_reply(ctx, ctx.corpus.posts.sec[matching_rows(ctx, start, end)], start, end)


def counts_reply(ctx: Ctx, secs: Any, start: float, end: float) -> Reply:
    """The counts page for the matching posts' times ``secs`` (ascending) in [start, end)."""
    step = GRANULARITY_S[ctx.req.granularity]
    meta: dict[str, Any] = {}
    if ctx.req.endpoint.page_token is None:  # counts/recent: one page
        lo, hi = start, end
    else:
        cursor = ctx.cursor()
        chunk = 0 if cursor is None else cursor[1]
        hi = end - chunk * COUNTS_CHUNK_S
        if hi <= start:
            token = ctx.req.page_token or ""
            raise BadRequest(
                [
                    param_error(
                        f"The `next_token` query parameter value [{token}] is not valid",
                        next_token=[token],
                    )
                ]
            )
        lo = hi - COUNTS_CHUNK_S
        if lo > start:
            meta["next_token"] = ctx.token("next", chunk + 1)
        else:
            lo = start
    edges = [lo]
    edge = (int(lo) // step + 1) * step
    while edge < hi:
        edges.append(edge)
        edge += step
    edges.append(hi)
    at = np.searchsorted(secs, np.array(edges, dtype=np.float64), side="left")
    data = [
        {"end": iso(b), "start": iso(a), "tweet_count": int(m - n)}
        for a, b, n, m in zip(edges[:-1], edges[1:], at[:-1], at[1:], strict=True)
    ]
    body_meta = {"total_tweet_count": int(at[-1] - at[0]), **meta}
    return 200, assemble([orjson.dumps(d) for d in data], meta=body_meta)


def users_tweets(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if fail is not None or u is None:
        return fail or empty()
    c = ctx.corpus
    own = c.by_author(u)
    if c.user_state(u) == "protected" and not (ctx.user_context and ctx.viewer == u):
        return errors_only([problems.not_authorized("user", "id", ctx.req.path["id"], "data")])
    # A protected account sees its own posts; everyone else only public ones.
    rows = own[~c.state.deleted[own]] if c.user_state(u) == "protected" else _visible(ctx, own)
    rows = rows[-USER_TWEETS_CAP:]
    rows = _exclude(ctx, rows)
    if "replies" in ctx.req.exclude:
        rows = rows[-USER_TWEETS_NO_REPLIES_CAP:]
    return ctx.row_stream(_window(ctx, rows), "timeline")


def _exclude(ctx: Ctx, rows: I64) -> I64:
    kinds = ctx.corpus.posts.kind[rows]
    keep = np.ones(rows.size, dtype=bool)
    if "replies" in ctx.req.exclude:
        keep &= kinds != REPLY
    if "retweets" in ctx.req.exclude:
        keep &= kinds != RETWEET
    return rows[keep]


def mentions(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if fail is not None or u is None:
        return fail or empty()
    rows = _visible(ctx, ctx.corpus.mentioning(u))[-MENTIONS_CAP:]
    return ctx.row_stream(_window(ctx, rows), "timeline")


def home_timeline(ctx: Ctx) -> Reply:
    u = ctx.own_path_user()
    if not isinstance(u, int):
        return u
    rows = home_rows(ctx, u)[-HOME_CAP:]
    return ctx.row_stream(_window(ctx, _exclude(ctx, rows)), "timeline")


def home_rows(ctx: Ctx, u: int) -> I64:
    """Visible rows by ``u`` and the accounts ``u`` follows, oldest first (not capped)."""
    c = ctx.corpus

    def make() -> I64:
        authors = np.append(c.follows.following(u), u)
        return np.flatnonzero(np.isin(c.posts.author, authors) & c.visible)

    return c.cached(("home", u), make)  # type: ignore[no-any-return]


def liked_tweets(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    if fail is not None or u is None:
        return fail or empty()
    visible = ctx.corpus.visible
    page, meta = ctx.offset_stream(ctx.corpus.likes.liked(u), lambda i: bool(visible[i]))
    return ctx.tweets([(i, 0) for i in page], meta) if page else (200, assemble(None, meta=meta))


def bookmarks(ctx: Ctx) -> Reply:
    u = ctx.own_path_user()
    if not isinstance(u, int):
        return u
    visible = ctx.corpus.visible
    saved = ctx.corpus.likes.liked(u)[::3]
    page, meta = ctx.offset_stream(saved, lambda i: bool(visible[i]))
    meta.pop("previous_token", None)
    return ctx.tweets([(i, 0) for i in page], meta) if page else (200, assemble(None, meta=meta))


def quote_tweets(ctx: Ctx) -> Reply:
    row, fail = ctx.path_tweet()
    if fail is not None or row is None:
        return fail or empty()
    return ctx.row_stream(_visible(ctx, ctx.corpus.quotes_of(row)), "list", previous=False)


def list_tweets(ctx: Ctx) -> Reply:
    k, fail = list_of_path(ctx)
    if k is None:
        return fail or empty()
    return ctx.row_stream(list_rows(ctx, k)[-LIST_TWEETS_CAP:], "list")


def list_of_path(ctx: Ctx) -> tuple[int | None, Reply | None]:
    """The list of the path, or the errors-only reply (not found, or private to another)."""
    c = ctx.corpus
    k = c.lists.index_of_id(int(ctx.req.path["id"]))
    if k is None:
        return None, errors_only([problems.not_found("list", "id", ctx.req.path["id"])])
    if c.lists.private[k] and ctx.viewer != int(c.lists.owner[k]):
        fail = errors_only([problems.not_authorized("list", "id", ctx.req.path["id"], "data")])
        return None, fail
    return k, None


def list_rows(ctx: Ctx, k: int) -> I64:
    """Visible rows by the members of list ``k``, oldest first (not capped)."""
    c = ctx.corpus
    members = c.lists.members(k)
    return c.cached(  # type: ignore[no-any-return]
        ("list_tweets", k), lambda: np.flatnonzero(np.isin(c.posts.author, members) & c.visible)
    )


def space_tweets(ctx: Ctx) -> Reply:
    c = ctx.corpus
    k = c.spaces.by_id.get(ctx.req.path["id"])
    if k is None:
        return errors_only([problems.not_found("space", "id", ctx.req.path["id"])])
    rows = _visible(ctx, c.by_author(int(c.spaces.creator[k])))[-10:][::-1]
    if not rows.size:
        return empty()
    return ctx.tweets([(int(i), 0) for i in rows], {"result_count": int(rows.size)})


def tweet_lookup(ctx: Ctx) -> Reply:
    value = ctx.req.path["id"]
    found = ctx.corpus.find_tweet(int(value))
    if found is None or not ctx.can_see(found[0]):
        state = "deleted" if found is None else ctx.corpus.row_state(found[0])
        return errors_only([problems.for_tweet(state, "id", value, "data")])
    return ctx.tweets([found], None, single=True)


def tweets_lookup(ctx: Ctx) -> Reply:
    rows: list[tuple[int, int]] = []
    errors = []
    for value in ctx.req.ids:
        found = ctx.corpus.find_tweet(int(value))
        if found is not None and ctx.can_see(found[0]):
            rows.append(found)
        else:
            state = "deleted" if found is None else ctx.corpus.row_state(found[0])
            errors.append(problems.for_tweet(state, "ids", value, "data"))
    if not rows:
        return errors_only(errors)
    return ctx.tweets(rows, None, errors)


HANDLERS = {
    "search_recent_tweets": search,
    "search_all_tweets": search,
    "get_recent_tweets_count": counts,
    "get_all_tweets_count": counts,
    "get_users_tweets": users_tweets,
    "get_users_mentions": mentions,
    "get_home_timeline": home_timeline,
    "get_liked_tweets": liked_tweets,
    "get_bookmarks": bookmarks,
    "get_quote_tweets": quote_tweets,
    "get_list_tweets": list_tweets,
    "get_space_tweets": space_tweets,
    "get_tweet": tweet_lookup,
    "get_tweets": tweets_lookup,
}
