"""Objects of ``Response.data`` and ``Response.includes``, with tweepy's attribute behaviour.

Each model keeps the API object as ``.data`` and exposes every field as an attribute and as a
mapping key. A few fields are converted the way tweepy converts them: post, user and DM event
ids (and ids that point at posts or users) become ``int``; times become timezone-aware
``datetime``; ``referenced_tweets`` become ``ReferencedTweet`` objects. List, Space, place and
poll ids stay strings, as in tweepy. Fields the API did not send read as ``None`` (or ``[]``
for the list-valued fields tweepy defaults to a list); names outside the model's fields fall
back to ``.data`` and raise ``AttributeError`` when absent.

Why our own classes: tweepy is not a dependency, and these are small tables of field
conversions (``_FIELDS`` below), not hand-written ``__init__`` bodies.

>>> t = Tweet({"id": "20", "text": "just setting up my twttr", "edit_history_tweet_ids": ["20"],
...            "created_at": "2006-03-21T20:50:14.000Z", "author_id": "12"})
>>> t.id, t.author_id, t.created_at.year, t["text"], str(t)
(20, 12, 2006, 'just setting up my twttr', 'just setting up my twttr')
>>> t.lang is None, "lang" in t, len(t)
(True, False, 24)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from types import MappingProxyType as _frozen
from typing import Any, ClassVar

Convert = Callable[[Any], Any]


def _int(value: Any) -> int:
    return int(value)


def _ints(values: Any) -> list[int]:
    return [int(v) for v in values]


def parse_datetime(text: str) -> datetime:
    """An API timestamp (RFC 3339, ``Z`` or an offset, with or without fractions) as UTC.

    >>> parse_datetime("2022-10-07T23:06:00.000Z").isoformat()
    '2022-10-07T23:06:00+00:00'
    """
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _edit_controls(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if "edits_remaining" in out:
        out["edits_remaining"] = int(out["edits_remaining"])
    if "editable_until" in out:
        out["editable_until"] = parse_datetime(out["editable_until"])
    return out


def _referenced(values: Any) -> list[ReferencedTweet]:
    return [ReferencedTweet(v) for v in values]


class Model(Mapping[str, Any]):
    """Base of the models: ``.data`` plus converted attributes; a read-only mapping.

    ``_FIELDS`` maps each field to a converter (``None``: as sent) and ``_DEFAULTS`` gives
    what an absent field reads as (``None`` unless listed). ``_KEY`` is the identifying field:
    equality and hashing go by it, as in tweepy.
    """

    __slots__ = ("_values", "data")
    _FIELDS: ClassVar[Mapping[str, Convert | None]] = {}
    _REQUIRED: ClassVar[tuple[str, ...]] = ()
    _DEFAULTS: ClassVar[Mapping[str, Callable[[], Any]]] = {}
    _KEY: ClassVar[str] = "id"

    def __init__(self, data: Mapping[str, Any]) -> None:
        missing = [name for name in self._REQUIRED if name not in data]
        if missing:
            kind = type(self).__name__
            raise KeyError(f"{kind} data has no {', '.join(missing)}: {dict(data)!r:.200}")
        self.data = dict(data)
        values: dict[str, Any] = {}
        for name, convert in self._FIELDS.items():
            if name in self.data and self.data[name] is not None:
                raw = self.data[name]
                values[name] = convert(raw) if convert is not None else raw
            elif name in self._DEFAULTS:
                values[name] = self._DEFAULTS[name]()
        self._values = values

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: model fields first, then any other key.
        if name.startswith("__"):
            raise AttributeError(name)
        values = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in type(self)._FIELDS:
            return None
        try:
            return object.__getattribute__(self, "data")[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field {name!r}") from None

    def __getitem__(self, key: str) -> Any:
        try:
            return getattr(self, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, type(self)):
            return bool(getattr(self, self._KEY) == getattr(other, self._KEY))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(getattr(self, self._KEY))

    def __repr__(self) -> str:
        shown = " ".join(f"{name}={getattr(self, name)!r}" for name in self._shown())
        return f"<{type(self).__name__} {shown}>"

    def _shown(self) -> tuple[str, ...]:
        return (self._KEY,)

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        type(self).__init__(self, state["data"])


class ReferencedTweet(Model):
    """One entry of ``referenced_tweets``: ``id`` (int) and ``type``."""

    __slots__ = ()
    _FIELDS = _frozen({"id": _int, "type": None})
    _REQUIRED = ("id",)

    def _shown(self) -> tuple[str, ...]:
        return ("id", "type")


class Tweet(Model):
    """A post. ``len(tweet)`` and ``str(tweet)`` are about its text, as in tweepy.

    >>> Tweet({"id": "1", "text": "hi", "edit_history_tweet_ids": ["1"]}).edit_history_tweet_ids
    [1]
    """

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": _int,
            "text": None,
            "edit_history_tweet_ids": _ints,
            "attachments": None,
            "author_id": _int,
            "context_annotations": None,
            "conversation_id": _int,
            "created_at": parse_datetime,
            "edit_controls": _edit_controls,
            "entities": None,
            "geo": None,
            "in_reply_to_user_id": _int,
            "lang": None,
            "non_public_metrics": None,
            "organic_metrics": None,
            "possibly_sensitive": None,
            "promoted_metrics": None,
            "public_metrics": None,
            "referenced_tweets": _referenced,
            "reply_settings": None,
            "source": None,
            "withheld": None,
        }
    )
    _REQUIRED = ("id", "text")
    _DEFAULTS = _frozen({"context_annotations": list})

    def __len__(self) -> int:
        return len(self.data["text"])

    def __str__(self) -> str:
        return str(self.data["text"])

    def _shown(self) -> tuple[str, ...]:
        return ("id", "text")


class User(Model):
    """An account; ``str(user)`` is its username.

    >>> User({"id": "12", "name": "jack", "username": "jack"})
    <User id=12 username='jack'>
    """

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": _int,
            "name": None,
            "username": None,
            "created_at": parse_datetime,
            "description": None,
            "entities": None,
            "location": None,
            "pinned_tweet_id": _int,
            "profile_image_url": None,
            "protected": None,
            "public_metrics": None,
            "url": None,
            "verified": None,
            "verified_type": None,
            "withheld": None,
        }
    )
    _REQUIRED = ("id", "name", "username")

    def __str__(self) -> str:
        return str(self.data["username"])

    def _shown(self) -> tuple[str, ...]:
        return ("id", "username")


class Media(Model):
    """An attachment, identified by ``media_key``."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "media_key": None,
            "type": None,
            "url": None,
            "duration_ms": None,
            "height": None,
            "non_public_metrics": None,
            "organic_metrics": None,
            "preview_image_url": None,
            "promoted_metrics": None,
            "public_metrics": None,
            "width": None,
            "alt_text": None,
            "variants": None,
        }
    )
    _REQUIRED = ("media_key", "type")
    _KEY = "media_key"

    def _shown(self) -> tuple[str, ...]:
        return ("media_key", "type")


