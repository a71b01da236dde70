"""Posts with their expansions joined in, and the edges that hang off them.

Expansions are looked up in the ``includes`` of the same response (page) the post came in,
so the author, place, poll, media and referenced posts are those the API sent with it. What is
missing there (deleted, protected, not requested) is null; the post is never dropped.

>>> from twxdata.tables.lines import Chunk, ErrorPolicy
>>> from twxdata.tables.parse import parse_chunk
>>> from twxdata.tables.context import ChunkContext
>>> line = (b'{"data": [{"id": "1", "text": "hi", "author_id": "9"}],'
...         b' "includes": {"users": [{"id": "9", "username": "ann"}]}}\\n')
>>> ctx = ChunkContext(parse_chunk(Chunk(line, None, 1), ErrorPolicy("raise")))
>>> items, pages = ctx.items_of("tweets")
>>> tweet_table(ctx, items, pages, rules=True).select(["id", "author.username"]).to_pylist()
[{'id': '1', 'author.username': 'ann'}]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.tables.arrow import (
    Columns,
    explode,
    first_valid,
    last_per_parent,
    prefixed,
    rebuild_list,
    struct_columns,
    table_of,
    take,
    taken,
    to_array,
)
from twxdata.tables.arrow import (
    keys as page_keys,
)
from twxdata.tables.context import ChunkContext
from twxdata.tables.extras import extra_column, find_unknown
from twxdata.tables.objects import EXTRA_KEY, TWEET
from twxdata.tables.parse import cast_leaves
from twxdata.tables.schema import (
    EDGES_HASHTAGS,
    EDGES_MEDIA,
    EDGES_MENTIONS,
    EDGES_REFERENCES,
    EDGES_URLS,
    REFERENCE_TYPES,
    TWEETS,
)
from twxdata.tables.values import bools, empty_table, ints, string, to_bools


def extra_entries(raw: pa.Array) -> pa.Array | None:
    """The sanitiser's ``__extra`` entries of an object array, if it has the field."""
    if pa.types.is_struct(raw.type) and raw.type.get_field_index(EXTRA_KEY) >= 0:
        return raw.field(EXTRA_KEY)
    return None


def tweet_table(ctx: ChunkContext, raw: pa.Array, pages: np.ndarray, *, rules: bool) -> pa.Table:
    """The ``tweets`` schema for the posts ``raw`` (one per element), from pages ``pages``."""
    n = len(raw)
    cols = struct_columns(cast_leaves(raw, TWEET)) if n else {}
    if not n:
        return empty_table(TWEETS)
    users, included = ctx.users, ctx.tweets

    references, parents = explode(cols["referenced_tweets"])
    referenced: dict[str, pa.Array] = {}
    for kind in REFERENCE_TYPES:
        of_kind = to_bools(pc.equal(references.field("type"), string(kind)))
        ids = references.field("id").filter(bools(of_kind))
        ids = take(ids, last_per_parent(n, parents[of_kind]))
        cols[f"referenced_tweets.{kind}.id"] = referenced[kind] = ids

    # One lookup per kind of include: each builds a hash table of that include's keys.
    found = dict(
        zip(REFERENCE_TYPES, included.find_many(pages, list(referenced.values())), strict=True)
    )

    def of_referenced(kind: str, column: str) -> pa.Array:
        return take(included.columns[column], found[kind])

    retweeted_author = of_referenced("retweeted", "author_id")
    quoted_author = of_referenced("quoted", "author_id")
    author, retweeted_user, quoted_user, reply_user, replied_user = users.find_many(
        pages,
        [
            cols["author_id"],
            retweeted_author,
            quoted_author,
            cols["in_reply_to_user_id"],
            of_referenced("replied_to", "author_id"),
        ],
    )
    username = users.columns["username"]
    cols.update(prefixed(taken(users.columns, author), "author."))
    cols["retweeted_user_id"] = retweeted_author
    cols["retweeted_username"] = take(username, retweeted_user)
    cols["quoted_user_id"] = quoted_author
    cols["quoted_username"] = take(username, quoted_user)
    cols["in_reply_to_username"] = first_valid(
        take(username, reply_user), take(username, replied_user)
    )
    cols["text_full"] = first_valid(
        of_referenced("retweeted", "note_tweet.text"),
        of_referenced("retweeted", "text"),
        cols["note_tweet.text"],
        cols["text"],
    )

    poll_ids, poll_parents = explode(cols["attachments.poll_ids"])
    poll_id = take(poll_ids, last_per_parent(n, poll_parents))
    polls = ctx.polls
    cols.update(prefixed(taken(polls.columns, polls.find(pages, poll_id)), "attachments.poll."))
    places = ctx.places
    cols.update(prefixed(taken(places.columns, places.find(pages, cols["geo.place_id"])), "geo."))

    media_keys = cols["attachments.media_keys"]
    key_values, key_parents = explode(media_keys)
    media = take(ctx.media.typed, ctx.media.find(pages[key_parents], key_values))
    cols["attachments.media"] = rebuild_list(media_keys, media)

    if rules and "matching_rules" in ctx.table.column_names:
        page_rules = to_array(ctx.table["matching_rules"])
        cols["matching_rules"] = take(page_rules, ints(pages))
    cols.update(ctx.meta_for(pages))
    cols[EXTRA_KEY] = extra_column(n, find_unknown(raw, TWEET), extra_entries(raw))
    return table_of(cols, TWEETS, n)


