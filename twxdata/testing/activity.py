"""What writes through the fake API changed: the mutable part of a corpus beyond deletions.

``Activity`` lives in ``CorpusState.activity``, next to the deleted/protected/suspended flags,
and is the only place write endpoints keep state. Relations that the corpus generates (likes,
follows, list members, ...) are not copied: ``Edges`` records what was added to and removed
from them, and readers lay that over the generated arrays. Things the corpus has none of
(posts created through the API, blocks, mutes, direct messages, compliance jobs) are held here
in full. Ids are snowflakes made on the API clock, later than anything generated.

Callers hold the corpus lock and call ``Corpus.changed(what, id)`` after a mutation, so the
caches keyed on the state version (user objects, timelines) are rebuilt.

>>> a = Activity()
>>> a.likes.add(3, 20); a.likes.add(4, 20); a.likes.remove(3, 20)
>>> a.likes.new_to(20), a.likes.has(3, 20, generated=True)
([4], False)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from twxdata.testing.snowflake import snowflake

I64 = npt.NDArray[np.int64]


@dataclass
class Edges:
    """Pairs ``(a, b)`` added to or removed from a generated relation; newest addition last.

    ``a`` is the acting side (the liker, the follower, the list), ``b`` the target.
    """

    added: dict[tuple[int, int], None] = field(default_factory=dict)
    removed: set[tuple[int, int]] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def add(self, a: int, b: int) -> None:
        self.removed.discard((a, b))
        self.added.pop((a, b), None)  # re-adding makes it the newest
        self.added[(a, b)] = None

    def remove(self, a: int, b: int) -> None:
        self.added.pop((a, b), None)
        self.removed.add((a, b))

    def has(self, a: int, b: int, *, generated: bool) -> bool:
        """Is the pair there now, given whether the generated relation has it."""
        return (a, b) in self.added or (generated and (a, b) not in self.removed)

    def new_of(self, a: int) -> list[int]:
        """Targets added for ``a``, newest first."""
        return [y for (x, y) in reversed(self.added) if x == a]

    def new_to(self, b: int) -> list[int]:
        """Actors added for target ``b``, newest first."""
        return [x for (x, y) in reversed(self.added) if y == b]

    def out_of(self, a: int, generated: Iterable[int]) -> list[int]:
        """``a``'s targets now: new ones first, then the generated ones still there."""
        new = self.new_of(a)
        fresh = set(new)
        return new + [
            int(b) for b in generated if (a, int(b)) not in self.removed and int(b) not in fresh
        ]

    def into(self, b: int, generated: Iterable[int]) -> list[int]:
        """The actors on ``b`` now: new ones first, then the generated ones still there."""
        new = self.new_to(b)
        fresh = set(new)
        return new + [
            int(a) for a in generated if (int(a), b) not in self.removed and int(a) not in fresh
        ]

    def touches(self, a: int | None = None, b: int | None = None) -> bool:
        """Does anything recorded involve actor ``a`` or target ``b``?"""
        pairs = [*self.added, *self.removed]
        return any((a is None or x == a) and (b is None or y == b) for x, y in pairs)


def as_array(values: Sequence[int]) -> I64:
    return np.asarray(values, dtype=np.int64)


@dataclass
class Post:
    """A post created through ``POST /2/tweets`` (or a repost), with every field it has."""

    obj: dict[str, Any]  # the full API object, alphabetical keys
    author: int  # user index
    kind: str  # original, reply, quote, retweet
    ref: int | None  # id of the replied-to, quoted or reposted post
    created_s: float
    words: frozenset[str]  # lowercased words of the text, for search
    media: list[dict[str, Any]] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    deleted: bool = False

    @property
    def id(self) -> int:
        return int(self.obj["id"])


@dataclass
class NewList:
    """A list created through ``POST /2/lists``."""

    id: int
    owner: int  # user index
    name: str
    description: str
    private: bool
    created_s: int


@dataclass
class Conversation:
    """A direct-message conversation: one-to-one (``"a-b"``) or a group (a snowflake)."""

    id: str
    participants: list[int]  # user indices
    group: bool


@dataclass
class DmEvent:
    """One direct-message event, as the fake stores it."""

    id: int
    conversation: str
    event_type: str  # MessageCreate, ParticipantsJoin, ParticipantsLeave
    sender: int | None  # user index
    created_s: float
    text: str | None = None
    participants: list[int] = field(default_factory=list)
    media_ids: list[str] = field(default_factory=list)


@dataclass
class ComplianceJob:
    """A batch compliance job: created, then ids uploaded, then results to download."""

    id: int
    type: str  # tweets or users
    name: str | None
    resumable: bool
    created_s: float
    uploaded: list[str] | None = None  # the ids, once the upload arrived
    uploaded_s: float | None = None
    polls_since_upload: int = 0
    results: bytes | None = None  # JSONL, computed when the job completes


@dataclass
class Activity:
    """Everything writes changed. See the module docstring."""

    likes: Edges = field(default_factory=Edges)  # (user, post id)
    bookmarks: Edges = field(default_factory=Edges)  # (user, post id)
    follows: Edges = field(default_factory=Edges)  # (follower, followed), user indices
    follow_requests: Edges = field(default_factory=Edges)  # pending, to protected accounts
    mutes: Edges = field(default_factory=Edges)  # (user, muted user)
    blocks: Edges = field(default_factory=Edges)  # (user, blocked user)
    hidden: set[int] = field(default_factory=set)  # ids of hidden replies
    # Ids of generated posts deleted through the API (a delete, an undone repost): they move
    # counts (``metrics``); ``Corpus.delete_tweet`` called by a test does not.
    deleted_rows: set[int] = field(default_factory=set)
    posts: list[Post] = field(default_factory=list)  # creation order
    post_index: dict[int, int] = field(default_factory=dict)  # id -> position in posts
    lists: list[NewList] = field(default_factory=list)
    list_edits: dict[int, dict[str, Any]] = field(default_factory=dict)  # list index -> fields
    deleted_lists: set[int] = field(default_factory=set)  # list indices
    members: Edges = field(default_factory=Edges)  # (list index, user)
    list_followers: Edges = field(default_factory=Edges)  # (list index, user)
    pins: Edges = field(default_factory=Edges)  # (user, list index)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    dm_events: list[DmEvent] = field(default_factory=list)
    jobs: dict[int, ComplianceJob] = field(default_factory=dict)
    rules: dict[int, Any] = field(default_factory=dict)  # the filtered stream's (rules.Rule)
    last_id: int = 0

    def new_id(self, now_s: float, floor: int = 0) -> int:
        """A fresh snowflake made at ``now_s``: larger than every id made before and ``floor``."""
        candidate = snowflake(int(now_s * 1000), len(self.posts) + len(self.dm_events))
        self.last_id = max(candidate, self.last_id + 1, floor + 1)
        return self.last_id

    # --- posts ------------------------------------------------------------------------------
    def add_post(self, post: Post) -> None:
        self.post_index[post.id] = len(self.posts)
        self.posts.append(post)

    def post(self, post_id: int) -> Post | None:
        """A created post by id (deleted ones too), or None."""
        k = self.post_index.get(post_id)
        return None if k is None else self.posts[k]

    def live_posts(self) -> list[Post]:
        return [p for p in self.posts if not p.deleted]

    def repost_of(self, user: int, post_id: int) -> Post | None:
        """``user``'s live repost of ``post_id``, if any."""
        for p in self.posts:
            if not p.deleted and p.kind == "retweet" and p.author == user and p.ref == post_id:
                return p
        return None
