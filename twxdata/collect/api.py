"""The notebook API: one awaitable call per research question.

``collect_*`` functions return a ``Collection`` (every table, the raw responses, what went
wrong); ``fetch_*`` functions return its main table as a pandas DataFrame (posts with authors,
media, places, polls and referenced posts joined; or users; or counts). Every function has a
``*_sync`` twin for scripts (:mod:`twxdata.collect.sync`), and takes the same collection options:

- ``limit``: items per stream (per query, per user, ...); ``max_pages``: pages per stream.
- ``fields``: ``"research"`` (every public field and expansion, the default), ``"minimal"``
  (what the API sends by default), or a mapping such as ``{"tweet.fields": ["lang"]}``.
- ``raw``: a JSONL path; every response is appended as it arrives, a checkpoint beside it
  records each stream's position, and calling again with the same arguments resumes.
  ``restart=True`` starts over (the old files are kept, renamed).
- ``client``: a ``twxdata.client.Client``; by default one per event loop, configured with
  ``twxdata.configure`` or ``TWXDATA_*`` environment variables.
- ``progress``: a tqdm bar (notebook widget or terminal) with rate-limit countdowns.
- ``concurrency``: streams walked at once (they share each endpoint's rate limit).
- ``max_cost``: the most the collection may be charged, in US dollars, over all its runs (X's
  prices, ``twxdata.pricing``); pages are sized to fit and the collection stops cleanly at the
  cap (``Collection.capped``); the same call with a higher cap continues from there.
- any other keyword is passed to the API (``max_results``, ``exclude``, ``sort_order``, ...).

Users may be ids or ``@usernames`` (resolved once per client); every per-user, per-post and
per-list function and the search and counts functions take one target or a list of them.

>>> import twxdata
>>> from twxdata.testing import FakeXApi
>>> with FakeXApi(seed=1, size=3_000) as api:
...     twxdata.configure(api_base=api.url, bearer_token=api.bearer_token)
...     posts = twxdata.fetch_search_sync(["python", "climate"], limit=20, progress=False)
...     twxdata.configure(api_base=None, bearer_token=None)
>>> sorted(posts["query"].unique())
['climate', 'python']
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec

from twxdata.client import Client
from twxdata.collect.call import collect
from twxdata.collect.collection import Collection
from twxdata.collect.plan import Fields

if TYPE_CHECKING:
    import pandas as pd

Times = Any  # datetime, pandas Timestamp, ISO 8601 string, Unix seconds, or "7d"-style
Many = Any  # one target or a list of them
P = ParamSpec("P")
Collecting = Coroutine[Any, Any, Collection]


async def collect_search(
    query: str | Sequence[str],
    *,
    archive: bool = False,
    start_time: Times = None,
    end_time: Times = None,
    since_id: int | str | None = None,
    until_id: int | str | None = None,
    sort_order: str | None = None,
    limit: int | None = None,
    max_pages: int | None = None,
    fields: Fields = "research",
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
    **params: Any,
) -> Collection:
    """Posts matching one query or several: the last 7 days, or everything with ``archive``.

    >>> # in a notebook cell:  c = await twxdata.collect_search("climate lang:en", limit=500)
    """
    window = {"start_time": start_time, "end_time": end_time, "since_id": since_id,
              "until_id": until_id, "sort_order": sort_order}  # fmt: skip
    return await collect("search", query, archive=archive, fields=fields, limit=limit,
                         max_pages=max_pages, raw=raw, restart=restart, client=client,
                         progress=progress, concurrency=concurrency, max_cost=max_cost,
                         params={**window, **params})  # fmt: skip


async def collect_counts(
    query: str | Sequence[str],
    *,
    archive: bool = False,
    granularity: str = "day",
    start_time: Times = None,
    end_time: Times = None,
    since_id: int | str | None = None,
    until_id: int | str | None = None,
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
    **params: Any,
) -> Collection:
    """How many posts match, per minute, hour or day (``start``, ``end``, ``tweet_count``).

    >>> # counts = await twxdata.fetch_counts("climate", granularity="hour", start_time="3d")
    """
    window = {"start_time": start_time, "end_time": end_time, "since_id": since_id,
              "until_id": until_id, "granularity": granularity}  # fmt: skip
    return await collect("counts", query, archive=archive, raw=raw, restart=restart,
                         client=client, progress=progress, concurrency=concurrency,
                         max_cost=max_cost, params={**window, **params})  # fmt: skip


def _publish(function: Callable[..., Any], name: str, doc: str, sig: inspect.Signature) -> None:
    """Name a generated function and give it ``sig``: what ``help``, ``inspect.signature`` and
    the documentation show (type checkers see the ``ParamSpec`` types of the factories)."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__signature__ = sig  # type: ignore[attr-defined]
    function.__annotations__ = {
        **{p.name: p.annotation for p in sig.parameters.values() if p.annotation is not p.empty},
        "return": sig.return_annotation,
    }


