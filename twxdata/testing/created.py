"""Posts created through the fake API: building them, matching queries, rendering pages.

Generated posts are rows of numpy columns; created ones are ``activity.Post`` objects holding
their full API object. Pages that may hold both address posts by *position*: a generated
post's row, or ``corpus.size + k`` for the k-th created post. Created posts are newer than
every generated one, so positions sort in time order like rows do and the page-token
machinery (``paging.rows_page``, ``Ctx.offset_stream``) works on them unchanged.

>>> from datetime import datetime
>>> from twxdata.testing.query import parse
>>> entities("Hi @ann, #Python rocks $ACME https://x.dev")["hashtags"]
[{'start': 9, 'end': 16, 'tag': 'Python'}]
>>> sorted(post_words("Hi @ann, #Python rocks!"))
['hi', 'rocks']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import orjson

from twxdata.testing import metrics, problems, vocab
from twxdata.testing.activity import Post
from twxdata.testing.context import Ctx, Reply
from twxdata.testing.payload import Includes, assemble, pick_fields
from twxdata.testing.query import And, Node, Not, Or, Term
from twxdata.testing.timestamps import iso

if TYPE_CHECKING:
    from twxdata.testing.corpus import Corpus

_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_CASHTAG = re.compile(r"(?<![\w&])\$([A-Za-z]{1,6})(?![\w])")
_MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"(?<![#@$\w/])\w+", re.UNICODE)
_LANG_WORDS = {lang: frozenset(w.lower() for w in words) for lang, words in vocab.WORDS.items()}
_INCLUDE_ORDER = ("users", "tweets", "media", "places", "polls", "topics")
_PLACE_IDS = {p[0]: k for k, p in enumerate(vocab.PLACES)}


# --- building ---------------------------------------------------------------------------------
def entities(text: str, corpus: Corpus | None = None) -> dict[str, list[dict[str, Any]]]:
    """The entities of a post's text, offsets in code points as X gives them."""
    out: dict[str, list[dict[str, Any]]] = {}
    for m in _CASHTAG.finditer(text):
        out.setdefault("cashtags", []).append({"start": m.start(), "end": m.end(), "tag": m[1]})
    for m in _HASHTAG.finditer(text):
        out.setdefault("hashtags", []).append({"start": m.start(), "end": m.end(), "tag": m[1]})
    for m in _MENTION.finditer(text):
        mention: dict[str, Any] = {"start": m.start(), "end": m.end(), "username": m[1]}
        u = corpus.users.index_of_username(m[1]) if corpus is not None else None
        if u is not None and corpus is not None:
            mention["id"] = str(int(corpus.users.ids[u]))
        out.setdefault("mentions", []).append(mention)
    for m in _URL.finditer(text):
        url = m.group().rstrip(".,!?)")
        end = m.start() + len(url)
        bare = url.split("://", 1)[1]
        out.setdefault("urls", []).append(
            {"start": m.start(), "end": end, "url": url, "expanded_url": url, "display_url": bare}
        )
    return out


def post_words(text: str) -> frozenset[str]:
    """The plain words of a text (no hashtags, mentions, cashtags or links), lowercased."""
    return frozenset(w.lower() for w in _WORD.findall(_URL.sub(" ", text)))


def guess_lang(words: frozenset[str]) -> str:
    """The corpus language sharing most words with the text (``en`` on a tie or none)."""
    best = max(vocab.LANGS, key=lambda lang: (len(words & _LANG_WORDS[lang]), lang == "en"))
    return best


def make_object(
    c: Corpus,
    post_id: int,
    author: int,
    text: str,
    now: float,
    *,
    conversation_id: int | None = None,
    referenced: tuple[str, int] | None = None,
    reply_to_user: int | None = None,
    attachments: dict[str, list[str]] | None = None,
    place_id: str | None = None,
    reply_settings: str = "everyone",
) -> dict[str, Any]:
    """The full API object of a new post (keys in the alphabetical order X uses)."""
    obj: dict[str, Any] = {}
    if attachments:
        obj["attachments"] = attachments
    obj["author_id"] = str(int(c.users.ids[author]))
    obj["conversation_id"] = str(conversation_id or post_id)
    obj["created_at"] = iso(now)
    obj["display_text_range"] = [0, len(text)]
    obj["edit_controls"] = {
        "edits_remaining": 5,
        "is_edit_eligible": not (attachments and "poll_ids" in attachments),
        "editable_until": iso(now + 3600),
    }
    obj["edit_history_tweet_ids"] = [str(post_id)]
    found = entities(text, c)
    if found:
        obj["entities"] = found
    if place_id is not None:
        obj["geo"] = {"place_id": place_id}
    obj["id"] = str(post_id)
    if reply_to_user is not None:
        obj["in_reply_to_user_id"] = str(int(c.users.ids[reply_to_user]))
    obj["lang"] = guess_lang(post_words(text))
    obj["possibly_sensitive"] = False
    obj["public_metrics"] = {
        "retweet_count": 0,
        "reply_count": 0,
        "like_count": 0,
        "quote_count": 0,
        "bookmark_count": 0,
        "impression_count": 0,
    }
    if referenced is not None:
        obj["referenced_tweets"] = [{"type": referenced[0], "id": str(referenced[1])}]
    obj["reply_settings"] = reply_settings
    obj["source"] = "twxdata fake API"
    obj["text"] = text
    return obj


