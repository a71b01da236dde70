"""twxdata: X (Twitter) API v2 to analysis-ready, typed tables.

In a notebook cell::

    import twxdata
    df = await twxdata.fetch_search("climate lang:en", limit=1000)

In a script: ``df = twxdata.fetch_search_sync("climate lang:en", limit=1000)``.

``__all__`` below is the public API, one list. Names load on first use, so ``import twxdata``
(and the ``twxdata`` command) stay fast; type checkers and IDEs read the imports under
``TYPE_CHECKING``, so they see every name with its real type (the package ships ``py.typed``).

>>> import twxdata
>>> twxdata.__version__ >= "0.1"
True
>>> callable(twxdata.fetch_search_sync)
True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twxdata._version import __version__
from twxdata.errors import (
    ApiError,
    AuthError,
    BadRequest,
    DataError,
    Forbidden,
    HTTPException,
    MalformedResponse,
    NotFound,
    ParameterError,
    PaymentRequired,
    ServerError,
    TooManyRequests,
    TransportError,
    TweepyException,
    TwitterServerError,
    TwxError,
    Unauthorized,
)

if TYPE_CHECKING:
    from twxdata import widgets  # twxdata.widgets.credentials(): the credential widget
    from twxdata.auth import Credentials, OAuth2PKCE
    from twxdata.client import Client
    from twxdata.collect.api import (
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
    from twxdata.collect.call import CostCapReached, PartialErrors, last_collection
    from twxdata.collect.collection import Collection
    from twxdata.collect.defaults import configure, default_client
    from twxdata.collect.estimate import Estimate, estimate, estimate_sync
    from twxdata.collect.rules import (
        RulesRefused,
        add_stream_rules,
        delete_stream_rules,
        stream_rules,
        stream_rules_sync,
        sync_stream_rules,
        sync_stream_rules_sync,
    )
    from twxdata.collect.stream import (
        StreamCollection,
        collect_stream,
        collect_stream_sync,
        fetch_stream,
        fetch_stream_sync,
    )
    from twxdata.collect.sync import (
        collect_counts_sync,
        collect_followers_sync,
        collect_following_sync,
        collect_home_timeline_sync,
        collect_liked_tweets_sync,
        collect_liking_users_sync,
        collect_list_members_sync,
        collect_list_tweets_sync,
        collect_mentions_sync,
        collect_quote_tweets_sync,
        collect_retweeters_sync,
        collect_search_sync,
        collect_timeline_sync,
        collect_tweets_sync,
        collect_users_sync,
        fetch_counts_sync,
        fetch_followers_sync,
        fetch_following_sync,
        fetch_home_timeline_sync,
        fetch_liked_tweets_sync,
        fetch_liking_users_sync,
        fetch_list_members_sync,
        fetch_list_tweets_sync,
        fetch_mentions_sync,
        fetch_quote_tweets_sync,
        fetch_retweeters_sync,
        fetch_search_sync,
        fetch_timeline_sync,
        lookup_tweets_sync,
        lookup_users_sync,
    )
    from twxdata.collect.usage import fetch_usage, fetch_usage_sync
    from twxdata.compat import (
        AsyncClient,
        AsyncPaginator,
        AsyncStreamingClient,
        Response,
        StreamRule,
    )
    from twxdata.endpoints import ENDPOINTS, Endpoint
    from twxdata.notebook.loop import run
    from twxdata.protocol.retry import RetryPolicy
    from twxdata.sharing.compliance import compliance
    from twxdata.sharing.dehydrate import dehydrate
    from twxdata.sharing.hydrate import hydrate
    from twxdata.store.checkpoint import ResumeError
    from twxdata.store.provenance import read_parquet
    from twxdata.tables import flatten, join, read_jsonl

__all__ = [
    "ENDPOINTS",
    "ApiError",
    "AsyncClient",
    "AsyncPaginator",
    "AsyncStreamingClient",
    "AuthError",
    "BadRequest",
    "Client",
    "Collection",
    "CostCapReached",
    "Credentials",
    "DataError",
    "Endpoint",
    "Estimate",
    "Forbidden",
    "HTTPException",
    "MalformedResponse",
    "NotFound",
    "OAuth2PKCE",
    "ParameterError",
    "PartialErrors",
    "PaymentRequired",
    "Response",
    "ResumeError",
    "RetryPolicy",
    "RulesRefused",
    "ServerError",
    "StreamCollection",
    "StreamRule",
    "TooManyRequests",
    "TransportError",
    "TweepyException",
    "TwitterServerError",
    "TwxError",
    "Unauthorized",
    "__version__",
    "add_stream_rules",
    "collect_counts",
    "collect_counts_sync",
    "collect_followers",
    "collect_followers_sync",
    "collect_following",
    "collect_following_sync",
    "collect_home_timeline",
    "collect_home_timeline_sync",
    "collect_liked_tweets",
    "collect_liked_tweets_sync",
    "collect_liking_users",
    "collect_liking_users_sync",
    "collect_list_members",
    "collect_list_members_sync",
    "collect_list_tweets",
    "collect_list_tweets_sync",
    "collect_mentions",
    "collect_mentions_sync",
    "collect_quote_tweets",
    "collect_quote_tweets_sync",
    "collect_retweeters",
    "collect_retweeters_sync",
    "collect_search",
    "collect_search_sync",
    "collect_stream",
    "collect_stream_sync",
    "collect_timeline",
    "collect_timeline_sync",
    "collect_tweets",
    "collect_tweets_sync",
    "collect_users",
    "collect_users_sync",
    "compliance",
    "configure",
    "default_client",
    "dehydrate",
    "delete_stream_rules",
    "estimate",
    "estimate_sync",
    "fetch_counts",
    "fetch_counts_sync",
    "fetch_followers",
    "fetch_followers_sync",
    "fetch_following",
    "fetch_following_sync",
    "fetch_home_timeline",
    "fetch_home_timeline_sync",
    "fetch_liked_tweets",
    "fetch_liked_tweets_sync",
    "fetch_liking_users",
    "fetch_liking_users_sync",
    "fetch_list_members",
    "fetch_list_members_sync",
    "fetch_list_tweets",
    "fetch_list_tweets_sync",
    "fetch_mentions",
    "fetch_mentions_sync",
    "fetch_quote_tweets",
    "fetch_quote_tweets_sync",
    "fetch_retweeters",
    "fetch_retweeters_sync",
    "fetch_search",
    "fetch_search_sync",
    "fetch_stream",
    "fetch_stream_sync",
    "fetch_timeline",
    "fetch_timeline_sync",
    "fetch_usage",
    "fetch_usage_sync",
    "flatten",
    "hydrate",
    "join",
    "last_collection",
    "lookup_tweets",
    "lookup_tweets_sync",
    "lookup_users",
    "lookup_users_sync",
    "read_jsonl",
    "read_parquet",
    "run",
    "stream_rules",
    "stream_rules_sync",
    "sync_stream_rules",
    "sync_stream_rules_sync",
    "widgets",
]

# Where the names not imported above live; every collector (collect_*, fetch_*, lookup_*) is in
# twxdata.collect.api, its blocking *_sync twin in twxdata.collect.sync.
_WHERE = {
    "Client": "twxdata.client",
    "RetryPolicy": "twxdata.protocol.retry",
    "Credentials": "twxdata.auth",
    "OAuth2PKCE": "twxdata.auth",
    "ENDPOINTS": "twxdata.endpoints",
    "Endpoint": "twxdata.endpoints",
    "Collection": "twxdata.collect.collection",
    "configure": "twxdata.collect.defaults",
    "default_client": "twxdata.collect.defaults",
    "last_collection": "twxdata.collect.call",
    "PartialErrors": "twxdata.collect.call",
    "CostCapReached": "twxdata.collect.call",
    "Estimate": "twxdata.collect.estimate",
    "estimate": "twxdata.collect.estimate",
    "estimate_sync": "twxdata.collect.estimate",
    "fetch_usage": "twxdata.collect.usage",
    "fetch_usage_sync": "twxdata.collect.usage",
    **{
        name: "twxdata.collect.rules"
        for name in (
            "stream_rules",
            "stream_rules_sync",
            "add_stream_rules",
            "delete_stream_rules",
            "sync_stream_rules",
            "sync_stream_rules_sync",
            "RulesRefused",
        )
    },
    **{
        name: "twxdata.collect.stream"
        for name in (
            "collect_stream",
            "collect_stream_sync",
            "fetch_stream",
            "fetch_stream_sync",
            "StreamCollection",
        )
    },
    "ResumeError": "twxdata.store.checkpoint",
    "run": "twxdata.notebook.loop",
    "flatten": "twxdata.tables",
    "read_jsonl": "twxdata.tables",
    "join": "twxdata.tables",
    "read_parquet": "twxdata.store.provenance",
    "dehydrate": "twxdata.sharing.dehydrate",
    "hydrate": "twxdata.sharing.hydrate",
    "compliance": "twxdata.sharing.compliance",
    "widgets": "twxdata.widgets",
    # tweepy's AsyncClient interface
    "AsyncClient": "twxdata.compat",
    "AsyncStreamingClient": "twxdata.compat",
    "StreamRule": "twxdata.compat",
    "AsyncPaginator": "twxdata.compat",
    "Response": "twxdata.compat",
}
_COLLECTORS = ("collect_", "fetch_", "lookup_")


def _module_of(name: str) -> str | None:
    if name in _WHERE:
        return _WHERE[name]
    if name.startswith(_COLLECTORS) and name in __all__:
        return "twxdata.collect.sync" if name.endswith("_sync") else "twxdata.collect.api"
    return None


if not TYPE_CHECKING:  # hidden from type checkers, so a misspelt name is an error there

    def __getattr__(name: str) -> Any:
        module = _module_of(name)
        if module is None:
            raise AttributeError(f"module 'twxdata' has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return __all__
