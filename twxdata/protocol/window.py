"""A request's time window, kept inside what its endpoint accepts on the server's clock.

X checks ``start_time`` and ``end_time`` against its own clock when a request arrives: the
recent search and counts endpoints refuse a ``start_time`` more than 7 days back, and every
search and counts endpoint refuses an ``end_time`` less than 10 s in the past (both 400s,
which no retry cures). The limits are facts of the endpoint table (``Endpoint.lookback``,
``Endpoint.end_margin``); this module applies them. Pure: the caller passes the server's
``now`` (Unix seconds; ``server_clock_offset`` reads it from a ``Date`` header).

- **Planning** (``settle_window``): a time just outside an edge is moved inside it, which is
  what ``"7d"`` or ``"now"`` mean on these endpoints. A relative time far outside (``"8d"`` on
  the recent search) is refused with a ``ParameterError`` before anything is sent: it is
  outside on any clock. An absolute time far outside is left for the server to judge, since
  only the server's clock decides (a test server may run on a frozen clock).
- **Sending** (``fit_window`` with ``max_shift``): every attempt is fitted again, by as much
  as the clock moved since the times were settled, because the edges move while a
  collection runs (rate-limit waits, retries).

Both keep ``MARGIN`` seconds inside each edge: the request's time in flight and the ``Date``
header's one-second resolution must not push it outside.

>>> from twxdata.endpoints import ENDPOINTS
>>> recent = ENDPOINTS["search_recent_tweets"]
>>> now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
>>> fit_window(recent, {"start_time": "2023-11-07T22:13:20Z"}, server_now=now)
{'start_time': '2023-11-07T22:13:35Z'}
>>> fit_window(recent, {"start_time": "2023-11-10T00:00:00Z"}, server_now=now)
{}
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import datetime, timezone

from twxdata.endpoints import Endpoint
from twxdata.errors import ParameterError
from twxdata.protocol.ratelimit import server_time
from twxdata.protocol.timefmt import RFC3339, utc_text

MARGIN = 15.0  # seconds kept inside each edge
TOLERANCE = 120.0  # an absolute time this close outside an edge is moved in, not refused
# A relative time is resolved on the user's clock until an answer tells X's: allow for skew.
RELATIVE_TOLERANCE = 3600.0


def edges(endpoint: Endpoint, *, server_now: float) -> tuple[float | None, float | None]:
    """The earliest ``start_time`` and the latest ``end_time`` to send now (Unix seconds,
    whole, ``MARGIN`` inside), or ``None`` where the endpoint sets no limit.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> edges(ENDPOINTS["search_all_tweets"], server_now=1000.0)
    (None, 975.0)
    """
    earliest = latest = None
    if endpoint.lookback is not None:
        earliest = float(math.ceil(server_now - endpoint.lookback + MARGIN))
    if endpoint.end_margin:
        latest = float(math.floor(server_now - endpoint.end_margin - MARGIN))
    return earliest, latest


def fit_window(
    endpoint: Endpoint,
    params: Mapping[str, str],
    *,
    server_now: float,
    max_shift: float = math.inf,
) -> dict[str, str]:
    """The serialised time parameters that must change to be accepted at ``server_now``:
    ``start_time`` moved up to the earliest edge, ``end_time`` down to the latest, each only
    when it lies at most ``max_shift`` seconds outside. Empty when nothing moves (the common
    case)."""
    if not (endpoint.lookback or endpoint.end_margin):
        return {}
    earliest, latest = edges(endpoint, server_now=server_now)
    changes: dict[str, str] = {}
    start = _parse(params.get("start_time"))
    end = _parse(params.get("end_time"))
    if earliest is not None and start is not None and 0 < earliest - start <= max_shift:
        changes["start_time"] = _format(earliest)
    if latest is not None and end is not None and 0 < end - latest <= max_shift:
        changes["end_time"] = _format(latest)
    return changes


def continue_below(
    endpoint: Endpoint,
    params: Mapping[str, str],
    changes: Mapping[str, str],
    below: str | None,
) -> dict[str, str] | None:
    """The whole query that continues a walk whose ``start_time`` must move (``changes``) when
    its page token cannot: X binds a token to the query it was made for, so a moved start
    with an old token is refused (400). Pages come newest first, so the same walk goes on
    below the oldest post received: ``until_id`` (exclusive), without the token, and without
    ``start_time`` and ``end_time``, which X refuses beside an id. A start that had to move
    lay at the endpoint's edge, which is where the search reaches by default; the end is
    above ``until_id`` already. ``None`` when nothing needs it (no token, the start stays) or
    it cannot be done (relevancy order, or no post received yet).

    >>> from twxdata.endpoints import ENDPOINTS
    >>> recent = ENDPOINTS["search_recent_tweets"]
    >>> sent = {"query": "cats", "start_time": "2023-11-07T22:13:20Z", "next_token": "b26v"}
    >>> continue_below(recent, sent, {"start_time": "2023-11-07T22:13:35Z"}, below="1700")
    {'query': 'cats', 'until_id': '1700'}
    >>> continue_below(recent, sent, {"end_time": "2023-11-14T22:12:55Z"}, below="1700") is None
    True
    """
    token = endpoint.page_token
    if not token or token not in params or "start_time" not in changes or not below:
        return None
    if "until_id" not in endpoint.query_params or params.get("sort_order") == "relevancy":
        return None
    dropped = {token, "start_time", "end_time"}
    query = {name: value for name, value in params.items() if name not in dropped}
    query["until_id"] = below
    return query


def settle_window(
    endpoint: Endpoint,
    params: Mapping[str, str],
    *,
    server_now: float,
    relative: Collection[str] = (),
) -> dict[str, str]:
    """``params`` with their time window settled before a collection starts.

    A time outside an edge is moved inside it when within ``TOLERANCE`` of it. Names in
    ``relative`` were given as relative times, resolved on a clock that may differ from X's:
    they are moved within ``RELATIVE_TOLERANCE`` and refused beyond. Other times further out
    are left as they are, for the server to judge.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> settle_window(ENDPOINTS["search_recent_tweets"], {"start_time": "2023-11-01T00:00:00Z"},
    ...               server_now=1_700_000_000.0, relative={"start_time"})
    Traceback (most recent call last):
    ...
    twxdata.errors.ParameterError: start_time: the recent search reaches back 7 days, to 2023-11-07T22:13:35Z; older posts need the full-archive search (archive=True, --archive) (got '2023-11-01T00:00:00Z')
    """  # noqa: E501
    changes = fit_window(endpoint, params, server_now=server_now)
    earliest, latest = edges(endpoint, server_now=server_now)
    what = _what(endpoint)
    for name, moved in list(changes.items()):
        given = _parse(params[name])
        assert given is not None
        distance = abs(given - (_parse(moved) or given))
        if distance <= (RELATIVE_TOLERANCE if name in relative else TOLERANCE):
            continue
        if name not in relative:
            del changes[name]  # only the server's clock can say: let it
            continue
        if name == "start_time":
            raise ParameterError(
                name,
                f"{what} reaches back {_days(endpoint)} days, to {moved}; older posts need "
                "the full-archive search (archive=True, --archive)",
                got=params[name],
            )
        raise ParameterError(
            name,
            f"is in the future: {what} takes times at least {endpoint.end_margin:g} s in the "
            f"past (up to {moved} now); leave it out to collect up to now",
            got=params[name],
        )
    out = {**params, **changes}
    start, end = _parse(out.get("start_time")), _parse(out.get("end_time"))
    if latest is not None and start is not None and start >= latest:
        given = _parse(params.get("start_time")) or start
        if "start_time" in relative or given - latest <= TOLERANCE:
            raise ParameterError(
                "start_time",
                f"leaves an empty window: {what} serves posts up to {endpoint.end_margin:g} s "
                f"ago, so start at least a minute back (up to {_format(latest)} now)",
                got=params.get("start_time"),
            )
    if changes and start is not None and end is not None and start >= end:
        if earliest is not None and end <= earliest:
            raise ParameterError(
                "end_time",
                f"the whole window lies before what {what} reaches "
                f"({_days(endpoint)} days back, to {_format(earliest)})",
                got=params.get("end_time"),
            )
        if latest is not None and start >= latest:
            raise ParameterError(
                "start_time",
                f"must be at least {endpoint.end_margin:g} s in the past for {what}",
                got=params.get("start_time"),
            )
    return out


def server_clock_offset(headers: Mapping[str, str], *, now: float) -> float | None:
    """How far the server's clock (its ``Date`` header) is ahead of ``now``, in seconds;
    ``None`` without a readable ``Date``. ``Date`` is cut to the second, so half a second is
    added to centre the estimate.

    >>> server_clock_offset({"Date": "Tue, 14 Nov 2023 22:13:30 GMT"}, now=1_700_000_000.0)
    10.5
    """
    value = next((v for k, v in headers.items() if k.lower() == "date"), None)
    moment = server_time(value)
    return None if moment is None else moment + 0.5 - now


_NAMES = {
    "/2/tweets/search/recent": "the recent search",
    "/2/tweets/search/all": "the full-archive search",
    "/2/tweets/counts/recent": "the recent counts endpoint",
    "/2/tweets/counts/all": "the full-archive counts endpoint",
}


def _what(endpoint: Endpoint) -> str:
    return _NAMES.get(endpoint.path, endpoint.path)


def _days(endpoint: Endpoint) -> str:
    return f"{(endpoint.lookback or 0) / 86_400:g}"


def _parse(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, RFC3339).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None  # not ours to judge here: params validation has its own message


def _format(moment: float) -> str:
    return utc_text(moment)