# --- finding ----------------------------------------------------------------------------------
def visible_post(c: Corpus, post: Post, viewer: int | None) -> bool:
    """Is a created post visible: not deleted, author public (or the viewer), original alive."""
    if post.deleted:
        return False
    state = c.user_state(post.author)
    if state != "ok" and not (state == "protected" and viewer == post.author):
        return False
    if post.kind == "retweet" and post.ref is not None:
        return position(c, post.ref, viewer) is not None
    return True


def position(c: Corpus, post_id: int, viewer: int | None) -> int | None:
    """The position of a visible post (generated row or ``size + k``), else None."""
    k = c.state.activity.post_index.get(post_id)
    if k is not None:
        post = c.state.activity.posts[k]
        return c.size + k if visible_post(c, post, viewer) else None
    found = c.find_tweet(post_id)
    if found is None:
        return None
    row = found[0]
    state = c.row_state(row)
    if state == "ok" or (state == "protected" and viewer == int(c.posts.author[row])):
        return row
    return None


def post_id_at(c: Corpus, pos: int) -> int:
    if pos < c.size:
        return int(c.posts.ids[pos])
    return c.state.activity.posts[pos - c.size].id


def author_at(c: Corpus, pos: int) -> int:
    if pos < c.size:
        return int(c.posts.author[pos])
    return c.state.activity.posts[pos - c.size].author


def mentioned(c: Corpus, post: Post) -> set[int]:
    """The accounts (user indices) a created post mentions, the replied-to author included.

    X puts the replied-to account's ``@name`` in front of a reply, so replies reach that
    account's mentions timeline (generated replies carry the mention in their text); a post
    created here keeps the text it was sent with, so the reply's mention is added here.
    """
    out = {
        u
        for m in post.obj.get("entities", {}).get("mentions", ())
        if (u := c.users.index_of_username(m["username"])) is not None
    }
    to = post.obj.get("in_reply_to_user_id")
    if post.kind == "reply" and to is not None:
        u = c.users.index_of_id(int(to))
        if u is not None and u != post.author:
            out.add(u)
    return out


def tweet_status(c: Corpus, post_id: int) -> str:
    """Like ``Corpus.tweet_status``, knowing created posts too."""
    post = c.state.activity.post(post_id)
    if post is None:
        return c.tweet_status(post_id)
    if post.deleted:
        return "deleted"
    state = c.user_state(post.author)
    return state if state != "ok" else "ok"


# --- matching ---------------------------------------------------------------------------------
def matches(node: Node, post: Post, c: Corpus) -> bool:
    """Does a created post match a parsed search query (same operators as the corpus)?"""
    if isinstance(node, Term):
        return _term(node, post, c)
    if isinstance(node, Not):
        return not matches(node.part, post, c)
    if isinstance(node, And):
        return all(matches(p, post, c) for p in node.parts)
    if isinstance(node, Or):
        return any(matches(p, post, c) for p in node.parts)
    return False  # pragma: no cover - the parser makes no other nodes


def _user(c: Corpus, value: str) -> int | None:
    if value.isdigit():
        return c.users.index_of_id(int(value))
    return c.users.index_of_username(value)


def _ref_author(c: Corpus, post: Post) -> int | None:
    if post.ref is None:
        return None
    created = c.state.activity.post(post.ref)
    if created is not None:
        return created.author
    found = c.find_tweet(post.ref)
    return None if found is None else int(c.posts.author[found[0]])


def _term(t: Term, post: Post, c: Corpus) -> bool:
    obj, k, v = post.obj, t.kind, t.value
    ents = obj.get("entities", {})
    tags = {e["tag"].lower() for e in ents.get("hashtags", ())}
    if k == "word":
        return v in post.words
    if k == "phrase":
        tokens = [w.lower() for w in _WORD.findall(obj["text"])]
        want = v.split()
        return any(tokens[i : i + len(want)] == want for i in range(len(tokens)))
    if k == "hashtag":
        return v in tags
    if k == "cashtag":
        return v in {e["tag"].lower() for e in ents.get("cashtags", ())}
    if k in ("mention", "from", "to", "retweets_of"):
        u = _user(c, v)
        if k == "mention":
            return u is not None and u in mentioned(c, post)
        if k == "from":
            return u == post.author
        kind = "reply" if k == "to" else "retweet"
        return u is not None and post.kind == kind and _ref_author(c, post) == u
    if k == "conversation_id":
        return obj.get("conversation_id") == v
    if k in ("in_reply_to_tweet_id", "quotes_of_tweet_id"):
        kind = "reply" if k == "in_reply_to_tweet_id" else "quote"
        return post.kind == kind and str(post.ref) == v
    if k == "lang":
        return obj.get("lang") == v
    if k == "is":
        if v == "verified":
            return bool(c.users.verified[post.author])
        return post.kind == v
    return _has(v, post, ents)


