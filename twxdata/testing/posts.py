"""The synthetic posts as numpy columns, one row per post, rows in time (and id) order.

Everything a search operator looks at is a column here, so a query over a million posts is a
handful of vectorised comparisons. Text and entities are assembled from these columns only
when a response needs them (``twxdata.testing.texts``).

A retweet's content columns (words, hashtags, media, ...) are copies of the original's: search
matches a retweet by what it retweets, as X does, even where the ``RT @user: ...`` text is cut.

>>> from twxdata.testing.people import Users
>>> users = Users(seed=3, n=40, before=1.7e9)
>>> posts = Posts(seed=3, n=500, users=users, start=1.7e9, end=1.7e9 + 86_400)
>>> bool((posts.ids[1:] > posts.ids[:-1]).all()), bool((posts.ref < np.arange(500)).all())
(True, True)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from twxdata.testing import vocab
from twxdata.testing.people import Users
from twxdata.testing.rand import mix_array
from twxdata.testing.snowflake import TWITTER_EPOCH_MS

ORIGINAL, REPLY, RETWEET, QUOTE = 0, 1, 2, 3
NO_MEDIA, PHOTO, VIDEO, GIF = 0, 1, 2, 3
MAX_WORDS = 14
RT_PREFIX, REPLY_TO, REPLY_TO_2, BODY_1, BODY_2 = range(5)  # columns of ``mentions``

# One id per distinct word across languages, so a keyword is one comparison.
VOCAB: tuple[str, ...] = tuple(dict.fromkeys(w for lang in vocab.LANGS for w in vocab.WORDS[lang]))
WORD_ID: dict[str, int] = {w: i for i, w in enumerate(VOCAB)}
LANG_WORDS: tuple[npt.NDArray[np.int16], ...] = tuple(
    np.array([WORD_ID[w] for w in vocab.WORDS[lang]], dtype=np.int16) for lang in vocab.LANGS
)
TAG_ID: dict[str, int] = {t.lower(): i for i, t in enumerate(vocab.HASHTAGS)}
CASHTAG_ID: dict[str, int] = {t.lower(): i for i, t in enumerate(vocab.CASHTAGS)}
LANG_ID: dict[str, int] = {code: i for i, code in enumerate(vocab.LANGS)}
PUNCTUATION = ("", ".", "!", "?", "…")

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I16 = npt.NDArray[np.int16]
I8 = npt.NDArray[np.int8]
B = npt.NDArray[np.bool_]


def _skewed(rng: np.random.Generator, size: int | tuple[int, ...], n: int, power: float) -> I64:
    """Ranks below ``n``, small ones much more likely (a cheap Zipf-like law)."""
    return np.minimum(n - 1, (n * rng.random(size) ** power).astype(np.int64))


class Posts:
    """``n`` posts by ``users``, created between Unix times ``start`` and ``end`` - 30 s.

    The last 30 seconds stay empty so that the default ``end_time`` of a search (10 seconds
    before the server clock) covers every post when the clock stands at ``end``.
    """

    def __init__(self, seed: int, n: int, users: Users, start: float, end: float) -> None:
        self.n = n
        rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
        idx = np.arange(n, dtype=np.int64)
        # Times: mostly uniform, with bursts around a few "events".
        span_ms = int((end - 30 - start) * 1000)
        u = rng.random(n)
        bursts = rng.random(8)
        burst_of = rng.integers(0, 8, n)
        u = np.where(
            rng.random(n) < 0.15,
            np.clip(bursts[burst_of] + rng.normal(0, 0.004, n), 0, 0.999999),
            u,
        )
        ms = np.sort((start * 1000 + u * span_ms).astype(np.int64))
        ms = np.maximum.accumulate(ms - idx) + idx  # strictly increasing: id order is time order
        ms = np.minimum(ms, int(start * 1000) + span_ms - n + idx)
        self.ms: I64 = ms
        self.sec: I64 = ms // 1000
        low = (mix_array(seed, 2, idx) & np.uint64(0x1FFFFF)).astype(np.int64)
        self.ids: I64 = ((ms - TWITTER_EPOCH_MS) << 22) | low

        weights = users.activity / users.activity.sum()
        author = rng.choice(users.n, n, p=weights).astype(np.int32)
        r = rng.random((n, 8))
        kind = np.select(
            [r[:, 0] < 0.25, r[:, 0] < 0.55, r[:, 0] < 0.62], [REPLY, RETWEET, QUOTE], ORIGINAL
        ).astype(np.int8)
        kind[: min(n, 5)] = ORIGINAL
        back = 1 + np.floor(rng.exponential(max(3.0, n / 40), n)).astype(np.int64)
        ref = np.where(kind == ORIGINAL, -1, np.maximum(0, idx - back))
        ref[: min(n, 5)] = -1
        # Nobody retweets, replies to or quotes a retweet: they act on the original.
        for _ in range(64):
            hit = (ref >= 0) & (kind[np.maximum(ref, 0)] == RETWEET)
            if not hit.any():
                break
            ref = np.where(hit, ref[np.maximum(ref, 0)], ref)
        hit = (ref >= 0) & (kind[np.maximum(ref, 0)] == RETWEET)
        kind[hit], ref[hit] = ORIGINAL, -1
        # Protected accounts cannot be retweeted.
        rt_protected = (kind == RETWEET) & users.protected[author[np.maximum(ref, 0)]]
        kind[rt_protected], ref[rt_protected] = ORIGINAL, -1
        target = np.maximum(ref, 0)
        # Threads: some replies are by the author of the post they answer.
        self_reply = (kind == REPLY) & (r[:, 1] < 0.15)
        author[self_reply] = author[target[self_reply]]
        self.author: I32 = author
        self.kind: I8 = kind
        self.ref: I64 = ref
        parent = np.where(kind == REPLY, ref, idx)
        while True:  # pointer jumping to each reply chain's root
            nxt = parent[parent]
            if (nxt == parent).all():
                break
            parent = nxt
        self.conv: I64 = parent

        lang = users.lang[author].copy()
        lang[r[:, 2] < 0.08] = LANG_ID["en"]
        self.lang: I8 = lang.astype(np.int8)
        self.nwords: I8 = rng.integers(3, MAX_WORDS + 1, n).astype(np.int8)
        words = np.full((n, MAX_WORDS), -1, dtype=np.int16)
        for code, ids in enumerate(LANG_WORDS):
            rows = np.flatnonzero(self.lang == code)
            words[rows] = ids[_skewed(rng, (len(rows), MAX_WORDS), len(ids), 1.6)]
        words[np.arange(MAX_WORDS)[None, :] >= self.nwords[:, None]] = -1
        self.words: I16 = words
        self.punct: I8 = rng.choice(len(PUNCTUATION), n, p=[0.35, 0.35, 0.15, 0.1, 0.05]).astype(
            np.int8
        )
        self.emoji: I16 = np.where(r[:, 3] < 0.25, rng.integers(0, len(vocab.EMOJI), n), -1).astype(
            np.int16
        )
        ntags = np.searchsorted([0.55, 0.85, 0.95], rng.random(n))
        tags = _skewed(rng, (n, 3), len(vocab.HASHTAGS), 1.8).astype(np.int16)
        tags[np.arange(3)[None, :] >= ntags[:, None]] = -1
        tags[:, 1] = np.where(tags[:, 1] == tags[:, 0], -1, tags[:, 1])
        tags[:, 2] = np.where(
            (tags[:, 2] == tags[:, 0]) | (tags[:, 2] == tags[:, 1]), -1, tags[:, 2]
        )
        self.tags: I16 = tags
        self.cashtag: I16 = np.where(
            r[:, 4] < 0.06, _skewed(rng, n, len(vocab.CASHTAGS), 1.5), -1
        ).astype(np.int16)

        pop = users.popularity / users.popularity.sum()
        mentions = np.full((n, 5), -1, dtype=np.int32)
        nbody = np.searchsorted([0.75, 0.93], rng.random(n))
        body = rng.choice(users.n, (n, 2), p=pop).astype(np.int32)
        mentions[:, BODY_1] = np.where(nbody >= 1, body[:, 0], -1)
        mentions[:, BODY_2] = np.where((nbody >= 2) & (body[:, 1] != body[:, 0]), body[:, 1], -1)
        reply = (kind == REPLY) & ~self_reply
        mentions[reply, REPLY_TO] = author[target[reply]]
        second = reply & (kind[target] == REPLY) & (r[:, 5] < 0.3)
        mentions[second, REPLY_TO_2] = mentions[target[second], REPLY_TO]
        mentions[:, REPLY_TO_2] = np.where(
            mentions[:, REPLY_TO_2] == mentions[:, REPLY_TO], -1, mentions[:, REPLY_TO_2]
        )

        media_r = rng.random(n)
        self.media: I8 = np.select(
            [media_r < 0.105, media_r < 0.135, media_r < 0.15], [PHOTO, VIDEO, GIF], NO_MEDIA
        ).astype(np.int8)
        self.nmedia: I8 = np.where(
            self.media == PHOTO,
            np.searchsorted([0.7, 0.85, 0.93], rng.random(n)) + 1,
            (self.media != NO_MEDIA).astype(np.int64),
        ).astype(np.int8)
        self.url: I16 = np.where(
            r[:, 6] < 0.18, rng.integers(0, len(vocab.LINK_DOMAINS), n), -1
        ).astype(np.int16)
        self.poll: B = (kind == ORIGINAL) & (self.media == NO_MEDIA) & (r[:, 7] < 0.015)
        extra = rng.random((n, 8))
        self.place: I16 = np.where(
            extra[:, 0] < 0.04, rng.integers(0, len(vocab.PLACES), n), -1
        ).astype(np.int16)
        self.coords: B = (self.place >= 0) & (extra[:, 1] < 0.3)
        nctx = np.searchsorted([0.6, 0.85], extra[:, 2])
        ctx = rng.integers(0, len(vocab.ANNOTATIONS), (n, 2)).astype(np.int16)
        ctx[:, 0] = np.where(nctx >= 1, ctx[:, 0], -1)
        ctx[:, 1] = np.where((nctx >= 2) & (ctx[:, 1] != ctx[:, 0]), ctx[:, 1], -1)
        self.ctx: I16 = ctx
        self.edits: I8 = np.where(extra[:, 3] < 0.02, 1 + (extra[:, 4] < 0.3), 0).astype(np.int8)
        self.withheld: B = extra[:, 5] < 0.003
        self.sensitive: B = extra[:, 6] < 0.03
        self.deleted0: B = extra[:, 7] < 0.008
        self.source: I8 = rng.choice(
            len(vocab.SOURCES), n, p=np.array(vocab.SOURCE_WEIGHTS)
        ).astype(np.int8)
        rs = rng.random(n)
        self.reply_settings: I8 = np.select([rs < 0.93, rs < 0.97], [0, 1], 2).astype(np.int8)
        boost = 1 + users.popularity[author] / users.popularity.mean()
        likes = np.expm1(rng.normal(0.4, 1.5, n)) * boost
        self.like_count: I64 = np.clip(likes, 0, max(0, users.n - 1)).astype(np.int64)

        # Retweets carry their original's content, and no content of their own.
        rt = np.flatnonzero(kind == RETWEET)
        src = ref[rt]
        for column in (
            self.words,
            self.nwords,
            self.punct,
            self.emoji,
            self.tags,
            self.cashtag,
            self.url,
            self.media,
            self.nmedia,
            self.lang,
            self.ctx,
        ):
            column[rt] = column[src]
        mentions[rt, RT_PREFIX] = author[src]
        mentions[rt, 1:] = mentions[src, 1:]
        self.mentions: I32 = mentions
        for column in (self.poll, self.coords, self.withheld, self.sensitive):
            column[rt] = False
        self.place[rt] = -1
        self.edits[rt] = 0
        self.like_count[rt] = 0

        counts = {k: np.bincount(ref[kind == k], minlength=n) for k in (REPLY, RETWEET, QUOTE)}
        self.reply_count: I64 = counts[REPLY]
        self.retweet_count: I64 = counts[RETWEET]
        self.quote_count: I64 = counts[QUOTE]

    def index_of_id(self, pid: int) -> int | None:
        """Row of the post with id ``pid``, or None."""
        i = int(np.searchsorted(self.ids, pid))
        return i if i < self.n and int(self.ids[i]) == pid else None