def _one_per_kind(
    impl: Callable[Concatenate[str, P], Collecting],
) -> Callable[[str, str, str, str], Callable[P, Collecting]]:
    """``impl(kind, targets, ...)`` → a factory of ``collect_<kind>(targets, ...)``: ``impl``'s
    signature without ``kind``, for type checkers (``Concatenate``) and at run time alike."""
    full = inspect.signature(impl)
    sig = full.replace(parameters=list(full.parameters.values())[1:])

    def per_kind(
        kind: str, target_name: str, summary: str, example: str
    ) -> Callable[P, Collecting]:
        async def collect_kind(*args: P.args, **kwargs: P.kwargs) -> Collection:
            return await impl(kind, *args, **kwargs)

        doc = (
            f"{summary}\n\n``{target_name}``: one or a list. Time windows (``start_time``, "
            "``end_time``, ``since_id``, ``until_id``) and other API parameters go as keywords."
            f"\n\n>>> # in a notebook cell:  {example}\n"
        )
        _publish(collect_kind, f"collect_{kind}", doc, sig)
        return collect_kind

    return per_kind


@_one_per_kind
async def _per_target(
    kind: str,
    /,
    targets: Many,
    *,
    limit: int | None = None,
    max_pages: int | None = None,
    fields: Fields = "research",
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
    **params: Any,
) -> Collection:
    """The per-user, per-post and per-list kinds: one signature, one ``collect_<kind>`` each."""
    return await collect(kind, targets, fields=fields, limit=limit, max_pages=max_pages, raw=raw,
                         restart=restart, client=client, progress=progress,
                         concurrency=concurrency, max_cost=max_cost, params=params)  # fmt: skip


collect_timeline = _per_target(
    "timeline",
    "users",
    "Posts by users (the 3,200 most recent each), newest first.",
    'c = await twxdata.collect_timeline(["@NASA", "@ESA"], limit=1000)',
)
collect_mentions = _per_target(
    "mentions",
    "users",
    "Posts mentioning users (the 800 most recent each).",
    'c = await twxdata.collect_mentions("@NASA", start_time="7d")',
)
collect_followers = _per_target(
    "followers",
    "users",
    "Followers of users: one row per (user, follower) edge.",
    'edges = await twxdata.fetch_followers(["@NASA", "@ESA"])',
)
collect_following = _per_target(
    "following",
    "users",
    "Accounts users follow: one row per (user, followed) edge.",
    'edges = await twxdata.fetch_following("@NASA")',
)
collect_liking_users = _per_target(
    "liking_users",
    "tweets",
    "Users who liked posts.",
    "likers = await twxdata.fetch_liking_users(1293593516040269825)",
)
collect_liked_tweets = _per_target(
    "liked_tweets",
    "users",
    "Posts users liked.",
    'likes = await twxdata.fetch_liked_tweets("@NASA", limit=500)',
)
collect_retweeters = _per_target(
    "retweeters",
    "tweets",
    "Users who reposted posts.",
    "rts = await twxdata.fetch_retweeters([1293593516040269825, 1293595870563381249])",
)
collect_quote_tweets = _per_target(
    "quote_tweets",
    "tweets",
    "Posts quoting posts.",
    "quotes = await twxdata.fetch_quote_tweets(1293593516040269825)",
)
collect_list_tweets = _per_target(
    "list_tweets",
    "lists",
    "Posts of lists (the 800 most recent each).",
    "posts = await twxdata.fetch_list_tweets(84839422)",
)
collect_list_members = _per_target(
    "list_members",
    "lists",
    "Members of lists.",
    "members = await twxdata.fetch_list_members(84839422)",
)
collect_tweets = _per_target(
    "tweets",
    "ids",
    "Posts by id: any number, in batches of 100 sent concurrently; "
    "deleted and protected ones come back as partial errors.",
    "posts = await twxdata.lookup_tweets(ids_from_a_paper)",
)
collect_users = _per_target(
    "users",
    "users",
    "Users by id or @username, in batches of 100 sent concurrently.",
    'profiles = await twxdata.lookup_users(["@NASA", 11348282])',
)


