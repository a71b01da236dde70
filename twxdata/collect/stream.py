"""Live collection from the filtered stream: ``collect_stream`` and ``fetch_stream``.

The posts matching the app's rules (``stream_rules``, ``sync_stream_rules``) as they are
posted, for as long as asked (``limit`` posts, a ``duration``, a ``max_cost``, or until
stopped). Every message is archived as it arrives, in the archive format of every other
collection (the message as X sent it, its ``matching_rules`` included, plus the
``__twxdata`` key), so ``flatten``, datasets and provenance work unchanged; the archive is
made durable in bursts (one ``fsync`` for the messages that arrived together).

Two tasks: ``twxdata.streaming.StreamReader`` reads the socket and queues each line; this
module's consumer archives, counts and meters them. The reader never waits for the
consumer, so a slow disk or a busy notebook makes a backlog (shown, and kept in the summary),
not a stalled connection that X would drop.

Reconnection is X's (``protocol.stream``); each gap — from the last message before a
disconnection to the first after, and between two runs of the same collection — is written
into the first message after it (``__twxdata.gap``), the checkpoint and the provenance, so a
study can state its coverage. ``backfill_minutes`` (1-5; Pro and Enterprise access) asks X
to send the posts of those minutes again on reconnecting; posts already received are dropped
(counted as ``duplicates``). Running the same call with the same ``raw`` again appends to the
same archive: ``limit`` and ``max_cost`` count over every run, ``duration`` is this run's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import warnings
from collections import Counter
from pathlib import Path
from typing import IO, Any

import orjson
import pandas as pd
import pyarrow as pa

from twxdata._version import __version__
from twxdata.client import Client
from twxdata.collect.call import (
    CostCapReached,
    ResumeNotice,
    _caller_level,
    _last,
    check_cost,
)
from twxdata.collect.collection import Collection, Responses, page_items
from twxdata.collect.defaults import current_prices, default_client
from twxdata.collect.gaps import gap_frame
from twxdata.collect.kinds import Kind
from twxdata.collect.meter import Meter
from twxdata.collect.plan import Fields, check_positive, field_params
from twxdata.collect.rules import stream_rules
from twxdata.endpoints import get_endpoint
from twxdata.errors import ParameterError
from twxdata.folders import cache_dir
from twxdata.notebook.loop import run
from twxdata.notebook.progress import Progress
from twxdata.protocol.response import ARCHIVE_KEY
from twxdata.protocol.stream import Gap, StreamConnection, StreamPolicy, read_message, utc_ms
from twxdata.protocol.stream import Kind as MessageKind
from twxdata.protocol.timefmt import duration_seconds
from twxdata.store.checkpoint import open_archive
from twxdata.streaming import Arrival, StreamReader
from twxdata.tables import Tables, flatten, to_pandas

log = logging.getLogger("twxdata.collect")

STREAM = Kind("stream", "search_stream", "me", "tweets", None)
ENDPOINT = get_endpoint(STREAM.endpoint)
_SAVE_EVERY = 1.0  # seconds between checkpoint saves (the archive is the truth between them)


class StreamCollection(Collection):
    """A live collection: the posts, and how the stream went (``gaps``, ``reconnections``,
    ``duplicates``, posts per rule, the largest backlog). ``stopped`` says why it ended:
    ``"limit"``, ``"duration"``, ``"max_cost"``, ``"stopped"`` or ``"interrupted"``.

    >>> c = StreamCollection(spec={"kind": "stream"})
    >>> c.add({"data": {"id": "1", "text": "hi"}, "matching_rules": [{"id": "9", "tag": "t"}]})
    >>> len(c.tweets), c.summary()
    (1, 'stream: 1 post (t 1); 0 reconnections; no gaps')
    """

    def __init__(self, *, spec: dict[str, Any], archive: Path | None = None) -> None:
        super().__init__(STREAM, streams=[""], spec=spec)
        # With an archive, messages are counted, metered and noted for provenance as they
        # come, and the tables are read from the archive when asked for: a stream that runs
        # for days keeps no message in memory.
        self.archive_path = archive
        self._stream_pages = 0
        self.gaps: list[Gap] = []
        self.reconnections = 0
        self.duplicates = 0
        self.per_rule: Counter[str] = Counter()
        self.max_backlog = 0
        self.stopped = ""
        self.unreadable = 0  # lines that were no JSON object (never archived)
        self.resumed_posts = 0  # posts an earlier run archived
        self.rules: list[dict[str, Any]] = []  # the app's rules when the run began

    def add(self, response: dict[str, Any], line: bytes | None = None, **kw: Any) -> Any:
        rules = response.get("matching_rules")
        if isinstance(rules, list) and isinstance(response.get("data"), dict):
            self.per_rule.update(self._rule_name(r) for r in rules if isinstance(r, dict))
        if self.archive_path is None:
            return super().add(response, line, **kw)
        paid = None
        if self.meter is not None:
            paid = self.meter.page(kw.get("charged_as") or response,
                                   earlier=bool(kw.get("earlier")))  # fmt: skip
        self._stream_pages += 1
        self._items += page_items(response)
        self._provenance.add(response)
        return paid

    # ---- read from the archive, when there is one -----------------------------------------

    @property
    def pages(self) -> int:
        return self._stream_pages if self.archive_path is not None else super().pages

    @property
    def lines(self) -> list[bytes]:
        if self.archive_path is None:
            return super().lines
        if not self.archive_path.exists():
            return []
        with self.archive_path.open("rb") as handle:
            return [line.rstrip(b"\n") for line in handle if line.strip()]

    @property
    def responses(self) -> Responses:
        return Responses(self.lines) if self.archive_path is not None else super().responses

    @property
    def tables(self) -> Tables:
        if self.archive_path is None:
            return super().tables
        if self._tables is None or self._built_at != self._stream_pages:
            self._tables = flatten(self.lines)
            self._frames.clear()
            self._built_at = self._stream_pages
        return self._tables

    def table(self, name: str) -> pa.Table:
        return self.tables[name] if self.archive_path is not None else super().table(name)

    def frame(self, name: str | None = None) -> pd.DataFrame:
        if self.archive_path is None:
            return super().frame(name)
        name = name or "tweets"
        tables = self.tables  # rebuilt (and the frames cleared) when messages came since
        if name not in self._frames:
            self._frames[name] = to_pandas(tables[name])
        return self._frames[name]

    def gap_frame(self) -> pd.DataFrame:
        """The gaps as a DataFrame: ``start``, ``end`` (UTC), ``seconds``, ``cause``, ``detail``.

        >>> StreamCollection(spec={}).gap_frame().columns.tolist()
        ['start', 'end', 'seconds', 'cause', 'detail']
        """
        return gap_frame(self.gaps)

    def to_dataset(self, folder: Path | str) -> list[Path]:
        if self.archive_path is None:
            return super().to_dataset(folder)
        self._lines = self.lines  # for the dataset's ledger, only while it is written
        try:
            return super().to_dataset(folder)
        finally:
            self._lines = []

    def _rule_name(self, rule: dict[str, Any]) -> str:
        """A matching rule as people know it: its tag, else its value, else its id."""
        if rule.get("tag"):
            return str(rule["tag"])
        values = {str(r["id"]): str(r["value"]) for r in self.rules}
        return values.get(str(rule.get("id")), str(rule.get("id")))

    @property
    def posts(self) -> int:
        return self.items

    def coverage(self) -> dict[str, Any]:
        """The stream's record for provenance: when it ran, its gaps, what was dropped."""
        return {
            "rules": self.rules,
            "gaps": [g.as_record() for g in self.gaps],
            "reconnections": self.reconnections,
            "duplicates_dropped": self.duplicates,
            "posts_per_rule": dict(self.per_rule),
            "max_backlog": self.max_backlog,
            **({"stopped": self.stopped} if self.stopped else {}),
        }

    def provenance(self, name: str, rows: int) -> dict[str, Any]:
        return {**super().provenance(name, rows), "stream": self.coverage()}

    def completeness(self) -> dict[str, Any]:
        record = super().completeness()
        if self.gaps:
            why = list(record.get("incomplete", []))
            why.append(f"{_plural(len(self.gaps), 'gap')} in the stream (see stream.gaps)")
            record = {"complete": False, "incomplete": why}
        return record

    def summary(self) -> str:
        parts = [f"stream: {_plural(self.items, 'post')}"]
        if self.per_rule:
            parts[0] += " (" + ", ".join(f"{t} {n:,}" for t, n in self.per_rule.most_common(5))
            parts[0] += ")"
        parts.append(_plural(self.reconnections, "reconnection"))
        parts.append(_plural(len(self.gaps), "gap") if self.gaps else "no gaps")
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicates dropped")
        if self.meter is not None and self.meter.low.requests:
            parts.append(f"cost {_usd(self.meter.spent_total)}")
        if self.resumed_pages:
            parts.append(f"{self.resumed_pages:,} messages from an earlier run")
        if self.stopped:
            parts.append(f"stopped: {self.stopped}")
        return "; ".join(parts)

    def __repr__(self) -> str:
        return f"<StreamCollection {self.summary()}>"