def _has(v: str, post: Post, ents: dict[str, Any]) -> bool:
    kinds = {m.get("type") for m in post.media}
    if v == "media":
        return bool(post.media)
    if v == "images":
        return "photo" in kinds
    if v == "videos":
        return bool(kinds & {"video", "animated_gif"})
    if v == "links":
        return bool(ents.get("urls")) or bool(post.media) or post.kind == "quote"
    if v in ("hashtags", "mentions", "cashtags"):
        return bool(ents.get(v))
    return "geo" in post.obj  # geo


def in_window(ctx: Ctx, post: Post, start: float | None, end: float | None) -> bool:
    req = ctx.req
    if start is not None and post.created_s < start:
        return False
    if end is not None and post.created_s >= end:
        return False
    if req.since_id is not None and post.id <= req.since_id:
        return False
    return req.until_id is None or post.id < req.until_id


# --- rendering --------------------------------------------------------------------------------
def render_posts(
    ctx: Ctx,
    positions: Sequence[int],
    meta: dict[str, Any] | None,
    errors: Sequence[dict[str, Any]] = (),
    single: bool = False,
) -> Reply:
    """A page of posts by position, generated and created alike, with expansions."""
    c, r, sel = ctx.corpus, ctx.renderer, ctx.selection
    if all(p < c.size for p in positions):
        return ctx.tweets([(int(p), 0) for p in positions], meta, errors, single)
    inc = Includes()
    for err in errors:
        inc.error(err)
    extra: dict[str, dict[str, dict[str, Any]]] = {"tweets": {}, "media": {}, "polls": {}}
    data: list[bytes] = []
    for pos in positions:
        if pos < c.size:
            data.append(r.tweet_bytes(int(pos), 0, sel.tweet))
            if sel.expansions:
                r.expand_tweet(int(pos), 0, sel.expansions, inc)
            continue
        post = c.state.activity.posts[pos - c.size]
        data.append(orjson.dumps(pick_fields(metrics.adjust(c, post.obj), sel.tweet)))
        _expand(ctx, post, sel.expansions, inc, extra)
    includes = _merge(r.includes_bytes(inc, sel), extra, ctx)
    return 200, assemble(data, includes, inc.errors, meta, single)


def _expand(
    ctx: Ctx,
    post: Post,
    exp: frozenset[str],
    inc: Includes,
    extra: dict[str, dict[str, dict[str, Any]]],
) -> None:
    c = ctx.corpus
    if "author_id" in exp:
        inc.users[post.author] = None
    if "entities.mentions.username" in exp:
        for m in post.obj.get("entities", {}).get("mentions", ()):
            u = c.users.index_of_username(m["username"])
            state = "deactivated" if u is None else c.user_state(u)
            if u is not None and state in ("ok", "protected"):
                inc.users[u] = None
            else:
                where = "entities.mentions.username"
                inc.error(problems.for_user(state, where, m["username"], "includes"))
    ref_pos = position(c, post.ref, ctx.viewer) if post.ref is not None else None
    if "in_reply_to_user_id" in exp and post.kind == "reply" and ref_pos is not None:
        inc.users[author_at(c, ref_pos)] = None
    if "attachments.media_keys" in exp:
        for m in post.media:
            extra["media"][m["media_key"]] = m
    if "attachments.poll_ids" in exp and post.poll is not None:
        extra["polls"][post.poll["id"]] = post.poll
    place = post.obj.get("geo", {}).get("place_id")
    if "geo.place_id" in exp and place in _PLACE_IDS:
        inc.places[_PLACE_IDS[place]] = None
    if post.ref is None or not exp & {"referenced_tweets.id", "referenced_tweets.id.author_id"}:
        return
    if ref_pos is None:
        if "referenced_tweets.id" in exp:
            inc.error(problems.not_found("tweet", "referenced_tweets.id", str(post.ref)))
        return
    if "referenced_tweets.id" in exp:
        if ref_pos < c.size:
            inc.tweets[(ref_pos, 0)] = None
        else:
            ref = c.state.activity.posts[ref_pos - c.size]
            extra["tweets"][str(ref.id)] = metrics.adjust(c, ref.obj)
    if "referenced_tweets.id.author_id" in exp:
        inc.users[author_at(c, ref_pos)] = None


def _merge(rendered: bytes, extra: dict[str, dict[str, dict[str, Any]]], ctx: Ctx) -> bytes:
    if not any(extra.values()):
        return rendered
    sel = ctx.selection
    out: dict[str, list[Any]] = orjson.loads(rendered) if rendered else {}
    keep = {"tweets": sel.included_tweet, "media": sel.media, "polls": sel.poll}
    for name, objs in extra.items():
        if objs:
            have = {o.get("id") or o.get("media_key") for o in out.get(name, ())}
            out.setdefault(name, []).extend(
                pick_fields(o, keep[name]) for key, o in objs.items() if key not in have
            )
    ordered = {name: out[name] for name in _INCLUDE_ORDER if out.get(name)}
    return orjson.dumps(ordered)
