"""The blocking twins: ``fetch_search_sync(...)`` is ``run(fetch_search(...))``, and so on for
every function of :mod:`twxdata.collect.api`, for scripts and plain functions.

Each twin is written out with its async function's parameters, so type checkers, IDEs and
``help`` see them (``tests/test_public_api.py`` checks that they stay the same). ``run`` uses
``asyncio.run`` when no event loop is running and the running loop otherwise (a notebook cell),
so the twins work everywhere; in a notebook, ``await`` the async function instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twxdata.client import Client
from twxdata.collect.api import (
    Many,
    Times,
    collect_counts,
    collect_followers,
    collect_following,
    collect_home_timeline,
    collect_liked_tweets,
    collect_liking_users,
    collect_list_members,
    collect_list_tweets,
    collect_mentions,
    collect_quote_tweets,
    collect_retweeters,
    collect_search,
    collect_timeline,
    collect_tweets,
    collect_users,
    fetch_counts,
    fetch_followers,
    fetch_following,
    fetch_home_timeline,
    fetch_liked_tweets,
    fetch_liking_users,
    fetch_list_members,
    fetch_list_tweets,
    fetch_mentions,
    fetch_quote_tweets,
    fetch_retweeters,
    fetch_search,
    fetch_timeline,
    lookup_tweets,
    lookup_users,
)
from twxdata.collect.collection import Collection
from twxdata.collect.plan import Fields
from twxdata.notebook.loop import run

if TYPE_CHECKING:
    import pandas as pd


def collect_search_sync(
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
    """Blocking ``collect_search``: ``twxdata.collect_search_sync("climate", limit=500)``."""
    return run(collect_search(query, archive=archive, start_time=start_time, end_time=end_time,
                              since_id=since_id, until_id=until_id, sort_order=sort_order,
                              limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                              restart=restart, client=client, progress=progress,
                              concurrency=concurrency,
                              max_cost=max_cost, **params))  # fmt: skip


def fetch_search_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_search``: ``twxdata.fetch_search_sync("climate", limit=500)``."""
    return run(fetch_search(query, archive=archive, start_time=start_time, end_time=end_time,
                            since_id=since_id, until_id=until_id, sort_order=sort_order,
                            limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                            restart=restart, client=client, progress=progress,
                            concurrency=concurrency,
                            max_cost=max_cost, **params))  # fmt: skip


