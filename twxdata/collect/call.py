"""Carrying out one collection call: archive and resume, progress, interruption, warnings.

``collect(kind, targets, ...)`` is what every public ``collect_*``/``fetch_*`` function calls.
"""

from __future__ import annotations

import asyncio
import logging
import math
import numbers
import time
import warnings
from pathlib import Path
from typing import IO, Any

from twxdata.client import Client
from twxdata.collect.collection import Collection
from twxdata.collect.defaults import current_prices, default_client
from twxdata.collect.kinds import KINDS
from twxdata.collect.meter import Meter
from twxdata.collect.plan import TIME_PARAMS, Fields, make_plan
from twxdata.collect.walk import Plan, Stream, execute, resume_from_archive
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ParameterError, TwxError
from twxdata.folders import cache_dir
from twxdata.notebook.progress import Progress
from twxdata.pricing import priced, usd_text
from twxdata.protocol.spend import SpendCap
from twxdata.protocol.timefmt import is_relative
from twxdata.protocol.window import continue_below, fit_window
from twxdata.store.archive import Archive
from twxdata.store.checkpoint import Checkpoint, ResumeError, open_archive

log = logging.getLogger("twxdata.collect")

_last: list[Collection] = []  # the one deliberate piece of module state: see last_collection()


class PartialErrors(UserWarning):
    """Some requested resources could not be returned (deleted, suspended, protected)."""


class CostCapReached(UserWarning):
    """A collection stopped at its ``max_cost``: what it holds is a part of what was asked."""


class ResumeNotice(UserWarning):
    """A collection continues from its archive instead of starting over."""


# Python shows a warning once per code location by default; these come from one location in
# twxdata, so without this a notebook would report partial errors of its first call only.
warnings.filterwarnings("always", category=PartialErrors)
warnings.filterwarnings("always", category=ResumeNotice)
warnings.filterwarnings("always", category=CostCapReached)


_PACKAGE = str(Path(__file__).resolve().parents[1])
# Frames a warning should look past: ours, and the event loop machinery a *_sync call runs in.
_PLUMBING = (_PACKAGE, str(Path(asyncio.__file__).resolve().parent), "nest_asyncio")


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside twxdata (the user's
    cell or script), however deep the call came through ``fetch_*`` and ``*_sync`` wrappers."""
    import sys

    frame = sys._getframe(1)
    level = 1
    while frame is not None and _is_plumbing(frame.f_code.co_filename):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


def _is_plumbing(filename: str) -> bool:
    return "nest_asyncio" in filename or str(Path(filename).resolve()).startswith(_PLUMBING)


def last_collection() -> Collection | None:
    """The most recent collection of this process, finished or not.

    After interrupting a cell (Ctrl-C, the stop button), what was collected so far is here.

    >>> last_collection() is None or isinstance(last_collection(), Collection)
    True
    """
    return _last[-1] if _last else None


async def collect(
    kind: str,
    targets: Any,
    *,
    archive: bool = False,
    fields: Fields = "research",
    limit: int | None = None,
    max_pages: int | None = None,
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    params: dict[str, Any] | None = None,
    echo: IO[bytes] | None = None,
    max_cost: float | None = None,
) -> Collection:
    """Plan, resume if an archive says so, run, and return the ``Collection``.

    ``echo`` receives every response as a JSON line as it arrives (the command line's
    standard output when it writes no file). ``max_cost`` (USD) caps what the collection is
    charged over all its runs: pages are sized to fit, and the streams stop cleanly when it is
    reached (``Collection.capped``); the same call with a higher cap continues.
    """
    check_cost(max_cost)
    if max_cost is not None and isinstance(kind, str) and kind in KINDS:
        # before the plan: resolving @names is a paid read (an unknown kind: make_plan says)
        check_cap_pays(max_cost, get_endpoint(KINDS[kind].endpoint_for(archive)))
    client = client or default_client()
    plan = await make_plan(
        client,
        kind,
        targets,
        archive=archive,
        fields=fields,
        limit=limit,
        max_pages=max_pages,
        concurrency=concurrency,
        params=params,
    )
    collection = Collection(
        plan.kind,
        streams=[s.key for s in plan.streams],
        spec=plan.spec,
        target_names={s.key: s.label for s in plan.streams if s.label},
    )
    collection.meter = _meter(client, plan, max_cost)
    if max_cost is not None:
        check_cap_pays(max_cost, collection.meter.endpoint,
                       first_usd=_smallest_page(plan, collection.meter))  # fmt: skip
    store = (
        _open_store(Path(raw), plan, collection, restart, client.server_now())
        if raw is not None
        else None
    )
    if store is not None:
        plan = store.plan
        extra = store.checkpoint.extra
        spent = _usd(extra.get("spent_usd"))
        collection.meter.spent_before = spent
        cap = collection.meter.cap
        if cap is not None:  # a cap holds over every run of the collection
            cap.spent = max(spent, _usd(extra.get("cap_spent_usd")))
            positions = store.checkpoint.streams
            if not all(s.key in positions and positions[s.key].done for s in plan.streams):
                try:
                    check_cap_pays(cap.limit, collection.meter.endpoint,
                                   first_usd=_smallest_page(plan, collection.meter),
                                   spent=cap.spent)  # fmt: skip
                except ParameterError:
                    store.archive.close()
                    raise
    _last[:] = [collection]
    unit = {"tweets": "posts", "users": "users", "counts": "buckets"}[plan.kind.result]
    total = plan.limit * len(plan.streams) if plan.limit else None
    bar = Progress(plan.kind.name, unit=unit, total=total, enabled=progress)
    meter = collection.meter
    bar.cost = lambda: meter.spent_total
    meter.on_charge = bar.refresh
    if collection.resumed_pages:
        bar.items = collection.items
    client.add_listener(bar)
    try:
        await execute(
            client,
            plan,
            collection,
            archive=store.archive if store else None,
            checkpoint=store.checkpoint if store else None,
            checkpoint_path=store.checkpoint_path if store else None,
            echo=echo,
        )
    except (KeyboardInterrupt, asyncio.CancelledError):
        collection.interrupted = True
        warnings.warn(
            f"interrupted: {collection.items:,} items in {collection.pages} pages kept in "
            "twxdata.last_collection()"
            + (f"; rerun the same call to resume from {raw}" if raw else ""),
            RuntimeWarning,
            stacklevel=_caller_level(),
        )
        raise
    finally:
        client.remove_listener(bar)
        bar.close()
        collection.finished_at = time.time()
        if store is not None:
            store.archive.close()
    _warn_partial_errors(collection)
    if collection.capped:
        _warn_capped(collection, raw)
    return collection


def _warn_capped(collection: Collection, raw: str | Path | None) -> None:
    """Said at the end of a call: a DataFrame from ``fetch_*`` shows nothing of it."""
    meter = collection.meter
    cap = meter.cap.limit if meter is not None and meter.cap is not None else 0.0
    spent = meter.spent_total if meter is not None else 0.0
    counted = meter.cap.spent if meter is not None and meter.cap is not None else spent
    then = (
        f"the same call with a higher max_cost continues from {raw}"
        if raw is not None
        else "to continue rather than start over with a higher max_cost, pass raw=FILE"
    )
    charged = f"{usd_text(spent)} charged"
    if counted > spent + 0.0005:  # the cap trusts only this run's same-day repeats to be free
        charged += (f", {usd_text(counted)} as the cap counts: what was read earlier today may "
                    "be free on X")  # fmt: skip
    warnings.warn(
        f"stopped at max_cost={usd_text(cap)} after {collection.items:,} items ({charged}; the cap "
        f"counts what is in data, not includes); {then}",
        CostCapReached,
        stacklevel=_caller_level(),
    )


def _usd(value: object) -> float:
    """A dollar amount read back from a checkpoint (0 when absent or not a number)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return 0.0


