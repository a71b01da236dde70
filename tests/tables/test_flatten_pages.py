"""Flattening hand-made pages: whole typed frames compared with assert_frame_equal."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import ClassVar

import pandas as pd
import pyarrow as pa
import pytest
from tables.fixtures import (
    RETRIEVED,
    SEARCH_URL,
    followers_page,
    search_page,
    twarc_flat,
    typed_frame,
)

from twxdata.tables import SCHEMAS, flatten

UTC = timezone.utc
AT = datetime(2026, 11, 26, 20, 52, 36, 123456, tzinfo=UTC)


def test_posts_get_their_expansions_joined() -> None:
    t = flatten([search_page()])
    columns = [
        "id", "author.username", "author.public_metrics.followers_count",
        "referenced_tweets.retweeted.id", "retweeted_user_id", "retweeted_username",
        "referenced_tweets.replied_to.id", "in_reply_to_username",
        "referenced_tweets.quoted.id", "quoted_user_id", "quoted_username",
        "geo.place_id", "geo.full_name", "geo.country_code", "geo.geo.bbox",
        "attachments.poll.id", "attachments.poll.options", "attachments.poll.voting_status",
        "public_metrics.like_count", "created_at",
    ]  # fmt: skip
    expected = typed_frame("tweets", [
        {"id": "10", "author.username": "ann", "author.public_metrics.followers_count": 7,
         "referenced_tweets.retweeted.id": "20", "retweeted_user_id": "2",
         "retweeted_username": "Bo", "public_metrics.like_count": 0,
         "created_at": datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)},
        {"id": "11", "author.username": "ann", "author.public_metrics.followers_count": 7,
         "referenced_tweets.replied_to.id": "21", "in_reply_to_username": "Bo",
         "referenced_tweets.quoted.id": "22", "quoted_user_id": "2", "quoted_username": "Bo",
         "geo.place_id": "p1", "geo.full_name": "Berlin, Germany", "geo.country_code": "DE",
         "geo.geo.bbox": [13.0, 52.3, 13.7, 52.6], "attachments.poll.id": "9",
         "attachments.poll.options": [{"position": 1, "label": "yes", "votes": 3}],
         "attachments.poll.voting_status": "closed", "public_metrics.like_count": 4,
         "created_at": datetime(2024, 1, 2, 3, 5, tzinfo=UTC)},
    ], columns)  # fmt: skip
    pd.testing.assert_frame_equal(t.to_pandas("tweets")[columns], expected)


def test_text_is_the_posts_own_and_text_full_the_complete_one() -> None:
    frame = flatten([search_page()]).to_pandas("tweets")[["id", "text", "text_full"]]
    expected = typed_frame("tweets", [
        {"id": "10", "text": "RT @bo: original long te…",
         "text_full": "original long text, complete"},
        {"id": "11", "text": "@bo hello #x https://t.co/a",
         "text_full": "@bo hello #x and much more text"},
    ], ["id", "text", "text_full"])  # fmt: skip
    pd.testing.assert_frame_equal(frame, expected)


def test_media_join_keeps_order_and_marks_missing_items_null() -> None:
    media = flatten([search_page()]).tweets["attachments.media"].to_pylist()
    assert media[0] is None
    assert [m and (m["media_key"], m["type"], m["width"]) for m in media[1]] == [
        ("3_1", "photo", 10),
        None,  # 3_404 is not in includes.media
    ]


def test_retrieval_metadata_flows_into_every_row() -> None:
    t = flatten([search_page()])
    columns = [f.name for f in SCHEMAS["tweets"] if f.name.startswith("__twxdata.")]
    row = {
        "__twxdata.retrieved_at": AT,
        "__twxdata.endpoint": "search_recent_tweets",
        "__twxdata.url": SEARCH_URL,
        "__twxdata.version": "0.1.0",
        "__twxdata.stream": "x",
    }
    expected = typed_frame("tweets", [row, row], columns)
    pd.testing.assert_frame_equal(t.to_pandas("tweets")[columns], expected)
    users = t.to_pandas("users")
    assert users["__twxdata.retrieved_at"].tolist() == [AT, AT]


def test_deleted_reference_gives_nulls_and_an_error_row_not_a_missing_post() -> None:
    t = flatten([search_page()])
    assert t.tweets["id"].to_pylist() == ["10", "11"]
    assert t.included_tweets["id"].to_pylist() == ["20", "22"]
    columns = ["resource_id", "resource_type", "parameter", "section", "title",
               "__twxdata.url", "__twxdata.retrieved_at"]  # fmt: skip
    expected = typed_frame("errors", [
        {"resource_id": "21", "resource_type": "tweet", "parameter": "referenced_tweets.id",
         "section": "includes", "title": "Not Found Error", "__twxdata.url": SEARCH_URL,
         "__twxdata.retrieved_at": AT},
    ], columns)  # fmt: skip
    pd.testing.assert_frame_equal(t.to_pandas("errors")[columns], expected)


def test_entity_tables_hold_the_includes_once() -> None:
    t = flatten([search_page(), search_page()])
    assert t.tweets.num_rows == 2
    assert t.users["username"].to_pylist() == ["ann", "Bo"]
    assert t.media["media_key"].to_pylist() == ["3_1"]
    assert t.places["full_name"].to_pylist() == ["Berlin, Germany"]
    assert t.polls["id"].to_pylist() == ["9"]
    assert t.pages.num_rows == 2 and t.errors.num_rows == 2


def test_duplicates_across_pages_first_retrieved_wins() -> None:
    first, second = search_page(), search_page()
    second["data"][1]["public_metrics"]["like_count"] = 99
    second["data"].append({"id": "12", "text": "new", "author_id": "1"})
    t = flatten([first, second])
    assert t.tweets["id"].to_pylist() == ["10", "11", "12"]
    assert t.tweets["public_metrics.like_count"].to_pylist() == [0, 4, None]


def test_edges() -> None:
    t = flatten([search_page()])
    mentions = t.to_pandas("edges_mentions")
    expected = typed_frame("edges_mentions", [
        {"tweet_id": "10", "user_id": "2", "username": "bo", "start": 3, "end": 6},
        {"tweet_id": "11", "user_id": "2", "username": "bo", "start": 0, "end": 3},
    ], ["tweet_id", "user_id", "start", "end", "username"])  # fmt: skip
    pd.testing.assert_frame_equal(mentions, expected)
    assert t.edges_hashtags.select(["tweet_id", "tag"]).to_pylist() == [
        {"tweet_id": "11", "tag": "x"}
    ]
    assert t.edges_urls.select(["tweet_id", "expanded_url"]).to_pylist() == [
        {"tweet_id": "11", "expanded_url": "https://example.org/a"}
    ]
    assert t.edges_media.to_pylist() == [
        {"tweet_id": "11", "media_key": "3_1", "position": 0},
        {"tweet_id": "11", "media_key": "3_404", "position": 1},
    ]
    assert t.edges_references.to_pylist() == [
        {"tweet_id": "10", "type": "retweeted", "referenced_tweet_id": "20", "author_id": "1",
         "referenced_author_id": "2"},
        {"tweet_id": "11", "type": "replied_to", "referenced_tweet_id": "21", "author_id": "1",
         "referenced_author_id": None},
        {"tweet_id": "11", "type": "quoted", "referenced_tweet_id": "22", "author_id": "1",
         "referenced_author_id": "2"},
    ]  # fmt: skip


def test_followers_page_gives_user_rows_and_follower_edges() -> None:
    t = flatten([followers_page("1", ("5", "6")), followers_page("1", ("6", "7"))])
    assert t.users["id"].to_pylist() == ["5", "6", "7"]
    expected = typed_frame("edges_followers", [
        {"user_id": "1", "follower_id": f, "__twxdata.retrieved_at": AT} for f in "567"
    ], ["user_id", "follower_id", "__twxdata.retrieved_at"])  # fmt: skip
    pd.testing.assert_frame_equal(t.to_pandas("edges_followers"), expected)


def test_following_page_points_the_other_way() -> None:
    page = followers_page("1", ("5",))
    page["__twxdata"] = {"url": "https://api.x.com/2/users/1/following"}
    assert flatten([page]).edges_followers.select([0, 1]).to_pylist() == [
        {"user_id": "5", "follower_id": "1"}
    ]


def test_single_object_response_and_stream_message() -> None:
    single = {"data": {"id": "1", "text": "one", "author_id": "9"},
              "includes": {"users": [{"id": "9", "username": "ann"}]}}  # fmt: skip
    stream = {**single, "data": {"id": "2", "text": "two", "author_id": "9"},
              "matching_rules": [{"id": 1377649934414049282, "tag": None}]}  # fmt: skip
    t = flatten([single, stream])
    assert t.tweets.select(["id", "author.username"]).to_pylist() == [
        {"id": "1", "author.username": "ann"},
        {"id": "2", "author.username": "ann"},
    ]
    assert t.tweets["matching_rules"].to_pylist() == [
        None,
        [{"id": "1377649934414049282", "tag": None}],
    ]


def test_twarc_flattened_line_gives_the_same_post_as_its_page() -> None:
    page = search_page()
    flat = [twarc_flat(tweet, page["includes"]) for tweet in page["data"]]
    for line in flat:
        line["__twxdata"] = page["__twxdata"]
    from_page, from_flat = flatten([page]).tweets, flatten(flat).tweets
    same = [c for c in from_page.column_names if c not in ("entities.mentions", "__extra")]
    assert from_flat.select(same).equals(from_page.select(same))


def test_counts_lists_spaces_compliance() -> None:
    counts = {"data": [{"start": "2024-01-01T00:00:00.000Z", "end": "2024-01-02T00:00:00.000Z",
                        "tweet_count": 5}],
              "meta": {"total_tweet_count": 5},
              "__twarc": {"url": "https://api.twitter.com/2/tweets/counts/recent?query=dogs"
                                 "&granularity=day"}}  # fmt: skip
    lists = {"data": [{"id": "7", "name": "L", "member_count": 3, "private": False}],
             "__twxdata": {"endpoint": "get_owned_lists"}}  # fmt: skip
    spaces = {"data": {"id": "1zqK", "state": "live", "title": "Hi"}}
    compliance = {"id": "1", "action": "delete", "created_at": "2019-09-06T17:25:54.667Z",
                  "reason": "protected"}  # fmt: skip
    t = flatten([counts, lists, spaces, compliance])
    assert t.counts.select(
        ["tweet_count", "query", "granularity", "__twxdata.endpoint"]
    ).to_pylist() == [
        {
            "tweet_count": 5,
            "query": "dogs",
            "granularity": "day",
            "__twxdata.endpoint": "get_recent_tweets_count",
        }
    ]
    assert t.lists.select(["id", "member_count", "private"]).to_pylist() == [
        {"id": "7", "member_count": 3, "private": False}
    ]
    assert t.spaces.select(["id", "state"]).to_pylist() == [{"id": "1zqK", "state": "live"}]
    assert t.compliance.select(["id", "reason"]).to_pylist() == [{"id": "1", "reason": "protected"}]
    assert t.compliance["created_at"].type == pa.timestamp("us", tz="UTC")
    assert t.pages["kind"].to_pylist() == ["counts", "lists", "spaces", None]


def test_problem_bodies_become_error_rows() -> None:
    unauthorized = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}  # fmt: skip
    invalid = {"title": "Invalid Request", "detail": "One or more parameters are invalid.",
               "type": "https://api.twitter.com/2/problems/invalid-request",
               "errors": [{"parameters": {"ids": ["NA"]}, "message": "bad ids"}]}  # fmt: skip
    errors = flatten([unauthorized, invalid]).errors
    assert errors.select(["title", "status", "message", "parameters"]).to_pylist() == [
        {"title": "Invalid Request", "status": None, "message": "bad ids",
         "parameters": [("ids", ["NA"])]},
        {"title": "Unauthorized", "status": 401, "message": None, "parameters": None},
    ]  # fmt: skip


def test_objects_without_a_table_are_kept_in_other() -> None:
    dm = {"data": [{"id": "5", "event_type": "MessageCreate", "text": "hi", "sender_id": "9"}]}
    t = flatten([dm])
    assert t.tweets.num_rows == 0
    assert t.other.select(["kind", "id", "json"]).to_pylist() == [
        {"kind": "dm_events", "id": "5",
         "json": '{"id":"5","text":"hi","event_type":"MessageCreate","sender_id":"9"}'}
    ]  # fmt: skip


def test_pages_table() -> None:
    pages = flatten([search_page()]).to_pandas("pages")
    columns = ["__source.line", "kind", "data_count", "meta.result_count", "meta.next_token",
               "errors_count", "__twxdata.params"]  # fmt: skip
    expected = typed_frame("pages", [
        {"__source.line": 1, "kind": "tweets", "data_count": 2, "meta.result_count": 2,
         "meta.next_token": "t1", "errors_count": 1,
         "__twxdata.params": [("max_results", "100"), ("query", "x")]},
    ], columns)  # fmt: skip
    pd.testing.assert_frame_equal(pages[columns], expected)


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_table_has_exactly_its_schema(name: str) -> None:
    t = flatten([search_page(), followers_page(), {"title": "Unauthorized"}])
    assert t[name].schema.equals(SCHEMAS[name])


def test_page_objects_from_the_client_are_accepted() -> None:
    class FakePage:  # the attributes flatten reads from twxdata.protocol.response.Page
        body: ClassVar[dict[str, object]] = {"data": [{"id": "1", "text": "x"}]}

        def archive_record(self) -> dict[str, object]:
            return {"endpoint": "get_tweets", "retrieved_at": RETRIEVED}

    assert flatten([FakePage()]).tweets.select(["id", "__twxdata.endpoint"]).to_pylist() == [
        {"id": "1", "__twxdata.endpoint": "get_tweets"}
    ]
