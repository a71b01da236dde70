"""The synthetic corpus: deterministic, realistic in the ways that break flatteners, fast."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timezone

import numpy as np
import pytest

from twxdata.testing import Corpus
from twxdata.testing.posts import QUOTE, REPLY, RETWEET
from twxdata.testing.snowflake import TWITTER_EPOCH_MS, snowflake_ms
from twxdata.testing.timestamps import parse_rfc3339

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


def test_same_seed_same_world_other_seed_other_world() -> None:
    a, b, c = (Corpus(seed=s, size=1_500, end=END) for s in (3, 3, 4))
    assert np.array_equal(a.posts.ids, b.posts.ids)
    assert [a.tweet(i) for i in range(0, 1_500, 97)] == [b.tweet(i) for i in range(0, 1_500, 97)]
    assert [a.user(u) for u in range(0, 150, 13)] == [b.user(u) for u in range(0, 150, 13)]
    assert not np.array_equal(a.posts.ids, c.posts.ids)
    assert a.tweet(5)["text"] != c.tweet(5)["text"]


def test_details_do_not_depend_on_the_order_they_are_asked_for() -> None:
    a = Corpus(seed=8, size=800, end=END)
    b = Corpus(seed=8, size=800, end=END)
    forward = [a.tweet(i) for i in range(800)]
    backward = [b.tweet(i) for i in reversed(range(800))][::-1]
    assert forward == backward


def test_ids_are_snowflakes_of_creation_time_and_sorted(corpus: Corpus) -> None:
    ids = corpus.posts.ids
    assert (np.diff(ids) > 0).all()
    for i in range(0, corpus.size, 331):
        tweet = corpus.tweet(i)
        created = parse_rfc3339(tweet["created_at"])
        assert created == snowflake_ms(int(tweet["id"])) // 1000
        assert (int(tweet["id"]) >> 22) + TWITTER_EPOCH_MS == corpus.posts.ms[i]
    assert corpus.start_s <= corpus.posts.sec[0] and corpus.posts.sec[-1] < corpus.end_s - 10


def test_entity_offsets_point_at_their_text(corpus: Corpus) -> None:
    seen: Counter[str] = Counter()
    for i in range(corpus.size):
        tweet = corpus.tweet(i)
        text = tweet["text"]
        for kind, items in tweet.get("entities", {}).items():
            for e in items:
                seen[kind] += 1
                piece = text[e["start"] : e["end"] + (kind == "annotations")]
                expected = {
                    "hashtags": "#" + e.get("tag", ""),
                    "cashtags": "$" + e.get("tag", ""),
                    "mentions": "@" + e.get("username", ""),
                    "urls": e.get("url"),
                    "annotations": e.get("normalized_text"),
                }[kind]
                assert piece == expected, (i, kind, e, text)
    assert set(seen) == {"hashtags", "cashtags", "mentions", "urls", "annotations"}


def test_kinds_of_posts_and_their_references(corpus: Corpus) -> None:
    p = corpus.posts
    kinds = Counter(int(k) for k in p.kind)
    assert all(kinds[k] > corpus.size * 0.03 for k in (0, REPLY, RETWEET, QUOTE))
    for i in np.flatnonzero(p.kind == RETWEET)[:200]:
        tweet, original = corpus.tweet(int(i)), corpus.tweet(int(p.ref[i]))
        author = corpus.user(int(p.author[p.ref[i]]))["username"]
        assert tweet["text"].startswith(f"RT @{author}: ")
        assert len(tweet["text"]) <= 140
        full = f"RT @{author}: " + original["text"]
        if len(full) > 140:
            assert tweet["text"] == full[:139] + "…"
        else:
            assert tweet["text"] == full
        assert tweet["referenced_tweets"] == [{"type": "retweeted", "id": original["id"]}]
        assert "retweeted" not in {r["type"] for r in original.get("referenced_tweets", [])}
    for i in np.flatnonzero(p.kind == REPLY)[:200]:
        tweet, parent = corpus.tweet(int(i)), corpus.tweet(int(p.ref[i]))
        assert tweet["conversation_id"] == parent["conversation_id"]
        assert tweet["in_reply_to_user_id"] == parent["author_id"]
    for i in np.flatnonzero(p.kind == QUOTE)[:50]:
        tweet = corpus.tweet(int(i))
        target = corpus.tweet(int(p.ref[i]))["id"]
        assert any(
            u["expanded_url"].endswith("/status/" + target) for u in tweet["entities"]["urls"]
        )


def test_realistic_variety(corpus: Corpus) -> None:
    tweets = [corpus.tweet(i) for i in range(corpus.size)]
    langs = Counter(t["lang"] for t in tweets)
    assert {"en", "ar", "he", "ja", "es"} <= set(langs)
    assert any("\u0600" <= ch <= "\u06ff" for t in tweets for ch in t["text"])  # Arabic
    assert any("\u0590" <= ch <= "\u05ff" for t in tweets for ch in t["text"])  # Hebrew
    assert any(ord(ch) > 0xFFFF for t in tweets for ch in t["text"])  # astral emoji
    assert sum("withheld" in t for t in tweets) > 0
    assert sum(len(t["edit_history_tweet_ids"]) > 1 for t in tweets) > corpus.size * 0.005
    assert sum("context_annotations" in t for t in tweets) > corpus.size * 0.2
    assert sum("poll_ids" in t.get("attachments", {}) for t in tweets) > 0
    assert sum("coordinates" in t.get("geo", {}) for t in tweets) > 0
    kinds = Counter(m["type"] for i in range(corpus.size) for m in _media(corpus, i))
    assert set(kinds) == {"photo", "video", "animated_gif"}
    video = next(m for i in range(corpus.size) for m in _media(corpus, i) if m["type"] == "video")
    assert {v["content_type"] for v in video["variants"]} == {"video/mp4", "application/x-mpegURL"}
    unwound = [
        u for t in tweets for u in t.get("entities", {}).get("urls", []) if "unwound_url" in u
    ]
    assert unwound and all(u["expanded_url"] != u["unwound_url"] for u in unwound)


def _media(corpus: Corpus, i: int) -> list[dict[str, object]]:
    from twxdata.testing.objects import media_objects

    return media_objects(corpus, i)


def test_users_profiles_and_heavy_tailed_followers(corpus: Corpus) -> None:
    users = [corpus.user(u) for u in range(corpus.users.n)]
    assert len({u["username"].lower() for u in users}) == len(users)
    assert all(len(u["username"]) <= 15 for u in users)
    assert any(u["protected"] for u in users)
    assert any(u["verified"] and u["verified_type"] != "none" for u in users)
    assert any("withheld" in u for u in users)
    assert any("description" in u.get("entities", {}) for u in users)
    followers = np.array([u["public_metrics"]["followers_count"] for u in users])
    assert followers.max() > 10 * max(1, np.median(followers))  # a few accounts are famous
    f = corpus.follows
    for u in range(0, corpus.users.n, 37):
        assert users[u]["public_metrics"]["followers_count"] == f.followers(u).size
        for v in f.followers(u)[:5]:
            assert u in f.following(int(v))


def test_likes_lists_and_spaces_are_consistent(corpus: Corpus) -> None:
    likes = corpus.likes
    for i in range(0, corpus.size, 53):
        likers = likes.likers(i)
        assert likers.size == len(set(likers.tolist())) == corpus.posts.like_count[i]
        for u in likers[:3]:
            assert i in likes.liked(int(u))
    lists = corpus.lists
    for k in range(lists.n):
        for u in lists.members(k)[:3]:
            assert k in lists.memberships(int(u))
    assert corpus.spaces.n > 0 and set(corpus.spaces.state.tolist()) == {0, 1, 2}


def test_mutations_change_only_state() -> None:
    c = Corpus(seed=2, size=1_000, end=END)
    row = int(c.visible_rows()[-1])
    pid = int(c.posts.ids[row])
    before = c.tweet(row)
    assert c.delete_tweet(pid) and not c.delete_tweet(pid)
    assert c.tweet_status(pid) == "deleted" and not c.visible[row]
    assert c.tweet(row) == before  # the object is unchanged; only visibility is
    author = int(c.posts.author[row])
    rows = c.by_author(author)
    uid = int(c.users.ids[author])
    assert c.protect_user(uid)
    assert c.user(author)["protected"] is True
    assert not c.visible[rows].any()
    assert c.protect_user(uid, protected=False) and c.user(author)["protected"] is False
    assert c.state.log[0] == ("delete_tweet", pid) and c.state.version == 3
    assert c.tweet_status(1) == "missing"


def test_build_times() -> None:
    t0 = time.perf_counter()
    small = Corpus(seed=1, size=10_000, end=END)
    assert time.perf_counter() - t0 < 1.5
    assert small.size == 10_000
    t0 = time.perf_counter()
    big = Corpus(seed=1, size=1_000_000, end=END)
    assert time.perf_counter() - t0 < 20
    assert big.tweet(999_999)["id"] == str(int(big.posts.ids[-1]))


@pytest.mark.parametrize("size", [1, 7, 300])
def test_tiny_corpora_work(size: int) -> None:
    c = Corpus(seed=0, size=size, end=END)
    assert c.tweet(size - 1)["id"]
    assert c.user(0)["id"]
