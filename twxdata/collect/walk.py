"""Running a planned collection: streams in parallel, pages into the archive, positions into
the checkpoint, and a clean stop on interruption.

A ``Plan`` is pure data: which endpoint, which streams (one per query, user, post, list, or
batch of 100 ids) and with which parameters. ``execute`` walks the streams concurrently through
one client — their requests share each endpoint's rate-limit budget there — and for every page:
appends it to the archive (fsync), adds it to the collection, and saves the checkpoint
(atomic replace). That order is what makes resume exact: a page is in the checkpoint only once
it is durable in the archive, and a page in the archive but not yet in the checkpoint is found
by ``resume_from_archive``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from twxdata.client import Client
from twxdata.collect.collection import ARCHIVE_KEY, Collection
from twxdata.collect.kinds import Kind
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import BadRequest, Forbidden, NotFound
from twxdata.protocol.paging import Cursor
from twxdata.store.archive import Archive
from twxdata.store.checkpoint import Checkpoint, StreamPosition

log = logging.getLogger("twxdata.collect")


@dataclass(frozen=True, slots=True)
class Stream:
    """One sequence of pages: its key (what rows carry) and its request."""

    key: str
    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    label: str | None = None  # how the caller named the target, when not by its key (a username)


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a collection will request.

    ``spec`` is the collection's identity for resume: the parameters as the caller gave them
    (``start_time="7d"`` stays ``"7d"``, so rerunning the same call matches), while the streams
    carry the resolved values actually sent (and saved in the checkpoint, so a resumed walk
    sends exactly what the first run sent).
    """

    kind: Kind
    endpoint: str
    streams: tuple[Stream, ...]
    spec: dict[str, Any]
    limit: int | None = None
    max_pages: int | None = None
    concurrency: int = 4


def record_of(page: Any) -> dict[str, Any]:
    """A client ``Page`` in archive form (the JSON plus ``__twxdata``), sharing its body."""
    return {**page.body, ARCHIVE_KEY: page.archive_record()}


async def execute(
    client: Client,
    plan: Plan,
    collection: Collection,
    *,
    archive: Archive | None = None,
    checkpoint: Checkpoint | None = None,
    checkpoint_path: Path | None = None,
    on_stream_done: Callable[[str], None] | None = None,
    echo: IO[bytes] | None = None,
) -> None:
    """Walk every unfinished stream of ``plan``, filling ``collection``.

    ``echo`` also receives every response as an archive line as it arrives (``twxdata
    search q | ...`` writes them to standard output), after the archive has it.

    A stream that the API refuses outright (404 unknown user, 403 protected timeline, 400)
    stops with its reason in ``collection.stream_errors`` while the others go on; any other
    error (credentials, network down after every retry) stops everything and propagates.
    """
    positions = checkpoint.streams if checkpoint is not None else {}
    gate = asyncio.Semaphore(max(1, plan.concurrency))
    settled = _Signal()  # a page's reservation in the spend cap was settled or released
    endpoint = get_endpoint(plan.endpoint)

    def save() -> None:
        if collection.meter is not None:
            collection.meter.save()
        if checkpoint is not None and checkpoint_path is not None:
            if collection.meter is not None:  # what this collection has cost, over its runs
                checkpoint.extra["spent_usd"] = collection.meter.spent_total
                if collection.meter.cap is not None:
                    checkpoint.extra["cap_spent_usd"] = collection.meter.cap_spent
            checkpoint.save(checkpoint_path)

    async def walk(stream: Stream) -> None:
        position = positions.setdefault(stream.key, StreamPosition())
        if position.done:
            return
        limit = None if plan.limit is None else plan.limit - position.items
        pages = None if plan.max_pages is None else plan.max_pages - position.pages
        if (limit is not None and limit <= 0) or (pages is not None and pages <= 0):
            position.done = True
            return
        params = dict(stream.params)
        if position.token and endpoint.page_token:
            params[endpoint.page_token] = position.token
        meter = collection.meter
        cap = meter.cap if meter is not None else None
        granted: list[int] = []  # reservations of pages in flight, oldest first
        capped = False

        async def pace(query: dict[str, str]) -> dict[str, str] | None:
            """Size the next page to what the spend cap leaves, or end the stream."""
            nonlocal capped
            if cap is None or meter is None:
                return query
            wanted, smallest = page_items(endpoint, query)
            while not (size := cap.reserve(meter.unit, wanted=wanted, smallest=smallest)):
                if not cap.in_flight:
                    capped = True
                    return None
                # Other targets' pages hold what is left; they often come back smaller than
                # reserved (a last page): what they leave may still pay for this one.
                await settled.wait()
            granted.append(size)
            if "max_results" in query and not meter.per_request:
                return {**query, "max_results": str(size)}
            return query

        async with gate:
            try:
                async for page in client.pages(
                    endpoint, path=stream.path, params=params, limit=limit, max_pages=pages,
                    stream=stream.key, pace=pace, below=position.below,
                ):  # fmt: skip
                    line = page.archive_line()
                    if archive is not None:
                        archive.append_line(line)
                    if echo is not None:
                        echo.write(line if line.endswith(b"\n") else line + b"\n")
                        echo.flush()
                    # The collection keeps the archive line rather than the parsed page (a
                    # quarter of the memory, and nothing for the garbage collector to re-scan),
                    # unless the page was cut to the limit (then only the parsed page is right).
                    # X charges what it sent, the whole page, even when the limit cut it.
                    received = orjson.loads(page.raw) if page.trimmed else None
                    collection.add(
                        record_of(page), None if page.trimmed else line, charged_as=received
                    )
                    if meter is not None and granted:
                        meter.settle(granted.pop(0))
                        settled.fire()
                    position.items += len(page.data)
                    position.pages += 1
                    position.token = page.next_token
                    position.below = page.oldest_id or position.below
                    save()
            except (NotFound, Forbidden, BadRequest) as exc:
                # Not done: a rerun asks again (a refused request reads nothing, so costs
                # nothing) and reports it again, rather than resuming as if all were well.
                collection.stream_errors[stream.key] = str(exc)
                log.info("%s %s stopped: %s", plan.kind.name, stream.key, exc)
                save()
                return
            finally:
                if cap is not None and meter is not None and granted:
                    for size in granted:  # requests that never came back are not charged
                        cap.release(meter.unit, granted=size)
                    settled.fire()
        if capped:
            # Not done either: the same call with a higher cap continues from here.
            collection.capped = True
            save()
            return
        position.done = True
        save()
        if on_stream_done is not None:
            on_stream_done(stream.key)

    try:
        await gather_or_cancel([walk(s) for s in plan.streams])
    finally:
        save()


