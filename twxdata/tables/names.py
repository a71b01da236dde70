"""The names of the tables, importable without pyarrow (the command line lists them).

``twxdata.tables.schema`` defines a schema for each and checks the two agree.

>>> TABLE_NAMES[:3]
('tweets', 'included_tweets', 'users')
"""

from __future__ import annotations

SCHEMA_VERSION = "1.0"
"""Bumped on any change of a table's columns or types (stored in every Parquet file)."""

TABLE_NAMES: tuple[str, ...] = (
    "tweets",
    "included_tweets",
    "users",
    "media",
    "places",
    "polls",
    "lists",
    "spaces",
    "counts",
    "compliance",
    "errors",
    "pages",
    "other",
    "edges_mentions",
    "edges_hashtags",
    "edges_urls",
    "edges_media",
    "edges_references",
    "edges_followers",
)
