"""The seeded synthetic X: accounts, posts, follows, likes, lists and spaces.

Everything is a pure function of ``seed`` and ``size`` (and ``end``), except ``state``: the one
mutable place, holding which posts are deleted and which accounts are protected, suspended or
deactivated, and (``state.activity``, see ``twxdata.testing.activity``) what writes through the
fake API changed: likes, follows, lists, posts, messages, compliance jobs. Mutations
(``delete_tweet``, ``protect_user``, ..., ``changed`` after an activity edit) change only
``state`` and bump its ``version``, which every cache keyed on visibility checks.

Post rows are in time order and generated in bulk as numpy columns (a million posts take a
couple of seconds); texts, profiles and other objects are built when a response needs them.

>>> from datetime import datetime
>>> c = Corpus(seed=7, size=2_000, end=datetime(2024, 5, 1))
>>> pid = int(c.posts.ids[c.visible_rows()[-1]])
>>> c.tweet_status(pid), c.delete_tweet(pid), c.tweet_status(pid)
('ok', True, 'deleted')
"""

from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from twxdata.testing import metrics, objects
from twxdata.testing.activity import Activity
from twxdata.testing.live import LiveFollows, LiveLists
from twxdata.testing.people import Users
from twxdata.testing.posts import QUOTE, RETWEET, Posts
from twxdata.testing.snowflake import TWITTER_EPOCH_MS
from twxdata.testing.social import Follows, Likes, Lists, Spaces
from twxdata.testing.timestamps import to_unix

T = TypeVar("T")

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_CACHE_SIZE = 200_000


@dataclass
class CorpusState:
    """What changed since generation. The only mutable part of a corpus."""

    deleted: B  # per post
    protected: B  # per user
    suspended: B
    deactivated: B
    version: int = 0
    log: list[tuple[str, int]] = field(default_factory=list)
    activity: Activity = field(default_factory=Activity)  # what writes through the API changed

    def hidden_users(self) -> B:
        return self.protected | self.suspended | self.deactivated


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> Any:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


def default_end() -> datetime:
    """The current UTC time floored to the hour: the default end of a corpus."""
    return datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)


