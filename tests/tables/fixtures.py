"""Hand-made API pages for the table tests (shapes as in the real recordings)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from twxdata.tables import SCHEMAS, to_pandas

RETRIEVED = "2026-11-26T20:52:36.123456Z"
SEARCH_URL = "https://api.x.com/2/tweets/search/recent?query=x&max_results=100"

_SEARCH: dict[str, Any] = {
    "data": [
        {
            "id": "10",
            "text": "RT @bo: original long te…",
            "author_id": "1",
            "created_at": "2024-01-02T03:04:05.000Z",
            "lang": "en",
            "referenced_tweets": [{"type": "retweeted", "id": "20"}],
            "public_metrics": {"retweet_count": 5, "reply_count": 0, "like_count": 0},
            "entities": {"mentions": [{"start": 3, "end": 6, "username": "bo"}]},
            "edit_history_tweet_ids": ["10"],
        },
        {
            "id": "11",
            "text": "@bo hello #x https://t.co/a",
            "author_id": "1",
            "created_at": "2024-01-02T03:05:00.000Z",
            "in_reply_to_user_id": "2",
            "referenced_tweets": [
                {"type": "replied_to", "id": "21"},
                {"type": "quoted", "id": "22"},
            ],
            "geo": {"place_id": "p1"},
            "attachments": {"media_keys": ["3_1", "3_404"], "poll_ids": ["9"]},
            "public_metrics": {"retweet_count": 0, "reply_count": 1, "like_count": 4},
            "possibly_sensitive": False,
            "entities": {
                "hashtags": [{"start": 10, "end": 12, "tag": "x"}],
                "mentions": [{"start": 0, "end": 3, "username": "bo", "id": "2"}],
                "urls": [
                    {
                        "start": 13,
                        "end": 27,
                        "url": "https://t.co/a",
                        "expanded_url": "https://example.org/a",
                        "display_url": "example.org/a",
                    }
                ],
            },
            "note_tweet": {"text": "@bo hello #x and much more text"},
        },
    ],
    "includes": {
        "users": [
            {
                "id": "1",
                "username": "ann",
                "name": "Ann",
                "created_at": "2010-01-01T00:00:00.000Z",
                "public_metrics": {"followers_count": 7, "following_count": 1},
                "verified": False,
            },
            {"id": "2", "username": "Bo", "name": "Bo"},
        ],
        "tweets": [
            {
                "id": "20",
                "text": "original long te",
                "author_id": "2",
                "note_tweet": {"text": "original long text, complete"},
            },
            {"id": "22", "text": "quoted", "author_id": "2"},
        ],
        "media": [
            {"media_key": "3_1", "type": "photo", "url": "https://pbs/x.jpg", "width": 10,
             "height": 20},
        ],
        "places": [
            {
                "id": "p1",
                "full_name": "Berlin, Germany",
                "name": "Berlin",
                "country_code": "DE",
                "place_type": "city",
                "geo": {"type": "Feature", "bbox": [13.0, 52.3, 13.7, 52.6], "properties": {}},
            }
        ],
        "polls": [
            {
                "id": "9",
                "options": [{"position": 1, "label": "yes", "votes": 3}],
                "voting_status": "closed",
                "end_datetime": "2024-01-03T00:00:00.000Z",
                "duration_minutes": 60,
            }
        ],
    },
    "errors": [
        {
            "value": "21",
            "detail": "Could not find tweet with referenced_tweets.id: [21].",
            "title": "Not Found Error",
            "resource_type": "tweet",
            "parameter": "referenced_tweets.id",
            "resource_id": "21",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
            "section": "includes",
        }
    ],
    "meta": {"result_count": 2, "newest_id": "11", "oldest_id": "10", "next_token": "t1"},
    "__twxdata": {
        "endpoint": "search_recent_tweets",
        "url": SEARCH_URL,
        "params": {"query": "x", "max_results": 100},
        "retrieved_at": RETRIEVED,
        "version": "0.1.0",
        "status": 200,
        "stream": "x",
    },
}  # fmt: skip


def search_page() -> dict[str, Any]:
    """A search page: a repost, a reply with quote/place/poll/media, a deleted reference."""
    return copy.deepcopy(_SEARCH)


def followers_page(user_id: str = "1", ids: tuple[str, ...] = ("5", "6")) -> dict[str, Any]:
    return {
        "data": [{"id": i, "username": f"u{i}", "name": f"U {i}"} for i in ids],
        "meta": {"result_count": len(ids)},
        "__twxdata": {
            "endpoint": "get_users_followers",
            "url": f"https://api.x.com/2/users/{user_id}/followers?max_results=1000",
            "retrieved_at": RETRIEVED,
        },
    }


def twarc_flat(tweet: dict[str, Any], includes: dict[str, Any]) -> dict[str, Any]:
    """``tweet`` as twarc's flatten() writes it: expansions inlined."""
    users = {u["id"]: u for u in includes.get("users", [])}
    by_name = {u["username"]: u for u in includes.get("users", [])}
    tweets = {t["id"]: t for t in includes.get("tweets", [])}
    media = {m["media_key"]: m for m in includes.get("media", [])}
    polls = {p["id"]: p for p in includes.get("polls", [])}
    places = {p["id"]: p for p in includes.get("places", [])}
    out = copy.deepcopy(tweet)
    out["author"] = users.get(tweet.get("author_id"), {})
    attachments = out.get("attachments", {})
    if "media_keys" in attachments:
        attachments["media"] = [media.get(k, {}) for k in attachments["media_keys"]]
    if attachments.get("poll_ids"):
        attachments["poll"] = polls.get(attachments["poll_ids"][-1], {})
    if "place_id" in out.get("geo", {}):
        out["geo"] = {**out["geo"], **places.get(out["geo"]["place_id"], {})}
    for ref in out.get("referenced_tweets", []):
        ref.update(copy.deepcopy(tweets.get(ref["id"], {})))
        if "author_id" in ref:
            ref["author"] = users.get(ref["author_id"], {})
    for mention in out.get("entities", {}).get("mentions", []):
        mention.update(by_name.get(mention["username"], {}))
    return out


def typed_frame(table: str, rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The frame ``columns`` of ``table`` should be for ``rows``, typed by the schema."""
    schema = pa.schema([SCHEMAS[table].field(c) for c in columns])
    return to_pandas(pa.Table.from_pylist(rows, schema=schema))


def lines_file(tmp_path: Path, pages: list[Any], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        for page in pages:
            out.write((page if isinstance(page, str) else json.dumps(page)) + "\n")
    return path
