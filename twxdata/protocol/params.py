"""Validate and serialise request parameters against the endpoint table. Pure: no I/O.

Everything the API would answer with a 400 is caught here first, with a message that names the
parameter and what is allowed — a 400 from X costs a request from the rate-limit window and, for
a long collection, is found only hours later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from twxdata.endpoints import Endpoint, Result
from twxdata.errors import ParameterError
from twxdata.fields import FIELD_PARAMS
from twxdata.protocol.timefmt import to_utc, utc_text

_SNOWFLAKE = re.compile(r"^[0-9]{1,19}$")
_USERNAME = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_SPACE_ID = re.compile(r"^[A-Za-z0-9]{1,15}$")
_DM_CONVERSATION = re.compile(r"^[0-9]{1,19}(-[0-9]{1,19})?$")
_TIME_PARAMS = ("start_time", "end_time")
_ID_PARAMS = ("since_id", "until_id")


def api_name(name: str) -> str:
    """Map a Python keyword (``tweet_fields``) to the API's parameter name (``tweet.fields``).

    >>> api_name("tweet_fields"), api_name("max_results"), api_name("place.fields")
    ('tweet.fields', 'max_results', 'place.fields')
    """
    if name.endswith("_fields"):
        return name[: -len("_fields")] + ".fields"
    return name


def prepare_query(
    endpoint: Endpoint,
    params: Mapping[str, Any],
    *,
    allow_naive: bool = False,
    now: datetime | None = None,
    max_query_length: int | None = None,
) -> dict[str, str]:
    """Check ``params`` for ``endpoint`` and return the query string values, all strings.

    ``None`` values are dropped. Lists become comma-joined strings, times RFC 3339 UTC with
    second precision, ids digit strings. ``max_query_length`` overrides the endpoint's limit
    (Pro and Enterprise access allow 4096 characters). Raises ``ParameterError`` naming the
    parameter and what is allowed.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> prepare_query(ENDPOINTS["search_recent_tweets"],
    ...               {"query": "cats", "tweet_fields": ["lang", "created_at"], "max_results": 50})
    {'query': 'cats', 'tweet.fields': 'lang,created_at', 'max_results': '50'}
    """
    allowed = endpoint.query_params
    out: dict[str, str] = {}
    times: dict[str, datetime] = {}
    for key, value in params.items():
        if value is None:
            continue
        name = api_name(key)
        if name not in allowed:
            listing = ", ".join(sorted(allowed)) if allowed else "none"
            raise ParameterError(
                key,
                f"not a parameter of {endpoint.name} ({endpoint.method} {endpoint.path}); "
                f"allowed: {listing}",
                allowed=sorted(allowed),
            )
        if name in FIELD_PARAMS:
            out[name] = _join_choices(name, value, FIELD_PARAMS[name])
        elif name == "expansions":
            out[name] = _join_choices(name, value, endpoint.expansions)
        elif name == "max_results":
            out[name] = str(_page_size(endpoint, value))
        elif name in _TIME_PARAMS:
            times[name] = to_utc(value, parameter=name, allow_naive=allow_naive, now=now)
            out[name] = utc_text(times[name])
        elif name in _ID_PARAMS:
            out[name] = snowflake(value, name)
        elif name == "query":
            out[name] = _query(endpoint, value, max_query_length)
        elif name == endpoint.ids_param:
            out[name] = _id_list(endpoint, name, value)
        elif name == endpoint.page_token:
            out[name] = _token(name, value)
        elif name in endpoint.choices:
            choices = endpoint.choices[name]
            if name in endpoint.list_params:
                out[name] = _join_choices(name, value, choices)
            else:
                out[name] = _choice(name, value, choices)
        else:
            out[name] = _scalar(name, value)
    for name in endpoint.required:
        if name not in out:
            raise ParameterError(name, f"is required by {endpoint.name}")
    for name, text in out.items():
        sendable(name, text)
    _check_window(endpoint, out, times)
    _check_context_annotations_cap(endpoint, out)
    return out


def sendable(name: str, text: str) -> str:
    r"""``text`` if HTTP can carry it as UTF-8; a ``ParameterError`` naming the position of the
    first character it cannot (a lone surrogate: what Python makes of an invalid UTF-8 byte on
    a command line, or of a string cut in the middle of an emoji).

    >>> sendable("query", "caf\u00e9")
    'café'
    >>> sendable("query", "ab\udcff")
    Traceback (most recent call last):
    ...
    twxdata.errors.ParameterError: query: holds a character that is not text at position 3 (an invalid UTF-8 byte or half of a surrogate pair); fix its encoding
    """  # noqa: E501
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParameterError(
            name,
            f"holds a character that is not text at position {exc.start + 1} (an invalid "
            "UTF-8 byte or half of a surrogate pair); fix its encoding",
        ) from None
    return text


def prepare_path(endpoint: Endpoint, values: Mapping[str, Any]) -> str:
    """Fill the path template, checking and URL-quoting each value.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> prepare_path(ENDPOINTS["get_users_followers"], {"id": 783214})
    '/2/users/783214/followers'
    """
    filled: dict[str, str] = {}
    for name in endpoint.path_params:
        if values.get(name) is None:
            raise ParameterError(name, f"is required by {endpoint.name} ({endpoint.path})")
        filled[name] = quote(sendable(name, _path_value(endpoint, name, values[name])), safe="")
    extra = set(values) - set(endpoint.path_params)
    if extra:
        raise ParameterError(
            sorted(extra)[0],
            f"not a path parameter of {endpoint.name}; it has {list(endpoint.path_params)}",
        )
    return endpoint.path.format(**filled)


def prepare_body(endpoint: Endpoint, body: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Check the top-level keys of a write's JSON body; ``None`` for endpoints without one.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> prepare_body(ENDPOINTS["like"], {"tweet_id": 20})
    {'tweet_id': '20'}
    """
    if not body:
        if endpoint.body and endpoint.method in ("POST", "PUT"):
            raise ParameterError("body", f"{endpoint.name} needs one of {sorted(endpoint.body)}")
        return None
    unknown = set(body) - set(endpoint.body)
    if unknown:
        raise ParameterError(
            sorted(unknown)[0],
            f"not a body field of {endpoint.name}; allowed: {', '.join(sorted(endpoint.body))}",
        )
    out: dict[str, Any] = {}
    for key, value in body.items():
        if value is None:
            continue
        # Ids travel as JSON strings: a 19-digit snowflake loses digits as a JSON number in
        # many parsers, and the API's schemas declare them as strings.
        out[key] = snowflake(value, key) if key.endswith("_id") else value
    return out