async def collect_stream(
    *,
    raw: str | Path | None = None,
    limit: int | None = None,
    duration: float | str | None = None,
    max_cost: float | None = None,
    backfill_minutes: int | None = None,
    fields: Fields = "research",
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    stop: asyncio.Event | None = None,
    policy: StreamPolicy | None = None,
    echo: IO[bytes] | None = None,
) -> StreamCollection:
    """Collect the filtered stream (the posts matching the app's rules) as they are posted.

    Stops at ``limit`` posts, after ``duration`` (seconds or "2h", "30m"), before the next
    post would take the cost past ``max_cost`` (USD), when ``stop`` is set, or on Ctrl-C / the
    notebook's stop button (what arrived is kept: ``twxdata.last_collection()``). With ``raw``
    every message is archived as it arrives and the same call later appends to it.

    >>> import asyncio, twxdata
    >>> from twxdata.testing import FakeXApi
    >>> async def demo():
    ...     async with FakeXApi(seed=1, size=500) as api:
    ...         api.stream.rate = 200
    ...         async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as c:
    ...             await twxdata.add_stream_rules(["the"], client=c)
    ...             got = await twxdata.collect_stream(limit=5, client=c, progress=False)
    ...             return got.posts, got.stopped
    >>> asyncio.run(demo())
    (5, 'limit')
    """
    check_positive("limit", limit)
    seconds = None if duration is None else duration_seconds(duration, "duration")
    check_cost(max_cost)
    if backfill_minutes is not None and (
        isinstance(backfill_minutes, bool) or backfill_minutes not in range(1, 6)
    ):
        raise ParameterError("backfill_minutes", "must be a whole number from 1 to 5",
                             got=backfill_minutes)  # fmt: skip
    params = field_params(STREAM, fields)
    client = client or default_client()
    client.prepare(ENDPOINT, params=params)  # bad fields are refused before anything opens
    rules = await stream_rules(client=client)  # free: rules read no resource
    if not rules:
        raise ParameterError(
            "rules", "at least one filtered-stream rule: the app has none, so the stream would "
            "send nothing (add some: twxdata.add_stream_rules([...]))",
        )  # fmt: skip
    spec = stream_spec(fields)
    collection = StreamCollection(spec=spec, archive=None if raw is None else Path(raw))
    collection.rules = [{"id": r.id, "value": r.value, "tag": r.tag} for r in rules]
    meter = collection.meter = _meter(client)
    unit = meter.unit or 0.0
    if max_cost is not None and unit > max_cost:
        raise ParameterError("max_cost", f"must cover at least one post (${unit:.3f})",
                             got=max_cost)  # fmt: skip
    seen: set[str] = set()
    opened = None
    last_message = None
    earlier_reconnections = 0
    if raw is not None:
        opened = open_archive(Path(raw), spec, restart=restart, what="collection")
        if opened.repair is not None:
            warnings.warn(str(opened.repair), RuntimeWarning, stacklevel=_caller_level())
        last_message = _resume(opened, collection, seen)
        earlier_reconnections = _earlier(opened, "reconnections")
        done = _already_done(collection, limit, max_cost, unit)
        if done:  # nothing to collect: say so, connect to nothing, change nothing
            collection.stopped = done
            opened.archive.close()
            warnings.warn(f"{raw} already holds {collection.items:,} posts "
                          f"({_usd(meter.spent_total)}): " + (
                              "the limit is reached; raise it to go on" if done == "limit"
                              else "max_cost is reached; raise it to go on"),
                          CostCapReached if done == "max_cost" else ResumeNotice,
                          stacklevel=_caller_level())  # fmt: skip
            _last[:] = [collection]
            return collection
        if collection.resumed_pages:
            warnings.warn(
                f"resuming: {collection.items:,} posts already in {raw}; the time since its "
                "last message is recorded as a gap", ResumeNotice, stacklevel=_caller_level(),
            )  # fmt: skip
    _last[:] = [collection]
    earlier_gaps = list(collection.gaps)  # read from the archive: every run's, as info shows
    connection = StreamConnection(policy, last_message=last_message)
    reader = StreamReader(client, connection, endpoint=ENDPOINT, params=params,
                          backfill_minutes=backfill_minutes)  # fmt: skip
    bar = Progress("stream", unit="posts", total=limit, enabled=progress)
    bar.cost = lambda: meter.spent_total
    bar.detail = lambda: _status(collection, connection, queue.qsize())
    bar.items = collection.items
    client.add_listener(bar)
    queue: asyncio.Queue[Arrival] = asyncio.Queue()
    stop = stop or asyncio.Event()
    if backfill_minutes is None:  # (backfill resends posts: the consumer counts those)
        reader.max_posts = _budget(collection, limit, max_cost, unit)
    reading = asyncio.create_task(reader.run(queue.put_nowait, stop))
    started = time.monotonic()
    saved = 0.0
    try:
        while True:
            if limit is not None and collection.items >= limit:
                collection.stopped = "limit"
                break
            if seconds is not None and time.monotonic() - started >= seconds:
                collection.stopped = "duration"
                break
            if stop.is_set():
                collection.stopped = collection.stopped or "stopped"
                break
            batch = await _next_batch(queue, reading, _until(started, seconds))
            if reading.done() and not batch and queue.empty():
                reading.result()  # X refused the stream: its error, raised here
                if reader.budget_reached:  # the reader stopped at the posts allowed
                    collection.stopped = _already_done(collection, limit, max_cost, unit) or (
                        "limit" if limit is not None else "max_cost"
                    )
                break
            collection.max_backlog = max(collection.max_backlog, len(batch))
            lines = _take(batch, collection, seen, limit, max_cost, echo)
            if opened is not None and lines:
                await asyncio.to_thread(opened.archive.append_lines, lines)
            bar.items = collection.items
            if batch:
                bar.waiting = None  # messages flow: no longer "reconnecting"
            bar.refresh()
            if opened is not None and time.monotonic() - saved >= _SAVE_EVERY:
                _save(opened, collection, connection, meter, earlier_reconnections)
                saved = time.monotonic()
            if collection.stopped:
                break
    except (KeyboardInterrupt, asyncio.CancelledError):
        collection.interrupted = True
        collection.stopped = "interrupted"
        warnings.warn(
            f"interrupted: {collection.items:,} posts kept in twxdata.last_collection()"
            + (f"; run the same call again to go on appending to {raw}" if raw else ""),
            RuntimeWarning, stacklevel=_caller_level(),
        )  # fmt: skip
        raise
    finally:
        stop.set()
        reading.cancel()
        with contextlib.suppress(BaseException):
            await reading
        collection.gaps = earlier_gaps + connection.close(time.time())
        collection.reconnections = connection.reconnections + earlier_reconnections
        collection.finished_at = time.time()
        client.remove_listener(bar)
        bar.close()
        if opened is not None:
            _save(opened, collection, connection, meter, earlier_reconnections)
            opened.archive.close()
    if collection.stopped == "max_cost":
        warnings.warn(
            f"stopped at max_cost={_usd(max_cost or 0.0)} after {collection.items:,} posts "
            f"({_usd(meter.spent_total)}); the same call with a higher max_cost goes on",
            CostCapReached, stacklevel=_caller_level(),
        )  # fmt: skip
    return collection


