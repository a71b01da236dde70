"""A useful subset of X's search query language, evaluated as numpy masks over all posts.

Supported: keywords, ``"exact phrases"``, ``#hashtag``, ``@mention``, ``$cashtag``,
``from:``, ``to:``, ``retweets_of:``, ``conversation_id:``, ``in_reply_to_tweet_id:``,
``quotes_of_tweet_id:``, ``lang:``, ``is:retweet|reply|quote|verified``,
``has:media|links|hashtags|mentions|cashtags|geo|images|videos``, ``OR``, negation with
``-``, parentheses; juxtaposition is AND and binds tighter than OR. Matching is
case-insensitive. Like X, a query needs at least one positive standalone clause:
``is:retweet`` or ``-cats`` alone is rejected. A retweet matches on its original's content.

>>> q = parse('(#python OR "open science") -is:retweet lang:en')
>>> type(q).__name__, len(q.parts)
('And', 3)
>>> parse("(cats")
Traceback (most recent call last):
  ...
twxdata.testing.query.QueryError: Unbalanced parentheses (at position 1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

import numpy as np
import numpy.typing as npt

from twxdata.testing.posts import (
    CASHTAG_ID,
    GIF,
    LANG_ID,
    MAX_WORDS,
    NO_MEDIA,
    PHOTO,
    QUOTE,
    REPLY,
    RETWEET,
    TAG_ID,
    VIDEO,
    WORD_ID,
)

if TYPE_CHECKING:
    from twxdata.testing.corpus import Corpus

B = npt.NDArray[np.bool_]
STANDALONE = frozenset(
    {
        "word",
        "phrase",
        "hashtag",
        "mention",
        "cashtag",
        "from",
        "to",
        "retweets_of",
        "conversation_id",
        "in_reply_to_tweet_id",
        "quotes_of_tweet_id",
    }
)
CONJUNCTION_ONLY = frozenset({"lang", "is", "has"})
OPERATORS = (STANDALONE | CONJUNCTION_ONLY) - {"word", "phrase", "hashtag", "mention", "cashtag"}
IS_VALUES = frozenset({"retweet", "reply", "quote", "verified"})
HAS_VALUES = frozenset(
    {"media", "links", "hashtags", "mentions", "cashtags", "geo", "images", "videos"}
)
_TOKEN = re.compile(r'\s+|\(|\)|"[^"]*"?|-|[^\s()"]+')


class QueryError(ValueError):
    """A query X would reject; the message is the one the API puts in its 400 body."""


@dataclass(frozen=True)
class Term:
    kind: str
    value: str
    pos: int


@dataclass(frozen=True)
class Not:
    part: Node
    pos: int


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Union[Term, Not, And, Or]  # noqa: UP007 - a runtime alias, read on Python 3.10 too


def _fail(reason: str, pos: int) -> QueryError:
    return QueryError(f"{reason} (at position {pos})")


def _lex(query: str) -> list[tuple[str, int]]:
    tokens = []
    for m in _TOKEN.finditer(query):
        text = m.group()
        if text.isspace():
            continue
        if text.startswith('"') and (len(text) == 1 or not text.endswith('"')):
            raise _fail("Unterminated quoted phrase", m.start() + 1)
        tokens.append((text, m.start() + 1))
    return tokens


@lru_cache(maxsize=512)
def parse(query: str) -> Node:
    """Parse a query into a tree, or raise ``QueryError`` with X's kind of message."""
    if not query.strip():
        raise _fail("Empty query", 1)
    tokens = _lex(query)
    node, at = _parse_or(tokens, 0, depth=0)
    if at < len(tokens):
        text, pos = tokens[at]
        raise _fail("Unbalanced parentheses" if text == ")" else f"Unexpected '{text}'", pos)
    if not _positive(node):
        raise _fail(
            "Rules must contain a non-negation term and at least one standalone operator "
            "(keyword, phrase, #, @, $, from:, to:, ...)",
            1,
        )
    return node


def _parse_or(tokens: list[tuple[str, int]], at: int, depth: int) -> tuple[Node, int]:
    parts = []
    node, at = _parse_and(tokens, at, depth)
    parts.append(node)
    while at < len(tokens) and tokens[at][0] == "OR":
        at += 1
        if at >= len(tokens) or tokens[at][0] in (")", "OR"):
            raise _fail("Dangling OR", tokens[at - 1][1])
        node, at = _parse_and(tokens, at, depth)
        parts.append(node)
    return (parts[0] if len(parts) == 1 else Or(tuple(parts))), at


def _parse_and(tokens: list[tuple[str, int]], at: int, depth: int) -> tuple[Node, int]:
    parts: list[Node] = []
    while at < len(tokens) and tokens[at][0] not in (")", "OR"):
        node, at = _parse_unary(tokens, at, depth)
        parts.append(node)
    if not parts:
        text, pos = tokens[at] if at < len(tokens) else ("", tokens[-1][1] if tokens else 1)
        if text == "OR":
            raise _fail("Dangling OR", pos)
        raise _fail("Empty group" if text == ")" else "Unexpected end of query", pos)
    return (parts[0] if len(parts) == 1 else And(tuple(parts))), at


def _parse_unary(tokens: list[tuple[str, int]], at: int, depth: int) -> tuple[Node, int]:
    text, pos = tokens[at]
    if text == "-":
        nxt = tokens[at + 1] if at + 1 < len(tokens) else None
        if nxt is None or nxt[1] != pos + 1 or nxt[0] in (")", "OR", "-"):
            raise _fail("Negation must be followed directly by a term", pos)
        node, at = _parse_unary(tokens, at + 1, depth)
        return Not(node, pos), at
    if text == "(":
        if depth > 20:
            raise _fail("Too many nested groups", pos)
        node, at = _parse_or(tokens, at + 1, depth + 1)
        if at >= len(tokens) or tokens[at][0] != ")":
            raise _fail("Unbalanced parentheses", pos)
        return node, at + 1
    if text == ")":
        raise _fail("Unbalanced parentheses", pos)
    return _term(text, pos), at + 1