async def collect_home_timeline(
    *,
    start_time: Times = None,
    end_time: Times = None,
    since_id: int | str | None = None,
    until_id: int | str | None = None,
    limit: int | None = None,
    max_pages: int | None = None,
    fields: Fields = "research",
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    max_cost: float | None = None,
    **params: Any,
) -> Collection:
    """The authenticating user's home timeline (needs user-context credentials).

    >>> # c = await twxdata.collect_home_timeline(limit=200)
    """
    window = {"start_time": start_time, "end_time": end_time, "since_id": since_id,
              "until_id": until_id}  # fmt: skip
    return await collect("home_timeline", None, fields=fields, limit=limit,
                         max_pages=max_pages, raw=raw, restart=restart, client=client,
                         progress=progress, max_cost=max_cost,
                         params={**window, **params})  # fmt: skip


def _fetching(
    collector: Callable[P, Collecting], name: str
) -> Callable[P, Coroutine[Any, Any, pd.DataFrame]]:
    """``fetch_*``: the collector's main table as a DataFrame, with the collector's parameters."""

    async def fetch(*args: P.args, **kwargs: P.kwargs) -> pd.DataFrame:
        collection = await collector(*args, **kwargs)
        return collection.frame()

    doc = (
        f"Like ``{collector.__name__}``, returning the main table as a pandas DataFrame "
        "(Arrow-backed dtypes; the collection stays in ``twxdata.last_collection()``).\n\n"
        + (collector.__doc__ or "").split("\n\n", 1)[0]
        + "\n\n>>> # df = await twxdata."
        + name
        + "(...)\n"
    )
    sig = inspect.signature(collector).replace(return_annotation="pd.DataFrame")
    _publish(fetch, name, doc, sig)
    return fetch


fetch_search = _fetching(collect_search, "fetch_search")
fetch_counts = _fetching(collect_counts, "fetch_counts")
fetch_timeline = _fetching(collect_timeline, "fetch_timeline")
fetch_mentions = _fetching(collect_mentions, "fetch_mentions")
fetch_home_timeline = _fetching(collect_home_timeline, "fetch_home_timeline")
fetch_followers = _fetching(collect_followers, "fetch_followers")
fetch_following = _fetching(collect_following, "fetch_following")
fetch_liking_users = _fetching(collect_liking_users, "fetch_liking_users")
fetch_liked_tweets = _fetching(collect_liked_tweets, "fetch_liked_tweets")
fetch_retweeters = _fetching(collect_retweeters, "fetch_retweeters")
fetch_quote_tweets = _fetching(collect_quote_tweets, "fetch_quote_tweets")
fetch_list_tweets = _fetching(collect_list_tweets, "fetch_list_tweets")
fetch_list_members = _fetching(collect_list_members, "fetch_list_members")
lookup_tweets = _fetching(collect_tweets, "lookup_tweets")
lookup_users = _fetching(collect_users, "lookup_users")