def collect_counts_sync(
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
    """Blocking ``collect_counts``: ``twxdata.collect_counts_sync("climate", start_time="3d")``."""
    return run(collect_counts(query, archive=archive, granularity=granularity,
                              start_time=start_time, end_time=end_time, since_id=since_id,
                              until_id=until_id, raw=raw, restart=restart, client=client,
                              progress=progress, concurrency=concurrency,
                              max_cost=max_cost, **params))  # fmt: skip


def fetch_counts_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_counts``: ``twxdata.fetch_counts_sync("climate", start_time="3d")``."""
    return run(fetch_counts(query, archive=archive, granularity=granularity, start_time=start_time,
                            end_time=end_time, since_id=since_id, until_id=until_id, raw=raw,
                            restart=restart, client=client, progress=progress,
                            concurrency=concurrency,
                            max_cost=max_cost, **params))  # fmt: skip


def collect_timeline_sync(
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
    """Blocking ``collect_timeline``: ``twxdata.collect_timeline_sync("@NASA", limit=1000)``."""
    return run(collect_timeline(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                restart=restart, client=client, progress=progress,
                                concurrency=concurrency,
                                max_cost=max_cost, **params))  # fmt: skip


def fetch_timeline_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_timeline``: ``twxdata.fetch_timeline_sync("@NASA", limit=1000)``."""
    return run(fetch_timeline(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                              restart=restart, client=client, progress=progress,
                              concurrency=concurrency,
                              max_cost=max_cost, **params))  # fmt: skip


def collect_mentions_sync(
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
    """Blocking ``collect_mentions``: ``twxdata.collect_mentions_sync("@NASA", limit=100)``."""
    return run(collect_mentions(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                restart=restart, client=client, progress=progress,
                                concurrency=concurrency,
                                max_cost=max_cost, **params))  # fmt: skip


def fetch_mentions_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_mentions``: ``twxdata.fetch_mentions_sync("@NASA", limit=100)``."""
    return run(fetch_mentions(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                              restart=restart, client=client, progress=progress,
                              concurrency=concurrency,
                              max_cost=max_cost, **params))  # fmt: skip


def collect_home_timeline_sync(
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
    """Blocking ``collect_home_timeline``: ``twxdata.collect_home_timeline_sync(limit=200)``."""
    return run(collect_home_timeline(start_time=start_time, end_time=end_time, since_id=since_id,
                                     until_id=until_id, limit=limit, max_pages=max_pages,
                                     fields=fields, raw=raw, restart=restart, client=client,
                                     progress=progress,
                                     max_cost=max_cost, **params))  # fmt: skip


def fetch_home_timeline_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_home_timeline``: ``twxdata.fetch_home_timeline_sync(limit=200)``."""
    return run(fetch_home_timeline(start_time=start_time, end_time=end_time, since_id=since_id,
                                   until_id=until_id, limit=limit, max_pages=max_pages,
                                   fields=fields, raw=raw, restart=restart, client=client,
                                   progress=progress,
                                   max_cost=max_cost, **params))  # fmt: skip


def collect_followers_sync(
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
    """Blocking ``collect_followers``: ``twxdata.collect_followers_sync(["@NASA", "@ESA"])``."""
    return run(collect_followers(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                 restart=restart, client=client, progress=progress,
                                 concurrency=concurrency,
                                 max_cost=max_cost, **params))  # fmt: skip


def fetch_followers_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_followers``: ``twxdata.fetch_followers_sync(["@NASA", "@ESA"])``."""
    return run(fetch_followers(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                               restart=restart, client=client, progress=progress,
                               concurrency=concurrency,
                               max_cost=max_cost, **params))  # fmt: skip


def collect_following_sync(
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
    """Blocking ``collect_following``: ``twxdata.collect_following_sync("@NASA")``."""
    return run(collect_following(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                 restart=restart, client=client, progress=progress,
                                 concurrency=concurrency,
                                 max_cost=max_cost, **params))  # fmt: skip


def fetch_following_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_following``: ``twxdata.fetch_following_sync("@NASA")``."""
    return run(fetch_following(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                               restart=restart, client=client, progress=progress,
                               concurrency=concurrency,
                               max_cost=max_cost, **params))  # fmt: skip


def collect_liking_users_sync(
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
    """Blocking ``collect_liking_users``: ``twxdata.collect_liking_users_sync(post_ids)``."""
    return run(collect_liking_users(targets, limit=limit, max_pages=max_pages, fields=fields,
                                    raw=raw, restart=restart, client=client, progress=progress,
                                    concurrency=concurrency,
                                    max_cost=max_cost, **params))  # fmt: skip


def fetch_liking_users_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_liking_users``: ``twxdata.fetch_liking_users_sync(post_ids)``."""
    return run(fetch_liking_users(targets, limit=limit, max_pages=max_pages, fields=fields,
                                  raw=raw, restart=restart, client=client, progress=progress,
                                  concurrency=concurrency,
                                  max_cost=max_cost, **params))  # fmt: skip


def collect_liked_tweets_sync(
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
    """Blocking ``collect_liked_tweets``: ``twxdata.collect_liked_tweets_sync("@NASA")``."""
    return run(collect_liked_tweets(targets, limit=limit, max_pages=max_pages, fields=fields,
                                    raw=raw, restart=restart, client=client, progress=progress,
                                    concurrency=concurrency,
                                    max_cost=max_cost, **params))  # fmt: skip


def fetch_liked_tweets_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_liked_tweets``: ``twxdata.fetch_liked_tweets_sync("@NASA")``."""
    return run(fetch_liked_tweets(targets, limit=limit, max_pages=max_pages, fields=fields,
                                  raw=raw, restart=restart, client=client, progress=progress,
                                  concurrency=concurrency,
                                  max_cost=max_cost, **params))  # fmt: skip


def collect_retweeters_sync(
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
    """Blocking ``collect_retweeters``: ``twxdata.collect_retweeters_sync(post_ids)``."""
    return run(collect_retweeters(targets, limit=limit, max_pages=max_pages, fields=fields,
                                  raw=raw, restart=restart, client=client, progress=progress,
                                  concurrency=concurrency,
                                  max_cost=max_cost, **params))  # fmt: skip


def fetch_retweeters_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_retweeters``: ``twxdata.fetch_retweeters_sync(post_ids)``."""
    return run(fetch_retweeters(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                restart=restart, client=client, progress=progress,
                                concurrency=concurrency,
                                max_cost=max_cost, **params))  # fmt: skip


def collect_quote_tweets_sync(
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
    """Blocking ``collect_quote_tweets``: ``twxdata.collect_quote_tweets_sync(post_ids)``."""
    return run(collect_quote_tweets(targets, limit=limit, max_pages=max_pages, fields=fields,
                                    raw=raw, restart=restart, client=client, progress=progress,
                                    concurrency=concurrency,
                                    max_cost=max_cost, **params))  # fmt: skip


def fetch_quote_tweets_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_quote_tweets``: ``twxdata.fetch_quote_tweets_sync(post_ids)``."""
    return run(fetch_quote_tweets(targets, limit=limit, max_pages=max_pages, fields=fields,
                                  raw=raw, restart=restart, client=client, progress=progress,
                                  concurrency=concurrency,
                                  max_cost=max_cost, **params))  # fmt: skip


def collect_list_tweets_sync(
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
    """Blocking ``collect_list_tweets``: ``twxdata.collect_list_tweets_sync(84839422)``."""
    return run(collect_list_tweets(targets, limit=limit, max_pages=max_pages, fields=fields,
                                   raw=raw, restart=restart, client=client, progress=progress,
                                   concurrency=concurrency,
                                   max_cost=max_cost, **params))  # fmt: skip


def fetch_list_tweets_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_list_tweets``: ``twxdata.fetch_list_tweets_sync(84839422)``."""
    return run(fetch_list_tweets(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                                 restart=restart, client=client, progress=progress,
                                 concurrency=concurrency,
                                 max_cost=max_cost, **params))  # fmt: skip


def collect_list_members_sync(
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
    """Blocking ``collect_list_members``: ``twxdata.collect_list_members_sync(84839422)``."""
    return run(collect_list_members(targets, limit=limit, max_pages=max_pages, fields=fields,
                                    raw=raw, restart=restart, client=client, progress=progress,
                                    concurrency=concurrency,
                                    max_cost=max_cost, **params))  # fmt: skip


def fetch_list_members_sync(
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
) -> pd.DataFrame:
    """Blocking ``fetch_list_members``: ``twxdata.fetch_list_members_sync(84839422)``."""
    return run(fetch_list_members(targets, limit=limit, max_pages=max_pages, fields=fields,
                                  raw=raw, restart=restart, client=client, progress=progress,
                                  concurrency=concurrency,
                                  max_cost=max_cost, **params))  # fmt: skip


def collect_tweets_sync(
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
    """Blocking ``collect_tweets``: ``twxdata.collect_tweets_sync(post_ids)``."""
    return run(collect_tweets(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                              restart=restart, client=client, progress=progress,
                              concurrency=concurrency,
                              max_cost=max_cost, **params))  # fmt: skip


def lookup_tweets_sync(
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
) -> pd.DataFrame:
    """Blocking ``lookup_tweets``: ``twxdata.lookup_tweets_sync(post_ids)``."""
    return run(lookup_tweets(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                             restart=restart, client=client, progress=progress,
                             concurrency=concurrency,
                             max_cost=max_cost, **params))  # fmt: skip


def collect_users_sync(
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
    """Blocking ``collect_users``: ``twxdata.collect_users_sync(["@NASA", 11348282])``."""
    return run(collect_users(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                             restart=restart, client=client, progress=progress,
                             concurrency=concurrency,
                             max_cost=max_cost, **params))  # fmt: skip


def lookup_users_sync(
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
) -> pd.DataFrame:
    """Blocking ``lookup_users``: ``twxdata.lookup_users_sync(["@NASA", 11348282])``."""
    return run(lookup_users(targets, limit=limit, max_pages=max_pages, fields=fields, raw=raw,
                            restart=restart, client=client, progress=progress,
                            concurrency=concurrency,
                            max_cost=max_cost, **params))  # fmt: skip
