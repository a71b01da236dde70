"""Request validation, driven by the endpoint table: what the API answers with a 400.

``parse_request`` turns the query string of a GET into a ``Request`` or a list of
invalid-request error entries, with the messages the real service writes.

>>> from twxdata.endpoints import ENDPOINTS
>>> errors = parse_request(ENDPOINTS["search_recent_tweets"], {}, {"query": "cats",
...                        "max_results": "5"}, now=1.7e9)
>>> errors[0]["message"]
'The `max_results` query parameter value [5] is not between 10 and 100'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from twxdata.endpoints import Endpoint
from twxdata.fields import FIELD_PARAMS
from twxdata.testing import query as q
from twxdata.testing.problems import param_error
from twxdata.testing.timestamps import java_instant, parse_rfc3339

NUMERIC_ID = re.compile(r"^[0-9]{1,19}$")
USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
SPACE_ID = re.compile(r"^[a-zA-Z0-9]{1,13}$")
DM_CONVERSATION_ID = re.compile(r"^[0-9]{1,19}(-[0-9]{1,19})?$")  # group, or "<id>-<id>"
SEARCH_COUNT_FIELDS = frozenset({"end", "start", "tweet_count"})
END_MARGIN_S = 10  # end_time must be at least this far before the request time
RECENT_DAYS = 7
USAGE_DAYS = (1, 90)  # GET /2/usage/tweets: days of daily usage
# The spec (2.166) also lists these on search and counts; our table names only next_token.
_ALIASES = {"pagination_token": "next_token"}


@dataclass
class Request:
    """A validated request: what the handlers need, parsed."""

    endpoint: Endpoint
    path: dict[str, str]
    fields: dict[str, frozenset[str]] = field(default_factory=dict)
    expansions: frozenset[str] = frozenset()
    max_results: int | None = None
    page_token: str | None = None
    start: float | None = None
    end: float | None = None
    since_id: int | None = None
    until_id: int | None = None
    query: str | None = None
    node: q.Node | None = None
    granularity: str = "hour"
    exclude: frozenset[str] = frozenset()
    ids: list[str] = field(default_factory=list)
    extra: dict[str, str] = field(default_factory=dict)

    def scope(self) -> str:
        """What a page token of this request is bound to."""
        filters = [self.query or "", ",".join(sorted(self.exclude)), self.granularity]
        filters += [str(x) for x in (self.start, self.end, self.since_id, self.until_id)]
        return "|".join([self.endpoint.name, *self.path.values(), *filters])


def _join(values: list[str] | frozenset[str]) -> str:
    return ",".join(sorted(values))


def _not_one_of(name: str, value: str, allowed: frozenset[str], raw: str) -> dict[str, Any]:
    return param_error(
        f"The `{name}` query parameter value [{value}] is not one of [{_join(allowed)}]",
        **{name: [raw]},
    )


def _path_errors(e: Endpoint, path: Mapping[str, str]) -> list[dict[str, Any]]:
    errors = []
    for name, value in path.items():
        if name == "username":
            pattern = USERNAME
        elif e.path.startswith("/2/spaces/"):
            pattern = SPACE_ID
        elif name == "dm_conversation_id" or e.path.startswith("/2/dm_conversations/{id}"):
            pattern = DM_CONVERSATION_ID
        else:
            pattern = NUMERIC_ID
        if not pattern.match(value):
            errors.append(
                param_error(
                    f"The `{name}` query parameter value [{value}] does not "
                    f"match {pattern.pattern}",
                    **{name: [value]},
                )
            )
    return errors


def allowed_params(e: Endpoint) -> frozenset[str]:
    """Query parameters the fake API accepts for ``e``: the table's, plus spec aliases."""
    names = set(e.query_params)
    if "query" in e.params:
        names.add("pagination_token")
    if e.result.value == "counts":
        names |= {"search_count.fields", "next_token"}
    return frozenset(names)


