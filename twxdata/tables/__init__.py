"""API pages to typed Arrow tables: posts with their expansions joined, users, media, places,
polls, counts, lists, errors and edges, each against a written-down schema.

>>> from twxdata.tables import flatten
>>> t = flatten({"data": [{"id": "1", "text": "hello #x", "public_metrics": {"like_count": 3},
...              "entities": {"hashtags": [{"start": 6, "end": 8, "tag": "x"}]}}]})
>>> t.tweets.select(["id", "public_metrics.like_count"]).to_pylist()
[{'id': '1', 'public_metrics.like_count': 3}]
>>> t.edges_hashtags.select(["tweet_id", "tag"]).to_pylist()
[{'tweet_id': '1', 'tag': 'x'}]

Streaming a large archive to Parquet: ``iter_batches`` with ``TableWriter`` (what
``twxdata flatten`` does). Joins on pandas frames: :mod:`twxdata.tables.join`.

The names below load on first use, so importing ``twxdata.tables.names`` (the command line
does, to list tables) costs no pyarrow import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from twxdata.tables.names import TABLE_NAMES

if TYPE_CHECKING:
    from twxdata.tables import join
    from twxdata.tables.api import (
        Tables,
        flatten,
        iter_batches,
        iter_pages,
        read_jsonl,
        to_pandas,
    )
    from twxdata.tables.lines import OnError
    from twxdata.tables.output import TableWriter, csv_ready, write_table
    from twxdata.tables.schema import SCHEMA_VERSION, SCHEMAS, describe

_WHERE = {
    "Tables": "api",
    "flatten": "api",
    "iter_batches": "api",
    "iter_pages": "api",
    "read_jsonl": "api",
    "to_pandas": "api",
    "OnError": "lines",
    "TableWriter": "output",
    "csv_ready": "output",
    "write_table": "output",
    "SCHEMA_VERSION": "schema",
    "SCHEMAS": "schema",
    "describe": "schema",
}

__all__ = [
    "SCHEMAS",
    "SCHEMA_VERSION",
    "TABLE_NAMES",
    "OnError",
    "TableWriter",
    "Tables",
    "csv_ready",
    "describe",
    "flatten",
    "iter_batches",
    "iter_pages",
    "join",
    "read_jsonl",
    "to_pandas",
    "write_table",
]


def __getattr__(name: str) -> Any:
    if name == "join":
        return importlib.import_module("twxdata.tables.join")
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'twxdata.tables' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"twxdata.tables.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
