"""Turning any readable line into a canonical page (the slow path, in Python).

Most lines are API responses and go straight to the Arrow JSON reader. The rest land here:

- a single-object response or stream message (``data`` is an object) gets ``data: [object]``;
- a post or user flattened by twarc (``twarc2 flatten``: one object per line with its
  expansions inlined as ``author``, ``in_reply_to_user``, ``referenced_tweets[]``,
  ``attachments.media``, ``attachments.poll``, place fields in ``geo``, user fields in
  ``entities.mentions[]``, ``pinned_tweet``) is split back into ``data`` and ``includes``;
- a twarc compliance record (``{"id", "action", "reason", ...}``) goes under ``__compliance``.

``sanitize`` is the last resort for a batch the JSON reader still rejects: it walks a page
against the documented types and moves every value of an unexpected kind (or of an unknown
field) into its object's ``__extra`` entries, so the reader cannot fail on it.

>>> canonical_page({"data": {"id": "1", "text": "hi"}})["data"]
[{'id': '1', 'text': 'hi'}]
>>> page = canonical_page({"id": "2", "text": "x", "author_id": "9",
...                        "author": {"id": "9", "username": "ann"}})
>>> page["data"], page["includes"]["users"]
([{'id': '2', 'text': 'x', 'author_id': '9'}], [{'id': '9', 'username': 'ann'}])
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa

from twxdata.errors import DataError
from twxdata.tables.objects import EXTRA_KEY
from twxdata.tables.schema import COMPLIANCE_KEY, PAGE, TWXDATA_KEY

PAGE_KEYS = frozenset({"data", "includes", "errors", "meta", "title", "detail"})
_LINE_META = ("__twarc", "__twxdata", "matching_rules")
_INCLUDE_ID = {"users": "id", "tweets": "id", "media": "media_key", "places": "id", "polls": "id"}


def canonical_page(value: Any) -> dict[str, Any]:
    """The page a parsed line stands for (raises ``DataError`` for non-objects)."""
    if not isinstance(value, dict):
        raise DataError(f"not a JSON object but {type(value).__name__}")
    if not PAGE_KEYS & value.keys() and "id" not in value:
        # A settings file, a notebook, another tool's records: read as a page it would be a
        # row of nothing, and the file would pass for an archive.
        raise DataError(
            "not an X API response (no data, includes, errors or meta) nor a post (no id)"
        )
    if PAGE_KEYS & value.keys():
        page = dict(value)
        if isinstance(page.get("data"), dict):
            page["data"] = [page["data"]]
        return page
    if "action" in value and "text" not in value:
        return {COMPLIANCE_KEY: [value]}
    return _unflatten(value)


class _Includes:
    def __init__(self) -> None:
        self.kinds: dict[str, dict[Any, dict[str, Any]]] = {}

    def add(self, kind: str, obj: Any) -> None:
        if isinstance(obj, dict) and obj:
            self.kinds.setdefault(kind, {}).setdefault(obj.get(_INCLUDE_ID[kind]), obj)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {kind: list(objs.values()) for kind, objs in self.kinds.items()}


def _unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    includes = _Includes()
    item = _uninline({k: v for k, v in flat.items() if k not in _LINE_META}, includes)
    page: dict[str, Any] = {"data": [item], "includes": includes.as_dict()}
    page.update((k, flat[k]) for k in _LINE_META if k in flat)
    return page


def _uninline(obj: dict[str, Any], inc: _Includes) -> dict[str, Any]:
    """``obj`` without what twarc inlined into it; the inlined objects go to ``inc``."""
    obj = dict(obj)
    for key in ("author", "in_reply_to_user"):
        user = obj.pop(key, None)
        if isinstance(user, dict) and user:
            inc.add("users", _uninline(user, inc))
    pinned = obj.pop("pinned_tweet", None)
    if isinstance(pinned, dict) and pinned:
        inc.add("tweets", _uninline(pinned, inc))
    attachments = obj.get("attachments")
    if isinstance(attachments, dict):
        attachments = dict(attachments)
        for media in attachments.pop("media", None) or ():
            inc.add("media", media)
        inc.add("polls", attachments.pop("poll", None))
        obj["attachments"] = attachments
    geo = obj.get("geo")
    if isinstance(geo, dict):
        place = {k: v for k, v in geo.items() if k not in ("place_id", "coordinates")}
        inc.add("places", place)
        obj["geo"] = {k: geo[k] for k in ("place_id", "coordinates") if k in geo}
    for key in ("entities", "note_tweet"):
        if isinstance(obj.get(key), dict):
            obj[key] = _unmerge_mentions(obj[key], inc)
    references = obj.get("referenced_tweets")
    if isinstance(references, list):
        kept = []
        for ref in references:
            if not isinstance(ref, dict):
                kept.append(ref)
                continue
            tweet = {k: v for k, v in ref.items() if k != "type"}
            if tweet.keys() - {"id"}:
                inc.add("tweets", _uninline(tweet, inc))
            kept.append({k: ref[k] for k in ("type", "id") if k in ref})
        obj["referenced_tweets"] = kept
    return obj


def _unmerge_mentions(node: dict[str, Any], inc: _Includes) -> dict[str, Any]:
    node = dict(node)
    for key, value in node.items():
        if isinstance(value, dict):
            node[key] = _unmerge_mentions(value, inc)
        elif key == "mentions" and isinstance(value, list):
            kept = []
            for mention in value:
                if isinstance(mention, dict):
                    user = {k: v for k, v in mention.items() if k not in ("start", "end")}
                    if user.keys() - {"username", "id"}:
                        inc.add("users", _uninline(user, inc))
                    mention = {k: mention[k] for k in ("start", "end", "username", "id")
                               if k in mention}  # fmt: skip
                kept.append(mention)
            node[key] = kept
    return node


# --- the sanitiser ------------------------------------------------------------------------

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?"
)
_INT64 = (-(2**63), 2**63 - 1)
_PAGE_STRUCT = pa.struct(list(PAGE))


def sanitize(page: dict[str, Any]) -> dict[str, Any]:
    """``page`` with every value the schema cannot hold moved into ``__extra`` entries.

    >>> sanitize({"meta": {"result_count": "7"}, "data": [{"id": 5}]})
    {'meta': {'result_count': None}, 'data': [{'id': '5'}], '__extra': [{'key': 'meta.result_count', 'value': '"7"'}]}
    """  # noqa: E501
    return _object(page, _PAGE_STRUCT)


def _object(obj: dict[str, Any], struct: pa.StructType) -> dict[str, Any]:
    extras: list[dict[str, str]] = []
    clean = _fields(obj, struct, "", extras)
    if extras:
        clean[EXTRA_KEY] = extras
    return clean


def _entry(path: str, value: Any) -> dict[str, str]:
    return {"key": path, "value": extra_json(value)}


def extra_json(value: Any) -> str:
    """How ``__extra`` writes a value: JSON, members that are null left out.

    The fast path sees objects through Arrow, which gives every row every member another row
    has (as null); leaving nulls out makes both paths write the same text.

    >>> extra_json({"a": 1, "b": None, "c": [{"d": None}]})
    '{"a":1,"c":[{}]}'
    """
    return orjson.dumps(_pruned(value), option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z).decode()


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _pruned(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _fields(
    obj: dict[str, Any], struct: pa.StructType, prefix: str, extras: list[dict[str, str]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        path = prefix + key
        index = struct.get_field_index(key) if key != EXTRA_KEY else -1
        if key == "parameters" and index >= 0 and _free_form_parameters(value):
            out[key] = [{"key": k, "value": v} for k, v in value.items()]
        elif index >= 0:
            out[key] = _value(value, struct.field(index).type, path, extras)
        elif struct.equals(TWXDATA_KEY) and key == "params" and isinstance(value, dict):
            out[key] = {k: v if isinstance(v, str) else orjson.dumps(v).decode()
                        for k, v in value.items() if v is not None}  # fmt: skip
        elif value is not None:
            extras.append(_entry(path, value))
    return out


def _free_form_parameters(value: Any) -> bool:
    """An invalid-request ``parameters`` object: ``{name: [strings]}``."""
    return isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(s, str) for s in v) for v in value.values()
    )


def _value(value: Any, type_: pa.DataType, path: str, extras: list[dict[str, str]]) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(type_):
        if not isinstance(value, dict):
            extras.append(_entry(path, value))
            return None
        if type_.get_field_index(EXTRA_KEY) >= 0:
            return _object(value, type_)
        return _fields(value, type_, path + ".", extras)
    if pa.types.is_list(type_):
        return _list(value, type_.value_type, path, extras)
    if _fits(value, type_):
        return str(value) if pa.types.is_string(type_) else value
    extras.append(_entry(path, value))
    return None


def _list(value: Any, item_type: pa.DataType, path: str, extras: list[dict[str, str]]) -> Any:
    if not isinstance(value, list):
        extras.append(_entry(path, value))
        return None
    own_extras = pa.types.is_struct(item_type) and item_type.get_field_index(EXTRA_KEY) >= 0
    inner: list[dict[str, str]] = []
    items = []
    for item in value:
        if own_extras and isinstance(item, dict):
            items.append(_object(item, item_type))
        elif own_extras:
            inner.append(_entry(path, item))
        else:
            items.append(_value(item, item_type, path, inner))
    if inner:
        extras.append(_entry(path, value))
    return items


def _fits(value: Any, type_: pa.DataType) -> bool:
    if pa.types.is_string(type_):
        return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    if pa.types.is_int64(type_):
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and (_INT64[0] <= value <= _INT64[1])
        )
    if pa.types.is_floating(type_):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if pa.types.is_boolean(type_):
        return isinstance(value, bool)
    if pa.types.is_timestamp(type_):
        return isinstance(value, str) and _valid_timestamp(value)
    return False


def _valid_timestamp(text: str) -> bool:
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return year >= 1
