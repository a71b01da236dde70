"""twxdata: X (Twitter) API v2 to analysis-ready, typed tables.

In a notebook cell::

    import twxdata
    df = await twxdata.fetch_search("climate lang:en", limit=1000)

Names load on first use, so ``import twxdata`` (and the ``twxdata`` command) stay fast.

>>> import twxdata
>>> twxdata.__version__ >= "0.1"
True
>>> callable(twxdata.fetch_search_sync)
True
"""

from __future__ import annotations

import importlib
from typing import Any

from twxdata._version import __version__
from twxdata.errors import (
    ApiError,
    AuthError,
    BadRequest,
    DataError,
    Forbidden,
    MalformedResponse,
    NotFound,
    ParameterError,
    ServerError,
    TooManyRequests,
    TransportError,
    TwxError,
    Unauthorized,
)

_API = "twxdata.collect.api"
_LAZY = {
    "Client": "twxdata.client",
    "RetryPolicy": "twxdata.protocol.retry",
    "Credentials": "twxdata.auth",
    "OAuth2PKCE": "twxdata.auth",
    "ENDPOINTS": "twxdata.endpoints",
    "Endpoint": "twxdata.endpoints",
    "Collection": "twxdata.collect.collection",
    "configure": "twxdata.collect.defaults",
    "default_client": "twxdata.collect.defaults",
    "last_collection": "twxdata.collect.run",
    "PartialErrors": "twxdata.collect.run",
    "ResumeError": "twxdata.store.checkpoint",
    "run": "twxdata.notebook.run",
    "flatten": "twxdata.tables",
    "read_jsonl": "twxdata.tables",
    "read_parquet": "twxdata.store.provenance",
    "dehydrate": "twxdata.sharing.dehydrate",
    "hydrate": "twxdata.sharing.hydrate",
    "compliance": "twxdata.sharing.compliance",
    "join": "twxdata.tables",
    "widgets": "twxdata.widgets",  # twxdata.widgets.credentials(): the credential widget
    # tweepy's AsyncClient interface, and tweepy's names for our exceptions
    "AsyncClient": "twxdata.compat",
    "AsyncPaginator": "twxdata.compat",
    "Response": "twxdata.compat",
    "HTTPException": "twxdata.errors",
    "TweepyException": "twxdata.errors",
    "TwitterServerError": "twxdata.errors",
}
_COLLECTORS = tuple(
    f"{prefix}_{name}{suffix}"
    for name in ("search", "counts", "timeline", "mentions", "home_timeline", "followers",
                 "following", "liking_users", "liked_tweets", "retweeters", "quote_tweets",
                 "list_tweets", "list_members")
    for prefix in ("collect", "fetch")
    for suffix in ("", "_sync")
) + tuple(
    f"{name}{suffix}"
    for name in ("collect_tweets", "collect_users", "lookup_tweets", "lookup_users")
    for suffix in ("", "_sync")
)  # fmt: skip

__all__ = [
    "ApiError",
    "AuthError",
    "BadRequest",
    "DataError",
    "Forbidden",
    "MalformedResponse",
    "NotFound",
    "ParameterError",
    "ServerError",
    "TooManyRequests",
    "TransportError",
    "TwxError",
    "Unauthorized",
    "__version__",
]
__all__ += sorted([*_LAZY, *_COLLECTORS])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name) or (_API if name in _COLLECTORS else None)
    if module is None:
        raise AttributeError(f"module 'twxdata' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
