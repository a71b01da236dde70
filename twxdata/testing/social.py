"""Who follows whom, who liked what, lists and spaces: built only when first asked for.

Each structure is a pair of CSR-style arrays (offsets and targets), so a page of followers is
a slice. The follow graph has heavy-tailed in-degrees (edges point at popular accounts); likes
are spread evenly with a coprime-step trick that gives every post exactly ``like_count``
distinct likers without building the whole like graph.

>>> from twxdata.testing.people import Users
>>> users = Users(seed=2, n=100, before=1.7e9)
>>> f = Follows(seed=2, users=users)
>>> int(f.followers(0).size) == int(f.in_degree[0])
True
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import numpy.typing as npt

from twxdata.testing import vocab
from twxdata.testing.people import Users
from twxdata.testing.rand import code, mix, mix_array, pick

I64 = npt.NDArray[np.int64]


def _group(major: I64, minor: I64, n_major: int, n_minor: int) -> tuple[I64, I64]:
    """CSR arrays of ``minor`` values grouped by ``major``, largest minor first, deduplicated.

    One sort of a combined int64 key: much faster than ``np.unique`` or ``lexsort``.
    """
    key = major * n_minor + (n_minor - 1 - minor)
    key.sort()
    if key.size:
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    groups = key // n_minor
    ptr = np.zeros(n_major + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=n_major), out=ptr[1:])
    return ptr, n_minor - 1 - key % n_minor


def _draw(
    rng: np.random.Generator, degrees: I64, n_dst: int, weights: npt.NDArray[np.float64]
) -> tuple[I64, I64]:
    """``degrees[s]`` targets for each source ``s``, drawn in proportion to ``weights``."""
    src = np.repeat(np.arange(degrees.size, dtype=np.int64), degrees)
    cdf = np.cumsum(weights)
    dst = np.minimum(np.searchsorted(cdf, rng.random(src.size) * cdf[-1]), n_dst - 1)
    return src, dst.astype(np.int64)


class Follows:
    """The follow graph: ``following(u)`` and ``followers(u)``, newest follow first."""

    def __init__(self, seed: int, users: Users) -> None:
        n = users.n
        rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
        avg = min(20.0, max(3.0, n / 25))
        degrees = np.clip(rng.lognormal(np.log(avg), 1.0, n), 0, n - 1).astype(np.int64)
        src, dst = _draw(rng, degrees, n, users.popularity)
        keep = src != dst
        src, dst = src[keep], dst[keep]
        # Lists show the most recent follow first; account index stands in for follow time.
        self.out_ptr, self.out = _group(src, dst, n, n)
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.out_ptr))
        self.in_ptr, self.inn = _group(self.out, src, n, n)
        self.out_degree: I64 = np.diff(self.out_ptr)
        self.in_degree: I64 = np.diff(self.in_ptr)

    def following(self, u: int) -> I64:
        return self.out[self.out_ptr[u] : self.out_ptr[u + 1]]

    def followers(self, u: int) -> I64:
        return self.inn[self.in_ptr[u] : self.in_ptr[u + 1]]


class Likes:
    """Likers of each post, and (built on first use) the posts each user liked.

    Post ``p``'s likers are ``(base[p] + k * step[p]) mod n_users`` for ``k < like_count[p]``:
    distinct because ``step`` is a prime larger than the number of users.
    """

    def __init__(self, seed: int, like_count: I64, n_users: int) -> None:
        self.seed = seed
        self.count = like_count
        self.n_users = n_users
        primes = [p for p in range(n_users + 1, n_users + 2000) if _is_prime(p)][:16]
        idx = np.arange(like_count.size, dtype=np.int64)
        h = mix_array(seed, 41, idx)
        self.base: I64 = (h % np.uint64(max(1, n_users))).astype(np.int64)
        self.step: I64 = np.array(primes, dtype=np.int64)[
            (h >> np.uint64(40)).astype(np.int64) % len(primes)
        ]

    def likers(self, p: int) -> I64:
        """Users who liked post ``p``, most recent like first."""
        k = np.arange(int(self.count[p]), dtype=np.int64)
        out: I64 = (self.base[p] + k * self.step[p]) % self.n_users
        return out

    @cached_property
    def _by_user(self) -> tuple[I64, I64]:
        counts = self.count
        post = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        starts = np.repeat(np.cumsum(counts) - counts, counts)
        k = np.arange(post.size, dtype=np.int64) - starts
        user = (self.base[post] + k * self.step[post]) % self.n_users
        return _group(user, post, self.n_users, counts.size)

    def liked(self, u: int) -> I64:
        """Posts user ``u`` liked, most recent post first."""
        ptr, posts = self._by_user
        return posts[ptr[u] : ptr[u + 1]]

    def given(self) -> I64:
        """How many likes each user gave."""
        return np.diff(self._by_user[0])


def _is_prime(p: int) -> bool:
    if p < 2:
        return False
    f = 2
    while f * f <= p:
        if p % f == 0:
            return False
        f += 1
    return True


class Lists:
    """Curated lists: owners, members, followers; ids grow with creation time."""

    def __init__(self, seed: int, users: Users, before: float) -> None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
        n_users = users.n
        n = max(5, n_users // 15)
        self.n = n
        self.seed = seed
        owner = rng.choice(n_users, n, p=users.activity / users.activity.sum()).astype(np.int64)
        created = users.created_s[owner] + rng.random(n) * (before - users.created_s[owner])
        order = np.argsort(created, kind="stable")
        self.owner: I64 = owner[order]
        self.created_s: I64 = created[order].astype(np.int64)
        ms = self.created_s * 1000 + np.arange(n) % 1000
        ms = np.maximum.accumulate(ms - np.arange(n)) + np.arange(n)
        low = (mix_array(seed, 51, np.arange(n, dtype=np.int64)) & np.uint64(0x1FFFFF)).astype(
            np.int64
        )
        self.ids: I64 = ((ms - 1288834974657) << 22) | low | (1 << 21)
        self.private = rng.random(n) < 0.08
        m = np.clip(rng.lognormal(np.log(15), 1.0, n), 1, min(n_users, 400)).astype(np.int64)
        src, dst = _draw(rng, m, n_users, users.popularity)
        self.member_ptr, self.members_ = _group(src, dst, n, n_users)
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.member_ptr))
        self.membership_ptr, self.memberships_ = _group(self.members_, src, n_users, n)
        f = np.clip(rng.lognormal(np.log(4), 1.2, n), 0, n_users - 1).astype(np.int64)
        src, dst = _draw(rng, f, n_users, users.activity)
        self.follower_ptr, self.followers_ = _group(src, dst, n, n_users)
        src = np.repeat(np.arange(n, dtype=np.int64), np.diff(self.follower_ptr))
        self.followed_ptr, self.followed_ = _group(self.followers_, src, n_users, n)
        self.owned_ptr, self.owned_ = _group(self.owner, np.arange(n, dtype=np.int64), n_users, n)

    def index_of_id(self, lid: int) -> int | None:
        i = int(np.searchsorted(self.ids, lid))
        return i if i < self.n and int(self.ids[i]) == lid else None

    def members(self, lst: int) -> I64:
        return self.members_[self.member_ptr[lst] : self.member_ptr[lst + 1]]

    def followers(self, lst: int) -> I64:
        return self.followers_[self.follower_ptr[lst] : self.follower_ptr[lst + 1]]

    def memberships(self, u: int) -> I64:
        return self.memberships_[self.membership_ptr[u] : self.membership_ptr[u + 1]]

    def followed(self, u: int) -> I64:
        return self.followed_[self.followed_ptr[u] : self.followed_ptr[u + 1]]

    def owned(self, u: int) -> I64:
        return self.owned_[self.owned_ptr[u] : self.owned_ptr[u + 1]]

    def name(self, lst: int) -> str:
        topic = vocab.LIST_TOPICS[pick(mix(self.seed, 54, lst), len(vocab.LIST_TOPICS))]
        return f"{topic} {lst}" if mix(self.seed, 55, lst) % 3 == 0 else topic

    def description(self, lst: int) -> str:
        if mix(self.seed, 56, lst) % 4 == 0:
            return ""
        return f"Accounts I read about {self.name(lst).lower()} ✨"


class Spaces:
    """A handful of audio Spaces: live, scheduled and ended ones."""

    STATES = ("live", "scheduled", "ended")

    def __init__(self, seed: int, users: Users, end: float) -> None:
        rng = np.random.default_rng(np.random.SeedSequence([seed, 5]))
        n = int(min(60, 12 + users.n // 200))
        self.n = n
        self.ids: list[str] = ["1" + code(mix(seed, 61, k), 12) for k in range(n)]
        self.by_id = {sid: k for k, sid in enumerate(self.ids)}
        self.creator: I64 = rng.choice(users.n, n, p=users.popularity / users.popularity.sum())
        self.state: I64 = rng.choice(3, n, p=[0.3, 0.3, 0.4])
        self.created_s: I64 = (end - rng.random(n) * 20 * 86_400).astype(np.int64)
        self.duration_s: I64 = rng.integers(600, 7200, n)
        self.speakers: list[list[int]] = [
            [int(x) for x in rng.choice(users.n, int(rng.integers(0, 4)), replace=False)]
            for _ in range(n)
        ]
        self.participants: I64 = rng.integers(0, 5000, n)
        self.title_of: I64 = rng.integers(0, len(vocab.SPACE_TITLES), n)
        self.lang: I64 = rng.integers(0, len(vocab.LANGS), n)
        self.ticketed = rng.random(n) < 0.1
        self.topic: I64 = rng.integers(0, len(vocab.ANNOTATIONS), n)
        self.end = end

    def title(self, k: int) -> str:
        return vocab.SPACE_TITLES[int(self.title_of[k])]