class Place(Model):
    """A place; ``str(place)`` is its full name."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "full_name": None,
            "id": None,
            "contained_within": None,
            "country": None,
            "country_code": None,
            "geo": None,
            "name": None,
            "place_type": None,
        }
    )
    _REQUIRED = ("full_name", "id")
    _DEFAULTS = _frozen({"contained_within": list})

    def __str__(self) -> str:
        return str(self.data["full_name"])

    def _shown(self) -> tuple[str, ...]:
        return ("id", "full_name")


class Poll(Model):
    """A poll; iterating it (and ``len``) goes over its options, as in tweepy."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": None,
            "options": None,
            "duration_minutes": None,
            "end_datetime": parse_datetime,
            "voting_status": None,
        }
    )
    _REQUIRED = ("id", "options")

    def __iter__(self) -> Iterator[Any]:
        return iter(self.data["options"])

    def __len__(self) -> int:
        return len(self.data["options"])


class List(Model):
    """A list; ``str(lst)`` is its name."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": None,
            "name": None,
            "created_at": parse_datetime,
            "description": None,
            "follower_count": None,
            "member_count": None,
            "private": None,
            "owner_id": None,
        }
    )
    _REQUIRED = ("id", "name")

    def __str__(self) -> str:
        return str(self.data["name"])

    def _shown(self) -> tuple[str, ...]:
        return ("id", "name")


class Space(Model):
    """An audio Space."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": None,
            "state": None,
            "created_at": parse_datetime,
            "ended_at": parse_datetime,
            "host_ids": None,
            "lang": None,
            "is_ticketed": None,
            "invited_user_ids": None,
            "participant_count": None,
            "subscriber_count": None,
            "scheduled_start": parse_datetime,
            "speaker_ids": None,
            "started_at": parse_datetime,
            "title": None,
            "topic_ids": None,
            "updated_at": parse_datetime,
            "creator_id": _int,
        }
    )
    _REQUIRED = ("id", "state")
    _DEFAULTS = _frozen(
        {"host_ids": list, "invited_user_ids": list, "speaker_ids": list, "topic_ids": list}
    )

    def _shown(self) -> tuple[str, ...]:
        return ("id", "state")


class DirectMessageEvent(Model):
    """A direct-message event (``MessageCreate``, ``ParticipantsJoin``, ``ParticipantsLeave``)."""

    __slots__ = ()
    _FIELDS = _frozen(
        {
            "id": _int,
            "event_type": None,
            "text": None,
            "sender_id": _int,
            "participant_ids": _ints,
            "dm_conversation_id": None,
            "created_at": parse_datetime,
            "referenced_tweets": _referenced,
            "attachments": None,
        }
    )
    _REQUIRED = ("id", "event_type")

    def __str__(self) -> str:
        text = self.data.get("text")
        return str(text) if text is not None else repr(self)

    def _shown(self) -> tuple[str, ...]:
        return ("id", "event_type", "text") if "text" in self.data else ("id", "event_type")


# What tweepy turns each ``includes`` section into; other sections (topics) stay dicts.
INCLUDE_MODELS: Mapping[str, type[Model]] = {
    "media": Media,
    "places": Place,
    "polls": Poll,
    "tweets": Tweet,
    "users": User,
}
