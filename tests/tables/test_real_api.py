"""Every real recording in ../shared flattens into tables with no post lost, one row per unique
post, expansions joined wherever the include exists, and the documented types."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tables.conftest import all_recordings, recorded_pages

from twxdata.tables import SCHEMAS, flatten, read_jsonl

RECORDINGS = all_recordings()


def _is_post(item: Any) -> bool:
    return isinstance(item, dict) and "text" in item and "event_type" not in item


def _pages_and_posts(pages: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    out = []
    for page in pages:
        data = page.get("data")
        items = [data] if isinstance(data, dict) else data or []
        if "data" not in page and "id" in page and "text" in page:  # a twarc-flattened line
            items = [page]
        out.extend((page, item) for item in items if _is_post(item))
    return out


@pytest.mark.parametrize("path", RECORDINGS)
def test_one_row_per_unique_post_and_none_lost(path: Path) -> None:
    pages = recorded_pages(path)
    t = flatten(pages)
    posts = [item["id"] for _, item in _pages_and_posts(pages)]
    assert t.tweets["id"].to_pylist() == list(dict.fromkeys(posts))
    for name, schema in SCHEMAS.items():
        assert t[name].schema.equals(schema), name


@pytest.mark.parametrize("path", RECORDINGS)
def test_expansions_are_joined_wherever_the_include_exists(path: Path) -> None:
    pages = recorded_pages(path)
    if any("data" not in p and "id" in p for p in pages):
        pytest.skip("twarc-flattened lines are checked against their pages below")
    rows = {r["id"]: r for r in flatten(pages).tweets.to_pylist()}
    checked = 0
    for page, post in _pages_and_posts(pages):
        row = rows[post["id"]]
        if row["__twxdata.url"] != page.get("__twxdata", page.get("__twarc", {})).get("url"):
            continue  # a later duplicate: the first retrieval's row is the one kept
        includes = page.get("includes", {})
        users = {u["id"]: u for u in includes.get("users", [])}
        tweets = {t["id"]: t for t in includes.get("tweets", [])}
        places = {p["id"]: p for p in includes.get("places", [])}
        media = {m["media_key"]: m for m in includes.get("media", [])}
        author = users.get(post.get("author_id"))
        assert row["author.username"] == (author or {}).get("username")
        place = places.get(post.get("geo", {}).get("place_id"))
        assert row["geo.full_name"] == (place or {}).get("full_name")
        for ref in post.get("referenced_tweets", []):
            assert row[f"referenced_tweets.{ref['type']}.id"] == ref["id"]
            if ref["type"] in ("retweeted", "quoted"):
                target = tweets.get(ref["id"], {})
                assert row[f"{ref['type']}_user_id"] == target.get("author_id")
                name = users.get(target.get("author_id"), {}).get("username")
                assert row[f"{ref['type']}_username"] == name
        keys = post.get("attachments", {}).get("media_keys")
        joined = row["attachments.media"]
        assert (joined is None) == (keys is None)
        for key, item in zip(keys or [], joined or [], strict=True):
            assert (item or {}).get("type") == media.get(key, {}).get("type")
        checked += 1
    assert checked or not _pages_and_posts(pages)


@pytest.mark.parametrize("path", RECORDINGS)
def test_values_keep_their_types(path: Path) -> None:
    pages = recorded_pages(path)
    rows = {r["id"]: r for r in flatten(pages).tweets.to_pylist()}
    for _, post in _pages_and_posts(pages):
        row = rows[post["id"]]
        assert isinstance(row["id"], str)
        metrics = post.get("public_metrics", {})
        for name, value in metrics.items():
            assert row[f"public_metrics.{name}"] == value
        if "created_at" in post:
            assert row["created_at"] == datetime.fromisoformat(
                post["created_at"].replace("Z", "+00:00")
            )
        if "possibly_sensitive" in post:
            assert row["possibly_sensitive"] is post["possibly_sensitive"]


def test_the_files_read_as_jsonl_give_the_same_tables(real: Path) -> None:
    for path in sorted((real / "twarc2-pages").glob("*.jsonl")):
        from_file = read_jsonl(path, on_error="skip")
        from_pages = flatten(recorded_pages(path))
        for name, table in from_file.items():
            if name != "pages":  # pages also records the source file and line
                assert table.equals(from_pages[name]), (path.name, name)


def test_truncated_last_line_of_the_stream_file_is_reported(real: Path) -> None:
    t = read_jsonl(real / "twarc2-pages" / "streaming_output_with_error.jsonl", on_error="skip")
    assert [(e.line, e.reason.split(" ")[0]) for e in t.skipped] == [(8, "invalid")]
    assert t.tweets.num_rows == 7
    assert t.tweets["matching_rules"][0].as_py() == [{"id": "1377649934414049282", "tag": None}]


def test_flat_and_noflat_agree(real: Path) -> None:
    ours = read_jsonl(real / "twarc2-pages" / "noflat.jsonl")
    from_flat = read_jsonl(real / "twarc2-pages" / "flat.jsonl")
    # twarc merged each mention with its user, so the flat mentions carry the user's id.
    same = [c for c in ours.tweets.column_names if c != "entities.mentions"]
    assert from_flat.tweets.select(same).equals(ours.tweets.select(same))
    # twarc's flat lines meet the includes in another order: compare them sorted.
    assert (
        from_flat.included_tweets.sort_by("id")
        .select(same)
        .equals(ours.included_tweets.sort_by("id").select(same))
    )
    assert from_flat.users.sort_by("id").equals(ours.users.sort_by("id"))
    assert from_flat.media.sort_by("media_key").equals(ours.media.sort_by("media_key"))


def _matches(ours: Any, theirs: Any) -> bool:
    """``ours`` (typed, nulls for absent fields) says the same as twarc's value."""
    if ours is None:
        return theirs in (None, {}, []) or theirs == ""
    if isinstance(ours, dict):
        theirs = theirs if isinstance(theirs, dict) else {}
        return all(_matches(v, theirs.get(k)) for k, v in ours.items())
    if isinstance(ours, list):
        return (
            isinstance(theirs, list)
            and len(ours) == len(theirs)
            and all(_matches(a, b) for a, b in zip(ours, theirs, strict=True))
        )
    if isinstance(ours, datetime):
        return ours == datetime.fromisoformat(str(theirs).replace("Z", "+00:00"))
    return bool(ours == theirs)