def stream_spec(fields: Fields = "research") -> dict[str, Any]:
    """What identifies a stream collection (its archive's checkpoint fingerprints it): the
    endpoint and the fields asked for. ``limit``, ``duration`` and ``max_cost`` are not part
    of it: the same collection may go on longer.

    >>> stream_spec("minimal")
    {'kind': 'stream', 'endpoint': 'search_stream', 'params': {}}
    """
    params = field_params(STREAM, fields)
    return {"kind": "stream", "endpoint": ENDPOINT.name, "params": _jsonable(params)}


async def fetch_stream(
    *,
    raw: str | Path | None = None,
    limit: int | None = None,
    duration: float | str | None = None,
    max_cost: float | None = None,
    backfill_minutes: int | None = None,
    fields: Fields = "research",
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    stop: asyncio.Event | None = None,
    policy: StreamPolicy | None = None,
    echo: IO[bytes] | None = None,
) -> pd.DataFrame:
    """``collect_stream(...).tweets``: the posts as a DataFrame (authors, media, places and
    referenced posts joined; the collection stays in ``twxdata.last_collection()``).

    >>> import asyncio, twxdata
    >>> from twxdata.testing import FakeXApi
    >>> async def demo():
    ...     async with FakeXApi(seed=1, size=500) as api:
    ...         api.stream.rate = 200
    ...         async with twxdata.Client(bearer_token=api.bearer_token, api_base=api.url) as c:
    ...             await twxdata.add_stream_rules(["the"], client=c)
    ...             frame = await twxdata.fetch_stream(limit=3, client=c, progress=False)
    ...             return len(frame), frame["id"].iloc[0].isdigit()
    >>> asyncio.run(demo())
    (3, True)
    """
    collection = await collect_stream(
        raw=raw, limit=limit, duration=duration, max_cost=max_cost,
        backfill_minutes=backfill_minutes, fields=fields, restart=restart, client=client,
        progress=progress, stop=stop, policy=policy, echo=echo,
    )  # fmt: skip
    return collection.tweets


