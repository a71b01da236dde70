"""The pure core: build requests, read responses, pages, rate limits, retries. No I/O here.

Nothing in this package imports aiohttp or sleeps; ``twxdata.client`` does both and asks this
package every question.
"""

from __future__ import annotations

from twxdata.protocol.paging import Cursor
from twxdata.protocol.params import prepare_body, prepare_path, prepare_query, split_ids
from twxdata.protocol.ratelimit import Budget, RateLimit
from twxdata.protocol.request import Request, build_request, resolve_api_base
from twxdata.protocol.response import ARCHIVE_KEY, Page, api_error, read_response
from twxdata.protocol.retry import Decision, Failure, RetryPolicy, classify_status, decide
from twxdata.protocol.timefmt import parse_api_time, to_rfc3339, to_utc

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
