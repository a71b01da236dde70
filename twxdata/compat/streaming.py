"""``AsyncStreamingClient``: tweepy's streaming client, on twxdata's reconnection and archive.

tweepy code moves by changing the import: subclass it, override the callbacks you want
(``on_tweet``, ``on_includes``, ``on_errors``, ``on_matching_rules``, ``on_response``,
``on_data``, ``on_connect``, ``on_disconnect``, ``on_keep_alive``, ``on_request_error``,
``on_connection_error``, ``on_exception``, ``on_closed``), manage rules with ``add_rules``,
``get_rules`` and ``delete_rules`` (``StreamRule``s), and start ``filter()`` or ``sample()``,
which return the ``asyncio.Task`` that runs the stream (``self.task``); ``disconnect()`` ends
it. Reconnection is X's (``protocol.stream``: stalls, backoffs, the connect limit), never
tweepy's; the socket is read by its own task, so a slow callback makes a backlog, not a
dropped stream. ``raw="live.jsonl"`` also archives every message as it arrives, as
``collect_stream`` does (readable by ``twxdata flatten``).

>>> import asyncio
>>> from twxdata.testing import FakeXApi
>>> class Printer(AsyncStreamingClient):
...     async def on_tweet(self, tweet):
...         print(type(tweet).__name__, tweet.id > 0)
...         self.disconnect()
>>> async def demo():
...     async with FakeXApi(seed=1, size=300) as api:
...         api.stream.rate = 100
...         stream = Printer(api.bearer_token, api_base=api.url)
...         await stream.add_rules(StreamRule("the", tag="t"))
...         await stream.filter(tweet_fields=["created_at"])
...         await stream.close()
>>> asyncio.run(demo())
Tweet True
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import namedtuple
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from twxdata.compat.core import CoreClient
from twxdata.compat.models import INCLUDE_MODELS, Tweet
from twxdata.compat.response import Response
from twxdata.errors import TwxError
from twxdata.protocol.stream import StreamConnection, StreamPolicy
from twxdata.store.archive import Archive
from twxdata.streaming import Arrival, StreamReader

log = logging.getLogger("twxdata.compat.stream")

StreamRule = namedtuple("StreamRule", ("value", "tag", "id"), defaults=(None, None, None))
StreamResponse = namedtuple("StreamResponse", ("data", "includes", "errors", "matching_rules"))
StreamRule.__doc__ = "tweepy's ``StreamRule(value=None, tag=None, id=None)``."
StreamResponse.__doc__ = "tweepy's ``StreamResponse(data, includes, errors, matching_rules)``."


class AsyncStreamingClient(CoreClient):
    """tweepy's ``AsyncStreamingClient(bearer_token, *, return_type=Response,
    wait_on_rate_limit=False, max_retries=inf)``, plus ``api_base``, ``client`` (an existing
    ``twxdata.Client``), ``raw`` (an archive path) and ``policy`` (X's reconnection figures,
    ``protocol.stream.StreamPolicy``). ``max_retries``: consecutive failed connection
    attempts before giving up (``on_closed`` is not called for those; ``on_disconnect`` is)."""

    def __init__(
        self,
        bearer_token: str | None = None,
        *,
        return_type: type[Any] = Response,
        wait_on_rate_limit: bool = False,
        max_retries: float = math.inf,
        proxy: str | None = None,
        chunk_size: int = 512,
        api_base: str | None = None,
        client: Any = None,
        raw: str | Path | None = None,
        policy: StreamPolicy | None = None,
    ) -> None:
        if proxy is not None:
            raise ValueError("proxy: set HTTPS_PROXY in the environment (aiohttp reads it)")
        super().__init__(bearer_token, return_type=return_type,
                         wait_on_rate_limit=wait_on_rate_limit, api_base=api_base,
                         client=client)  # fmt: skip
        self.max_retries = max_retries
        self.raw = Path(raw) if raw is not None else None
        self.policy = policy
        self.task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self.connection: StreamConnection | None = None

    # ---- rules -------------------------------------------------------------------------------

    async def add_rules(self, add: Any, *, dry_run: bool | None = None) -> Any:
        """``POST /2/tweets/search/stream/rules`` with ``add``: a ``StreamRule`` or a list."""
        rules = [add] if isinstance(add, StreamRule) else list(add)
        body = {"add": [{"value": r.value, **({"tag": r.tag} if r.tag else {})} for r in rules]}
        return await self._rules("POST", body, dry_run=dry_run)

    async def delete_rules(self, ids: Any, *, dry_run: bool | None = None) -> Any:
        """``POST /2/tweets/search/stream/rules`` deleting ``ids``: an id, a ``StreamRule``
        or a list of either."""
        many = (
            ids if isinstance(ids, Iterable) and not isinstance(ids, (str, StreamRule)) else [ids]
        )
        wanted = [str(i.id if isinstance(i, StreamRule) else i) for i in many]
        return await self._rules("POST", {"delete": {"ids": wanted}}, dry_run=dry_run)

    async def get_rules(self, *, ids: Any = None) -> Any:
        """``GET /2/tweets/search/stream/rules`` (only ``ids``, when given)."""
        params = {}
        if ids is not None:
            many = ids if isinstance(ids, Iterable) and not isinstance(ids, str) else [ids]
            params["ids"] = ",".join(str(i) for i in many)
        page = await self.client.request("get_rules", params=params)
        return self._rules_response(page)

    async def _rules(self, method: str, body: dict[str, Any], *, dry_run: bool | None) -> Any:
        params = {"dry_run": "true"} if dry_run else {}
        page = await self.client.request("update_rules", params=params, body=body)
        return self._rules_response(page)

    def _rules_response(self, page: Any) -> Any:
        if self.return_type is dict:
            return page.body
        data = [StreamRule(r.get("value"), r.get("tag"), r.get("id"))
                for r in page.body.get("data") or []]  # fmt: skip
        return Response(data, {}, page.body.get("errors", []), page.body.get("meta", {}))

    # ---- streaming ---------------------------------------------------------------------------

    def filter(
        self,
        *,
        backfill_minutes: int | None = None,
        expansions: Any = None,
        media_fields: Any = None,
        place_fields: Any = None,
        poll_fields: Any = None,
        tweet_fields: Any = None,
        user_fields: Any = None,
    ) -> asyncio.Task[None]:
        """Stream the posts matching the rules (``GET /2/tweets/search/stream``)."""
        return self._start("search_stream", backfill_minutes, expansions=expansions,
                           media_fields=media_fields, place_fields=place_fields,
                           poll_fields=poll_fields, tweet_fields=tweet_fields,
                           user_fields=user_fields)  # fmt: skip

    def sample(
        self,
        *,
        backfill_minutes: int | None = None,
        expansions: Any = None,
        media_fields: Any = None,
        place_fields: Any = None,
        poll_fields: Any = None,
        tweet_fields: Any = None,
        user_fields: Any = None,
    ) -> asyncio.Task[None]:
        """Stream a 1% sample of all posts (``GET /2/tweets/sample/stream``)."""
        return self._start("sample_stream", backfill_minutes, expansions=expansions,
                           media_fields=media_fields, place_fields=place_fields,
                           poll_fields=poll_fields, tweet_fields=tweet_fields,
                           user_fields=user_fields)  # fmt: skip

    def disconnect(self) -> None:
        """End the stream (the task returns once the connection is closed)."""
        if self._stop is not None:
            self._stop.set()

    def _start(self, endpoint: str, backfill: int | None, **fields: Any) -> asyncio.Task[None]:
        if self.task is not None and not self.task.done():
            raise TwxError("the stream is already connected: disconnect() it first")
        params = {name.replace("_", "."): _joined(value) for name, value in fields.items()
                  if value is not None}  # fmt: skip
        self.client.prepare(endpoint, params=params)  # bad fields: refused here, at once
        self._stop = asyncio.Event()
        self.task = asyncio.create_task(self._run(endpoint, params, backfill, self._stop))
        return self.task

    async def _run(
        self, endpoint: str, params: dict[str, str], backfill: int | None, stop: asyncio.Event
    ) -> None:
        queue: asyncio.Queue[Arrival | tuple[str, str]] = asyncio.Queue()
        self.connection = connection = StreamConnection(self.policy)

        def status(event: str, detail: str) -> None:
            queue.put_nowait((event, detail))

        reader = StreamReader(self.client, connection, endpoint=endpoint, params=params,
                              backfill_minutes=backfill, notify=status)  # fmt: skip
        reading = asyncio.create_task(reader.run(queue.put_nowait, stop))
        archive = Archive(self.raw) if self.raw is not None else None
        try:
            while not (reading.done() and queue.empty()):
                getting = asyncio.ensure_future(queue.get())
                await asyncio.wait({getting, reading}, return_when=asyncio.FIRST_COMPLETED)
                if not getting.done():
                    getting.cancel()
                    continue
                item = getting.result()
                if isinstance(item, tuple):
                    await self._status(*item)
                    if connection.failures >= self.max_retries:
                        stop.set()
                    continue
                if archive is not None:
                    await asyncio.to_thread(archive.append_lines, [item.line + b"\n"])
                await self.on_data(item.line)
            reading.result()  # X refused the stream: its error
        except asyncio.CancelledError:
            pass  # cancelled from outside: the task ends quietly, as tweepy's does
        except Exception as exc:
            await self.on_exception(exc)
        finally:
            stop.set()
            reading.cancel()
            await asyncio.gather(reading, return_exceptions=True)
            if archive is not None:
                archive.close()
            await self.on_disconnect()

    async def _status(self, event: str, detail: str) -> None:
        if event == "connect":
            await self.on_connect()
        elif event == "keep_alive":
            await self.on_keep_alive()
        elif event == "request_error":
            await self.on_request_error(int(detail))
        elif event == "connection_error":
            await self.on_connection_error()
        elif event == "disconnect":
            await self.on_closed(None)

    # ---- tweepy's callbacks: override them ---------------------------------------------------

    async def on_data(self, raw_data: bytes) -> None:
        """A message: split into ``on_tweet``, ``on_includes``, ``on_errors``,
        ``on_matching_rules``, then ``on_response`` with all four (as tweepy does)."""
        data = orjson.loads(raw_data)
        tweet = None
        includes: dict[str, Any] = {}
        errors: list[Any] = []
        matching: list[StreamRule] = []
        if "data" in data:
            tweet = Tweet(data["data"])
            await self.on_tweet(tweet)
        if "includes" in data:
            includes = {name: [INCLUDE_MODELS[name](o) for o in objs]
                        if name in INCLUDE_MODELS else objs
                        for name, objs in data["includes"].items()}  # fmt: skip
            await self.on_includes(includes)
        if "errors" in data:
            errors = data["errors"]
            await self.on_errors(errors)
        if "matching_rules" in data:
            matching = [StreamRule(id=r.get("id"), tag=r.get("tag"))
                        for r in data["matching_rules"]]  # fmt: skip
            await self.on_matching_rules(matching)
        await self.on_response(StreamResponse(tweet, includes, errors, matching))

    async def on_tweet(self, tweet: Tweet) -> None:
        """A post arrived."""

    async def on_includes(self, includes: dict[str, Any]) -> None:
        """A post's expansions arrived (models, as in ``Response.includes``)."""

    async def on_errors(self, errors: list[Any]) -> None:
        """A message's errors arrived."""
        log.error("Received errors: %s", errors)

    async def on_matching_rules(self, matching_rules: list[StreamRule]) -> None:
        """The rules a post matched."""

    async def on_response(self, response: StreamResponse) -> None:
        """A whole message: ``StreamResponse(data, includes, errors, matching_rules)``."""

    async def on_connect(self) -> None:
        """A connection was made (again, after a reconnection)."""
        log.info("Stream connected")

    async def on_closed(self, response: Any) -> None:
        """The connection ended; twxdata reconnects as X prescribes."""
        log.info("Stream connection closed by X or the network")

    async def on_connection_error(self) -> None:
        """An attempt to connect got no answer."""
        log.error("Stream connection has errored or timed out")

    async def on_disconnect(self) -> None:
        """The stream ended: ``disconnect()``, ``max_retries``, or an error."""
        log.info("Stream disconnected")

    async def on_exception(self, exception: Exception) -> None:
        """The stream stopped on ``exception`` (X refused it, or a callback raised)."""
        log.exception("Stream encountered an exception", exc_info=exception)

    async def on_keep_alive(self) -> None:
        """X's heartbeat arrived."""

    async def on_request_error(self, status_code: int) -> None:
        """A connection attempt was answered with ``status_code``."""
        log.error("Stream encountered HTTP error: %d", status_code)


def _joined(value: Any) -> str:
    return value if isinstance(value, str) else ",".join(str(v) for v in value)