class Corpus:
    """A deterministic synthetic X of ``size`` posts ending at ``end`` (default: this hour).

    Posts span ``span`` (30 days) before ``end``; there are ``users`` accounts (default: a
    tenth of the posts, 50 to 100,000). Rows of ``posts`` and ``users`` are numpy columns;
    ``tweet(row)`` and ``user(row)`` give the full API objects. To find ids for a test:
    ``posts.ids[visible_rows()]``, ``users.ids``, ``users.username(row)``, ``lists.ids``,
    ``spaces.ids``.

    >>> c = Corpus(seed=1, size=500, end=datetime(2024, 1, 1))
    >>> name = c.users.username(3)
    >>> c.user(c.users.index_of_username(name) or 0)["username"] == name
    True
    """

    def __init__(
        self,
        seed: int = 0,
        size: int = 10_000,
        *,
        end: datetime | None = None,
        span: timedelta = timedelta(days=30),
        users: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.seed = seed
        self.size = size
        self.explicit_end = end is not None
        self.end = end if end is not None else default_end()
        if self.end.tzinfo is None:
            self.end = self.end.replace(tzinfo=timezone.utc)
        self.end_s = to_unix(self.end)
        self.start_s = self.end_s - span.total_seconds()
        n_users = users if users is not None else max(50, min(size // 10, 100_000))
        self.users = Users(seed, n_users, before=self.start_s)
        self.posts = Posts(seed, size, self.users, self.start_s, self.end_s)
        self.state = CorpusState(
            deleted=self.posts.deleted0.copy(),
            protected=self.users.protected.copy(),
            suspended=self.users.suspended.copy(),
            deactivated=self.users.deactivated.copy(),
        )
        self._tweets: _Lru = _Lru(_CACHE_SIZE)
        self._users: _Lru = _Lru(_CACHE_SIZE)
        self._derived: _Lru = _Lru(512)  # derived from the current state
        self._derived_version = -1
        self._static: dict[Any, Any] = {}  # a few structures that never change
        self._masks: _Lru = _Lru(32)  # query masks: one bool per post each
        # Held by mutations and by the server while it answers, so a test thread may mutate
        # a corpus that a server thread is serving.
        self.lock = threading.RLock()

    def __repr__(self) -> str:
        return (
            f"Corpus(seed={self.seed}, size={self.size}, users={self.users.n}, "
            f"end={self.end.isoformat()})"
        )

    # --- mutations --------------------------------------------------------------------------
    def _bump(self, what: str, ident: int) -> None:
        # Callers hold self.lock.
        self.state.version += 1
        self.state.log.append((what, ident))
        self._users.clear()

    def changed(self, what: str, ident: int) -> None:
        """Record a change made in ``state.activity`` (by a write endpoint), so caches of
        user objects and timelines are rebuilt."""
        with self.lock:
            self._bump(what, ident)

    def delete_tweet(self, tweet_id: int | str) -> bool:
        """Delete a post; returns False if there is no such (undeleted) post."""
        i = self.posts.index_of_id(int(tweet_id))
        if i is None or self.state.deleted[i]:
            return False
        with self.lock:
            self.state.deleted[i] = True
            self._bump("delete_tweet", int(tweet_id))
        return True

    def protect_user(self, user_id: int | str, protected: bool = True) -> bool:
        """Make an account protected (or public again with ``protected=False``)."""
        u = self.users.index_of_id(int(user_id))
        if u is None:
            return False
        with self.lock:
            self.state.protected[u] = protected
            self._bump("protect_user" if protected else "unprotect_user", int(user_id))
        return True

    def suspend_user(self, user_id: int | str) -> bool:
        """Suspend an account: its posts vanish and lookups answer "User has been suspended"."""
        u = self.users.index_of_id(int(user_id))
        if u is None:
            return False
        with self.lock:
            self.state.suspended[u] = True
            self._bump("suspend_user", int(user_id))
        return True

    def deactivate_user(self, user_id: int | str) -> bool:
        """Deactivate an account: it and its posts are then not found at all."""
        u = self.users.index_of_id(int(user_id))
        if u is None:
            return False
        with self.lock:
            self.state.deactivated[u] = True
            self._bump("deactivate_user", int(user_id))
        return True

    # --- visibility -------------------------------------------------------------------------
    def _cached(self, key: Any, make: Any) -> Any:
        if self._derived_version != self.state.version:
            self._derived.clear()
            self._derived_version = self.state.version
        hit = self._derived.get(key)
        if hit is None:
            hit = self._derived.put(key, make())
        return hit

    @property
    def visible(self) -> B:
        """Per post: does the public see it now (not deleted, author public, original alive)."""
        return self._cached("visible", self._visible)  # type: ignore[no-any-return]

    def _visible(self) -> B:
        p, s = self.posts, self.state
        base = ~s.deleted & ~s.hidden_users()[p.author]
        out: B = base & ~((p.kind == RETWEET) & ~base[np.maximum(p.ref, 0)])
        return out

    def visible_rows(self) -> I64:
        """Rows of the visible posts, oldest first."""
        return self._cached("visible_rows", lambda: np.flatnonzero(self.visible))  # type: ignore[no-any-return]

    def user_state(self, u: int) -> str:
        """``ok``, ``protected``, ``suspended`` or ``deactivated``."""
        s = self.state
        if s.deactivated[u]:
            return "deactivated"
        if s.suspended[u]:
            return "suspended"
        return "protected" if s.protected[u] else "ok"

    def row_state(self, i: int) -> str:
        """Why post row ``i`` is hidden (``deleted``, ``protected``, ...), or ``ok``."""
        if self.state.deleted[i]:
            return "deleted"
        author = self.user_state(int(self.posts.author[i]))
        if author != "ok":
            return author
        if int(self.posts.kind[i]) == RETWEET and not self.visible[int(self.posts.ref[i])]:
            return "deleted"
        return "ok"

    def tweet_status(self, tweet_id: int | str) -> str:
        """``ok``, ``deleted``, ``protected``, ``suspended``, ``deactivated`` or ``missing``."""
        found = self.find_tweet(int(tweet_id))
        return "missing" if found is None else self.row_state(found[0])

    # --- lookups ----------------------------------------------------------------------------
    def find_tweet(self, tweet_id: int) -> tuple[int, int] | None:
        """(row, version) of a post id; version k > 0 is an earlier edit of that row."""
        i = self.posts.index_of_id(tweet_id)
        if i is not None:
            return i, 0
        ids, rows, versions = self._edit_index
        j = int(np.searchsorted(ids, tweet_id))
        if j < ids.size and int(ids[j]) == tweet_id:
            return int(rows[j]), int(versions[j])
        return None

    @cached_property
    def _edit_index(self) -> tuple[I64, I64, I64]:
        p = self.posts
        ids, rows, versions = [], [], []
        for k in (1, 2):
            r = np.flatnonzero(p.edits >= k)
            ids.append(self._version_ids(r, k))
            rows.append(r)
            versions.append(np.full(r.size, k, dtype=np.int64))
        all_ids = np.concatenate(ids)
        order = np.argsort(all_ids)
        return all_ids[order], np.concatenate(rows)[order], np.concatenate(versions)[order]

    def _version_ids(self, rows: I64, k: int) -> I64:
        p = self.posts
        ms = p.ms[rows] - 60_000 * k
        return ((ms - TWITTER_EPOCH_MS) << 22) | (p.ids[rows] & 0x1FFFFF) | (1 << 21)

    def edit_history(self, i: int) -> list[int]:
        """Ids of every version of post row ``i``, oldest first (the latest is the row's id)."""
        n = int(self.posts.edits[i])
        rows = np.array([i], dtype=np.int64)
        return [int(self._version_ids(rows, k)[0]) for k in range(n, 0, -1)] + [
            int(self.posts.ids[i])
        ]

    def poll_id(self, i: int) -> int:
        return ((int(self.posts.ms[i]) - 2_000 - TWITTER_EPOCH_MS) << 22) | (i & 0x3FFFFF)

    def user_for_token(self, token: str) -> int:
        """The account a token belongs to: a stable choice among public, active accounts."""
        hidden = self.state.hidden_users()
        start = zlib.crc32(token.encode()) % self.users.n
        for k in range(self.users.n):
            u = (start + k) % self.users.n
            if not hidden[u]:
                return u
        return start

    # --- objects ----------------------------------------------------------------------------
    def tweet(self, i: int, version: int = 0) -> dict[str, Any]:
        """Full API object of post row ``i`` (cached; treat as read-only)."""
        key = (i, version)
        hit = self._tweets.get(key)
        if hit is None:
            hit = self._tweets.put(key, objects.tweet_object(self, i, version))
        return hit  # type: ignore[no-any-return]

    def user(self, u: int) -> dict[str, Any]:
        """Full API object of user ``u`` (cached until the next mutation)."""
        hit = self._users.get(u)
        if hit is None:
            hit = self._users.put(u, self._make_user(u))
        return hit  # type: ignore[no-any-return]

    def _make_user(self, u: int) -> dict[str, Any]:
        own = self.by_author(u)
        visible = own[self.visible[own]] if own.size else own
        recent = int(self.posts.ids[visible[-1]]) if visible.size else None
        pinned = self._pinned(u, own)
        follows = self.follows
        moved = metrics.deltas(self)  # posts, deletions and likes made since generation
        counts = {
            "followers_count": int(follows.in_degree[u]),
            "following_count": int(follows.out_degree[u]),
            "tweet_count": max(0, int(own.size) + moved.posted[u]),
            "listed_count": int(self.lists.membership_ptr[u + 1] - self.lists.membership_ptr[u]),
            "like_count": max(0, int(self.likes.given()[u]) + moved.likes_given[u]),
        }
        return self.users.profile(u, counts, pinned, recent, bool(self.state.protected[u]))

    def _pinned(self, u: int, own: I64) -> int | None:
        originals = own[self.posts.kind[own] == 0] if own.size else own
        if not originals.size or (u * 7 + self.seed) % 3:
            return None
        return int(self.posts.ids[originals[(u + self.seed) % originals.size]])

    # --- indexes ----------------------------------------------------------------------------
    @cached_property
    def _author_index(self) -> tuple[I64, I64]:
        order = np.argsort(self.posts.author, kind="stable")
        ptr = np.zeros(self.users.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.posts.author, minlength=self.users.n), out=ptr[1:])
        return ptr, order

    def by_author(self, u: int) -> I64:
        """Rows of every post by user ``u`` (deleted ones too), oldest first."""
        ptr, order = self._author_index
        return order[ptr[u] : ptr[u + 1]]

    @cached_property
    def _mention_index(self) -> tuple[I64, I64]:
        m = self.posts.mentions
        rows = np.repeat(np.arange(self.size, dtype=np.int64), m.shape[1])
        users = m.reshape(-1).astype(np.int64)
        keep = users >= 0
        rows, users = rows[keep], users[keep]
        key = np.unique(users * self.size + rows)  # one entry per (user, post)
        ptr = np.zeros(self.users.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(key // self.size, minlength=self.users.n), out=ptr[1:])
        return ptr, key % self.size

    def mentioning(self, u: int) -> I64:
        """Rows of posts that mention user ``u``, oldest first."""
        ptr, rows = self._mention_index
        return rows[ptr[u] : ptr[u + 1]]

    def _refs(self, kind: int) -> tuple[I64, I64]:
        def make() -> tuple[I64, I64]:
            rows = np.flatnonzero(self.posts.kind == kind)
            order = np.argsort(self.posts.ref[rows], kind="stable")
            return self.posts.ref[rows][order], rows[order]

        key = ("refs", kind)
        if key not in self._static:
            self._static[key] = make()
        return self._static[key]  # type: ignore[no-any-return]

    def referencing(self, i: int, kind: int) -> I64:
        """Rows of posts of ``kind`` (reply, retweet, quote) that reference row ``i``."""
        refs, rows = self._refs(kind)
        lo, hi = np.searchsorted(refs, [i, i + 1])
        return rows[lo:hi]

    def quotes_of(self, i: int) -> I64:
        return self.referencing(i, QUOTE)

    def retweets_of(self, i: int) -> I64:
        return self.referencing(i, RETWEET)

    # --- social structures (built on first use) ---------------------------------------------
    @cached_property
    def follows(self) -> LiveFollows:
        """The follow graph, with follows made through the API (``twxdata.testing.live``)."""
        return LiveFollows(Follows(self.seed, self.users), self.state)

    @cached_property
    def likes(self) -> Likes:
        return Likes(self.seed, self.posts.like_count, self.users.n)

    @cached_property
    def lists(self) -> LiveLists:
        """The lists, with those created and edited through the API."""
        return LiveLists(Lists(self.seed, self.users, self.start_s), self.state)

    @cached_property
    def spaces(self) -> Spaces:
        return Spaces(self.seed, self.users, self.end_s)

    def cached(self, key: Any, make: Callable[[], T]) -> T:
        """A value derived from the current state, recomputed after each mutation."""
        value: T = self._cached(key, make)
        return value

    def query_mask(self, text: str, make: Any) -> B:
        """The (state-independent) mask of a search query, kept for the last few queries."""
        hit = self._masks.get(text)
        if hit is None:
            hit = self._masks.put(text, make())
        return hit  # type: ignore[no-any-return]
