"""How each tweepy ``AsyncClient`` method becomes a request: a table, read with the endpoint table.

Most methods need no entry here. A method's endpoint is the one whose ``Endpoint.method_name``
is the method's name, and each argument finds its place by its name: a path placeholder of
the endpoint goes into the path, a top-level body key of the endpoint into the JSON body,
anything else into the query string (validated there by ``twxdata.protocol``). ``METHODS``
holds only what the names cannot say: renamed arguments (``hide_reply(id)`` fills
``{tweet_id}``), nested body fields (``create_tweet(poll_options=...)`` is ``poll.options``),
fixed body values (``{"hidden": true}``) and the methods whose arguments choose between two
endpoints (``get_user(id=...)`` or ``get_user(username=...)``), with tweepy's ``TypeError``
messages. ``plan`` is pure: it raises before anything is sent.

>>> call = plan("create_tweet", {"text": "hi", "poll_options": ["a", "b"],
...                              "poll_duration_minutes": 60, "user_auth": True})
>>> call.endpoint.name, call.body, call.user_auth
('create_tweet', {'text': 'hi', 'poll': {'options': ['a', 'b'], 'duration_minutes': 60}}, True)
>>> plan("get_user", {"username": "jack", "id": None}).path
{'username': 'jack'}
>>> plan("get_user", {"username": "jack", "id": 12})
Traceback (most recent call last):
  ...
TypeError: Expected ID or username, not both
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from twxdata.endpoints import ENDPOINTS, METHOD_ALIASES, Endpoint, get_endpoint
from twxdata.errors import ParameterError
from twxdata.protocol.params import snowflake

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """What a method needs beyond the endpoint table.

    ``choose`` lists (argument, endpoint) pairs: the argument that is given picks the
    endpoint; ``default`` is the endpoint when none is (``None``: ``none_error`` is raised);
    giving two raises ``both_error``. ``body`` maps arguments to dotted paths in the JSON
    body (``a[].b`` makes ``a`` a list of one object); ``requires`` names the argument
    another one only makes sense with; ``one_of`` arguments of which at least one is needed.
    """

    endpoint: str | None = None  # when the method's name is not the endpoint's method_name
    choose: tuple[tuple[str, str], ...] = ()
    default: str | None = None
    both_error: str = ""
    none_error: str = ""
    rename: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    body: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    fixed: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    requires: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    one_of: tuple[str, ...] = ()


def _exclusive(
    pairs: tuple[tuple[str, str], ...], what: str, verb: str = "is", **kw: Any
) -> MethodSpec:
    # tweepy's messages, word for word: "Expected IDs or usernames, not both".
    return MethodSpec(
        choose=pairs,
        both_error=f"Expected {what}, not both",
        none_error=f"{what} {verb} required",
        **kw,
    )


_DM_TARGET = "DM conversation ID or participant ID"

METHODS: Mapping[str, MethodSpec] = MappingProxyType(
    {
        "hide_reply": MethodSpec(rename={"id": "tweet_id"}, fixed={"hidden": True}),
        "unhide_reply": MethodSpec(
            endpoint="hide_reply", rename={"id": "tweet_id"}, fixed={"hidden": False}
        ),
        "create_tweet": MethodSpec(
            body={
                "place_id": "geo.place_id",
                "media_ids": "media.media_ids",
                "media_tagged_user_ids": "media.tagged_user_ids",
                "poll_options": "poll.options",
                "poll_duration_minutes": "poll.duration_minutes",
                "in_reply_to_tweet_id": "reply.in_reply_to_tweet_id",
                "exclude_reply_user_ids": "reply.exclude_reply_user_ids",
            },
            requires={
                "media_tagged_user_ids": "media_ids",
                "poll_duration_minutes": "poll_options",
                "exclude_reply_user_ids": "in_reply_to_tweet_id",
            },
        ),
        "get_user": _exclusive(
            (("id", "get_user"), ("username", "get_user_by_username")), "ID or username"
        ),
        "get_users": _exclusive(
            (("ids", "get_users"), ("usernames", "get_users_by_usernames")),
            "IDs or usernames",
            "are",
        ),
        "get_spaces": _exclusive(
            (("ids", "get_spaces"), ("user_ids", "get_spaces_by_creator_ids")),
            "IDs or user IDs",
            "are",
        ),
        "get_direct_message_events": _exclusive(
            (
                ("dm_conversation_id", "get_dm_events_in_conversation"),
                ("participant_id", "get_dm_events_with_participant"),
            ),
            _DM_TARGET,
            default="get_direct_message_events",
            rename={"dm_conversation_id": "id"},
        ),
        "create_direct_message": _exclusive(
            (
                ("dm_conversation_id", "create_direct_message"),
                ("participant_id", "create_direct_message_with_participant"),
            ),
            _DM_TARGET,
            body={"media_id": "attachments[].media_id"},
            one_of=("text", "media_id"),
        ),
        "create_direct_message_conversation": MethodSpec(
            fixed={"conversation_type": "Group"},
            body={"text": "message.text", "media_id": "message.attachments[].media_id"},
            one_of=("text", "media_id"),
        ),
    }
)


@dataclass(frozen=True, slots=True)
class Call:
    """One planned request: endpoint, path values, query parameters, JSON body, auth kind."""

    endpoint: Endpoint
    path: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    user_auth: bool = False


def endpoints_of(name: str) -> tuple[Endpoint, ...]:
    """The endpoints a method (or alias) may call, from the endpoint table.

    >>> [e.name for e in endpoints_of("get_users")]
    ['get_users', 'get_users_by_usernames']
    """
    spec = METHODS.get(name, MethodSpec())
    if spec.endpoint is not None:
        return (get_endpoint(spec.endpoint),)
    target = METHOD_ALIASES.get(name, name)
    found = tuple(e for e in ENDPOINTS.values() if e.method_name == target)
    if not found:
        raise KeyError(f"no endpoint serves the method {name!r}")
    return found


def plan(name: str, arguments: Mapping[str, Any]) -> Call:
    """Turn a method's arguments (as bound to its signature) into a ``Call``.

    ``arguments["params"]`` holds extra keyword arguments; they join the query string.
    Raises ``TypeError`` (tweepy's) or ``ParameterError`` before any request.
    """
    name = METHOD_ALIASES.get(name, name) if name not in METHODS else name
    spec = METHODS.get(name, MethodSpec())
    endpoint = _choose(name, spec, arguments)
    for arg, needed in spec.requires.items():
        if arguments.get(arg) is not None and arguments.get(needed) is None:
            raise ParameterError(arg, f"is only sent together with {needed}")
    if spec.one_of and all(arguments.get(a) is None for a in spec.one_of):
        raise ParameterError(spec.one_of[0], f"{name} needs {' or '.join(spec.one_of)}")
    path: dict[str, Any] = {}
    params: dict[str, Any] = {}
    body: dict[str, Any] = dict(spec.fixed)
    for arg, value in arguments.items():
        if value is None or arg in ("user_auth", "params"):
            continue
        key = spec.rename.get(arg, arg)
        if key in endpoint.path_params:
            path[key] = value
        elif arg in spec.body:
            _put(body, spec.body[arg], value)
        elif key in endpoint.body:
            body[key] = _ids(key, value)
        else:
            params[key] = value
    params.update(arguments.get("params") or {})
    user_auth = bool(arguments.get("user_auth", False))
    return Call(endpoint, path, params, body or None, user_auth)


def _choose(name: str, spec: MethodSpec, arguments: Mapping[str, Any]) -> Endpoint:
    if not spec.choose:
        return endpoints_of(name)[0]
    given = [endpoint for arg, endpoint in spec.choose if arguments.get(arg) is not None]
    if len(given) > 1:
        raise TypeError(spec.both_error)
    if given:
        return get_endpoint(given[0])
    if spec.default is None:
        raise TypeError(spec.none_error)
    return get_endpoint(spec.default)


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path``; ``a[]`` is a list holding one object."""
    *parents, leaf = path.split(".")
    node = body
    for part in parents:
        if part.endswith("[]"):
            items = node.setdefault(part[:-2], [{}])
            node = items[0]
        else:
            node = node.setdefault(part, {})
    node[leaf] = _ids(leaf, value)


def _ids(key: str, value: Any) -> Any:
    # Ids travel as strings (tweepy sends str(id)); ours are checked to be ids first.
    # Place ids are hexadecimal strings, not snowflakes.
    if key == "place_id":
        return str(value)
    if key.endswith("_ids"):
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise ParameterError(key, "must be a list of ids", got=value)
        return [snowflake(v, key) for v in value]
    if key.endswith("_id"):
        return snowflake(value, key)
    return value
