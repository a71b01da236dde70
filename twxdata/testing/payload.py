"""Turning corpus objects into response bytes: field selection, expansions, includes.

Only the default fields are sent unless others are asked for, plus the field each requested
expansion reads (``EXPANSION_SOURCES``: ``expansions=author_id`` alone sends ``author_id``, as
X does, so ``includes`` can be joined to ``data``). ``includes`` holds just the requested
expansions, each object once, in order of first appearance, with empty arrays left out.
Serialised objects are cached per (object, field set), and a response is joined from those
cached bytes, which is what makes hundreds of fully expanded pages a second possible.

>>> from datetime import datetime
>>> from twxdata.testing.corpus import Corpus
>>> r = Renderer(Corpus(seed=1, size=300, end=datetime(2024, 5, 1)))
>>> sel = Selection.of({}, frozenset())
>>> sorted(orjson.loads(r.tweet_bytes(0, 0, sel.tweet)))
['edit_history_tweet_ids', 'id', 'text']
>>> sorted(Selection.of({}, frozenset({"author_id", "geo.place_id"})).tweet)
['author_id', 'edit_history_tweet_ids', 'geo.place_id', 'id', 'text']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from twxdata.testing import metrics, objects, problems
from twxdata.testing.corpus import Corpus, _Lru
from twxdata.testing.posts import REPLY, RETWEET
from twxdata.testing.texts import media_keys

DEFAULTS: dict[str, frozenset[str]] = {
    "tweet.fields": frozenset({"id", "text", "edit_history_tweet_ids"}),
    # A withheld account always says so, asked or not (seen in real list-member pages).
    "user.fields": frozenset({"id", "name", "username", "withheld"}),
    "media.fields": frozenset({"media_key", "type"}),
    "place.fields": frozenset({"full_name", "id"}),
    "poll.fields": frozenset({"id", "options"}),
    "list.fields": frozenset({"id", "name"}),
    "space.fields": frozenset({"id", "state"}),
    "topic.fields": frozenset({"id", "name"}),
    "dm_event.fields": frozenset({"id", "event_type", "text"}),
}
_INCLUDE_ORDER = ("users", "tweets", "media", "places", "polls", "topics")

# What each expansion reads of the object it expands, by the kind of object in ``data``: X sends
# these fields whenever the expansion is requested, whether or not ``*.fields`` names them (the
# docs' ``GET /2/tweets/:id?expansions=author_id`` answers with ``author_id``). A dotted path
# ("geo.place_id") is one key of an object field: ``geo`` then holds ``place_id`` only, unless
# ``geo`` itself is asked for. Objects without the field (a post with no media has no
# ``attachments``) get nothing, so fields the fake does not model (articles) never show up.
EXPANSION_SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    "tweets": {
        "author_id": ("author_id",),
        "referenced_tweets.id": ("referenced_tweets",),
        "referenced_tweets.id.author_id": ("referenced_tweets",),
        "referenced_tweets.id.attachments.media_keys": ("referenced_tweets",),
        "in_reply_to_user_id": ("in_reply_to_user_id",),
        "attachments.media_keys": ("attachments.media_keys",),
        "attachments.poll_ids": ("attachments.poll_ids",),
        "attachments.media_source_tweet": ("attachments.media_source_tweet_id",),
        "geo.place_id": ("geo.place_id",),
        "entities.mentions.username": ("entities.mentions",),
        "entities.note.mentions.username": ("note_tweet.entities.mentions",),
        "edit_history_tweet_ids": ("edit_history_tweet_ids",),
        "article.cover_media": ("article.cover_media",),
        "article.media_entities": ("article.media_entities",),
    },
    "users": {
        "pinned_tweet_id": ("pinned_tweet_id",),
        "most_recent_tweet_id": ("most_recent_tweet_id",),
        "affiliation.user_id": ("affiliation.user_id",),
    },
    "lists": {"owner_id": ("owner_id",)},
    "spaces": {
        "creator_id": ("creator_id",),
        "host_ids": ("host_ids",),
        "invited_user_ids": ("invited_user_ids",),
        "speaker_ids": ("speaker_ids",),
        "topic_ids": ("topic_ids",),
    },
    "dm_events": {
        "sender_id": ("sender_id",),
        "participant_ids": ("participant_ids",),
        "attachments.media_keys": ("attachments.media_keys",),
        "referenced_tweets.id": ("referenced_tweets",),
    },
}
# Expansions that reach through a referenced post read these fields of the post in
# ``includes.tweets`` (its author, its media), so those posts carry them.
INCLUDED_TWEET_SOURCES: dict[str, tuple[str, ...]] = {
    "referenced_tweets.id.author_id": ("author_id",),
    "referenced_tweets.id.attachments.media_keys": ("attachments.media_keys",),
}
_KIND_FIELDS = {
    "tweets": "tweet",
    "users": "user",
    "lists": "list",
    "spaces": "space",
    "dm_events": "dm_event",
}


def with_sources(
    keep: frozenset[str], expansions: Iterable[str], sources: Mapping[str, tuple[str, ...]]
) -> frozenset[str]:
    """``keep`` plus what ``expansions`` read per ``sources``; a path under a field that is
    kept whole is dropped, so equal selections are equal sets (and share a cache).

    >>> sorted(with_sources(frozenset({"id", "geo"}), ["geo.place_id", "author_id"],
    ...                     EXPANSION_SOURCES["tweets"]))
    ['author_id', 'geo', 'id']
    """
    added = {path for e in expansions for path in sources.get(e, ())}
    if not added - keep:
        return keep
    out = keep | added
    return frozenset(path for path in out if not any(head in out for head in _heads(path)))


def _heads(path: str) -> list[str]:
    parts = path.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


@dataclass(frozen=True)
class Selection:
    """Fields to send per object kind (defaults and expansion sources added) and expansions.

    ``tweet`` is for the posts in ``data``; ``included_tweet`` for those in ``includes``,
    which also carry what expansions through referenced posts read of them.
    """

    tweet: frozenset[str]
    user: frozenset[str]
    media: frozenset[str]
    place: frozenset[str]
    poll: frozenset[str]
    list: frozenset[str]
    space: frozenset[str]
    topic: frozenset[str]
    dm_event: frozenset[str]
    included_tweet: frozenset[str]
    expansions: frozenset[str]

    @classmethod
    def of(
        cls,
        fields: Mapping[str, frozenset[str]],
        expansions: frozenset[str],
        primary: str = "tweets",
    ) -> Selection:
        """The selection of a request whose ``data`` holds ``primary`` (an endpoint's
        ``Result`` value: ``tweets``, ``users``, ``lists``, ...)."""
        # Made once per distinct request shape: every page of a walk asks the same.
        key = (tuple(sorted(fields.items())), expansions, primary)
        return (
            _selection(key)
            if all(isinstance(v, frozenset) for v in fields.values())
            else (cls._build(fields, expansions, primary))
        )

    @classmethod
    def _build(
        cls, fields: Mapping[str, frozenset[str]], expansions: frozenset[str], primary: str
    ) -> Selection:
        kind = _KIND_FIELDS.get(primary)
        sources = EXPANSION_SOURCES.get(primary, {})

        def asked(name: str) -> frozenset[str]:
            return DEFAULTS[name + ".fields"] | fields.get(name + ".fields", frozenset())

        def get(name: str) -> frozenset[str]:
            keep = asked(name)
            return with_sources(keep, expansions, sources) if name == kind else keep

        tweet = get("tweet")
        if kind == "tweet":
            included = with_sources(asked("tweet"), expansions, INCLUDED_TWEET_SOURCES)
        else:
            included = tweet
        return cls(
            tweet,
            get("user"),
            get("media"),
            get("place"),
            get("poll"),
            get("list"),
            get("space"),
            get("topic"),
            get("dm_event"),
            included,
            expansions,
        )


@lru_cache(maxsize=256)
def _selection(
    key: tuple[tuple[tuple[str, frozenset[str]], ...], frozenset[str], str],
) -> Selection:
    fields, expansions, primary = key
    return Selection._build(dict(fields), expansions, primary)


def pick_fields(obj: Mapping[str, Any], keep: frozenset[str]) -> dict[str, Any]:
    """The keys of ``obj`` in ``keep``, in ``obj``'s order; a dotted entry keeps one key of an
    object field (empty results left out).

    >>> pick_fields({"geo": {"coordinates": 1, "place_id": "p"}, "id": "1"},
    ...             frozenset({"id", "geo.place_id"}))
    {'geo': {'place_id': 'p'}, 'id': '1'}
    """
    whole, parts = _shape(keep)
    if not parts:
        return {k: v for k, v in obj.items() if k in whole}
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if k in whole:
            out[k] = v
        elif k in parts and isinstance(v, Mapping):
            sub = pick_fields(v, parts[k])
            if sub:
                out[k] = sub
    return out


@lru_cache(maxsize=512)
def _shape(keep: frozenset[str]) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """``keep`` split into whole keys and, per object field, the paths kept inside it."""
    whole = frozenset(k for k in keep if "." not in k)
    nested: dict[str, set[str]] = {}
    for k in keep - whole:
        head, rest = k.split(".", 1)
        if head not in whole:
            nested.setdefault(head, set()).add(rest)
    return whole, {k: frozenset(v) for k, v in nested.items()}


class Includes:
    """Collects expansion targets in order of first appearance, and the partial errors."""

    def __init__(self) -> None:
        self.users: dict[int, None] = {}
        self.tweets: dict[tuple[int, int], None] = {}
        self.media: dict[str, tuple[int, int]] = {}
        self.places: dict[int, None] = {}
        self.polls: dict[int, None] = {}
        self.topics: dict[str, None] = {}
        self.errors: list[dict[str, Any]] = []
        self._seen_errors: set[tuple[str, str]] = set()

    def error(self, err: dict[str, Any]) -> None:
        key = (str(err.get("parameter")), str(err.get("resource_id")))
        if key not in self._seen_errors:
            self._seen_errors.add(key)
            self.errors.append(err)


class Renderer:
    """Serialises corpus objects with a field selection; caches bytes per selection."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._bytes: dict[tuple[str, frozenset[str]], _Lru] = {}
        self._refs: _Lru = _Lru(200_000)
        self._version = corpus.state.version

    def _cache(self, kind: str, keep: frozenset[str]) -> _Lru:
        if kind == "user" and self._version != self.corpus.state.version:
            for key in [k for k in self._bytes if k[0] == "user"]:
                del self._bytes[key]
            self._version = self.corpus.state.version
        cache = self._bytes.get((kind, keep))
        if cache is None:
            if len(self._bytes) > 256:  # many distinct field sets: start afresh
                self._bytes.clear()
            cache = self._bytes[(kind, keep)] = _Lru(100_000)
        return cache

    # --- single objects ---------------------------------------------------------------------
    def tweet_bytes(self, i: int, version: int, keep: frozenset[str]) -> bytes:
        if version == 0 and "public_metrics" in keep and metrics.row_moved(self.corpus, i):
            # Counts moved by writes change with every write: built afresh, never cached.
            return orjson.dumps(
                pick_fields(metrics.adjust(self.corpus, self.corpus.tweet(i)), keep)
            )
        cache = self._cache("tweet", keep)
        hit = cache.get((i, version))
        if hit is None:
            hit = cache.put(
                (i, version), orjson.dumps(pick_fields(self.corpus.tweet(i, version), keep))
            )
        return hit  # type: ignore[no-any-return]

    def user_bytes(self, u: int, keep: frozenset[str]) -> bytes:
        cache = self._cache("user", keep)
        hit = cache.get(u)
        if hit is None:
            hit = cache.put(u, orjson.dumps(pick_fields(self.corpus.user(u), keep)))
        return hit  # type: ignore[no-any-return]

    def media_bytes(self, row: int, n: int, keep: frozenset[str]) -> bytes:
        cache = self._cache("media", keep)
        hit = cache.get((row, n))
        if hit is None:
            hit = cache.put(
                (row, n),
                orjson.dumps(pick_fields(objects.media_objects(self.corpus, row)[n], keep)),
            )
        return hit  # type: ignore[no-any-return]

    def _refs_of(self, i: int) -> tuple[int, tuple[tuple[str, int | None], ...], int, int, int]:
        """(author, mentioned (username, user), replied-to author, referenced row, kind)."""
        hit = self._refs.get(i)
        if hit is None:
            p = self.corpus.posts
            tweet = self.corpus.tweet(i)
            users = self.corpus.users
            names = tuple(
                (m["username"], users.index_of_username(m["username"]))
                for m in tweet.get("entities", {}).get("mentions", ())
            )
            kind = int(p.kind[i])
            ref = int(p.ref[i])
            reply_to = int(p.author[ref]) if kind == REPLY else -1
            hit = self._refs.put(i, (int(p.author[i]), names, reply_to, ref, kind))
        return hit  # type: ignore[no-any-return]

    # --- expansions -------------------------------------------------------------------------
    def expand_tweet(
        self,
        i: int,
        version: int,
        exp: frozenset[str],
        inc: Includes,
        section: str = "includes",
        nested: bool = True,
    ) -> None:
        """Record what post ``i``'s expansions pull into ``includes``."""
        c = self.corpus
        author, names, reply_to, ref, kind = self._refs_of(i)
        if "author_id" in exp:
            inc.users[author] = None
        if "entities.mentions.username" in exp:
            for name, u in names:
                state = "deactivated" if u is None else c.user_state(u)
                if u is not None and state in ("ok", "protected"):
                    inc.users[u] = None
                else:
                    inc.error(problems.for_user(state, "entities.mentions.username", name, section))
        if "in_reply_to_user_id" in exp and reply_to >= 0:
            inc.users[reply_to] = None
        if "attachments.media_keys" in exp and kind != RETWEET:
            for n, key in enumerate(media_keys(c.posts, i)):
                inc.media.setdefault(key, (i, n))
        if "attachments.poll_ids" in exp and c.posts.poll[i]:
            inc.polls[i] = None
        if "geo.place_id" in exp and c.posts.place[i] >= 0:
            inc.places[int(c.posts.place[i])] = None
        if "edit_history_tweet_ids" in exp:
            for k in range(int(c.posts.edits[i]), -1, -1):
                if k != version:
                    inc.tweets[(i, k)] = None
        if ref >= 0 and nested and exp & _REF_EXPANSIONS:
            state = c.row_state(ref)
            if state != "ok":
                if "referenced_tweets.id" in exp:
                    inc.error(
                        problems.for_tweet(
                            state, "referenced_tweets.id", str(int(c.posts.ids[ref])), section
                        )
                    )
                return
            if "referenced_tweets.id" in exp:
                inc.tweets[(ref, 0)] = None
            if "referenced_tweets.id.author_id" in exp:
                inc.users[int(c.posts.author[ref])] = None
            if "referenced_tweets.id.attachments.media_keys" in exp:
                for n, key in enumerate(media_keys(c.posts, ref)):
                    inc.media.setdefault(key, (ref, n))

    def expand_user(self, u: int, exp: frozenset[str], inc: Includes) -> None:
        """Record the posts a user's expansions (pinned, most recent) pull into ``includes``."""
        obj = self.corpus.user(u)
        for field in ("pinned_tweet_id", "most_recent_tweet_id"):
            if field in exp and field in obj:
                found = self.corpus.find_tweet(int(obj[field]))
                state = "deleted" if found is None else self.corpus.row_state(found[0])
                if found is not None and state == "ok":
                    inc.tweets[found] = None
                else:
                    inc.error(problems.for_tweet(state, field, obj[field], "includes"))

    # --- whole responses --------------------------------------------------------------------
    def includes_bytes(self, inc: Includes, sel: Selection) -> bytes:
        parts: list[bytes] = []
        for name in _INCLUDE_ORDER:
            items: Iterable[bytes]
            if name == "users" and inc.users:
                items = (self.user_bytes(u, sel.user) for u in inc.users)
            elif name == "tweets" and inc.tweets:
                items = (self.tweet_bytes(i, v, sel.included_tweet) for i, v in inc.tweets)
            elif name == "media" and inc.media:
                items = (self.media_bytes(i, n, sel.media) for i, n in inc.media.values())
            elif name == "places" and inc.places:
                items = (
                    orjson.dumps(pick_fields(objects.place_object(k), sel.place))
                    for k in inc.places
                )
            elif name == "polls" and inc.polls:
                items = (
                    orjson.dumps(pick_fields(objects.poll_object(self.corpus, i), sel.poll))
                    for i in inc.polls
                )
            elif name == "topics" and inc.topics:
                items = (
                    orjson.dumps(pick_fields(objects.topic_object(t), sel.topic))
                    for t in inc.topics
                )
            else:
                continue
            parts.append(b'"' + name.encode() + b'":[' + b",".join(items) + b"]")
        return b"{" + b",".join(parts) + b"}" if parts else b""


_REF_EXPANSIONS = frozenset(
    {
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
        "referenced_tweets.id.attachments.media_keys",
    }
)


def assemble(
    data: bytes | Sequence[bytes] | None,
    includes: bytes = b"",
    errors: Sequence[Mapping[str, Any]] = (),
    meta: Mapping[str, Any] | None = None,
    single: bool = False,
) -> bytes:
    """Join a response body: ``data``, ``includes``, ``errors``, ``meta``, in the real order.

    >>> assemble([], meta={"result_count": 0})
    b'{"meta":{"result_count":0}}'
    """
    parts: list[bytes] = []
    if single and data:
        parts.append(b'"data":' + (data if isinstance(data, bytes) else data[0]))
    elif data:
        parts.append(b'"data":[' + b",".join(data) + b"]")  # type: ignore[arg-type]
    if includes:
        parts.append(b'"includes":' + includes)
    if errors:
        parts.append(b'"errors":' + orjson.dumps(list(errors)))
    if meta is not None:
        parts.append(b'"meta":' + orjson.dumps(dict(meta)))
    return b"{" + b",".join(parts) + b"}"
