"""The follow graph and the lists as they are now: generated, with ``Activity`` laid over them.

``Corpus.follows`` and ``Corpus.lists`` are these views, so every reader (followers pages,
home timelines, list lookups, list posts, account metrics) sees follows, list edits and
memberships made through the fake API without knowing about writes. With nothing written they
hand out the generated arrays themselves, so reads cost what they cost before.

>>> from twxdata.testing.corpus import Corpus
>>> from datetime import datetime
>>> c = Corpus(seed=1, size=500, end=datetime(2024, 5, 1))
>>> before = c.follows.followers(0).tolist()
>>> c.state.activity.follows.add(7, 0); c.changed("follow", 7)
>>> c.follows.followers(0).tolist() == [7, *[u for u in before if u != 7]]
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from twxdata.testing.activity import I64, Activity, Edges, as_array
from twxdata.testing.social import Follows, Lists

if TYPE_CHECKING:
    from twxdata.testing.corpus import CorpusState


class _Cache:
    """Values derived from the state, dropped whenever the state's version moves."""

    def __init__(self, state: CorpusState) -> None:
        self.state = state
        self._version = -1
        self._values: dict[str, Any] = {}

    def get(self, key: str, make: Any) -> Any:
        if self._version != self.state.version:
            self._values.clear()
            self._version = self.state.version
        if key not in self._values:
            self._values[key] = make()
        return self._values[key]


def _adjusted(base: I64, changes: dict[int, int]) -> I64:
    if not changes:
        return base
    out: I64 = base.copy()
    for i, n in changes.items():
        out[i] = n
    return out


def _ptr(counts: I64) -> I64:
    ptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


class LiveFollows:
    """``Follows`` plus the follows and unfollows made through the API."""

    def __init__(self, base: Follows, state: CorpusState) -> None:
        self.base = base
        self.state = state
        self._cache = _Cache(state)

    @property
    def _edges(self) -> Edges:
        return self.state.activity.follows

    def following(self, u: int) -> I64:
        if not self._edges:
            return self.base.following(u)
        return as_array(self._edges.out_of(u, self.base.following(u)))

    def followers(self, u: int) -> I64:
        if not self._edges:
            return self.base.followers(u)
        return as_array(self._edges.into(u, self.base.followers(u)))

    @property
    def out_degree(self) -> I64:
        return self._degrees()[0]

    @property
    def in_degree(self) -> I64:
        return self._degrees()[1]

    def _degrees(self) -> tuple[I64, I64]:
        edges = self._edges
        if not edges:
            return self.base.out_degree, self.base.in_degree

        def make() -> tuple[I64, I64]:
            pairs = [*edges.added, *edges.removed]
            outs = {a: len(self.following(a)) for a, _ in pairs}
            ins = {b: len(self.followers(b)) for _, b in pairs}
            return _adjusted(self.base.out_degree, outs), _adjusted(self.base.in_degree, ins)

        return self._cache.get("degrees", make)  # type: ignore[no-any-return]


