"""Post text and entities, assembled from the corpus columns of one post.

Offsets are Python string indices (Unicode code points), which is how X counts them in v2:
``text[e["start"]:e["end"]]`` is the entity's text, emoji and right-to-left scripts included.
Layout of a post: leading reply mentions, the sentence, an emoji, hashtags, a cashtag, body
mentions, then links (article, quoted post, media). Keeping the words of a sentence together
is what lets an exact-phrase search and a reader of ``text`` agree.

>>> from twxdata.testing.people import Users
>>> from twxdata.testing.posts import Posts
>>> users = Users(seed=5, n=30, before=1.7e9)
>>> posts = Posts(seed=5, n=200, users=users, start=1.7e9, end=1.7e9 + 3600)
>>> t = compose(posts, users, 5, 42)
>>> all(t.text[e["start"]:e["end"]] == "#" + e["tag"] for e in t.entities.get("hashtags", []))
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from twxdata.testing import vocab
from twxdata.testing.people import Users
from twxdata.testing.posts import (
    BODY_1,
    BODY_2,
    PUNCTUATION,
    QUOTE,
    REPLY_TO,
    REPLY_TO_2,
    RETWEET,
    VOCAB,
    Posts,
)
from twxdata.testing.rand import code, mix, pick, unit

RT_LIMIT = 140  # retweet text is cut to this many characters, ending in "…"
_ENTITY_ORDER = ("annotations", "cashtags", "hashtags", "mentions", "urls")


@dataclass
class Composed:
    """The text of one post and its entities, with the displayed range."""

    text: str
    entities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    display: tuple[int, int] = (0, 0)

    def add(self, kind: str, entity: dict[str, Any]) -> None:
        self.entities.setdefault(kind, []).append(entity)

    def ordered(self) -> dict[str, list[dict[str, Any]]]:
        return {k: self.entities[k] for k in _ENTITY_ORDER if k in self.entities}


def media_keys(posts: Posts, i: int) -> list[str]:
    """Media keys of post ``i``'s own attachments (``3_`` photo, ``7_`` video, ``16_`` gif)."""
    kind = int(posts.media[i])
    if kind == 0:
        return []
    prefix = {1: "3", 2: "7", 3: "16"}[kind]
    base = ((int(posts.ms[i]) - 4_000 - 1288834974657) << 22) | ((i * 4) & 0x3FFFFF)
    return [f"{prefix}_{base + k}" for k in range(int(posts.nmedia[i]))]


def link(seed: int, i: int) -> tuple[str, str, str]:
    """(expanded_url, display_url, unwound_url or "") of post ``i``'s article link."""
    domain, stem, unwound = vocab.LINK_DOMAINS[int(pick(mix(seed, 7, i), len(vocab.LINK_DOMAINS)))]
    tail = code(mix(seed, 8, i), 6) if unwound else str(1000 + pick(mix(seed, 8, i), 90000))
    expanded = f"https://{domain}{stem}{tail}"
    bare = expanded.removeprefix("https://")
    display = bare if len(bare) <= 26 else bare[:26] + "…"
    if not unwound:
        return expanded, display, ""
    return expanded, display, f"https://{unwound}/{stem.strip('/')}/{tail.lower()}"


def _tco(seed: int, i: int, slot: int) -> str:
    return "https://t.co/" + code(mix(seed, 9, i, slot), 10)


def _sentence(posts: Posts, i: int) -> str:
    words = [VOCAB[int(w)] for w in posts.words[i, : int(posts.nwords[i])]]
    if int(posts.lang[i]) not in _CASELESS_IDS and words:
        words[0] = words[0][:1].upper() + words[0][1:]
    text = " ".join(words) + PUNCTUATION[int(posts.punct[i])]
    if posts.emoji[i] >= 0:
        text += " " + vocab.EMOJI[int(posts.emoji[i])]
    return text


_CASELESS_IDS = frozenset(k for k, lang in enumerate(vocab.LANGS) if lang in vocab.CASELESS)


