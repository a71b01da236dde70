"""Read an HTTP answer (status, headers, bytes) into a ``Page`` or an exception. Pure: no I/O.

This is the one place that decides what an answer means, so the client, the tests on real
recordings and the archive readers all agree on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

import orjson

from twxdata._version import __version__
from twxdata.endpoints import Endpoint
from twxdata.errors import ApiError, MalformedResponse, error_class
from twxdata.protocol.ratelimit import RateLimit

ARCHIVE_KEY = "__twxdata"


@dataclass(frozen=True, slots=True)
class Page:
    """One successful API response, parsed once.

    ``body`` is the whole JSON object; ``raw`` the bytes as received (for the archive).
    ``data`` is always a list (a single-object response such as ``GET /2/tweets/:id`` gives a
    list of one); ``includes``, ``meta`` and ``errors`` are empty containers when absent.
    ``stream`` names the query or user this page belongs to when a collection fans out.
    """

    endpoint: str
    url: str
    status: int
    body: dict[str, Any]
    raw: bytes = field(repr=False)
    retrieved_at: datetime
    rate_limit: RateLimit | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    stream: str | None = None
    trimmed: bool = False  # data was cut to a limit: ``raw`` holds more items than ``body``

    @property
    def data(self) -> list[dict[str, Any]]:
        value = self.body.get("data")
        if value is None:
            return []
        return [value] if isinstance(value, dict) else list(value)

    @property
    def includes(self) -> dict[str, list[dict[str, Any]]]:
        value = self.body.get("includes")
        return value if isinstance(value, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        value = self.body.get("meta")
        return value if isinstance(value, dict) else {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        value = self.body.get("errors")
        return value if isinstance(value, list) else []

    @property
    def next_token(self) -> str | None:
        token = self.meta.get("next_token")
        return token if isinstance(token, str) and token else None

    @property
    def oldest_id(self) -> str | None:
        """The oldest post of a page of posts (``meta.oldest_id``; search and timelines)."""
        found = self.meta.get("oldest_id")
        return found if isinstance(found, str) and found.isdigit() else None

    @property
    def result_count(self) -> int:
        """Items in ``data`` (``meta.result_count`` is absent on lookups and counts)."""
        return len(self.data)

    def archive_record(self) -> dict[str, Any]:
        """The metadata stored beside the response in a raw archive line."""
        record: dict[str, Any] = {
            "endpoint": self.endpoint,
            "url": self.url,
            "params": dict(self.params),
            "retrieved_at": self.retrieved_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "version": __version__,
            "status": self.status,
        }
        if self.stream is not None:
            record["stream"] = self.stream
        return record

    def archive_line(self) -> bytes:
        """One JSONL line: the response exactly as received plus the ``__twxdata`` key.

        >>> p = Page("get_tweet", "https://api.x.com/2/tweets/1", 200, {"data": {"id": "1"}},
        ...          b'{"data":{"id":"1"}}', datetime(2024, 1, 1, tzinfo=timezone.utc))
        >>> p.archive_line()[:40]
        b'{"data":{"id":"1"},"__twxdata":{"endpoin'
        """
        meta = orjson.dumps(self.archive_record())
        raw = self.raw.strip()
        # Splicing keeps the API's bytes as they were; re-serialising is the fallback for
        # bodies that are empty, pretty-printed (newlines would break JSONL) or not ours.
        if self.body and raw[:1] == b"{" and raw[-1:] == b"}" and b"\n" not in raw:
            return raw[:-1] + b',"' + ARCHIVE_KEY.encode() + b'":' + meta + b"}\n"
        return orjson.dumps({**self.body, ARCHIVE_KEY: orjson.loads(meta)}) + b"\n"

    def with_data_limit(self, count: int) -> Page:
        """A copy whose ``data`` keeps only the first ``count`` items (``raw`` is unchanged)."""
        items = self.data
        if len(items) <= count:
            return self
        return replace(self, body={**self.body, "data": items[:count]}, trimmed=True)


def read_response(
    endpoint: Endpoint,
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    *,
    url: str,
    params: Mapping[str, str] | None = None,
    now: float,
    retrieved_at: datetime | None = None,
) -> Page:
    """Turn one answer into a ``Page``, or raise the matching ``ApiError``.

    ``now`` is the local wall clock (Unix seconds) for reading rate-limit headers. Error bodies
    that are RFC 7807 problems keep their ``title``, ``detail``, ``type`` and ``errors``; bodies
    that are not JSON (a proxy's HTML 502) become ``ServerError``; a 2xx whose body is not a
    JSON object becomes ``MalformedResponse`` (retried like a 5xx).

    >>> from twxdata.endpoints import ENDPOINTS
    >>> page = read_response(ENDPOINTS["get_tweet"], 200, {}, b'{"data":{"id":"1","text":"hi"}}',
    ...                      url="https://api.x.com/2/tweets/1", now=0.0)
    >>> page.data
    [{'id': '1', 'text': 'hi'}]
    """
    rate = RateLimit.from_headers(headers, now=now)
    when = retrieved_at or datetime.fromtimestamp(now, tz=timezone.utc)
    if status >= 400 or status < 200:
        raise api_error(status, headers, raw, url=url, now=now, method=endpoint.method)
    body = _parse_object(raw, status, url, allow_empty=True)
    data = body.get("data")
    if data is not None and not isinstance(data, (list, dict)):
        raise MalformedResponse(
            status,
            title="Malformed response",
            detail="'data' is neither a list nor an object",
            url=url,
            body=raw,
        )
    if not body and endpoint.method == "GET":
        raise MalformedResponse(status, title="Malformed response", detail="empty body", url=url)
    return Page(
        endpoint=endpoint.name,
        url=url,
        status=status,
        body=body,
        raw=raw,
        retrieved_at=when,
        rate_limit=rate,
        params=dict(params or {}),
    )


def api_error(
    status: int,
    headers: Mapping[str, str],
    raw: bytes,
    *,
    url: str,
    now: float,
    method: str = "",
) -> ApiError:
    """The exception for an error answer, with the problem body's details when there is one.

    >>> err = api_error(401, {}, b'{"title":"Unauthorized","type":"about:blank","status":401,'
    ...                 b'"detail":"Unauthorized"}', url="u", now=0.0)
    >>> type(err).__name__, err.title
    ('Unauthorized', 'Unauthorized')
    """
    cls = error_class(status)
    rate = RateLimit.from_headers(headers, now=now)
    reset_at = None if rate is None else now + rate.reset_after
    try:
        body = orjson.loads(raw) if raw.strip() else {}
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        kind = _content_type(headers) or "unknown content type"
        return cls(
            status,
            title=_first_line(raw) or "",
            detail=f"non-JSON error body ({kind})",
            url=url,
            body=raw,
            reset_at=reset_at,
            method=method,
            headers=headers,
        )
    errors = body.get("errors")
    error_list = [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []
    title = str(body.get("title") or body.get("error") or "")
    detail = str(body.get("detail") or body.get("error_description") or "")
    if not title and error_list:
        title = str(error_list[0].get("title") or error_list[0].get("message") or "")
    return cls(
        status,
        title=title,
        detail=detail,
        type=str(body.get("type") or ""),
        errors=error_list,
        url=url,
        body=raw,
        reset_at=reset_at,
        method=method,
        headers=headers,  # only the safe ones are kept (errors.safe_headers)
    )


def _parse_object(raw: bytes, status: int, url: str, *, allow_empty: bool) -> dict[str, Any]:
    if not raw.strip() and allow_empty:
        return {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedResponse(
            status,
            title="Malformed response",
            detail=f"body is not valid JSON ({exc.msg} at byte {exc.pos} of {len(raw)})",
            url=url,
            body=raw,
        ) from None
    if not isinstance(value, dict):
        raise MalformedResponse(
            status,
            title="Malformed response",
            detail="body is not a JSON object",
            url=url,
            body=raw,
        )
    return value


def _content_type(headers: Mapping[str, str]) -> str:
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value.split(";")[0].strip()
    return ""


def _first_line(raw: bytes) -> str:
    import re

    text = raw[:4000].decode("utf-8", "replace")
    title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    if title:
        return title.group(1).strip()[:120]
    return text.strip().splitlines()[0][:120] if text.strip() else ""