def check_cost(max_cost: float | None, *, name: str = "max_cost") -> None:
    """A dollar amount given by the caller: a finite number of US dollars above 0."""
    if max_cost is None:
        return
    if isinstance(max_cost, bool) or not isinstance(max_cost, numbers.Real):
        raise ParameterError(name, "must be a number of US dollars", got=max_cost)
    if not math.isfinite(max_cost):
        raise ParameterError(name, "must be a finite number of US dollars", got=max_cost)
    if max_cost <= 0:
        raise ParameterError(name, "must be more than 0 US dollars", got=max_cost)


def check_cap_pays(
    max_cost: float,
    endpoint: Endpoint,
    *,
    first_usd: float | None = None,
    spent: float = 0.0,
    what: str = "collection",
    first: str = "the smallest page",
) -> None:
    """Refuse, before any request, a spend cap that cannot hold: one with no dollar price to
    count what ``endpoint`` reads (a legacy tier, a price set to null: the cap could not count
    a cent), or with less left (after ``spent`` by earlier runs of the ``what``) than
    ``first_usd``, the worst case of ``first`` request."""
    prices = current_prices()
    if not priced(endpoint, prices):
        raise ParameterError(
            "max_cost",
            f"cannot be counted: no dollar price for what {endpoint.name} reads "
            f"({prices.source}); set one with `twxdata configure --prices` or "
            "twxdata.configure(prices=...)",
        )
    if first_usd is None or max_cost - spent + 1e-9 >= first_usd:
        return
    if spent:
        raise ParameterError(
            "max_cost",
            f"leaves {usd_text(max(0.0, max_cost - spent))} after earlier runs of this {what} "
            f"(counted as {usd_text(spent)}), less than {first} ({usd_text(first_usd)}): a "
            "higher one continues",
            got=max_cost,
        )
    raise ParameterError("max_cost", f"does not pay for {first}, ${first_usd:.3f}", got=max_cost)


def _smallest_page(plan: Plan, meter: Meter) -> float:
    """What the cheapest first request of the plan costs at most (USD)."""
    if meter.per_request:
        return meter.unit
    endpoint = meter.endpoint
    if endpoint.ids_param:
        sizes = [len(s.params.get(endpoint.ids_param) or ()) or 1 for s in plan.streams]
        return min(sizes or [1]) * meter.unit
    return (endpoint.page_size[0] if endpoint.page_size else 1) * meter.unit