def compose(posts: Posts, users: Users, seed: int, i: int) -> Composed:
    """Text and entities of post ``i`` (a retweet gets ``RT @user: `` and is cut at 140)."""
    if int(posts.kind[i]) == RETWEET:
        return _retweet(posts, users, seed, i)
    out = Composed("")
    parts: list[str] = []
    pos = 0

    def put(chunk: str) -> int:
        nonlocal pos
        start = pos
        parts.append(chunk)
        pos += len(chunk)
        return start

    for col in (REPLY_TO, REPLY_TO_2):
        u = int(posts.mentions[i, col])
        if u >= 0:
            handle = users.username(u)
            start = put("@" + handle)
            out.add(
                "mentions",
                {"start": start, "end": pos, "username": handle, "id": str(int(users.ids[u]))},
            )
            put(" ")
    shown = pos
    sentence = _sentence(posts, i)
    put(sentence)
    if int(posts.nwords[i]) >= 3 and unit(mix(seed, 10, i)) < 0.2:
        first = len(VOCAB[int(posts.words[i, 0])]) + 1
        word = VOCAB[int(posts.words[i, 1])]
        out.add(
            "annotations",
            {
                "start": shown + first,
                "end": shown + first + len(word) - 1,
                "probability": round(0.3 + 0.7 * unit(mix(seed, 11, i)), 4),
                "type": "Other",
                "normalized_text": word,
            },
        )
    for t in posts.tags[i]:
        if t >= 0:
            tag = vocab.HASHTAGS[int(t)]
            put(" ")
            start = put("#" + tag)
            out.add("hashtags", {"start": start, "end": pos, "tag": tag})
    if posts.cashtag[i] >= 0:
        tag = vocab.CASHTAGS[int(posts.cashtag[i])]
        put(" ")
        start = put("$" + tag)
        out.add("cashtags", {"start": start, "end": pos, "tag": tag})
    for col in (BODY_1, BODY_2):
        u = int(posts.mentions[i, col])
        if u >= 0:
            handle = users.username(u)
            put(" ")
            start = put("@" + handle)
            out.add(
                "mentions",
                {"start": start, "end": pos, "username": handle, "id": str(int(users.ids[u]))},
            )
    if posts.url[i] >= 0:
        expanded, display, unwound = link(seed, i)
        put(" ")
        url = _tco(seed, i, 0)
        start = put(url)
        entity: dict[str, Any] = {
            "start": start,
            "end": pos,
            "url": url,
            "expanded_url": expanded,
            "display_url": display,
        }
        if unwound:
            entity.update(
                status=200,
                title=_sentence(posts, max(0, i - 1))[:60],
                description=_sentence(posts, max(0, i - 2)),
                unwound_url=unwound,
            )
        out.add("urls", entity)
    if int(posts.kind[i]) == QUOTE:
        j = int(posts.ref[i])
        handle = users.username(int(posts.author[j]))
        put(" ")
        url = _tco(seed, i, 1)
        start = put(url)
        expanded = f"https://twitter.com/{handle}/status/{int(posts.ids[j])}"
        out.add(
            "urls",
            {
                "start": start,
                "end": pos,
                "url": url,
                "expanded_url": expanded,
                "display_url": expanded.removeprefix("https://")[:26] + "…",
            },
        )
    shown_end = pos
    keys = media_keys(posts, i)
    if keys:
        put(" ")
        url = _tco(seed, i, 2)
        start = put(url)
        kind = {"3": "photo", "7": "video", "16": "video"}[keys[0].split("_")[0]]
        out.add(
            "urls",
            {
                "start": start,
                "end": pos,
                "url": url,
                "expanded_url": f"https://twitter.com/{users.username(int(posts.author[i]))}"
                f"/status/{int(posts.ids[i])}/{kind}/1",
                "display_url": "pic.twitter.com/" + url.rsplit("/", 1)[1],
                "media_key": keys[0],
            },
        )
    out.text = "".join(parts)
    out.display = (shown, shown_end)
    return out


def _retweet(posts: Posts, users: Users, seed: int, i: int) -> Composed:
    j = int(posts.ref[i])
    original = compose(posts, users, seed, j)
    handle = users.username(int(posts.author[j]))
    prefix = f"RT @{handle}: "
    full = prefix + original.text
    cut = len(full) if len(full) <= RT_LIMIT else RT_LIMIT - 1
    text = full if cut == len(full) else full[:cut] + "…"
    out = Composed(text, display=(0, len(text)))
    out.add(
        "mentions",
        {
            "start": 3,
            "end": 4 + len(handle),
            "username": handle,
            "id": str(int(users.ids[int(posts.author[j])])),
        },
    )
    shift = len(prefix)
    for kind in _ENTITY_ORDER:
        for e in original.entities.get(kind, []):
            end = e["end"] + shift
            # Annotation ends are inclusive, every other entity's end is exclusive.
            if (end + 1 if kind == "annotations" else end) <= cut:
                out.add(kind, {**e, "start": e["start"] + shift, "end": end})
    return out


def edited_text(text: str, version: int) -> str:
    """An earlier version of ``text``: two letters of a word swapped (a fixed typo).

    The length stays the same, so every entity offset still holds for the old version.

    >>> edited_text("Hello world data", 1)
    'Hello wrold data'
    """
    words = text.split(" ")
    for k in range(len(words)):
        w = words[(k + version) % len(words)]
        if len(w) >= 4 and w.isalpha():
            pos = (k + version) % len(words)
            words[pos] = w[0] + w[2] + w[1] + w[3:]
            return " ".join(words)
    return text
