"""The filtered stream, fake: ``GET /2/tweets/search/stream`` as X serves it.

Posts "happen" at ``rate`` per second from the moment the fake starts streaming; each is a
corpus post that matches at least one of the app's rules (``testing.rules``), made new: a
fresh snowflake id and ``created_at`` for the moment it happens. A connection receives every
post that happens while it is open, one JSON object per line, as X sends them
(``{"data": {...}, "includes": {...}, "matching_rules": [{"id", "tag"}]}``), with the fields
and expansions asked for, and a ``\\r\\n`` heartbeat after ``heartbeat`` seconds without one.
Posts that happen while no connection is open are missed, unless the next connection asks
for ``backfill_minutes``: then the posts of those last minutes come first (those already
sent again too, as X does). Each post sent is billed as X bills a post read.

X's limits: ``max_connections`` open at once per app (another attempt: 429
``TooManyConnections``), and the connect rate limit (50 per 15 minutes) as for any endpoint.
Faults for tests (``api.stream.fault``): ``stall`` (the connection goes silent, not even a
heartbeat, and stays open), ``drop`` (closed mid-stream, a line cut in half) and
``disconnect`` (X's ``operational-disconnect`` message, then closed), each after a number of
posts on a connection. ``api.stream.sent`` lists every post id written whole, by connection.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import orjson
from aiohttp import web

from twxdata.testing.query import QueryError, evaluate, parse
from twxdata.testing.snowflake import snowflake
from twxdata.testing.timestamps import iso

if TYPE_CHECKING:
    from twxdata.testing.writectx import StateCtx

TOO_MANY_CONNECTIONS = {
    "title": "ConnectionException",
    "detail": "This stream is currently at the maximum allowed connection limit.",
    "connection_issue": "TooManyConnections",
    "type": "https://api.twitter.com/2/problems/streaming-connection",
}
OPERATIONAL_DISCONNECT = {
    "errors": [
        {
            "title": "operational-disconnect",
            "disconnect_type": "OperationalDisconnect",
            "detail": "This stream has been disconnected for operational reasons.",
            "type": "https://api.twitter.com/2/problems/operational-disconnect",
        }
    ]
}
FAULTS = ("stall", "drop", "disconnect")


@dataclass
class _Fault:
    kind: str
    after: int  # posts sent on the connection before it strikes


@dataclass
class LiveStream:
    """The stream's world: its pace, open connections, what it sent, faults to come."""

    rate: float = 2.0  # posts per second
    heartbeat: float = 20.0  # seconds of silence before a keep-alive newline
    max_connections: int = 1
    started: float | None = None  # when the first post happened (set on first connection)
    sent: list[tuple[int, str]] = field(default_factory=list)  # (connection, post id)
    connections: int = 0
    open: dict[str, list[web.Request]] = field(default_factory=dict)  # per endpoint
    _faults: list[_Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(self, kind: str, after: int = 0, count: int = 1) -> None:
        """Strike ``count`` connections, each after ``after`` posts: ``stall``, ``drop`` or
        ``disconnect`` (X's operational disconnect)."""
        if kind not in FAULTS:
            raise ValueError(f"stream fault must be one of {', '.join(FAULTS)}, not {kind!r}")
        with self._lock:
            self._faults.extend(_Fault(kind, after) for _ in range(count))

    def sent_ids(self) -> list[str]:
        return [post for _, post in self.sent]

    def _next_fault(self) -> _Fault | None:
        with self._lock:
            return self._faults.pop(0) if self._faults else None


def too_many_connections(stream: LiveStream, endpoint: str) -> bool:
    """Whether the endpoint's connections are all in use. One its client has closed is free at
    once, even before its handler noticed (a notebook collects twice in a row: X sees the
    first connection close)."""
    live = [r for r in stream.open.get(endpoint, []) if not _gone(r)]
    return len(live) >= stream.max_connections


async def serve(
    stream: LiveStream, request: web.Request, ctx: StateCtx, headers: dict[str, str],
    charge: Any, *, sample: bool = False,
) -> web.StreamResponse:  # fmt: skip
    """Hold one connection open, sending posts as they happen (``charge(body)`` bills each);
    ``sample``: the sample stream (every post, no rules) instead of the filtered one."""
    backfill = ctx.req.extra.get("backfill_minutes")
    stream.connections += 1
    number = stream.connections
    endpoint = ctx.req.endpoint.name
    stream.open.setdefault(endpoint, []).append(request)
    resp = web.StreamResponse(status=200, headers={**headers, "content-type": "application/json"})
    resp.enable_chunked_encoding()
    try:
        await resp.prepare(request)
        now = time.time()
        if stream.started is None:
            stream.started = now
        first = _index_at(stream, now)
        if backfill:
            first = max(0, _index_at(stream, now - 60 * int(backfill)))
        fault = stream._next_fault()
        await _send(stream, request, resp, ctx, charge, number, first, fault, sample)
    except (ConnectionResetError, asyncio.CancelledError):
        pass  # the client went away
    finally:
        stream.open[endpoint].remove(request)
    return resp


def _index_at(stream: LiveStream, at: float) -> int:
    """The number of posts that have happened by ``at`` (the first happens at ``started``):
    the index of the first one still to come."""
    assert stream.started is not None
    if at < stream.started:
        return 0
    return int((at - stream.started) * stream.rate) + 1


async def _send(
    stream: LiveStream, request: web.Request, resp: web.StreamResponse, ctx: StateCtx,
    charge: Any, number: int, index: int, fault: _Fault | None, sample: bool,
) -> None:  # fmt: skip
    assert stream.started is not None
    posts = 0
    quiet_since = time.time()
    while True:
        if fault is not None and posts >= fault.after:
            await _strike(request, resp, fault.kind, ctx, index)
            return
        due = stream.started + index / stream.rate
        now = time.time()
        if due > now:
            if _gone(request):
                return  # the client closed it: the slot is free at once, as on X
            wait = min(due - now, quiet_since + stream.heartbeat - now, 0.05)
            if wait > 0:
                await asyncio.sleep(wait)
            if time.time() >= quiet_since + stream.heartbeat:
                await resp.write(b"\r\n")
                quiet_since = time.time()
            continue
        message = _message(ctx, index, due, sample)
        index += 1
        if message is None:
            continue  # no rule matches anything: nothing happens
        body, post_id = message
        await resp.write(body + b"\r\n")
        charge(body)
        stream.sent.append((number, post_id))
        posts += 1
        quiet_since = time.time()


async def _strike(
    request: web.Request, resp: web.StreamResponse, kind: str, ctx: StateCtx, index: int
) -> None:
    if kind == "disconnect":
        await resp.write(orjson.dumps(OPERATIONAL_DISCONNECT) + b"\r\n")
        return
    if kind == "drop":  # half a post, then the connection is gone
        message = _message(ctx, index, time.time())
        if message is not None:
            await resp.write(message[0][: len(message[0]) // 2])
        if request.transport is not None:
            request.transport.close()
        return
    # stall: open and silent until the client gives up on it
    deadline = time.time() + 3600
    while time.time() < deadline and not _gone(request):  # noqa: ASYNC110 - polls the socket
        await asyncio.sleep(0.02)


def _gone(request: web.Request) -> bool:
    """Whether the client closed the connection (aiohttp does not cancel a handler whose
    client left, so the fake looks)."""
    return request.transport is None or request.transport.is_closing()


def _message(
    ctx: StateCtx, index: int, at: float, sample: bool = False
) -> tuple[bytes, str] | None:
    """The ``index``-th post of the stream, happening at ``at``: a matching corpus post (any
    post, for the sample stream), made new, with its matching rules; None when no rule
    matches any post."""
    corpus = ctx.corpus
    if sample:
        visible = np.flatnonzero(corpus.visible)
        return (
            _made_new(ctx, int(visible[index % visible.size]), index, at, [])
            if visible.size
            else None
        )
    rules = list(ctx.activity.rules.values())
    masks = []
    for rule in rules:
        try:
            node = parse(rule.value)
        except QueryError:
            continue
        mask = corpus.query_mask(rule.value, lambda node=node: evaluate(node, corpus))
        masks.append((rule, mask & corpus.visible))
    if not masks:
        return None
    union = np.logical_or.reduce([m for _, m in masks])
    rows = np.flatnonzero(union)
    if not rows.size:
        return None
    row = int(rows[index % rows.size])
    matching = [{"id": str(rule.id), "tag": rule.tag or ""} for rule, mask in masks if mask[row]]
    return _made_new(ctx, row, index, at, matching)


def _made_new(
    ctx: StateCtx, row: int, index: int, at: float, matching: list[dict[str, str]] | None
) -> tuple[bytes, str]:
    """Corpus post ``row`` as a new post happening at ``at`` (a new id and time)."""
    with ctx.corpus.lock:
        _, rendered = ctx.tweets([(row, 0)], None, single=True)
    body = orjson.loads(rendered)
    post = body["data"]
    old = post["id"]
    new = str(snowflake(int(at * 1000), index))
    post["id"] = new
    if "created_at" in post:
        post["created_at"] = iso(at)
    if post.get("conversation_id") == old:
        post["conversation_id"] = new
    if post.get("edit_history_tweet_ids") == [old]:
        post["edit_history_tweet_ids"] = [new]
    controls = post.get("edit_controls")
    if isinstance(controls, dict) and "editable_until" in controls:
        controls["editable_until"] = iso(at + 3600)  # an hour to edit, from now
    if matching:
        body["matching_rules"] = matching
    return orjson.dumps(body), new
