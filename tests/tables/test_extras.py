"""Fields the schema does not know, and values of the wrong JSON type: kept in ``__extra``,
never a crash, never a dropped batch — by the fast reader and the slow path alike."""

from __future__ import annotations

import json

import pyarrow as pa
from tables.fixtures import search_page

from twxdata.tables import SCHEMAS, flatten


def _extra(table: pa.Table) -> list[dict[str, object] | None]:
    return [None if m is None else {k: json.loads(v) for k, v in m}
            for m in table["__extra"].to_pylist()]  # fmt: skip


def _with_new_fields() -> dict[str, object]:
    page = search_page()
    post = page["data"][1]
    post["community_notes"] = {"status": "shown", "ids": [1, 2]}
    post["public_metrics"]["view_count"] = 12
    post["entities"]["urls"][0]["tracking"] = "abc"
    page["includes"]["users"][0]["subscribers"] = 4
    page["meta"]["sent"] = "2024-01-01"
    page["includes"]["articles"] = [{"id": "a"}]
    page["brand_new"] = True
    return page


def test_new_fields_are_kept_in_extra() -> None:
    t = flatten([_with_new_fields()])
    urls = search_page()["data"][1]["entities"]["urls"]
    assert _extra(t.tweets) == [
        None,
        {
            "community_notes": {"status": "shown", "ids": [1, 2]},
            "public_metrics.view_count": 12,
            "entities.urls": [{**urls[0], "tracking": "abc"}],
        },
    ]
    assert _extra(t.users) == [{"subscribers": 4}, None]
    assert _extra(t.pages) == [
        {"meta.sent": "2024-01-01", "includes.articles": [{"id": "a"}], "brand_new": True}
    ]
    assert t.tweets["public_metrics.like_count"].to_pylist() == [0, 4]
    assert t.tweets.schema.equals(SCHEMAS["tweets"])


def test_a_known_field_of_the_wrong_type_does_not_drop_the_batch() -> None:
    bad = search_page()
    bad["data"][0]["public_metrics"]["like_count"] = "many"
    bad["data"][1]["source"] = {"app": "web"}
    bad["data"][1]["created_at"] = "yesterday"
    t = flatten([bad])
    assert t.tweets["id"].to_pylist() == ["10", "11"]
    assert t.tweets["public_metrics.like_count"].to_pylist() == [None, 4]
    assert t.tweets["author.username"].to_pylist() == ["ann", "ann"]
    assert _extra(t.tweets) == [
        {"public_metrics.like_count": "many"},
        {"created_at": "yesterday", "source": {"app": "web"}},
    ]


def test_ids_sent_as_numbers_become_strings() -> None:
    page = {"data": [{"id": 123456789012345678, "text": "x", "author_id": 42}],
            "includes": {"users": [{"id": 42, "username": "n"}]}}  # fmt: skip
    t = flatten([page])
    assert t.tweets.select(["id", "author_id", "author.username"]).to_pylist() == [
        {"id": "123456789012345678", "author_id": "42", "author.username": "n"}
    ]
    assert t.tweets["__extra"].null_count == 1


def test_fast_and_slow_paths_agree() -> None:
    fast = flatten([_with_new_fields()])
    poison = {"data": [{"id": "99", "text": "x", "possibly_sensitive": "maybe"}]}  # slow way
    slow = flatten([_with_new_fields(), poison])
    for name in ("tweets", "users", "included_tweets", "media", "places", "polls"):
        rows = slow[name].slice(0, fast[name].num_rows)
        assert _extra(rows) == _extra(fast[name]), name
        plain = [c for c in fast[name].column_names if c != "__extra"]
        assert rows.select(plain).equals(fast[name].select(plain)), name
    assert _extra(slow.tweets)[-1] == {"possibly_sensitive": "maybe"}


def test_date_like_text_keeps_its_exact_text() -> None:
    page = {"data": [{"id": "1", "text": "2024-01-01", "author_id": "9"}],
            "includes": {"users": [{"id": "9", "username": "d", "location": "2024-01-01"}]},
            "meta": {"sent": "2024-01-01T10:00:00Z"}}  # fmt: skip
    t = flatten([page])
    assert t.tweets.select(["text", "author.location"]).to_pylist() == [
        {"text": "2024-01-01", "author.location": "2024-01-01"}
    ]
    assert _extra(t.pages) == [{"meta.sent": "2024-01-01T10:00:00Z"}]


def test_invalid_request_parameters_become_a_map() -> None:
    body = {
        "errors": [
            {"parameters": {"start_time": ["2020-06-21T01:00Z"]}, "message": "Invalid 'start_time'"}
        ],
        "title": "Invalid Request",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }
    errors = flatten([body]).errors
    assert errors["parameters"].to_pylist() == [[("start_time", ["2020-06-21T01:00Z"])]]
    assert errors["__extra"].to_pylist() == [None]