def _meter(client: Client, plan: Plan, max_cost: float | None) -> Meter:
    """The collection's meter: X's prices (as configured), the ids charged today by this
    credential (kept in the cache folder between runs), and the cap."""
    endpoint = get_endpoint(plan.endpoint)
    credential = client.credentials.for_endpoint(endpoint).key
    folder = cache_dir()
    return Meter(
        endpoint,
        current_prices(),
        clock=client.server_now,
        folder=None if folder is None else folder / "charged",
        account=f"{client.api_base}\0{credential}",
        cap=None if max_cost is None else SpendCap(float(max_cost)),
    )


class _Store:
    def __init__(self, archive: Archive, checkpoint: Checkpoint, path: Path, plan: Plan) -> None:
        self.archive = archive
        self.checkpoint = checkpoint
        self.checkpoint_path = path
        self.plan = plan


def _open_store(
    raw: Path, plan: Plan, collection: Collection, restart: bool, server_now: float
) -> _Store:
    """Open the archive for appending: new, resumed, or set aside and restarted."""
    opened = open_archive(raw, plan.spec, restart=restart, what="collection")
    if opened.repair is not None:
        log.warning("%s", opened.repair)
        warnings.warn(str(opened.repair), RuntimeWarning, stacklevel=_caller_level())
    checkpoint = opened.checkpoint
    # A resumed collection is the same collection: datasets append only its new pages.
    collection.identity = f"{checkpoint.fingerprint}@{checkpoint.started_at:.6f}"
    if opened.new:
        checkpoint.requests = {
            s.key: {"path": s.path, "params": _jsonable(s.params)} for s in plan.streams
        }
        checkpoint.save(opened.checkpoint_path)
    else:
        # Positions first: where each stream stands decides how its request goes on.
        checkpoint.streams.update(resume_from_archive(opened.archive, plan, collection))
        plan = _with_saved_requests(plan, checkpoint, server_now)
        if collection.resumed_pages:
            log.info(
                "resuming %s: %d pages already in %s", plan.kind.name, collection.resumed_pages, raw
            )
            warnings.warn(
                f"resuming: {collection.resumed_pages} "
                f"{'page' if collection.resumed_pages == 1 else 'pages'} "
                f"({collection.items:,} items) "
                f"already in {raw}",
                ResumeNotice,
                stacklevel=_caller_level(),
            )
    return _Store(opened.archive, checkpoint, opened.checkpoint_path, plan)


def _with_saved_requests(plan: Plan, checkpoint: Checkpoint, server_now: float) -> Plan:
    """The plan with each stream's request as the first run sent it, so a resumed walk asks
    for the same thing; a relative time (``"7d"``) moves with the clock, though, or the first
    page after a late resume would be refused."""
    endpoint = get_endpoint(plan.endpoint)
    given = plan.spec.get("params") or {}
    relative = [name for name in TIME_PARAMS if is_relative(given.get(name))]
    streams = []
    for stream in plan.streams:
        saved = checkpoint.requests.get(stream.key)
        if saved:
            params = dict(saved.get("params") or {})
            floating = {name: params[name] for name in relative if name in params}
            moved = fit_window(endpoint, floating, server_now=server_now)
            params.update(moved)
            position = checkpoint.streams.get(stream.key)
            if moved and position is not None and position.token and endpoint.page_token:
                # The token was made for the old window: X would refuse it with the new one.
                sent = {**params, endpoint.page_token: position.token}
                rebound = continue_below(endpoint, sent, moved, position.below)
                if rebound is not None:
                    params, position.token = rebound, None
            stream = Stream(stream.key, dict(saved.get("path") or {}), params, stream.label)
        streams.append(stream)
    return Plan(
        plan.kind,
        plan.endpoint,
        tuple(streams),
        plan.spec,
        plan.limit,
        plan.max_pages,
        plan.concurrency,
    )


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, (tuple, set, frozenset)) else v for k, v in params.items()}


def _warn_partial_errors(collection: Collection) -> None:
    kinds = collection.partial_errors()
    if kinds:
        listed = ", ".join(f"{n} {t}" for t, n in sorted(kinds.items(), key=lambda x: -x[1]))
        warnings.warn(
            f"{sum(kinds.values())} partial errors ({listed}): in the collection's .errors "
            "(after a fetch_* call, twxdata.last_collection().errors)",
            PartialErrors,
            stacklevel=_caller_level(),
        )
    if collection.stream_errors:
        warnings.warn(
            f"{len(collection.stream_errors)} of {len(collection.streams)} targets stopped "
            "early: "
            + "; ".join(f"{k}: {v}" for k, v in list(collection.stream_errors.items())[:3])
            + (" ..." if len(collection.stream_errors) > 3 else ""),
            PartialErrors,
            stacklevel=_caller_level(),
        )


__all__ = [
    "CostCapReached",
    "PartialErrors",
    "ResumeError",
    "ResumeNotice",
    "TwxError",
    "collect",
    "last_collection",
]
