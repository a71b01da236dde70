"""The one seam between twxdata and the network: send a request, get status, headers, bytes.

``Client`` decides everything (what to send, when, whether to retry) and hands each attempt to
a ``Transport``; the transport only moves bytes. ``AiohttpTransport`` is the real one: one
keep-alive aiohttp session, no cookie jar, closed with its event loop when nobody closes it.
Anything with the same two methods can stand in (a test's scripted answers, another HTTP
library), as in httpx's transport design. A transport reports a request that got no answer as
``NoAnswer`` (refused, unknown host, reset, timeout), so the client's retry decisions never see
a library's own exception types.

>>> import asyncio
>>> class Canned:
...     async def request(self, method, url, *, headers, body=None):
...         return Answer(200, {"content-type": "application/json"}, b'{"data": []}')
...     async def close(self):
...         pass
>>> asyncio.run(Canned().request("GET", "https://api.x.com/2/users/me", headers={})).status
200
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import NamedTuple, Protocol

import aiohttp

from twxdata._version import __version__
from twxdata.protocol.retry import Failure


class Answer(NamedTuple):
    """What came back: status, headers (one value per name) and the whole body."""

    status: int
    headers: dict[str, str]
    body: bytes


class NoAnswer(Exception):
    """No answer came back; ``failure`` says how (``UNREACHABLE``, ``NETWORK``, ``TIMEOUT``)
    and ``cause`` in a few words (never a URL with its query, never a header)."""

    def __init__(self, failure: Failure, cause: str) -> None:
        self.failure = failure
        self.cause = cause
        super().__init__(cause)


class Transport(Protocol):
    """Sends one request and reads the whole answer; raises ``NoAnswer`` when there is none."""

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | Path | None = None,
    ) -> Answer: ...

    async def close(self) -> None: ...


class OpenStream(Protocol):
    """A response whose body keeps coming (a streaming endpoint): read it as it arrives."""

    status: int
    headers: dict[str, str]

    async def read(self) -> bytes:
        """The next bytes that arrived (b"" once the server ended the body); ``NoAnswer`` when
        the connection broke."""
        ...

    def close(self) -> None:
        """Drop the connection (never handed back to the pool: the stream is still on it)."""
        ...


class StreamingTransport(Transport, Protocol):
    """A transport that can also hold a streaming connection open."""

    async def open_stream(
        self, method: str, url: str, *, headers: Mapping[str, str]
    ) -> OpenStream: ...


class AiohttpTransport:
    """One aiohttp session for every request, opened on first use (on the running loop).

    ``session`` may be the caller's own (then it is theirs to close). A session opened here is
    closed by ``close()``, or, if nobody calls it, when its event loop shuts down.
    """

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        max_connections: int = 8,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        self._closer: AsyncGenerator[None, None] | None = None

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The keep-alive session (``None`` before the first request)."""
        return self._session

    def open(self) -> aiohttp.ClientSession:
        """The session, opened now if it is not (or no longer) open."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.max_connections, keepalive_timeout=60)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=self.timeout, sock_connect=min(10, self.timeout)
                ),
                headers={"User-Agent": f"twxdata/{__version__}"},
                auto_decompress=True,
                # X sets guest_id cookies; sending them back ties requests together and is
                # nothing the API needs (tweepy sends none either).
                cookie_jar=aiohttp.DummyCookieJar(),
            )
            self._owns_session = True
            self._closer = close_with_loop(self._session)
        return self._session

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        body: bytes | Path | None = None,
    ) -> Answer:
        session = self.open()
        try:
            with contextlib.ExitStack() as files:
                data: object = body
                if isinstance(body, Path):  # streamed from disk: millions of ids need no memory
                    data = files.enter_context(open(body, "rb"))  # noqa: ASYNC230
                async with session.request(
                    method, url, headers=dict(headers), data=data
                ) as response:
                    raw = await response.read()
                    return Answer(response.status, dict(response.headers), raw)
        except asyncio.TimeoutError:
            raise NoAnswer(Failure.TIMEOUT, "timed out") from None
        except aiohttp.ClientConnectorError as exc:  # refused, unknown host, TLS handshake
            raise NoAnswer(Failure.UNREACHABLE, _connect_cause(exc)) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NoAnswer(Failure.NETWORK, f"{type(exc).__name__}: {exc}".rstrip(": ")) from None

    async def open_stream(self, method: str, url: str, *, headers: Mapping[str, str]) -> OpenStream:
        """Send the request and return once the status and headers are in; the body is then
        read as it comes, with no overall timeout (a stream stays open for hours: silence is
        the caller's to judge, by X's heartbeats)."""
        session = self.open()
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=min(10, self.timeout),
                                        sock_read=None)  # fmt: skip
        try:
            response = await asyncio.wait_for(
                session.request(method, url, headers=dict(headers), timeout=timeout),
                self.timeout,  # the status line and headers come promptly, or not at all
            )
        except asyncio.TimeoutError:
            raise NoAnswer(Failure.TIMEOUT, "timed out") from None
        except aiohttp.ClientConnectorError as exc:
            raise NoAnswer(Failure.UNREACHABLE, _connect_cause(exc)) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NoAnswer(Failure.NETWORK, f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
        return _AiohttpStream(response)

    async def close(self) -> None:
        """Close the session (if it was opened here). Safe to call twice."""
        if self._session is not None and self._owns_session and not self._session.closed:
            await self._session.close()
        if self._owns_session:
            self._session = None


class _AiohttpStream:
    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response
        self.status = response.status
        self.headers = dict(response.headers)

    async def read(self) -> bytes:
        try:
            return await self._response.content.readany()
        except asyncio.TimeoutError:
            raise NoAnswer(Failure.TIMEOUT, "timed out") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NoAnswer(Failure.NETWORK, f"{type(exc).__name__}: {exc}".rstrip(": ")) from None

    def close(self) -> None:
        self._response.close()


def _connect_cause(exc: aiohttp.ClientConnectorError) -> str:
    if isinstance(exc.os_error, ConnectionRefusedError):
        return "connection refused"
    return str(exc.os_error.strerror or exc.os_error or type(exc).__name__)


def close_with_loop(session: aiohttp.ClientSession) -> AsyncGenerator[None, None] | None:
    """Arrange for ``session`` to be closed when its event loop shuts down.

    A client that is never closed (the default client of ``asyncio.run(fetch_search(...))``,
    tweepy-style code without ``await client.close()``) would leave aiohttp warning about an
    unclosed session at exit. asyncio closes every async generator still suspended on a loop
    when the loop shuts down (``asyncio.run`` calls ``loop.shutdown_asyncgens()``), so a
    generator parked at its ``yield`` whose ``finally`` closes the session does it, on that
    loop, at the right time. The caller keeps the generator; a garbage-collected one is
    closed by the loop's finalizer hook, with the same effect.
    """

    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            if not session.closed:
                await session.close()

    if sys.get_asyncgen_hooks().firstiter is None:
        # A loop that tracks no async generators (one driven by hand, or patched by
        # nest-asyncio): it would not close this one, and the garbage collector could not
        # await the session's close. The session then closes when the client is closed.
        return None
    generator = closer()
    step = generator.__anext__()  # the loop's first-iteration hook registers it here
    try:
        step.send(None)  # runs to the yield without suspending
    except StopIteration:
        return generator
    step.close()  # pragma: no cover - the body never awaits before its yield
    return None