def _meter(client: Client) -> Meter:
    credential = client.credentials.for_endpoint(ENDPOINT).key
    folder = cache_dir()
    return Meter(ENDPOINT, current_prices(), clock=client.server_now,
                 folder=None if folder is None else folder / "charged",
                 account=f"{client.api_base}\0{credential}")  # fmt: skip


def _until(started: float, seconds: float | None) -> float:
    if seconds is None:
        return 0.5
    return max(0.0, min(0.5, started + seconds - time.monotonic()))


async def _next_batch(
    queue: asyncio.Queue[Arrival], reading: asyncio.Task[None], timeout: float
) -> list[Arrival]:
    """What arrived: at least one line, or none after ``timeout`` (or once the reader
    ended); everything queued behind it, at once."""
    batch: list[Arrival] = []
    if queue.empty():
        getting = asyncio.ensure_future(queue.get())
        done, _ = await asyncio.wait({getting, reading}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
        if getting not in done:
            getting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await getting
            if not getting.cancelled() and getting.done():
                batch.append(getting.result())
            return batch
        batch.append(getting.result())
    while not queue.empty():
        batch.append(queue.get_nowait())
    return batch


def _take(
    batch: list[Arrival], collection: StreamCollection, seen: set[str], limit: int | None,
    max_cost: float | None, echo: IO[bytes] | None,
) -> list[bytes]:  # fmt: skip
    """Add what arrived to the collection, in order, up to the limit or the cost cap; the
    archive lines to write."""
    lines: list[bytes] = []
    meter = collection.meter
    assert meter is not None
    for arrival in batch:
        message = read_message(arrival.line)
        if message.kind is MessageKind.UNREADABLE:
            collection.unreadable += 1
            log.warning("stream: a line that is no JSON object was dropped")
            continue
        post = message.post_id
        if post is not None:
            if post in seen:
                collection.duplicates += 1
                continue
            seen.add(post)
        record: dict[str, Any] = {"endpoint": ENDPOINT.name, "url": ENDPOINT.path,
                  "retrieved_at": utc_ms(arrival.at), "version": __version__,
                  "status": 200, "connection": arrival.connection}  # fmt: skip
        if arrival.gap is not None:
            record["gap"] = arrival.gap.as_record()
        line = message.raw[:-1] + b',"' + ARCHIVE_KEY.encode() + b'":' + orjson.dumps(record)
        line += b"}\n"
        response = {**message.body, ARCHIVE_KEY: record}
        collection.add(response, line)
        lines.append(line)
        if echo is not None:
            echo.write(line)
            echo.flush()
    # Every post delivered is kept (X charged it); the reader read no more than allowed.
    done = _already_done(collection, limit, max_cost, meter.unit or 0.0)
    if done:
        collection.stopped = done
    return lines


def _resume(opened: Any, collection: StreamCollection, seen: set[str]) -> float | None:
    """An earlier run's messages into the collection (paid then); its last message's time."""
    last = None
    for _, response in opened.archive.lines():
        collection.add(response, earlier=True)
        collection.resumed_pages += 1
        data = response.get("data")
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            seen.add(data["id"])
        meta = response.get(ARCHIVE_KEY) or {}
        if isinstance(meta.get("gap"), dict):
            collection.gaps.append(Gap.from_record(meta["gap"]))
        when = meta.get("retrieved_at")
        if isinstance(when, str):
            with contextlib.suppress(ValueError):
                last = Gap.from_record({"start": when}).start
    collection.resumed_posts = collection.items
    meter = collection.meter
    if meter is not None:
        # The archive is the truth: a run killed after its last checkpoint save archived (and
        # was charged for) more than the checkpoint says.
        saved = float(opened.checkpoint.extra.get("spent_usd") or 0.0)
        meter.spent_before = max(saved, round(meter.earlier.usd, 6))
    return last


def _budget(
    collection: StreamCollection, limit: int | None, max_cost: float | None, unit: float
) -> int | None:
    """How many more posts may be read: what ``limit`` leaves, and what ``max_cost`` pays
    for at the post price (None: no bound)."""
    bounds = []
    if limit is not None:
        bounds.append(limit - collection.items)
    meter = collection.meter
    if max_cost is not None and meter is not None and unit > 0:
        bounds.append(int((max_cost - meter.spent_total) / unit + 1e-9))
    return max(0, min(bounds)) if bounds else None


def _already_done(
    collection: StreamCollection, limit: int | None, max_cost: float | None, unit: float
) -> str:
    """Why an archive's collection cannot go on with these bounds ("": it can)."""
    meter = collection.meter
    if limit is not None and collection.items >= limit:
        return "limit"
    if max_cost is not None and meter is not None and meter.spent_total + unit > max_cost + 1e-9:
        return "max_cost"
    return ""


def _earlier(opened: Any, key: str) -> int:
    if opened is None:
        return 0
    value = opened.checkpoint.extra.get(key)
    return int(value) if isinstance(value, int) else 0


def _save(
    opened: Any, collection: StreamCollection, conn: StreamConnection, meter: Meter,
    earlier_reconnections: int,
) -> None:  # fmt: skip
    extra = opened.checkpoint.extra
    earlier = [g for g in collection.gaps if g not in conn.gaps]
    extra.update({
        "spent_usd": round(meter.spent_total, 6),
        "posts": collection.items,
        "gaps": [g.as_record() for g in earlier + conn.gaps],
        "reconnections": earlier_reconnections + conn.reconnections,
        "duplicates_dropped": collection.duplicates,
        "rules": collection.rules,
    })  # fmt: skip
    opened.checkpoint.save(opened.checkpoint_path)
    meter.save()


def _status(collection: StreamCollection, conn: StreamConnection, backlog: int) -> str:
    """The progress line: pace, per rule, silence, reconnections, backlog."""
    minutes = max((time.time() - collection.started_at) / 60, 1 / 60)
    new = collection.items - collection.resumed_posts
    parts = [f"{new / minutes:,.0f}/min"]
    if collection.per_rule:
        parts.append(", ".join(f"{t} {n:,}" for t, n in collection.per_rule.most_common(3)))
    if conn.last_message is not None:
        parts.append(f"last {time.time() - conn.last_message:,.0f} s ago")
    parts.append(f"{conn.reconnections} reconnections")
    if backlog:
        parts.append(f"backlog {backlog:,}")
    return "; ".join(parts)


def _usd(amount: float) -> str:
    """Dollars to the cent, or to the tenth of a cent when that is not exact (a post costs
    half a cent).

    >>> _usd(0.125), _usd(0.25)
    ('$0.125', '$0.25')
    """
    return (
        f"${amount:,.2f}" if abs(amount * 100 - round(amount * 100)) < 1e-6 else f"${amount:,.3f}"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    """As JSON keeps them (a checkpoint, provenance): lists, never tuples or sets."""
    return {k: (sorted(v) if isinstance(v, (set, frozenset)) else list(v) if isinstance(v, tuple)
                else v) for k, v in params.items()}  # fmt: skip


def collect_stream_sync(
    *,
    raw: str | Path | None = None,
    limit: int | None = None,
    duration: float | str | None = None,
    max_cost: float | None = None,
    backfill_minutes: int | None = None,
    fields: Fields = "research",
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    stop: asyncio.Event | None = None,
    policy: StreamPolicy | None = None,
    echo: IO[bytes] | None = None,
) -> StreamCollection:
    """Blocking ``collect_stream``: ``twxdata.collect_stream_sync(limit=100, raw="live.jsonl")``."""
    return run(collect_stream(
        raw=raw, limit=limit, duration=duration, max_cost=max_cost,
        backfill_minutes=backfill_minutes, fields=fields, restart=restart, client=client,
        progress=progress, stop=stop, policy=policy, echo=echo,
    ))  # fmt: skip


def fetch_stream_sync(
    *,
    raw: str | Path | None = None,
    limit: int | None = None,
    duration: float | str | None = None,
    max_cost: float | None = None,
    backfill_minutes: int | None = None,
    fields: Fields = "research",
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    stop: asyncio.Event | None = None,
    policy: StreamPolicy | None = None,
    echo: IO[bytes] | None = None,
) -> pd.DataFrame:
    """Blocking ``fetch_stream``: ``twxdata.fetch_stream_sync(limit=100)``."""
    return run(fetch_stream(
        raw=raw, limit=limit, duration=duration, max_cost=max_cost,
        backfill_minutes=backfill_minutes, fields=fields, restart=restart, client=client,
        progress=progress, stop=stop, policy=policy, echo=echo,
    ))  # fmt: skip
