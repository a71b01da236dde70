"""Handlers of search and counts (``/2/tweets/search/*``, ``/2/tweets/counts/*``).

Both ask one function which visible post rows match (``matching_rows``), so a count always
agrees with what the search finds; rows are in time order, so the window is a slice of them.
Search pages are newest first; counts come in buckets of ``granularity``, and ``counts/all``
in pages of 31 days.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from twxdata.testing.context import I64, BadRequest, Ctx, Handler, Reply, empty
from twxdata.testing.paging import rows_page
from twxdata.testing.params import END_MARGIN_S, RECENT_DAYS
from twxdata.testing.payload import assemble
from twxdata.testing.problems import param_error
from twxdata.testing.query import evaluate
from twxdata.testing.timestamps import iso

ARCHIVE_DEFAULT_DAYS = 30
COUNTS_CHUNK_S = 31 * 86_400
GRANULARITY_S = {"minute": 60, "hour": 3600, "day": 86_400}


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

    return c.cached(("search", req.query, lo, hi), make)


def search_tweets(ctx: Ctx) -> Reply:
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


HANDLERS: dict[str, Handler] = {
    "search_recent_tweets": search_tweets,
    "search_all_tweets": search_tweets,
    "get_recent_tweets_count": counts,
    "get_all_tweets_count": counts,
}
