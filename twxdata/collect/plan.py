"""From a call's arguments to a ``Plan``: validated, resolved, before any request is sent.

Everything the API would reject is rejected here (through the same validation the client uses),
relative times are resolved once, and users given as ``@names`` are resolved to ids — the only
requests made while planning, and only after every other check passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from twxdata.client import Client
from twxdata.collect.kinds import KINDS, Kind
from twxdata.collect.users import as_list, resolve_users, split_users
from twxdata.collect.walk import Plan, Stream, plain
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ParameterError
from twxdata.fields import research_params
from twxdata.protocol.params import api_name, snowflake, split_ids
from twxdata.protocol.timefmt import is_relative, to_rfc3339
from twxdata.protocol.window import settle_window

TIME_PARAMS = ("start_time", "end_time")
WINDOW_PARAMS = (*TIME_PARAMS, "since_id", "until_id")
Fields = str | Mapping[str, Any] | None


def field_params(kind: Kind, fields: Fields) -> dict[str, Any]:
    """The field and expansion parameters for ``fields``: "research", "minimal" or a mapping.

    >>> sorted(field_params(KINDS["followers"], "research"))
    ['expansions', 'tweet.fields', 'user.fields']
    >>> field_params(KINDS["search"], "minimal")
    {}
    """
    if kind.result == "counts" or fields in (None, "minimal"):
        return {}
    if fields == "research":
        return dict(research_params(kind.result))
    if isinstance(fields, Mapping):
        return {api_name(k): v for k, v in fields.items()}
    raise ParameterError(
        "fields",
        "must be 'research', 'minimal' or a mapping such as {'tweet.fields': [...]}",
        got=fields,
    )


def check_positive(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(name, "must be a positive integer", got=value)


async def make_plan(
    client: Client,
    kind_name: str,
    targets: Any,
    *,
    archive: bool = False,
    fields: Fields = "research",
    limit: int | None = None,
    max_pages: int | None = None,
    concurrency: int = 4,
    params: Mapping[str, Any] | None = None,
) -> Plan:
    """Validate a collection request and plan its streams; raises ``ParameterError`` first."""
    kind = KINDS[kind_name]
    if archive and kind.archive_endpoint is None:
        raise ParameterError("archive", f"{kind.name} has no full-archive endpoint")
    for name, value in (("limit", limit), ("max_pages", max_pages),
                        ("concurrency", concurrency)):  # fmt: skip
        check_positive(name, value)
    given = {api_name(k): v for k, v in (params or {}).items() if v is not None}
    if not kind.time_window:
        for name in WINDOW_PARAMS:
            if name in given:
                raise ParameterError(name, f"{kind.name} takes no time window")
    values = [] if kind.target == "me" else as_list(targets, kind.target)
    endpoint_name = _endpoint_name(kind, archive, values)
    endpoint = get_endpoint(endpoint_name)
    sent = _resolve_times(client, endpoint, {**field_params(kind, fields), **given})
    if (
        endpoint_name == "search_all_tweets"
        and "max_results" not in sent
        and "context_annotations" in (sent.get("tweet.fields") or ())
    ):
        sent["max_results"] = 100  # search/all caps pages at 100 with context_annotations
    _check(client, endpoint, sent)
    streams = await _streams(client, kind, endpoint, values, sent)
    for stream in streams:  # real values now: query lengths, id formats
        client.prepare(endpoint, path=_probe_path(endpoint, stream.path), params=stream.params)
    spec = collection_spec(
        kind.name, values, archive=archive, fields=fields, limit=limit, max_pages=max_pages,
        params=params,
    )  # fmt: skip
    return Plan(kind, endpoint_name, tuple(streams), spec, limit, max_pages, concurrency)


def collection_spec(
    kind_name: str,
    targets: Any,
    *,
    archive: bool = False,
    fields: Fields = "research",
    limit: int | None = None,
    max_pages: int | None = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What makes two runs the same collection, without a request: the record kept in the
    checkpoint and in every table's provenance (``collection``).

    >>> spec = collection_spec("search", "cats", limit=10)
    >>> spec["targets"], spec["endpoint"], spec["limit"]
    (['cats'], 'search_recent_tweets', 10)
    """
    kind = KINDS[kind_name]
    values = [] if kind.target == "me" else as_list(targets, kind.target)
    return {
        "kind": kind.name,
        "endpoint": _endpoint_name(kind, archive, values),
        "targets": [str(v) for v in values],
        "params": plain({api_name(k): v for k, v in (params or {}).items() if v is not None}),
        "fields": fields if isinstance(fields, (str, type(None))) else plain(dict(fields)),
        "limit": limit,
        "max_pages": max_pages,
    }