class _Signal:
    """Wakes every coroutine waiting at the moment it fires (an ``asyncio.Event`` per round,
    so no waiter misses a firing and none wakes for one before it began to wait)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()


def page_items(endpoint: Endpoint, query: dict[str, str]) -> tuple[int, int]:
    """How many items the next request asks for, and the fewest it could ask for.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> page_items(ENDPOINTS["search_recent_tweets"], {"max_results": "100"})
    (100, 10)
    >>> page_items(ENDPOINTS["get_tweets"], {"ids": "1,2,3"})
    (3, 3)
    """
    if "max_results" in query and endpoint.page_size is not None:
        return int(query["max_results"]), endpoint.page_size[0]
    if endpoint.ids_param and endpoint.ids_param in query:
        count = len(query[endpoint.ids_param].split(","))
        return count, count
    return 1, 1


async def gather_or_cancel(coroutines: list[Any]) -> list[Any]:
    """Run coroutines together; if one fails (or we are cancelled), cancel the rest, wait for
    them to stop, and raise — no task is left running on its own."""
    tasks = [asyncio.ensure_future(c) for c in coroutines]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def resume_from_archive(
    archive: Archive, plan: Plan, collection: Collection
) -> dict[str, StreamPosition]:
    """Load an archive's pages into ``collection`` and rebuild each stream's position.

    A page fetched twice (the crash came after the archive write, before the checkpoint's) is
    kept once; each stream's items are cut at the limit exactly as the first run cut them.
    """
    endpoint = get_endpoint(plan.endpoint)
    cursors: dict[str, Cursor] = {}
    below: dict[str, str] = {}  # each stream's oldest post (pages of posts come newest first)
    seen: set[tuple[str, Any, Any]] = set()
    for _, record in archive.lines():
        meta = record.get(ARCHIVE_KEY) or {}
        stream = str(meta.get("stream", ""))
        sent = meta.get("params") or {}
        # A page is the same page when asked the same way: its token, or ``until_id`` where
        # the walk went on below its oldest post instead (``protocol.window.continue_below``).
        token = sent.get(endpoint.page_token or "", None)
        if (stream, token, sent.get("until_id")) in seen:
            continue
        seen.add((stream, token, sent.get("until_id")))
        cursor = cursors.setdefault(
            stream, Cursor(endpoint, limit=plan.limit, max_pages=plan.max_pages)
        )
        data = record.get("data")
        items = data if isinstance(data, list) else ([data] if isinstance(data, dict) else [])
        kept = cursor.keep(len(items))
        if kept < len(items):
            record = {**record, "data": items[:kept]}
        meta_block = record.get("meta") or {}
        cursor.advance(items=kept, next_token=meta_block.get("next_token"))
        oldest = meta_block.get("oldest_id")
        if isinstance(oldest, str) and oldest.isdigit():
            below[stream] = min(oldest, below.get(stream, oldest), key=int)
        collection.add(record, earlier=True)
        collection.resumed_pages += 1
    return {
        key: StreamPosition(
            token=c.token, items=c.items, pages=c.pages, done=c.done, below=below.get(key)
        )
        for key, c in cursors.items()
    }


def plain(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-ready values in a stable order (for specs and checkpoints)."""
    out: dict[str, Any] = {}
    for key, value in sorted(params.items()):
        if value is None:
            continue
        if isinstance(value, (list, tuple, set, frozenset)):
            out[key] = [str(v) for v in value]
        elif isinstance(value, (str, int, float, bool)):
            out[key] = value
        else:
            out[key] = str(value)
    return out