def parse_request(
    e: Endpoint, path: Mapping[str, str], params: Mapping[str, str], now: float
) -> Request | list[dict[str, Any]]:
    """Validate ``params`` for endpoint ``e``; return a ``Request`` or the error entries."""
    errors = _path_errors(e, path)
    allowed = allowed_params(e)
    for name, value in params.items():
        if name not in allowed:
            errors.append(
                param_error(
                    f"The query parameter [{name}] is not one of [{_join(allowed)}]",
                    **{name: [value]},
                )
            )
    for name in sorted(e.required):
        if not params.get(name):
            errors.append(
                param_error(f"The `{name}` query parameter can not be empty", **{name: []})
            )
    req = Request(endpoint=e, path=dict(path))
    for name in e.field_params:
        raw = params.get(name)
        if raw is None:
            continue
        values = frozenset(v for v in raw.split(",") if v)
        errors += [
            _not_one_of(name, v, FIELD_PARAMS[name], raw)
            for v in sorted(values - FIELD_PARAMS[name])
        ]
        req.fields[name] = values
    raw = params.get("search_count.fields")
    if raw is not None:
        errors += [
            _not_one_of("search_count.fields", v, SEARCH_COUNT_FIELDS, raw)
            for v in sorted(set(raw.split(",")) - SEARCH_COUNT_FIELDS)
        ]
    raw = params.get("expansions")
    if raw is not None and "expansions" in allowed:
        values = frozenset(v for v in raw.split(",") if v)
        errors += [
            _not_one_of("expansions", v, e.expansions, raw) for v in sorted(values - e.expansions)
        ]
        req.expansions = values
    for name, choices in e.choices.items():
        raw = params.get(name)
        if raw is None:
            continue
        values = frozenset(raw.split(",")) if name in e.list_params else frozenset([raw])
        errors += [_not_one_of(name, v, choices, raw) for v in sorted(values - choices)]
        if name == "exclude":
            req.exclude = values
        elif name == "granularity":
            req.granularity = raw
        else:
            req.extra[name] = raw
    for name in ("state", "type", "status", "dry_run", "delete_all"):
        if name in params and name not in e.choices:
            req.extra[name] = params[name]
    if "ids" in e.params and params.get("ids"):  # the stream's rules: kept as given
        req.extra["ids"] = params["ids"]
    errors += _page_size(e, params, req)
    if "days" in e.params and "days" in params:
        errors += _days(params["days"], req)
    if "backfill_minutes" in e.params and "backfill_minutes" in params:
        errors += _backfill(params["backfill_minutes"], req)
    if e.ids_param and params.get(e.ids_param):
        errors += _ids(e, params[e.ids_param], req)
    token_names = [n for n in (e.page_token, "pagination_token") if n and n in allowed]
    for name in token_names:
        if params.get(name):
            req.page_token = params[name]
    if "query" in e.params and params.get("query"):
        req.query = params["query"]
        errors += _query(e, req.query, req)
    errors += _time_window(e, params, req, now)
    return errors or req


def _page_size(e: Endpoint, params: Mapping[str, str], req: Request) -> list[dict[str, Any]]:
    raw = params.get("max_results")
    if raw is None or e.page_size is None:
        return []
    lo, hi = e.page_size
    # Context annotations are expensive: full-archive search serves at most 100 with them.
    if e.name == "search_all_tweets" and "context_annotations" in req.fields.get(
        "tweet.fields", frozenset()
    ):
        hi = min(hi, 100)
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        return [
            param_error(
                f"The `max_results` query parameter value [{raw}] is not between {lo} and {hi}",
                max_results=[raw],
            )
        ]
    req.max_results = value
    return []


def _days(raw: str, req: Request) -> list[dict[str, Any]]:
    """``days`` of ``GET /2/usage/tweets``: 1 to 90 (kept in ``extra``)."""
    lo, hi = USAGE_DAYS
    if not (raw.isdigit() and lo <= int(raw) <= hi):
        return [
            param_error(
                f"The `days` query parameter value [{raw}] is not between {lo} and {hi}",
                days=[raw],
            )
        ]
    req.extra["days"] = str(int(raw))
    return []


def _backfill(raw: str, req: Request) -> list[dict[str, Any]]:
    """``backfill_minutes`` of the filtered stream: 1 to 5 (kept in ``extra``)."""
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 5):
        return [
            param_error(
                f"The `backfill_minutes` query parameter value [{raw}] is not between 1 and 5",
                backfill_minutes=[raw],
            )
        ]
    req.extra["backfill_minutes"] = str(int(raw))
    return []