def _exploded(tweets: pa.Table, column: str) -> tuple[pa.Array, np.ndarray, pa.Array]:
    values, parents = explode(to_array(tweets[column]))
    tweet_ids = take(to_array(tweets["id"]), ints(parents))
    return values, parents, tweet_ids


def edge_tables(
    ctx: ChunkContext, tweets: pa.Table, pages: np.ndarray, names: frozenset[str]
) -> dict[str, pa.Table]:
    """The edge tables in ``names`` for the posts of ``tweets`` (built by ``tweet_table``)."""
    out: dict[str, pa.Table] = {}
    if "edges_mentions" in names:
        values, parents, tweet_ids = _exploded(tweets, "entities.mentions")
        cols: Columns = struct_columns(values) if len(values) else {}
        if len(values):
            users = ctx.users
            named = pc.index_in(
                page_keys(pages[parents], pc.utf8_lower(cols["username"])),
                value_set=ctx.user_name_keys,
                skip_nulls=True,
            )
            cols["user_id"] = first_valid(cols["id"], take(users.columns["id"], named))
        cols["tweet_id"] = tweet_ids
        out["edges_mentions"] = table_of(cols, EDGES_MENTIONS, len(values))
    for name, column, schema in (
        ("edges_hashtags", "entities.hashtags", EDGES_HASHTAGS),
        ("edges_urls", "entities.urls", EDGES_URLS),
    ):
        if name in names:
            values, _, tweet_ids = _exploded(tweets, column)
            cols = struct_columns(values) if len(values) else {}
            cols["tweet_id"] = tweet_ids
            out[name] = table_of(cols, schema, len(values))
    if "edges_media" in names:
        values, parents, tweet_ids = _exploded(tweets, "attachments.media_keys")
        counts = np.bincount(parents, minlength=tweets.num_rows) if len(parents) else None
        starts = np.cumsum(counts) - counts if counts is not None else np.zeros(0, np.int64)
        position = np.arange(len(values), dtype=np.int64) - starts[parents]
        cols = {"tweet_id": tweet_ids, "media_key": values, "position": ints(position)}
        out["edges_media"] = table_of(cols, EDGES_MEDIA, len(values))
    if "edges_references" in names:
        values, parents, tweet_ids = _exploded(tweets, "referenced_tweets")
        cols = {"tweet_id": tweet_ids}
        if len(values):
            included = ctx.tweets
            ids = values.field("id")
            cols["type"] = values.field("type")
            cols["referenced_tweet_id"] = ids
            cols["author_id"] = take(to_array(tweets["author_id"]), ints(parents))
            found = included.find(pages[parents], ids)
            cols["referenced_author_id"] = take(included.columns["author_id"], found)
        out["edges_references"] = table_of(cols, EDGES_REFERENCES, len(values))
    return out