def _endpoint_name(kind: Kind, archive: bool, values: Sequence[Any]) -> str:
    if kind.target == "user_ids" and not split_users(values)[0]:
        return "get_users_by_usernames"  # only @names: look them up by name
    return kind.endpoint_for(archive)


def _resolve_times(client: Client, endpoint: Endpoint, params: dict[str, Any]) -> dict[str, Any]:
    """Times as sent: relative ones resolved on the server's clock (as far as the client knows
    it), and the window settled inside what the endpoint accepts (``protocol.window``)."""
    times = [name for name in TIME_PARAMS if name in params]
    if not times:
        return dict(params)
    server_now = client.server_now()
    now = datetime.fromtimestamp(server_now, tz=timezone.utc)
    resolved = {
        name: to_rfc3339(params[name], parameter=name, now=now,
                         allow_naive=client.allow_naive_datetimes)
        for name in times
    }  # fmt: skip
    relative = {name for name in times if is_relative(params[name])}
    settled = settle_window(endpoint, resolved, server_now=server_now, relative=relative)
    return {**params, **settled}


def _check(client: Client, endpoint: Endpoint, sent: Mapping[str, Any]) -> None:
    """Validate the shared parameters with stand-in targets, before any request."""
    probe = dict(sent)
    if "query" in endpoint.required:
        probe.setdefault("query", "probe")
    if endpoint.ids_param:
        probe[endpoint.ids_param] = ["probe"] if endpoint.ids_param == "usernames" else ["1"]
    client.prepare(endpoint, path=_probe_path(endpoint, {}), params=probe)


async def _streams(
    client: Client, kind: Kind, endpoint: Endpoint, values: Sequence[Any], sent: dict[str, Any]
) -> list[Stream]:
    if kind.target == "me":
        return [Stream("me", params=dict(sent))]
    if kind.target == "query":
        for value in values:
            if not isinstance(value, str):
                raise ParameterError("query", "must be a string or a list of strings", got=value)
        return [Stream(q, params={"query": q, **sent}) for q in dict.fromkeys(values)]
    if kind.target in ("tweet", "list"):
        ids = dict.fromkeys(snowflake(v, f"{kind.target}s") for v in values)
        return [Stream(i, path={"id": i}, params=dict(sent)) for i in ids]
    if kind.target == "user":
        resolved = await resolve_users(client, values)
        names = {i: given.lstrip("@") for given, i in resolved.items() if given != i}
        ids = dict.fromkeys(resolved.values())
        return [Stream(i, path={"id": i}, params=dict(sent), label=names.get(i)) for i in ids]
    if kind.target == "user_ids" and endpoint.ids_param == "ids":
        values = list((await resolve_users(client, values)).values())
    assert endpoint.ids_param is not None
    name = endpoint.ids_param
    return [
        Stream(f"batch {n}", params={name: batch, **sent})
        for n, batch in enumerate(split_ids(endpoint, values))
    ]


def _probe_path(endpoint: Endpoint, given: Mapping[str, str]) -> dict[str, str]:
    # The authenticating user's id is filled in by the client at send time.
    return {name: given.get(name, "1") for name in endpoint.path_params}