def _ids(e: Endpoint, raw: str, req: Request) -> list[dict[str, Any]]:
    name = e.ids_param or "ids"
    values = raw.split(",")
    pattern = (
        USERNAME
        if name == "usernames"
        else SPACE_ID
        if e.path.startswith("/2/spaces") and name == "ids"
        else NUMERIC_ID
    )
    bad = [v for v in values if not pattern.match(v)]
    if bad:
        return [
            param_error(
                f"The `{name}` query parameter value [{bad[0]}] does not match {pattern.pattern}",
                **{name: [raw]},
            )
        ]
    if len(values) > (e.max_ids or 100):
        return [
            param_error(
                f"The number of values in the `{name}` query parameter list "
                f"[{len(values)}] is not between 1 and {e.max_ids}",
                **{name: [raw]},
            )
        ]
    req.ids = list(dict.fromkeys(values))
    return []


def _query(e: Endpoint, text: str, req: Request) -> list[dict[str, Any]]:
    if e.max_query_length and len(text) > e.max_query_length:
        return [
            param_error(
                "There were errors processing your request: Rule length exceeds "
                f"the max allowed. Rule: {len(text)}, max allowed: "
                f"{e.max_query_length}",
                query=[text],
            )
        ]
    try:
        req.node = q.parse(text)
    except q.QueryError as exc:
        return [param_error(f"There were errors processing your request: {exc}", query=[text])]
    return []


def _time_window(
    e: Endpoint, params: Mapping[str, str], req: Request, now: float
) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    parsed: dict[str, float] = {}
    for name in ("start_time", "end_time"):
        raw = params.get(name)
        if raw is None or name not in e.params:
            continue
        value = parse_rfc3339(raw)
        if value is None:
            errors.append(
                param_error(
                    f"The `{name}` query parameter value [{raw}] is not a valid RFC 3339 date-time",
                    **{name: [raw]},
                )
            )
        else:
            parsed[name] = value
    for name in ("since_id", "until_id"):
        raw = params.get(name)
        if raw is None or name not in e.params:
            continue
        if not NUMERIC_ID.match(raw):
            errors.append(
                param_error(
                    f"The `{name}` query parameter value [{raw}] does not "
                    f"match {NUMERIC_ID.pattern}",
                    **{name: [raw]},
                )
            )
        else:
            setattr(req, name, int(raw))
    req.start, req.end = parsed.get("start_time"), parsed.get("end_time")
    search_like = "query" in e.params
    ids = {n: params[n] for n in ("since_id", "until_id") if n in params}
    times = {n: params[n] for n in ("start_time", "end_time") if n in params}
    if search_like and ids and times:
        errors.append(
            param_error(
                "Invalid use of 'since_id' or 'until_id' in conjunction with "
                "'start_time' or 'end_time'.",
                **{k: [v] for k, v in {**ids, **times}.items()},
            )
        )
    if req.start is not None and req.end is not None and req.start >= req.end:
        s, t = java_instant(req.start), java_instant(req.end)
        errors.append(
            param_error(
                f"Invalid 'start_time':'{s}'. 'start_time' must be before 'end_time':{t}",
                start_time=[s],
                end_time=[t],
            )
        )
    if search_like and req.end is not None and req.end > now - END_MARGIN_S:
        t = java_instant(req.end)
        errors.append(
            param_error(
                f"Invalid 'end_time':'{t}'. 'end_time' must be a minimum of "
                f"{END_MARGIN_S} seconds prior to the request time.",
                end_time=[t],
            )
        )
    if search_like and e.name.endswith(("recent_tweets", "recent_tweets_count")):
        earliest = now - RECENT_DAYS * 86_400
        if req.start is not None and req.start < earliest:
            s = java_instant(req.start)
            errors.append(
                param_error(
                    f"Invalid 'start_time':'{s}'. 'start_time' must be on or "
                    f"after {java_instant(earliest)}",
                    start_time=[s],
                )
            )
    return errors
