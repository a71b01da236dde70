"""The filtered stream's connection as a pure state object: when to reconnect, what was missed.

X's rules for a streaming connection (docs: "Handling disconnections"), all decided here and
nowhere else; the reading loop (``twxdata.streaming``) only reports what happened and sleeps
for as long as this says:

- X sends a newline every 20 seconds when no post matches: no byte for ``stall`` seconds (21:
  the heartbeat's 20 and a second for the network, as tweepy's read timeout) means the
  connection is dead though the socket looks open; it is closed and made again.
- A network error (reset, refused, timed out) or a stall: reconnect at once, then back off
  linearly, 250 ms more each time, up to 16 s.
- An HTTP error (5xx, an answer that is no stream): back off exponentially from 5 s, doubling,
  up to 320 s.
- 429 (too many connection attempts, or ``TooManyConnections``: the app's connections are all
  in use): from one minute, doubling; never sooner than the answer's reset.
- ``operational-disconnect`` (X closed the stream for its own reasons): reconnect at once.
- Never more connection attempts than the endpoint allows (50 per 15 minutes).
- 400, 401, 402, 403, 404: no reconnection can help (bad parameters, credentials, credits,
  access level); the collection stops and says why.

Every disconnection opens a gap, from the last message received before it to the first one
after; a study states its coverage from them. Times are whatever clock the caller passes in
(Unix seconds from the reading loop; anything in tests).

>>> c = StreamConnection(StreamPolicy())
>>> c.wait_before_connect(0.0)
0.0
>>> c.connecting(0.0); c.connected(0.5); c.received(1.0, message=True)
>>> c.disconnected(30.0, Cause.NETWORK)  # the first reconnection is at once
0.0
>>> c.connecting(30.0); c.disconnected(30.1, Cause.NETWORK)  # then 250 ms more each time
0.25
>>> c.connecting(30.35); c.connected(30.4); gap = c.received(31.0, message=True)
>>> (gap.start, gap.end, gap.cause)
(1.0, 31.0, 'network')
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

import orjson


class Cause(str, enum.Enum):
    """Why a connection ended (the gap it opened says so)."""

    STALL = "stall"  # no byte, not even a heartbeat, for `stall` seconds
    NETWORK = "network"  # reset, refused, timed out, cut mid-line
    HTTP = "http error"  # 5xx, or an answer that was no stream
    RATE_LIMITED = "rate limited"  # 429: too many connection attempts
    TOO_MANY_CONNECTIONS = "too many connections"  # 429 TooManyConnections
    OPERATIONAL = "operational disconnect"  # X ended the stream
    NOT_RUNNING = "not running"  # between two runs of a collection (stopped, killed)


# A connection that ended for these is made again at once the first time.
_AT_ONCE = frozenset({Cause.STALL, Cause.NETWORK, Cause.OPERATIONAL})
_RATE = frozenset({Cause.RATE_LIMITED, Cause.TOO_MANY_CONNECTIONS})
FATAL_STATUSES = frozenset({400, 401, 402, 403, 404})


@dataclass(frozen=True)
class StreamPolicy:
    """X's reconnection figures (seconds), and the endpoint's connect limit."""

    stall: float = 21.0
    network_step: float = 0.25
    network_max: float = 16.0
    http_first: float = 5.0
    http_max: float = 320.0
    rate_first: float = 60.0
    rate_max: float = 960.0
    connect_limit: int = 50
    connect_window: float = 900.0

    def scaled(self, factor: float) -> StreamPolicy:
        """Every duration times ``factor`` (a test's ten minutes in six seconds).

        >>> StreamPolicy().scaled(0.01).network_max
        0.16
        """
        return replace(
            self, **{name: getattr(self, name) * factor for name in _DURATIONS}
        )  # fmt: skip


_DURATIONS = ("stall", "network_step", "network_max", "http_first", "http_max", "rate_first",
              "rate_max", "connect_window")  # fmt: skip


@dataclass(frozen=True)
class Gap:
    """Time the stream was not being received: from the last message before a disconnection
    (``start``; None: none had arrived yet) to the first after (``end``; None: the
    collection stopped before one came)."""

    start: float | None
    end: float | None
    cause: str
    detail: str = ""

    @property
    def seconds(self) -> float | None:
        if self.start is None or self.end is None:
            return None
        return max(0.0, self.end - self.start)

    def as_record(self) -> dict[str, Any]:
        """For archives, checkpoints and provenance: times as RFC 3339 UTC.

        >>> Gap(0.0, 1.5, "stall").as_record()
        {'start': '1970-01-01T00:00:00.000Z', 'end': '1970-01-01T00:00:01.500Z', 'cause': 'stall'}
        """
        record: dict[str, Any] = {"start": utc_ms(self.start), "end": utc_ms(self.end),
                                  "cause": self.cause}  # fmt: skip
        if self.detail:
            record["detail"] = self.detail
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Gap:
        """The inverse of ``as_record``.

        >>> Gap.from_record(Gap(2.25, None, "network", "reset").as_record())
        Gap(start=2.25, end=None, cause='network', detail='reset')
        """
        return cls(_unix(record.get("start")), _unix(record.get("end")),
                   str(record.get("cause", "")), str(record.get("detail", "")))  # fmt: skip


def utc_ms(at: float | None) -> str | None:
    """Unix seconds as RFC 3339 UTC to the millisecond (None stays None).

    >>> utc_ms(1.25)
    '1970-01-01T00:00:01.250Z'
    """
    if at is None:
        return None
    moment = datetime.fromtimestamp(at, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _unix(text: Any) -> float | None:
    if not isinstance(text, str) or not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class StreamConnection:
    """One stream's connections over a collection: backoff, connect limit, gaps, counts."""

    def __init__(self, policy: StreamPolicy | None = None, *, last_message: float | None = None):
        self.policy = policy or StreamPolicy()
        self.attempts: deque[float] = deque()  # connection attempts inside the window
        self.failures = 0  # consecutive: reset once a connection delivers
        self.connections = 0  # connections that were answered 200
        self.is_connected = False
        self.last_byte: float | None = None
        self.last_message = last_message  # an earlier run's last message, when resuming
        self.next_at = 0.0  # no attempt before this (backoff)
        self.gaps: list[Gap] = []
        self._gap: tuple[float | None, str, str] | None = None  # open: (start, cause, detail)
        self.started_at: float | None = None  # the first attempt: a gap before any message
        if last_message is not None:  # the time between two runs is a gap too
            self._gap = (last_message, Cause.NOT_RUNNING.value, "")

    @property
    def reconnections(self) -> int:
        return max(0, self.connections - 1)

    @property
    def gap_open(self) -> bool:
        return self._gap is not None

    def wait_before_connect(self, now: float) -> float:
        """Seconds to wait before the next attempt: the backoff, and the connect limit."""
        while self.attempts and self.attempts[0] <= now - self.policy.connect_window:
            self.attempts.popleft()
        wait = max(0.0, self.next_at - now)
        if len(self.attempts) >= self.policy.connect_limit:
            wait = max(wait, self.attempts[0] + self.policy.connect_window - now)
        return wait

    def connecting(self, now: float) -> None:
        """An attempt is being made now."""
        self.attempts.append(now)
        if self.started_at is None:
            self.started_at = now

    def connected(self, now: float) -> None:
        """The attempt was answered 200: the stream flows."""
        self.is_connected = True
        self.connections += 1
        self.last_byte = now

    def received(self, now: float, *, message: bool) -> Gap | None:
        """Bytes arrived (``message``: a message, not just a heartbeat). The first message
        after a disconnection closes its gap, returned."""
        self.last_byte = now
        if not message:
            return None
        self.last_message = now
        self.failures = 0  # this connection works: the next failure reconnects at once
        if self._gap is None:
            return None
        start, cause, detail = self._gap
        self._gap = None
        gap = Gap(start, now, cause, detail)
        self.gaps.append(gap)
        return gap

    def stall_in(self, now: float) -> float:
        """Seconds until the connection counts as stalled (0: it does)."""
        last = self.last_byte if self.last_byte is not None else now
        return max(0.0, last + self.policy.stall - now)

    def disconnected(
        self, now: float, cause: Cause, *, detail: str = "", retry_after: float | None = None
    ) -> float:
        """The connection ended (or an attempt failed) for ``cause``: the seconds to wait
        before the next attempt. A gap opens unless one is open already."""
        self.is_connected = False
        if self._gap is None:  # from the last message, or the start when none came yet
            start = self.last_message if self.last_message is not None else self.started_at
            self._gap = (start, cause.value, detail)
        self.failures += 1
        n = self.failures
        p = self.policy
        if cause in _AT_ONCE:
            delay = 0.0 if n == 1 else min(p.network_step * (n - 1), p.network_max)
        elif cause in _RATE:
            delay = min(p.rate_first * 2 ** (n - 1), p.rate_max)
            if retry_after is not None:
                delay = max(delay, retry_after)
        else:
            delay = min(p.http_first * 2 ** (n - 1), p.http_max)
        self.next_at = now + delay
        return delay

    def close(self, now: float) -> list[Gap]:
        """The collection stops: a gap still open is recorded with no end. Every gap."""
        if self._gap is not None:
            start, cause, detail = self._gap
            self._gap = None
            self.gaps.append(Gap(start, None, cause, detail))
        self.is_connected = False
        return list(self.gaps)


# ---- what arrives ---------------------------------------------------------------------------


class Kind(str, enum.Enum):
    HEARTBEAT = "heartbeat"  # a blank line: the connection is alive
    POST = "post"  # {"data": {...}, "includes": ..., "matching_rules": [...]}
    DISCONNECT = "disconnect"  # errors only, operational-disconnect: X ends the stream
    ERRORS = "errors"  # errors only, anything else (kept in the archive)
    UNREADABLE = "unreadable"  # not a JSON object: the line was cut


@dataclass(frozen=True)
class Message:
    """One line of the stream, read once: its kind, the parsed object and the bytes."""

    kind: Kind
    raw: bytes
    body: dict[str, Any]

    @property
    def post_id(self) -> str | None:
        data = self.body.get("data")
        value = data.get("id") if isinstance(data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def rule_tags(self) -> list[str]:
        """The matching rules' tags (their ids where untagged)."""
        rules = self.body.get("matching_rules")
        if not isinstance(rules, list):
            return []
        return [str(r.get("tag") or r.get("id")) for r in rules if isinstance(r, dict)]


def read_message(line: bytes) -> Message:
    """What one line of the stream is.

    >>> read_message(b"\\r\\n").kind, read_message(b'{"data": {"id": "1"}}').post_id
    (<Kind.HEARTBEAT: 'heartbeat'>, '1')
    >>> read_message(b'{"errors": [{"type": "https://x.com/2/problems/operational-disconnect"}]}').kind
    <Kind.DISCONNECT: 'disconnect'>
    >>> read_message(b'{"data": {"id"').kind
    <Kind.UNREADABLE: 'unreadable'>
    """
    raw = line.strip()
    if not raw:
        return Message(Kind.HEARTBEAT, raw, {})
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return Message(Kind.UNREADABLE, raw, {})
    if not isinstance(body, dict):
        return Message(Kind.UNREADABLE, raw, {})
    if isinstance(body.get("data"), dict):
        return Message(Kind.POST, raw, body)
    errors = body.get("errors")
    if isinstance(errors, list) and any(_operational(e) for e in errors):
        return Message(Kind.DISCONNECT, raw, body)
    return Message(Kind.ERRORS, raw, body)


def _operational(error: Any) -> bool:
    if not isinstance(error, dict):
        return False
    text = f"{error.get('type', '')} {error.get('title', '')}".lower()
    return "operational-disconnect" in text or "operational disconnect" in text


def error_cause(status: int, body: bytes) -> tuple[Cause | None, str]:
    """An answer other than 200 to a connection attempt: the cause to back off for (None:
    no reconnection can help) and X's words for it.

    >>> error_cause(429, b'{"connection_issue": "TooManyConnections", "detail": "At the limit."}')
    (<Cause.TOO_MANY_CONNECTIONS: 'too many connections'>, 'At the limit.')
    >>> error_cause(503, b"")[0], error_cause(401, b'{"title": "Unauthorized"}')
    (<Cause.HTTP: 'http error'>, (None, 'Unauthorized'))
    """
    try:
        problem = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError:
        problem = {}
    problem = problem if isinstance(problem, dict) else {}
    errors = problem.get("errors")
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    detail = str(problem.get("detail") or problem.get("title") or first.get("message")
                 or first.get("detail") or f"HTTP {status}")  # fmt: skip
    if status in FATAL_STATUSES:
        return None, detail
    if status == 429:
        if problem.get("connection_issue") == "TooManyConnections":
            return Cause.TOO_MANY_CONNECTIONS, detail
        return Cause.RATE_LIMITED, detail
    return Cause.HTTP, detail
