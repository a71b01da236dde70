"""The tables twxdata makes, as Arrow schemas written down once. Every table is built against
its schema, never inferred from the data, so a column has the same type in every batch, file
and run.

How the columns are named
    The API objects (:mod:`twxdata.tables.objects`) are flattened the way twarc-csv does it:
    nested objects become dotted column names (``public_metrics.like_count``,
    ``author.username``, ``geo.full_name``) and arrays stay as typed Arrow lists
    (``entities.hashtags`` is ``list<struct<start, end, tag>>``, not JSON text). Expansions
    are joined in under twarc-csv's names. Where twarc-csv has a column, ours has its name.

Types
    IDs are strings, counts ``int64``, times ``timestamp[us, tz=UTC]``, flags ``bool``.

Retrieval metadata
    Every row of an entity table says where it came from: ``__twxdata.retrieved_at``,
    ``__twxdata.endpoint``, ``__twxdata.url``, ``__twxdata.version``, ``__twxdata.stream``
    (twarc2 lines fill the same columns from their ``__twarc`` key).

Fields nobody knew about yet
    ``__extra`` (``map<string, string>``) keeps every field the schema does not know, or whose
    JSON type is not the documented one, as ``{dotted path: JSON text}``. A field inside an
    array puts the whole array there (``{"entities.urls": "[...]"}``).

Duplicates
    Entity tables (tweets, included_tweets, users, media, places, polls, lists, spaces) hold
    one row per id: the first occurrence in input order wins, like twarc-csv. Edge tables
    follow the posts of ``tweets``. pages, errors, counts, compliance and other keep every row.

>>> SCHEMAS["tweets"].field("author.username").type
DataType(string)
>>> SCHEMAS["tweets"].field("public_metrics.like_count").type
DataType(int64)
>>> SCHEMA_VERSION
'1.0'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import pyarrow as pa

from twxdata.errors import ParameterError
from twxdata.tables.names import SCHEMA_VERSION, TABLE_NAMES
from twxdata.tables.objects import (
    BOOL,
    COMPLIANCE,
    COUNT,
    ERROR,
    EXTRA_ENTRIES,
    EXTRA_KEY,
    I64,
    ID,
    LIST,
    MATCHING_RULE,
    MEDIA,
    MENTION,
    PLACE,
    POLL,
    SNIFF,
    SPACE,
    STR,
    TAG,
    TOPIC,
    TS,
    TWEET,
    URL_ENTITY,
    USER,
    F,
    L,
    S,
    doc,
    with_extra,
)

EXTRA_MAP = pa.map_(STR, STR)


def flat_fields(struct: pa.StructType, prefix: str = "") -> list[pa.Field]:
    """The columns a struct becomes: nested structs dotted, lists kept whole.

    >>> [f.name for f in flat_fields(S(F("a", S(F("b", I64, "")), ""), F("c", L(I64), "")))]
    ['a.b', 'c']
    """
    out: list[pa.Field] = []
    for child in struct:
        name = prefix + child.name
        if pa.types.is_struct(child.type):
            out.extend(flat_fields(child.type, name + "."))
        else:
            out.append(child.with_name(name))
    return out


def _ordered(available: Iterable[pa.Field], lead: Iterable[str]) -> list[pa.Field]:
    """``lead`` names first (``"x.*"`` takes every column under ``x.`` in order), then the rest."""
    pool = {f.name: f for f in available}
    out: list[pa.Field] = []
    for name in lead:
        if name.endswith(".*"):
            picked = [n for n in pool if n.startswith(name[:-1])]
        elif name in pool:
            picked = [name]
        else:
            raise KeyError(f"schema: no column {name!r}")
        out.extend(pool.pop(n) for n in picked)
    out.extend(pool.values())
    return out


META = [
    F("__twxdata.retrieved_at", TS, "When the response was received (UTC)."),
    F("__twxdata.endpoint", STR, "Endpoint name (twxdata.endpoints); from the URL for twarc."),
    F("__twxdata.url", STR, "The request URL (never holds credentials)."),
    F("__twxdata.version", STR, "Version of the tool that fetched the response."),
    F("__twxdata.stream", STR, "Query or user id the response belongs to in a fan-out."),
]
META_NAMES = tuple(f.name for f in META)
EXTRA = F(EXTRA_KEY, EXTRA_MAP, "Unknown or mistyped fields: {dotted path: JSON text}.")


def _entity(
    struct: pa.StructType, *, lead: Iterable[str] = (), more: Iterable[pa.Field] = ()
) -> pa.Schema:
    return pa.schema([*_ordered([*flat_fields(struct), *more], lead), *META, EXTRA])


def _prefixed(struct: pa.StructType, prefix: str, docs_prefix: str) -> list[pa.Field]:
    return [
        f.with_metadata({"doc": f"{docs_prefix}: {doc(f)}"}) for f in flat_fields(struct, prefix)
    ]


REFERENCE_TYPES = ("replied_to", "retweeted", "quoted")

_TWEET_JOINED = [
    *(F(f"referenced_tweets.{t}.id", ID, f"Id of the post this one {t.replace('_', ' ')}.")
      for t in REFERENCE_TYPES),
    F("in_reply_to_username", STR, "Handle of the user replied to."),
    F("retweeted_user_id", ID, "Author id of the reposted post."),
    F("retweeted_username", STR, "Author handle of the reposted post."),
    F("quoted_user_id", ID, "Author id of the quoted post."),
    F("quoted_username", STR, "Author handle of the quoted post."),
    F(
        "text_full",
        STR,
        "The complete text: for a repost the reposted post's full text, else this post's; long "
        "posts' note_tweet text when present; this post's own text when nothing better is known.",
    ),
    F("attachments.media", L(MEDIA), "The attached media objects (from includes.media)."),
    *_prefixed(POLL, "attachments.poll.", "Attached poll"),
    *_prefixed(USER, "author.", "Author"),
    *_prefixed(PLACE, "geo.", "Tagged place"),
    F("matching_rules", L(MATCHING_RULE), "Filtered-stream rules the post matched."),
]  # fmt: skip

TWEETS_LEAD = (
    "id", "conversation_id", "referenced_tweets.replied_to.id", "referenced_tweets.retweeted.id",
    "referenced_tweets.quoted.id", "author_id", "in_reply_to_user_id", "in_reply_to_username",
    "retweeted_user_id", "retweeted_username", "quoted_user_id", "quoted_username", "created_at",
    "text", "text_full", "lang", "source", "public_metrics.*", "reply_settings",
    "edit_history_tweet_ids", "edit_controls.*", "possibly_sensitive", "withheld.*",
    "entities.*", "context_annotations", "attachments.media", "attachments.media_keys",
    "attachments.poll.*", "attachments.poll_ids", "author.*", "geo.coordinates.*", "geo.country",
    "geo.country_code", "geo.full_name", "geo.geo.bbox", "geo.geo.type", "geo.id", "geo.name",
    "geo.place_id", "geo.place_type", "geo.*", "matching_rules",
)  # fmt: skip

TWEETS = _entity(TWEET, lead=TWEETS_LEAD, more=_TWEET_JOINED)
USERS = _entity(USER)
MEDIA_TABLE = _entity(MEDIA)
PLACES = _entity(PLACE)
POLLS = _entity(POLL)
LISTS = _entity(LIST)
SPACES = _entity(SPACE)
COUNTS = _entity(
    COUNT,
    more=[
        F("query", STR, "The counted query (from the request)."),
        F("granularity", STR, "minute, hour or day (from the request; the API default is hour)."),
    ],
)
COMPLIANCE_TABLE = _entity(COMPLIANCE)
ERRORS = _entity(
    ERROR,
    more=[
        F(
            "parameters",
            pa.map_(STR, L(STR)),
            "Invalid-request problems: {parameter: [rejected values]}.",
        )
    ],
)
PAGES = pa.schema(
    [
        F("__source.file", STR, "Input file (null for in-memory pages)."),
        F("__source.line", I64, "1-based line in the input (or position in the iterable)."),
        F("kind", STR, "What data holds: tweets, users, lists, spaces, counts, ..., or null."),
        F("data_count", I64, "Number of items in data."),
        F("meta.result_count", I64, "meta.result_count as sent."),
        F("meta.next_token", STR, "Token of the next page."),
        F("meta.previous_token", STR, "Token of the previous page."),
        F("meta.newest_id", ID, "Newest post id in the page."),
        F("meta.oldest_id", ID, "Oldest post id in the page."),
        F("meta.total_tweet_count", I64, "Counts endpoints: total over the page."),
        F("matching_rules", L(MATCHING_RULE), "Filtered-stream rules the message matched."),
        F("errors_count", I64, "Number of partial errors in the response."),
        F("__twxdata.params", pa.map_(STR, STR), "Query parameters of the request."),
        F("__twxdata.status", I64, "HTTP status of the response."),
        *META,
        EXTRA,
    ]
)
OTHER = pa.schema(
    [
        F("kind", STR, "dm_events, communities, compliance_jobs, ... or unknown."),
        F("id", STR, "The object's id, when it has one."),
        F("json", STR, "The object as JSON text."),
        *META,
    ]
)

_TWEET_ID = F("tweet_id", ID, "Id of the post.")
EDGES_MENTIONS = pa.schema(
    [
        _TWEET_ID,
        F("user_id", ID, "Id of the mentioned user (from the mention or includes.users)."),
        *[f for f in flat_fields(MENTION) if f.name != "id"],
    ]
)
EDGES_HASHTAGS = pa.schema([_TWEET_ID, *flat_fields(TAG)])
EDGES_URLS = pa.schema([_TWEET_ID, *flat_fields(URL_ENTITY)])
EDGES_MEDIA = pa.schema(
    [
        _TWEET_ID,
        F("media_key", STR, "Key of the attached media."),
        F("position", I64, "0-based position among the post's attachments."),
    ]
)
EDGES_REFERENCES = pa.schema(
    [
        _TWEET_ID,
        F("type", STR, "replied_to, quoted or retweeted."),
        F("referenced_tweet_id", ID, "Id of the referenced post."),
        F("author_id", ID, "Author of the post."),
        F("referenced_author_id", ID, "Author of the referenced post, when included."),
    ]
)
EDGES_FOLLOWERS = pa.schema(
    [
        F("user_id", ID, "The followed user."),
        F("follower_id", ID, "The follower."),
        META[0],
    ]
)

SCHEMAS: Mapping[str, pa.Schema] = MappingProxyType(
    {
        "tweets": TWEETS,
        "included_tweets": TWEETS,
        "users": USERS,
        "media": MEDIA_TABLE,
        "places": PLACES,
        "polls": POLLS,
        "lists": LISTS,
        "spaces": SPACES,
        "counts": COUNTS,
        "compliance": COMPLIANCE_TABLE,
        "errors": ERRORS,
        "pages": PAGES,
        "other": OTHER,
        "edges_mentions": EDGES_MENTIONS,
        "edges_hashtags": EDGES_HASHTAGS,
        "edges_urls": EDGES_URLS,
        "edges_media": EDGES_MEDIA,
        "edges_references": EDGES_REFERENCES,
        "edges_followers": EDGES_FOLLOWERS,
    }
)
if tuple(SCHEMAS) != TABLE_NAMES:  # pragma: no cover - guards edits of either list
    raise RuntimeError("twxdata.tables.names.TABLE_NAMES disagrees with SCHEMAS")

# --- what the JSON reader parses each line against ---------------------------------------


def merge_structs(*structs: pa.StructType) -> pa.StructType:
    """One struct with every field of ``structs``; same-named fields merge or must agree."""
    fields: dict[str, pa.Field] = {}
    for struct in structs:
        for child in struct:
            have = fields.get(child.name)
            if have is None:
                fields[child.name] = child
            elif have.type != child.type:
                fields[child.name] = have.with_type(_merge_types(have.type, child.type))
    return pa.struct(list(fields.values()))


def _merge_types(a: pa.DataType, b: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(a) and pa.types.is_struct(b):
        return merge_structs(a, b)
    if pa.types.is_list(a) and pa.types.is_list(b):
        return pa.list_(_merge_types(a.value_type, b.value_type))
    raise TypeError(f"schema: cannot merge {a} and {b}")


# A data item is any kind of object: the reader cannot know the kind before parsing.
DATA_ITEM = merge_structs(TWEET, USER, LIST, SPACE, COUNT, SNIFF)
META_OBJECT = S(
    F("result_count", I64, ""),
    F("next_token", STR, ""),
    F("previous_token", STR, ""),
    F("newest_id", ID, ""),
    F("oldest_id", ID, ""),
    F("total_tweet_count", I64, ""),
)
TWXDATA_KEY = S(
    F("endpoint", STR, ""),
    F("url", STR, ""),
    F("retrieved_at", TS, ""),
    F("version", STR, ""),
    F("status", I64, ""),
    F("stream", STR, ""),
)
TWARC_KEY = S(F("url", STR, ""), F("version", STR, ""), F("retrieved_at", TS, ""))
INCLUDES = S(
    F("users", L(with_extra(USER)), ""),
    F("tweets", L(with_extra(TWEET)), ""),
    F("media", L(with_extra(MEDIA)), ""),
    F("places", L(with_extra(PLACE)), ""),
    F("polls", L(with_extra(POLL)), ""),
    F("topics", L(with_extra(TOPIC)), ""),
)
COMPLIANCE_KEY = "__compliance"  # canonical pages carry twarc compliance records here
PARAMETER_ENTRIES = pa.list_(pa.struct([("key", STR), ("value", L(STR))]))
# invalid-request ``parameters`` ({name: [values]}) has no fixed members: the slow path turns
# it into entries (an object there sends the page the slow way, which error bodies can afford).
ERROR_ITEM = pa.struct([*with_extra(ERROR), pa.field("parameters", PARAMETER_ENTRIES)])

PAGE = pa.schema(
    [
        F("data", L(with_extra(DATA_ITEM)), "data, always as a list."),
        F("includes", INCLUDES, ""),
        F("errors", L(ERROR_ITEM), ""),
        F("meta", META_OBJECT, ""),
        F("matching_rules", L(MATCHING_RULE), ""),
        F("title", STR, "Problem body: title."),
        F("detail", STR, "Problem body: detail."),
        F("type", STR, "Problem body: type."),
        F("status", I64, "Problem body: status."),
        F("__twxdata", TWXDATA_KEY, ""),
        F("__twarc", TWARC_KEY, ""),
        F(COMPLIANCE_KEY, L(with_extra(COMPLIANCE)), ""),
        F(EXTRA_KEY, EXTRA_ENTRIES, ""),
    ]
)
"""The canonical page every input line is read as (unknown fields are inferred beside)."""

__all__ = [
    "BOOL",
    "PAGE",
    "SCHEMAS",
    "SCHEMA_VERSION",
    "TABLE_NAMES",
    "describe",
    "flat_fields",
]


def describe(table: str) -> str:
    """A table's columns, types and descriptions, one per line.

    >>> print(describe("counts").splitlines()[2])
    tweet_count  int64  Posts matching the query in the bucket.
    >>> describe("tweet")
    Traceback (most recent call last):
    ...
    twxdata.errors.ParameterError: table: no table 'tweet'; did you mean 'tweets'? Tables: tweets, included_tweets, users, media, places, polls, lists, spaces, counts, compliance, errors, pages, other, edges_mentions, edges_hashtags, edges_urls, edges_media, edges_references, edges_followers
    """  # noqa: E501
    schema = SCHEMAS.get(table)
    if schema is None:
        close = difflib.get_close_matches(str(table), list(SCHEMAS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ";"
        raise ParameterError("table", f"no table {table!r}{hint} Tables: {', '.join(SCHEMAS)}")
    return "\n".join(f"{f.name}  {f.type}  {doc(f)}" for f in schema)