def snowflake(value: Any, parameter: str) -> str:
    """An id as the API wants it: a string of 1 to 19 digits.

    >>> snowflake(1293593516040269825, "id")
    '1293593516040269825'
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ParameterError(parameter, "must be an id: an int or a string of digits", got=value)
    text = str(value).strip()
    if not _SNOWFLAKE.match(text):
        raise ParameterError(parameter, "must be 1 to 19 digits", got=value)
    return text


def split_ids(endpoint: Endpoint, values: Iterable[Any]) -> list[list[str]]:
    """Validate ids (or usernames) for a lookup endpoint and cut them into request-sized batches.

    >>> from twxdata.endpoints import ENDPOINTS
    >>> [len(b) for b in split_ids(ENDPOINTS["get_tweets"], range(1, 251))]
    [100, 100, 50]
    """
    if endpoint.ids_param is None or endpoint.max_ids is None:
        raise ParameterError("ids", f"{endpoint.name} does not take a list of ids")
    name = endpoint.ids_param
    items = _as_list(values, name)
    checked = [_one_id(endpoint, name, v) for v in items]
    unique = list(dict.fromkeys(checked))
    size = endpoint.max_ids
    return [unique[i : i + size] for i in range(0, len(unique), size)]


def _path_value(endpoint: Endpoint, name: str, value: Any) -> str:
    if name == "username":
        return _one_id(endpoint, "usernames", value)
    if name == "id" and endpoint.path.startswith("/2/spaces/"):  # buyers and posts too
        text = str(value)
        if not _SPACE_ID.match(text):
            raise ParameterError(name, "must be a Space id (letters and digits)", got=value)
        return text
    if name == "dm_conversation_id" or endpoint.path.startswith("/2/dm_conversations/{id}"):
        text = str(value)
        if not _DM_CONVERSATION.match(text):
            raise ParameterError(name, "must be a conversation id like '123-456'", got=value)
        return text
    return snowflake(value, name)


def _one_id(endpoint: Endpoint, name: str, value: Any) -> str:
    if name == "usernames":
        if not isinstance(value, str):
            raise ParameterError("usernames", "must be strings", got=value)
        text = value.strip().removeprefix("@")
        if not _USERNAME.match(text):
            raise ParameterError(
                "usernames", "must be 1 to 15 letters, digits or underscores", got=value
            )
        return text
    if name == "ids" and endpoint.result is Result.SPACES:
        text = str(value).strip()
        if not _SPACE_ID.match(text):
            raise ParameterError(name, "must be Space ids (letters and digits)", got=value)
        return text
    return snowflake(value, name)


def _id_list(endpoint: Endpoint, name: str, value: Any) -> str:
    items = _as_list(value, name)
    if not items:
        raise ParameterError(name, "must hold at least one id")
    if endpoint.max_ids is not None and len(items) > endpoint.max_ids:
        raise ParameterError(
            name,
            f"at most {endpoint.max_ids} per request (got {len(items)}); "
            "split_ids() and the lookup functions batch longer lists for you",
        )
    return ",".join(_one_id(endpoint, name, v) for v in items)


def _as_list(value: Any, name: str) -> list[Any]:
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        return list(value)
    raise ParameterError(name, "must be a list or a comma-separated string", got=value)


def _join_choices(name: str, value: Any, allowed: frozenset[str]) -> str:
    items = [str(v).strip() for v in _as_list(value, name)]
    if not items:
        raise ParameterError(name, "must not be empty")
    unknown = [v for v in items if v not in allowed]
    if unknown:
        raise ParameterError(
            name,
            f"unknown value {unknown[0]!r}; allowed: {', '.join(sorted(allowed))}",
            allowed=sorted(allowed),
        )
    return ",".join(dict.fromkeys(items))


def _choice(name: str, value: Any, allowed: frozenset[str]) -> str:
    text = str(value)
    if text not in allowed:
        raise ParameterError(
            name, f"must be one of {', '.join(sorted(allowed))}", got=value, allowed=sorted(allowed)
        )
    return text


def _page_size(endpoint: Endpoint, value: Any) -> int:
    bounds = endpoint.page_size
    if bounds is None:  # pragma: no cover - max_results is only allowed with bounds
        raise ParameterError("max_results", f"{endpoint.name} has no page size")
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        else:
            raise ParameterError("max_results", "must be an integer", got=value)
    low, high = bounds
    if not low <= value <= high:
        raise ParameterError(
            "max_results", f"must be between {low} and {high} for {endpoint.name}", got=value
        )
    return int(value)


def _query(endpoint: Endpoint, value: Any, override: int | None) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParameterError("query", "must be a non-empty string", got=value)
    limit = override or endpoint.max_query_length
    if limit is not None and len(value) > limit:
        raise ParameterError(
            "query",
            f"is {len(value)} characters; {endpoint.name} allows {limit} "
            "(Pro and Enterprise access allow 4096: max_query_length= on the Client, "
            "--max-query-length on the command line)",
        )
    return value


def _token(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 512:
        raise ParameterError(
            name, "must be the token string from a previous page's meta", got=value
        )
    return value


def _scalar(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ParameterError(name, "must be a string or a number", got=value)


def _check_window(
    endpoint: Endpoint, out: Mapping[str, str], times: Mapping[str, datetime]
) -> None:
    start, end = times.get("start_time"), times.get("end_time")
    if start is not None and end is not None and start >= end:
        raise ParameterError(
            "start_time",
            f"must be before end_time ({out['start_time']} is not before {out['end_time']})",
        )
    uses_ids = [p for p in _ID_PARAMS if p in out]
    uses_times = [p for p in _TIME_PARAMS if p in out]
    if "query" in endpoint.required and uses_ids and uses_times:
        # X answers 400 "Invalid use of 'since_id' or 'until_id' in conjunction with
        # 'start_time' or 'end_time'" on search and counts.
        raise ParameterError(
            uses_ids[0],
            f"cannot be combined with {uses_times[0]} on {endpoint.name}: "
            "bound the window by ids or by times, not both",
        )
    if "since_id" in out and "until_id" in out and int(out["since_id"]) >= int(out["until_id"]):
        raise ParameterError("since_id", "must be smaller than until_id")


def _check_context_annotations_cap(endpoint: Endpoint, out: Mapping[str, str]) -> None:
    if endpoint.name != "search_all_tweets" or "max_results" not in out:
        return
    if (
        "context_annotations" in out.get("tweet.fields", "").split(",")
        and int(out["max_results"]) > 100
    ):
        raise ParameterError(
            "max_results",
            "search_all_tweets allows at most 100 when tweet.fields has context_annotations",
            got=int(out["max_results"]),
        )
