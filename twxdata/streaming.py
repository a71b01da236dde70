"""Reading a stream: connect, hand over each line as it arrives, reconnect as X prescribes.

``StreamReader.run`` is the loop that awaits the socket and sleeps between attempts; every
decision (how long to wait, whether a silence is a stall, what an error answer means, which
gap a message closes) is ``protocol.stream.StreamConnection``'s. Lines are handed to
``deliver`` without waiting (an ``asyncio.Queue.put_nowait``): reading never waits on parsing,
archiving or a notebook, so a slow consumer makes a backlog, never a stalled socket. A line
cut by a disconnection is never handed over (it was not sent whole).

The reader stops when ``stop`` is set, or raises the ``ApiError`` of X's answer when a
connection attempt is refused in a way no reconnection can help (bad parameters, credentials,
credits, access level).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from twxdata.client import Client
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.events import Waiting
from twxdata.protocol.response import api_error
from twxdata.protocol.stream import Cause, Gap, StreamConnection, error_cause
from twxdata.transport import NoAnswer, OpenStream

log = logging.getLogger("twxdata.stream")

_ERROR_BODY = 64 << 10  # what is read of an error answer (a problem document is small)


@dataclass(frozen=True)
class Arrival:
    """One line of the stream (not a heartbeat), when it arrived (Unix seconds), on which
    connection (1, 2, ...), and the gap it closed, if it is the first after one."""

    line: bytes
    at: float
    connection: int
    gap: Gap | None = None


class StreamReader:
    """Reads ``endpoint`` through ``client`` for as long as asked, reconnecting by
    ``connection``'s rules. ``backfill_minutes`` is asked for on every reconnection after a
    gap (and on the first connection of a resumed collection), where the access level
    allows it."""

    def __init__(
        self,
        client: Client,
        connection: StreamConnection,
        *,
        endpoint: str | Endpoint = "search_stream",
        params: Mapping[str, Any] | None = None,
        backfill_minutes: int | None = None,
        clock: Callable[[], float] = time.time,
        notify: Callable[[str, str], None] | None = None,
    ) -> None:
        self.client = client
        self.connection = connection
        self.endpoint = endpoint if isinstance(endpoint, Endpoint) else get_endpoint(endpoint)
        self.params = dict(params or {})
        self.backfill_minutes = backfill_minutes
        self.clock = clock
        self.bytes_read = 0
        # At most this many posts are read (None: no bound); the reader stops by itself once
        # they are in, whatever the consumer's backlog: X charges every post it delivers, so
        # a limit or a spend cap is kept here, where the posts arrive, never by dropping
        # posts already paid for.
        self.max_posts: int | None = None
        self.posts = 0
        self.budget_reached = False  # it returned because max_posts were in
        # Told (without waiting) what happens to the connection: "connect", "keep_alive",
        # "disconnect" (with its cause), "request_error" (the status): tweepy's callbacks.
        self.notify = notify or _nobody

    async def run(self, deliver: Callable[[Arrival], None], stop: asyncio.Event) -> None:
        conn = self.connection
        name = self.endpoint.name
        while not stop.is_set() and not self._at_budget():
            wait = conn.wait_before_connect(self.clock())
            if wait > 0:
                why = "reconnecting" if conn.connections else "connecting"
                self.client.emit(Waiting(name, wait, f"{why} to the stream"))
                if await _stopped_within(stop, wait):
                    return
            conn.connecting(self.clock())
            try:
                opened = await self.client.open_stream(self.endpoint, params=self._params())
            except NoAnswer as exc:
                delay = conn.disconnected(self.clock(), Cause.NETWORK, detail=exc.cause)
                log.info("%s: no answer (%s); next attempt in %.2f s", name, exc.cause, delay)
                self.notify("connection_error", exc.cause)
                continue
            try:
                if opened.status != 200:
                    self.notify("request_error", str(opened.status))
                    await self._refused(opened)
                    continue
                conn.connected(self.clock())
                log.info("%s: connected (connection %d)", name, conn.connections)
                self.notify("connect", "")
                await self._read(opened, deliver, stop)
                self.notify("disconnect", "")
                if self._at_budget():
                    return
            finally:
                opened.close()

    def _at_budget(self) -> bool:
        """Whether ``max_posts`` posts are in (noted in ``budget_reached``)."""
        if self.max_posts is not None and self.posts >= self.max_posts:
            self.budget_reached = True
        return self.budget_reached

    def _params(self) -> dict[str, Any]:
        params = dict(self.params)
        # Only when something was missed: a disconnection, or the time between two runs (a
        # connection ended on purpose, at a budget, misses nothing).
        if self.backfill_minutes and self.connection.gap_open:
            params["backfill_minutes"] = self.backfill_minutes
        return params

    async def _refused(self, opened: OpenStream) -> None:
        body = b""
        with contextlib.suppress(NoAnswer):
            while len(body) < _ERROR_BODY and (chunk := await opened.read()):
                body += chunk
        now = self.clock()
        cause, detail = error_cause(opened.status, body)
        if cause is None:  # the ApiError subclass of the status (AuthError, PaymentRequired...)
            raise api_error(opened.status, opened.headers, body, method="GET",
                            url=self.client.api_base + self.endpoint.path, now=now)  # fmt: skip
        retry_after = None
        headers = {k.lower(): v for k, v in opened.headers.items()}
        reset = headers.get("x-rate-limit-reset", "")
        # The connect budget is spent: not before it resets. (TooManyConnections is about
        # connections open, not attempts: the window's reset says nothing of it.)
        spent = cause is Cause.RATE_LIMITED and headers.get("x-rate-limit-remaining") == "0"
        if spent and reset.isdigit():
            retry_after = max(0.0, int(reset) - self.client.server_now())
        delay = self.connection.disconnected(now, cause, detail=detail, retry_after=retry_after)
        if cause is Cause.TOO_MANY_CONNECTIONS:
            log.warning("%s: X allows this app's connections to the stream and they are all "
                        "open (another twxdata stream, a tweepy client, or one X has not seen "
                        "close yet): trying again in %.0f s", self.endpoint.name,
                        delay)  # fmt: skip
            return
        log.warning("%s: HTTP %d, %s: reconnecting in %.1f s", self.endpoint.name,
                    opened.status, detail, delay)  # fmt: skip

    async def _read(
        self, opened: OpenStream, deliver: Callable[[Arrival], None], stop: asyncio.Event
    ) -> None:
        conn = self.connection
        pending = b""
        stopping = asyncio.ensure_future(stop.wait())
        reading: asyncio.Future[bytes] | None = None
        try:
            while True:
                reading = asyncio.ensure_future(opened.read())
                done, _ = await asyncio.wait(
                    {reading, stopping},
                    timeout=conn.stall_in(self.clock()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if reading not in done:
                    reading.cancel()
                    with contextlib.suppress(asyncio.CancelledError, NoAnswer):
                        await reading
                    if stopping in done:
                        return
                    seconds = conn.policy.stall
                    conn.disconnected(self.clock(), Cause.STALL,
                                      detail=f"no byte for {seconds:g} s")  # fmt: skip
                    log.warning("%s: stalled (no byte for %g s): reconnecting",
                                self.endpoint.name, seconds)  # fmt: skip
                    return
                try:
                    chunk = reading.result()
                except NoAnswer as exc:
                    conn.disconnected(self.clock(), Cause.NETWORK, detail=exc.cause)
                    log.warning("%s: connection lost (%s): reconnecting", self.endpoint.name,
                                exc.cause[:80])  # fmt: skip
                    return
                now = self.clock()
                if not chunk:
                    conn.disconnected(now, Cause.NETWORK, detail="the server ended the stream")
                    log.warning("%s: the server ended the stream: reconnecting",
                                self.endpoint.name)  # fmt: skip
                    return
                self.bytes_read += len(chunk)
                conn.received(now, message=False)
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                for line in lines:
                    if not line.strip():
                        self.notify("keep_alive", "")  # X's heartbeat
                        continue
                    gap = conn.received(now, message=True)
                    deliver(Arrival(line, now, conn.connections, gap))
                    if line.lstrip().startswith(b'{"data"'):
                        self.posts += 1
                        if self._at_budget():
                            return  # the limit or the cap: no post more is read
                    if _operational_disconnect(line):
                        conn.disconnected(now, Cause.OPERATIONAL, detail="X ended the stream")
                        log.warning("%s: X ended the stream (operational-disconnect): "
                                    "reconnecting", self.endpoint.name)  # fmt: skip
                        return
        finally:
            stopping.cancel()
            if reading is not None and not reading.done():
                reading.cancel()  # cancelled from outside: nothing may be left reading
            if reading is not None and reading.done() and not reading.cancelled():
                reading.exception()  # retrieved: a broken connection is no news here


def _operational_disconnect(line: bytes) -> bool:
    """Cheap, on the reading loop: a message of errors only that names the disconnect."""
    head = line.lstrip()[:16]
    return not head.startswith(b'{"data"') and b"operational-disconnect" in line


def _nobody(event: str, detail: str) -> None:
    """No one listens."""


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds``, or less if ``stop`` is set; whether it was."""
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()