class LiveLists:
    """``Lists`` plus lists created, edited and deleted, members, followers (index-compatible).

    Created lists get indices after the generated ones, so ``objects.list_object`` and the
    handlers address them like any other list.
    """

    def __init__(self, base: Lists, state: CorpusState) -> None:
        self.base = base
        self.state = state
        self.seed = base.seed
        self._cache = _Cache(state)

    @property
    def _activity(self) -> Activity:
        return self.state.activity

    @property
    def _quiet(self) -> bool:
        a = self._activity
        return not (a.lists or a.list_edits or a.deleted_lists or a.members or a.list_followers)

    @property
    def n(self) -> int:
        return self.base.n + len(self._activity.lists)

    def _column(self, name: str, created: list[Any], dtype: Any) -> Any:
        base = getattr(self.base, name)
        if self._quiet:
            return base

        def make() -> Any:
            out = np.concatenate([base, np.asarray(created, dtype=dtype)]) if created else base
            edits = {k: e[name] for k, e in self._activity.list_edits.items() if name in e}
            if edits:
                out = out.copy()
                for k, value in edits.items():
                    out[k] = value
            return out

        return self._cache.get(name, make)

    @property
    def ids(self) -> I64:
        new = self._activity.lists
        return self._column("ids", [x.id for x in new], np.int64)  # type: ignore[no-any-return]

    @property
    def owner(self) -> I64:
        new = self._activity.lists
        return self._column("owner", [x.owner for x in new], np.int64)  # type: ignore[no-any-return]

    @property
    def private(self) -> Any:
        return self._column("private", [x.private for x in self._activity.lists], bool)

    @property
    def created_s(self) -> I64:
        new = self._activity.lists
        return self._column("created_s", [x.created_s for x in new], np.int64)  # type: ignore[no-any-return]

    def index_of_id(self, lid: int) -> int | None:
        k = self.base.index_of_id(lid)
        if k is None:
            new = self._activity.lists
            k = next((self.base.n + j for j, x in enumerate(new) if x.id == lid), None)
        return None if k is None or k in self._activity.deleted_lists else k

    def name(self, k: int) -> str:
        return str(self._text(k, "name"))

    def description(self, k: int) -> str:
        return str(self._text(k, "description"))

    def _text(self, k: int, field: str) -> Any:
        edit = self._activity.list_edits.get(k, {})
        if field in edit:
            return edit[field]
        if k >= self.base.n:
            return getattr(self._activity.lists[k - self.base.n], field)
        return getattr(self.base, field)(k)

    # --- relations --------------------------------------------------------------------------
    def _generated(self, k: int, relation: str) -> I64:
        if k >= self.base.n:
            return np.zeros(0, dtype=np.int64)
        return getattr(self.base, relation)(k)  # type: ignore[no-any-return]

    def members(self, k: int) -> I64:
        edges = self._activity.members
        if not edges:
            return self._generated(k, "members")
        return as_array(edges.out_of(k, self._generated(k, "members")))

    def followers(self, k: int) -> I64:
        edges = self._activity.list_followers
        if not edges:
            return self._generated(k, "followers")
        return as_array(edges.out_of(k, self._generated(k, "followers")))

    def _alive(self, ks: list[int]) -> I64:
        gone = self._activity.deleted_lists
        return as_array([k for k in ks if k not in gone])

    def memberships(self, u: int) -> I64:
        if self._quiet:
            return self.base.memberships(u)
        return self._alive(self._activity.members.into(u, self.base.memberships(u)))

    def followed(self, u: int) -> I64:
        if self._quiet:
            return self.base.followed(u)
        return self._alive(self._activity.list_followers.into(u, self.base.followed(u)))

    def owned(self, u: int) -> I64:
        if self._quiet:
            return self.base.owned(u)
        new = self._activity.lists
        mine = [self.base.n + j for j in range(len(new) - 1, -1, -1) if new[j].owner == u]
        return self._alive(mine + [int(k) for k in self.base.owned(u)])

    # --- counts (list objects and account metrics read these) -------------------------------
    @property
    def member_ptr(self) -> I64:
        return self._counts("member_ptr", self._activity.members, self.members, self.n)

    @property
    def follower_ptr(self) -> I64:
        return self._counts("follower_ptr", self._activity.list_followers, self.followers, self.n)

    @property
    def membership_ptr(self) -> I64:
        if self._quiet:
            return self.base.membership_ptr

        def make() -> I64:
            edges = self._activity.members
            touched = {u: len(self.memberships(u)) for _, u in [*edges.added, *edges.removed]}
            return _ptr(_adjusted(np.diff(self.base.membership_ptr), touched))

        return self._cache.get("membership_ptr", make)  # type: ignore[no-any-return]

    def _counts(self, name: str, edges: Edges, relation: Any, n: int) -> I64:
        base: I64 = getattr(self.base, name)
        if self._quiet:
            return base

        def make() -> I64:
            counts = np.zeros(n, dtype=np.int64)
            counts[: self.base.n] = np.diff(base)
            touched = {k for k, _ in [*edges.added, *edges.removed]}
            for k in touched:
                counts[k] = len(relation(k))
            return _ptr(counts)

        return self._cache.get(name, make)  # type: ignore[no-any-return]
