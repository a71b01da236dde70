"""The pure core: build requests, read responses, pages, rate limits, retries. No I/O here.

Nothing in this package imports aiohttp or sleeps; ``twxdata.client`` does both and asks this
package every question.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twxdata.protocol.paging import Cursor
    from twxdata.protocol.params import prepare_body, prepare_path, prepare_query, split_ids
    from twxdata.protocol.ratelimit import Budget, RateLimit
    from twxdata.protocol.request import Request, build_request, resolve_api_base
    from twxdata.protocol.response import ARCHIVE_KEY, Page, api_error, read_response
    from twxdata.protocol.retry import Decision, Failure, RetryPolicy, classify_status, decide
    from twxdata.protocol.timefmt import parse_api_time, to_rfc3339, to_utc

# Names load on first use: importing one module of the core (``protocol.timefmt`` for a file
# writer's timestamps) does not import them all.
_HOMES = {
    "Cursor": "paging",
    "prepare_body": "params", "prepare_path": "params", "prepare_query": "params",
    "split_ids": "params",
    "Budget": "ratelimit", "RateLimit": "ratelimit",
    "Request": "request", "build_request": "request", "resolve_api_base": "request",
    "ARCHIVE_KEY": "response", "Page": "response", "api_error": "response",
    "read_response": "response",
    "Decision": "retry", "Failure": "retry", "RetryPolicy": "retry", "classify_status": "retry",
    "decide": "retry",
    "parse_api_time": "timefmt", "to_rfc3339": "timefmt", "to_utc": "timefmt",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'twxdata.protocol' has no attribute {name!r}")
    return getattr(importlib.import_module(f"twxdata.protocol.{home}"), name)


__all__ = [
    "ARCHIVE_KEY",
    "Budget",
    "Cursor",
    "Decision",
    "Failure",
    "Page",
    "RateLimit",
    "Request",
    "RetryPolicy",
    "api_error",
    "build_request",
    "classify_status",
    "decide",
    "parse_api_time",
    "prepare_body",
    "prepare_path",
    "prepare_query",
    "read_response",
    "resolve_api_base",
    "split_ids",
    "to_rfc3339",
    "to_utc",
]