def _term(text: str, pos: int) -> Term:
    if text.startswith('"'):
        phrase = text[1:-1].strip()
        if not phrase:
            raise _fail("Empty quoted phrase", pos)
        return Term("phrase", phrase.lower(), pos)
    for sigil, kind in (("#", "hashtag"), ("@", "mention"), ("$", "cashtag")):
        if text.startswith(sigil):
            if len(text) == 1:
                raise _fail(f"Missing text after '{sigil}'", pos)
            return Term(kind, text[1:].lower(), pos)
    name, colon, value = text.partition(":")
    if colon and name and not text.startswith(("http:", "https:")):
        if name not in OPERATORS:
            raise _fail(f"Reference to invalid operator '{name}'", pos)
        if not value:
            raise _fail(f"Operator '{name}:' needs a value", pos)
        if name == "is" and value not in IS_VALUES:
            raise _fail(f"Reference to invalid field '{value}' for operator 'is:'", pos)
        if name == "has" and value not in HAS_VALUES:
            raise _fail(f"Reference to invalid field '{value}' for operator 'has:'", pos)
        return Term(name, value if name in ("is", "has") else value.lower(), pos)
    return Term("word", text.lower(), pos)


def _positive(node: Node) -> bool:
    """Does ``node`` hold a positive standalone clause (X refuses queries without one)?"""
    if isinstance(node, Term):
        return node.kind in STANDALONE
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(p) for p in node.parts)
    return all(_positive(p) for p in node.parts)


def evaluate(node: Node, corpus: Corpus) -> B:
    """The posts (rows) a query matches, ignoring visibility."""
    if isinstance(node, Term):
        return _term_mask(node, corpus)
    if isinstance(node, Not):
        negated: B = np.logical_not(evaluate(node.part, corpus))
        return negated
    masks = [evaluate(p, corpus) for p in node.parts]
    out: B = masks[0].copy()
    for m in masks[1:]:
        if isinstance(node, And):
            out &= m
        else:
            out |= m
    return out


def _user(corpus: Corpus, value: str) -> int | None:
    if value.isdigit():
        return corpus.users.index_of_id(int(value))
    return corpus.users.index_of_username(value)


def _row(corpus: Corpus, value: str) -> int:
    i = corpus.posts.index_of_id(int(value)) if value.isdigit() else None
    return -2 if i is None else i


def _term_mask(t: Term, c: Corpus) -> B:
    # numpy comparisons are typed as Any; one conversion here keeps the rest readable.
    return np.asarray(_term_any(t, c), dtype=np.bool_)


def _term_any(t: Term, c: Corpus) -> Any:
    p = c.posts
    none = np.zeros(p.n, dtype=bool)
    k, v = t.kind, t.value
    if k == "word":
        wid = WORD_ID.get(v)
        return none if wid is None else (p.words == wid).any(axis=1)
    if k == "phrase":
        ids = [WORD_ID.get(w) for w in v.split()]
        if any(w is None for w in ids):
            return none
        out = none.copy()
        for start in range(MAX_WORDS - len(ids) + 1):
            hit = np.ones(p.n, dtype=bool)
            for off, wid in enumerate(ids):
                hit &= p.words[:, start + off] == wid
            out |= hit
        return out
    if k == "hashtag":
        tid = TAG_ID.get(v)
        return none if tid is None else (p.tags == tid).any(axis=1)
    if k == "cashtag":
        cid = CASHTAG_ID.get(v)
        return none if cid is None else p.cashtag == cid
    if k in ("mention", "from", "to", "retweets_of"):
        u = _user(c, v)
        if u is None:
            return none
        if k == "mention":
            return (p.mentions == u).any(axis=1)
        if k == "from":
            return p.author == u
        target_author = p.author[np.maximum(p.ref, 0)]
        kind = REPLY if k == "to" else RETWEET
        return (p.kind == kind) & (target_author == u)
    if k == "conversation_id":
        return p.conv == _row(c, v)
    if k in ("in_reply_to_tweet_id", "quotes_of_tweet_id"):
        kind = REPLY if k == "in_reply_to_tweet_id" else QUOTE
        return (p.kind == kind) & (p.ref == _row(c, v))
    if k == "lang":
        lid = LANG_ID.get(v)
        return none if lid is None else p.lang == lid
    if k == "is":
        if v == "verified":
            return c.users.verified[p.author]
        return p.kind == {"retweet": RETWEET, "reply": REPLY, "quote": QUOTE}[v]
    return _has(v, c)


def _has(v: str, c: Corpus) -> Any:
    p = c.posts
    if v == "media":
        return p.media != NO_MEDIA
    if v == "images":
        return p.media == PHOTO
    if v == "videos":
        return (p.media == VIDEO) | (p.media == GIF)
    if v == "links":
        # A quote links to the post it quotes, and a retweet of a quote carries that link.
        content_kind = np.where(p.kind == RETWEET, p.kind[np.maximum(p.ref, 0)], p.kind)
        return (p.url >= 0) | (p.media != NO_MEDIA) | (content_kind == QUOTE)
    if v == "hashtags":
        return (p.tags >= 0).any(axis=1)
    if v == "cashtags":
        return p.cashtag >= 0
    if v == "mentions":
        return (p.mentions >= 0).any(axis=1)
    return p.place >= 0  # geo