def _at(value: Any, path: str) -> Any:
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# Columns twarc's flattening does not hold under the same path.
_NOT_IN_FLAT = {"text_full", "in_reply_to_username", "retweeted_user_id", "retweeted_username",
                "quoted_user_id", "quoted_username", "matching_rules"}  # fmt: skip


def test_flat_jsonl_agrees_value_for_value_on_shared_fields(real: Path) -> None:
    tweets = read_jsonl(real / "twarc2-pages" / "noflat.jsonl").tweets
    rows = {r["id"]: r for r in tweets.to_pylist()}
    lines = [json.loads(line) for line in (real / "twarc2-pages" / "flat.jsonl").open()]
    compared = 0
    for line in lines:
        row = rows[line["id"]]
        for column, ours in row.items():
            if column in _NOT_IN_FLAT or column.startswith(("__", "referenced_tweets.")):
                continue
            if column.startswith("geo.") and column not in ("geo.place_id",):
                theirs = (
                    _at(line, "geo." + column[4:])
                    if column.startswith("geo.coordinates")
                    else _at(line.get("geo", {}), column[4:])
                )
            else:
                theirs = _at(line, column)
            if column == "entities.mentions" and ours:  # twarc merged users into mentions
                ours = [{k: v for k, v in m.items() if k != "id"} for m in ours]
            assert _matches(ours, theirs), (line["id"], column, ours, theirs)
            compared += ours is not None
        for kind in ("retweeted", "quoted", "replied_to"):
            refs = [r for r in line.get("referenced_tweets", []) if r["type"] == kind]
            assert row[f"referenced_tweets.{kind}.id"] == (refs[-1]["id"] if refs else None)
            if kind != "replied_to" and refs and "author" in refs[-1]:
                assert row[f"{kind}_username"] == refs[-1]["author"].get("username")
    assert compared > 2000


def test_followers_recording_gives_edges_and_empty_pages_nothing(real: Path) -> None:
    pages = recorded_pages(real / "academictwitteR" / "200_followers_empty_meta.json")
    t = flatten(pages)
    assert t.users.num_rows == 0 and t.edges_followers.num_rows == 0
    assert t.pages.select(["meta.result_count", "meta.previous_token"]).to_pylist() == [
        {"meta.result_count": 0, "meta.previous_token": "ONJNUDKPE5QEIZZZ"}
    ]
    liking = flatten(recorded_pages(real / "academictwitteR" / "200_liking_users_data.json"))
    assert liking.users.num_rows == 11
    assert liking.users["__twxdata.endpoint"].unique().to_pylist() == ["get_liking_users"]


def test_partial_errors_keep_their_request(real: Path) -> None:
    path = real / "academictwitteR" / "200_tweets_lookup_data_includes_1error.json"
    t = flatten(recorded_pages(path))
    assert t.tweets.num_rows == 14
    assert t.errors.select(["resource_id", "__twxdata.endpoint"]).to_pylist() == [
        {"resource_id": "1", "__twxdata.endpoint": "get_tweets"}
    ]
    assert t.errors["__twxdata.url"][0].as_py().startswith("https://api.twitter.com/2/tweets?")


def test_counts_recordings(real: Path) -> None:
    t = read_jsonl(real / "twarc2-pages" / "counts.jsonl")
    assert t.counts.num_rows == 169
    assert t.counts["tweet_count"].type == pa.int64()
    assert t.counts["query"].unique().to_pylist() == ["dogs"]
