"""Sizing each kind of collection: the cheapest question that tells how much a collection
will fetch (counts, ``public_metrics``, member counts, the ids given), per target, with its
requests, pages, time at the rate limit and price (see ``twxdata.collect.estimate``)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncGenerator, Mapping, Sequence
from contextlib import aclosing
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from twxdata.client import Client
from twxdata.collect.estimate_report import RESOURCE_NOUN, Row
from twxdata.collect.walk import Plan, Stream, gather_or_cancel
from twxdata.endpoints import WINDOW_SECONDS, Endpoint, get_endpoint
from twxdata.errors import AuthError, Forbidden, NotFound
from twxdata.pricing import Cost, Prices, charge, unit_price
from twxdata.protocol.params import split_ids
from twxdata.protocol.timefmt import parse_api_time

if TYPE_CHECKING:
    from twxdata.protocol.response import Page

COUNTS_CHUNK_DAYS = 31  # counts/all answers 31 days a page
ARCHIVE_DEFAULT_DAYS = 30  # search/all and counts/all without start_time: the last 30 days
RECENT_DAYS = 7
TWITTER_EPOCH_MS = 1288834974657  # snowflake ids carry their creation time since this
GRANULARITY_SECONDS = {"minute": 60, "hour": 3600, "day": 86_400}

# The ``high`` reading: what each requested expansion adds to ``includes``, per item in
# ``data`` (billed as this kind). Upper-end guesses for a typical research collection: a
# page's includes are deduplicated within the page, so when the same authors recur the real
# numbers are lower. On a user's own timeline the author is one user per page, not per post.
INCLUDE_RATES: Mapping[str, tuple[str, float]] = {
    "author_id": ("user", 1.0),  # at most one distinct author per post
    "entities.mentions.username": ("user", 0.3),
    "in_reply_to_user_id": ("user", 0.1),
    "referenced_tweets.id.author_id": ("user", 0.3),
    "referenced_tweets.id": ("post", 0.5),
    "edit_history_tweet_ids": ("post", 0.01),
    "attachments.media_source_tweet": ("post", 0.02),
    "attachments.media_keys": ("media", 0.3),
    "referenced_tweets.id.attachments.media_keys": ("media", 0.1),
    "geo.place_id": ("place", 0.02),
    "attachments.poll_ids": ("poll", 0.01),
    "pinned_tweet_id": ("post", 0.5),  # users: about half of accounts pin a post
    "most_recent_tweet_id": ("post", 1.0),
    "affiliation.user_id": ("user", 0.05),
    "owner_id": ("user", 1.0),
}
_NOUNS = {"post": "posts", "user": "users", "media": "media", "place": "places", "poll": "polls"}
_RESOURCE = {"tweets": "posts", "users": "users", "counts": "buckets"}


# ---- sizing each kind --------------------------------------------------------------------


class Sizer:
    """One estimate's requests and rows; ``notes`` collects what it assumed."""

    def __init__(self, client: Client, plan: Plan, prices: Prices, spent: Cost) -> None:
        self.client = client
        self.plan = plan
        self.kind = plan.kind
        self.endpoint = get_endpoint(plan.endpoint)
        self.prices = prices
        self.spent = spent
        self.notes: list[str] = []

    def sizing_cost(self) -> tuple[int, float]:
        """What sizing will cost at most, before anything is asked: (requests, USD). A year of
        full-archive search is 12 counts requests ($0.12); the followers of 1,000 accounts,
        1,000 user reads ($10)."""
        name = self.kind.name
        streams = self.plan.streams
        if name == "search":
            if self.endpoint.paginated:  # full archive: one counts/all request per 31 days
                requests = 0
                for stream in streams:
                    start, end = self._window(stream.params)
                    requests += max(1, math.ceil((end - start) / 86_400 / COUNTS_CHUNK_DAYS))
                return requests, requests * self.prices.price("counts_all")
            return len(streams), len(streams) * self.prices.price("counts_recent")
        if name in _USER_METRIC or name in _POST_METRIC:
            kind = "user" if name in _USER_METRIC else "post"
            return math.ceil(len(streams) / 100), len(streams) * self.prices.price(kind)
        if name == "list_members":
            unit = unit_price(get_endpoint("get_list"), self.prices)[0]
            return len(streams), len(streams) * unit
        return 0, 0.0

    async def rows(self) -> list[Row]:
        name = self.kind.name
        if name == "search":
            rows = await self._search()
        elif name == "counts":
            rows = [self._counts(s) for s in self.plan.streams]
        elif name in _USER_METRIC:
            rows = await self._by_metric(
                "get_users", "user.fields", _USER_METRIC[name], _USER_NOTES[name]
            )
        elif name in _POST_METRIC:
            metric = _POST_METRIC[name]
            rows = await self._by_metric("get_tweets", "tweet.fields", metric, (
                f"{name}: each post's public_metrics.{metric} (one post lookup per 100 "
                "posts); likes or reposts by protected or suspended accounts are counted but "
                "not returned, so the collection can be smaller"
            ))  # fmt: skip
        elif name == "list_members":
            rows = await self._list_members()
        elif self.kind.target in ("tweet_ids", "user_ids"):
            rows = [self._lookup(s) for s in self.plan.streams]
        else:  # mentions, home_timeline, list_tweets: X counts nothing, the reach bounds it
            rows = [self._bounded(s) for s in self.plan.streams]
        for row in rows:
            self._price(row)
        return rows

    # -- the kinds

    async def _search(self) -> list[Row]:
        counts = get_endpoint(
            "get_all_tweets_count" if self.plan.endpoint == "search_all_tweets"
            else "get_recent_tweets_count"
        )  # fmt: skip
        if counts.name == "get_all_tweets_count":
            self.notes.append(
                "posts: the counts endpoint's total for the same query and window "
                "(counts/all at day granularity, one request per 31 days, stopping once the "
                "limit is reached); posts deleted or made since change it slightly"
            )
        else:
            self.notes.append(
                "posts: the counts endpoint's total for the same query and window "
                "(counts/recent at day granularity, one request per query)"
            )
        gate = asyncio.Semaphore(max(1, self.plan.concurrency))

        async def one(stream: Stream) -> Row:
            async with gate:
                return await self._search_one(stream, counts)

        return list(await gather_or_cancel([one(s) for s in self.plan.streams]))

    async def _search_one(self, stream: Stream, counts: Endpoint) -> Row:
        cap = self._cap(stream)
        sent = {k: v for k, v in stream.params.items() if k in counts.query_params}
        sent["granularity"] = "day"
        total = 0
        stopped = False
        try:
            pages = cast(
                "AsyncGenerator[Page, None]",
                self.client.pages(counts, params=sent, stream=stream.key),
            )
            async with aclosing(pages) as answers:
                async for page in answers:
                    self.spent.add(charge(counts, page.body, self.prices).low)
                    found = page.meta.get("total_tweet_count")
                    total += (
                        int(found) if isinstance(found, int)
                        else sum(int(b.get("tweet_count", 0)) for b in page.data)
                    )  # fmt: skip
                    if cap is not None and total >= cap and page.next_token:
                        stopped = True
                        break
        except (AuthError, Forbidden) as exc:  # counts need an app token and the access
            return self._unknown(stream, f"not counted: {exc}", cap)
        basis = f"counts: {'at least ' if stopped else ''}{total:,} match"
        return self._row(stream, total, basis, cap, at_least=stopped)

    def _counts(self, stream: Stream) -> Row:
        start, end = self._window(stream.params)
        days = max(0.0, end - start) / 86_400
        step = GRANULARITY_SECONDS.get(str(stream.params.get("granularity", "day")), 86_400)
        buckets = int(end // step) - int(start // step) + (1 if end % step else 0)
        if self.endpoint.paginated:
            requests = max(1, math.ceil(days / COUNTS_CHUNK_DAYS))
            basis = f"{days:,.1f} days: one request per 31 days"
        else:
            requests = 1
            basis = f"{days:,.1f} days in one request"
        if self.plan.max_pages is not None:
            requests = min(requests, self.plan.max_pages)
        if not self.notes:
            self.notes.append(
                "counts are charged per request ("
                f"${self.prices.price('counts_recent'):.3f} recent, "
                f"${self.prices.price('counts_all'):.3f} full archive), not per bucket"
            )
        row = Row(_name(stream), stream.key, "buckets", buckets, buckets, basis, requests,
                  requests)  # fmt: skip
        return row

    async def _by_metric(self, lookup: str, fields_param: str, metric: str, note: str) -> list[Row]:
        """Each target sized by one of its ``public_metrics``, from one lookup per 100."""
        ids = [s.key for s in self.plan.streams]
        found, missing = await self._lookup_metrics(lookup, ids, fields_param, metric)
        self.notes.append(note)
        rows = []
        for stream in self.plan.streams:
            cap = self._cap(stream)
            if stream.key in missing:
                rows.append(self._missing(stream, missing[stream.key]))
            elif metric in found.get(stream.key, {}):
                value = int(found[stream.key][metric])
                rows.append(self._row(stream, value, f"{metric} {value:,}", cap))
            else:
                rows.append(self._unknown(stream, f"X gave no {metric}", cap))
        return rows

    async def _list_members(self) -> list[Row]:
        endpoint = get_endpoint("get_list")
        self.notes.append("list members: each list's member_count (one list lookup per list)")
        rows = []
        for stream in self.plan.streams:
            cap = self._cap(stream)
            try:
                page = await self.client.request(
                    endpoint, path={"id": stream.key}, params={"list.fields": ["member_count"]}
                )
            except (NotFound, Forbidden) as exc:
                rows.append(self._missing(stream, str(exc)))
                continue
            self.spent.add(charge(endpoint, page.body, self.prices).low)
            data = page.data[0] if page.data else {}
            if "member_count" in data:
                value = int(data["member_count"])
                rows.append(self._row(stream, value, f"member_count {value:,}", cap))
            elif page.errors:
                rows.append(self._missing(stream, _reason(page.errors[0])))
            else:
                rows.append(self._unknown(stream, "X gave no member_count", cap))
        return rows

    def _lookup(self, stream: Stream) -> Row:
        assert self.endpoint.ids_param is not None
        ids = stream.params.get(self.endpoint.ids_param) or []
        n = len(ids)
        if not self.notes:
            self.notes.append(
                "lookups: every id given is counted; deleted, protected or suspended ones come "
                "back as errors and are not charged, so the cost can be lower"
            )
        return self._row(stream, n, f"{n:,} ids", self._cap(stream))

    def _bounded(self, stream: Stream) -> Row:
        reach = self._reach(stream)
        if not self.notes:
            self.notes.append(
                f"{self.kind.name}: X publishes no count; the endpoint reaches only the "
                f"{reach or 0:,} most recent, used as an upper bound"
            )
        cap = self._cap(stream)
        row = self._unknown(stream, f"unknown (at most the {reach:,} most recent)", cap)
        return row

    # -- rows

    def _row(
        self, stream: Stream, available: int, basis: str, cap: int | None, at_least: bool = False
    ) -> Row:
        fetched = available if cap is None else min(available, cap)
        if cap is not None and available > cap:
            basis += f"; {_cap_word(self, stream, cap)} {cap:,}"
        row = Row(_name(stream), stream.key, RESOURCE_NOUN[self.kind.result],
                  None if at_least else available, fetched, basis)  # fmt: skip
        self._paginate(row, stream)
        return row

    def _unknown(self, stream: Stream, basis: str, cap: int | None) -> Row:
        row = Row(_name(stream), stream.key, RESOURCE_NOUN[self.kind.result], None, cap, basis)
        if cap is not None:
            row.basis += f"; counted as {cap:,} ({_cap_word(self, stream, cap)})"
        self._paginate(row, stream)
        return row

    def _missing(self, stream: Stream, reason: str) -> Row:
        row = Row(_name(stream), stream.key, RESOURCE_NOUN[self.kind.result], 0, 0, reason)
        self._paginate(row, stream)
        return row

    def _paginate(self, row: Row, stream: Stream) -> None:
        size = self._page_size(stream)
        n = row.resources or 0
        row.pages = math.ceil(n / size) if n else 0
        row.requests = max(row.pages, 1)
        if self.plan.max_pages is not None:
            row.pages = min(row.pages, self.plan.max_pages)
            row.requests = min(row.requests, self.plan.max_pages)

    def _price(self, row: Row) -> None:
        per_window, min_interval = rate_of(self.client, self.endpoint)
        row.seconds = seconds_at_limit(row.requests, per_window, min_interval)
        if self.kind.result == "counts":
            kind = "counts_all" if self.endpoint.paginated else "counts_recent"
            row.usd_low = row.usd_high = row.requests * self.prices.price(kind)
            return
        billed = "post" if self.kind.result == "tweets" else "user"
        n = row.resources or 0
        row.usd_low = n * self.prices.price(billed)
        row.includes = self._includes(n, row.pages)
        row.usd_high = row.usd_low + sum(
            count * self.prices.price(kind) for kind, count in row.includes.items()
        )

    def _includes(self, items: int, pages: int) -> dict[str, float]:
        """The ``high`` reading's included objects, by billed kind, for ``items`` in data."""
        out: dict[str, float] = {}
        for expansion in expansions_of(self.plan):
            if expansion not in INCLUDE_RATES:
                continue
            kind, rate = INCLUDE_RATES[expansion]
            own_timeline = expansion == "author_id" and self.kind.name == "timeline"
            count = min(pages, items) if own_timeline else rate * items
            out[kind] = out.get(kind, 0.0) + count
        return out

    # -- helpers

    def _page_size(self, stream: Stream) -> int:
        given = stream.params.get("max_results")
        if given is not None:
            return int(given)
        if self.endpoint.ids_param is not None:
            return max(1, len(stream.params.get(self.endpoint.ids_param) or [])) or 1
        return self.endpoint.default_page_size or 1

    def _reach(self, stream: Stream) -> int | None:
        exclude = stream.params.get("exclude") or ()
        if self.kind.name == "timeline" and "replies" in exclude:
            return 800  # the endpoint's note: 800 most recent with exclude=replies
        return self.endpoint.reach

    def _cap(self, stream: Stream) -> int | None:
        """The most the collection can fetch for ``stream``: limit, pages, reach."""
        caps = [c for c in (self.plan.limit, self._reach(stream)) if c is not None]
        if self.plan.max_pages is not None and self.endpoint.paginated:
            caps.append(self.plan.max_pages * self._page_size(stream))
        return min(caps) if caps else None

    def _window(self, params: Mapping[str, Any]) -> tuple[float, float]:
        """The (start, end) a counts request covers, in Unix seconds, with X's defaults."""
        now = self.client.server_now()
        end = _time(params.get("end_time"))
        until = _id_time(params.get("until_id"))
        end = min(x for x in (end, until, now - 10.0) if x is not None)
        start = _time(params.get("start_time"))
        since = _id_time(params.get("since_id"))
        if start is None and since is None:
            days = ARCHIVE_DEFAULT_DAYS if self.endpoint.paginated else RECENT_DAYS
            start = end - days * 86_400
        start = max(x for x in (start, since) if x is not None)
        if self.endpoint.lookback is not None:
            start = max(start, now - self.endpoint.lookback)
        return start, max(start, end)

    async def _lookup_metrics(
        self, endpoint_name: str, ids: Sequence[str], fields_param: str, metric: str
    ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
        """``public_metrics`` of each id (one request per 100), and why the others are
        missing; each lookup is charged to the estimate."""
        endpoint = get_endpoint(endpoint_name)
        found: dict[str, dict[str, Any]] = {}
        missing: dict[str, str] = {}
        for batch in split_ids(endpoint, ids):
            page = await self.client.request(
                endpoint, params={"ids": batch, fields_param: ["public_metrics"]}
            )
            self.spent.add(charge(endpoint, page.body, self.prices).low)
            for item in page.data:
                metrics = item.get("public_metrics")
                found[str(item.get("id"))] = metrics if isinstance(metrics, dict) else {}
            for error in page.errors:
                key = str(error.get("resource_id") or error.get("value") or "")
                if key and key not in found:
                    missing[key] = _reason(error)
        for key in ids:
            if key not in found and key not in missing:
                missing[key] = "not found"
        return found, missing


_USER_METRIC = {
    "followers": "followers_count",
    "following": "following_count",
    "timeline": "tweet_count",
    "liked_tweets": "like_count",
}
_POST_METRIC = {
    "liking_users": "like_count",
    "retweeters": "retweet_count",
    "quote_tweets": "quote_count",
}
_USER_NOTES = {
    "followers": "followers: each account's public_metrics.followers_count (one user lookup "
    "per 100 accounts); protected or suspended followers are counted but not returned",
    "following": "following: each account's public_metrics.following_count (one user lookup "
    "per 100 accounts)",
    "timeline": "timeline: each account's public_metrics.tweet_count (every post it ever "
    "made, one user lookup per 100 accounts), capped at the 3,200 most recent the endpoint "
    "reaches (800 with exclude=replies); with a time window it is an upper bound",
    "liked_tweets": "liked posts: each account's public_metrics.like_count (likes given; one "
    "user lookup per 100 accounts); posts since deleted or protected are not returned",
}


# ---- small pure helpers ------------------------------------------------------------------


def seconds_at_limit(requests: int, per_window: int | None, min_interval: float = 0.0) -> float:
    """How long ``requests`` take at a documented limit: full 15-minute windows waited out,
    plus the spacing of the last window's requests (network time not counted).

    >>> seconds_at_limit(15, 15), seconds_at_limit(16, 15), seconds_at_limit(301, 300, 1.0)
    (0.0, 900.0, 900.0)
    """
    if requests <= 1:
        return 0.0
    window = per_window or requests
    full, rest = divmod(requests, window)
    if rest == 0:
        full, rest = full - 1, window
    return full * WINDOW_SECONDS + (rest - 1) * min_interval


def rate_of(client: Client, endpoint: Endpoint) -> tuple[int | None, float]:
    """Requests per window with the credentials the client would send, and the spacing."""
    try:
        per_window = endpoint.limit_for(client.credentials.for_endpoint(endpoint).kind)
    except AuthError:
        per_window = endpoint.limit_app or endpoint.limit_user
    return per_window, endpoint.min_interval


def expansions_of(plan: Plan) -> list[str]:
    params = plan.streams[0].params if plan.streams else {}
    value = params.get("expansions") or ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return [str(x).strip() for x in items if str(x).strip()]


def _time(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return parse_api_time(str(value)).timestamp()


def _id_time(value: Any) -> float | None:
    """When a post id was made (the snowflake's timestamp), in Unix seconds."""
    if value is None:
        return None
    return ((int(value) >> 22) + TWITTER_EPOCH_MS) / 1000.0


def _reason(error: Mapping[str, Any]) -> str:
    detail = str(error.get("detail") or error.get("title") or "not found")
    lowered = detail.lower()
    for word in ("suspended", "deactivated", "protected"):
        if word in lowered:
            return word
    if "not authorized" in lowered:
        return "not authorized (private or protected)"
    return "not found" if "could not find" in lowered or "not found" in lowered else detail[:80]


def _name(stream: Stream) -> str:
    return f"@{stream.label}" if stream.label else stream.key


def _cap_word(job: Sizer, stream: Stream, cap: int) -> str:
    if job.plan.limit == cap:
        return "limit"
    if job._reach(stream) == cap:
        return "reach"
    return "max_pages"
