"""Parameter validation and serialisation: every rule, before any request."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError
from twxdata.protocol.params import (
    api_name,
    prepare_body,
    prepare_path,
    prepare_query,
    snowflake,
    split_ids,
)

SEARCH = ENDPOINTS["search_recent_tweets"]
ALL = ENDPOINTS["search_all_tweets"]
FOLLOWERS = ENDPOINTS["get_users_followers"]
NOW = datetime(2024, 5, 10, 12, 0, 0, tzinfo=timezone.utc)


def q(endpoint=SEARCH, **params):
    return prepare_query(
        endpoint, {"query": "cats", **params} if "query" in endpoint.required else params, now=NOW
    )


def test_lists_become_comma_strings_in_given_order_without_duplicates():
    out = q(tweet_fields=["lang", "created_at", "lang"], expansions=("author_id",))
    assert out["tweet.fields"] == "lang,created_at"
    assert out["expansions"] == "author_id"


def test_comma_string_fields_are_accepted_and_checked():
    assert q(**{"user.fields": "username, created_at"})["user.fields"] == "username,created_at"


def test_unknown_field_names_the_parameter_and_lists_allowed_values():
    with pytest.raises(ParameterError) as err:
        q(tweet_fields=["lang", "favourites"])
    assert err.value.parameter == "tweet.fields"
    assert "'favourites'" in str(err.value)
    assert "public_metrics" in str(err.value)
    assert "public_metrics" in err.value.allowed


def test_unknown_expansion_for_endpoint_is_rejected():
    with pytest.raises(ParameterError, match="expansions: unknown value 'pinned_tweet_id'"):
        q(expansions="pinned_tweet_id")  # a user expansion, not a post one


def test_unknown_parameter_name_lists_what_the_endpoint_takes():
    with pytest.raises(ParameterError) as err:
        q(granularity="day")
    assert err.value.parameter == "granularity"
    assert "search_recent_tweets" in str(err.value)
    assert "max_results" in str(err.value)


def test_none_values_are_dropped():
    assert q(start_time=None, max_results=None) == {"query": "cats"}


@pytest.mark.parametrize(
    ("endpoint", "value", "ok"),
    [
        (SEARCH, 10, True),
        (SEARCH, 100, True),
        (SEARCH, 9, False),
        (SEARCH, 101, False),
        (ALL, 500, True),
        (ALL, 501, False),
        (FOLLOWERS, 1, True),
        (FOLLOWERS, 1000, True),
        (FOLLOWERS, 0, False),
        (FOLLOWERS, 1001, False),
        (ENDPOINTS["get_users_tweets"], 5, True),
        (ENDPOINTS["get_users_tweets"], 4, False),
    ],
)
def test_max_results_bounds_come_from_the_endpoint_table(endpoint, value, ok):
    path = {}
    if ok:
        assert q(endpoint, max_results=value)["max_results"] == str(value)
        return
    with pytest.raises(ParameterError, match=r"max_results: must be between \d+ and \d+"):
        q(endpoint, max_results=value, **path)


@pytest.mark.parametrize("bad", [True, 12.5, "ten", None.__class__])
def test_max_results_must_be_an_integer(bad):
    with pytest.raises(ParameterError, match="max_results"):
        q(max_results=bad)


def test_max_results_as_digit_string_is_accepted():
    assert q(max_results="50")["max_results"] == "50"


def test_search_all_caps_page_size_with_context_annotations():
    with pytest.raises(ParameterError, match=r"at most 100 when tweet\.fields has context_annot"):
        q(ALL, max_results=500, tweet_fields="context_annotations")
    assert q(ALL, max_results=100, tweet_fields="context_annotations")["max_results"] == "100"
    assert q(ALL, max_results=500, tweet_fields="lang")["max_results"] == "500"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc), "2024-01-02T03:04:05Z"),
        (
            datetime(2024, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "2024-01-02T03:04:05Z",
        ),
        (pd.Timestamp("2024-01-02 03:04:05.999", tz="UTC"), "2024-01-02T03:04:05Z"),
        (pd.Timestamp("2024-01-02 04:04:05", tz="Europe/Paris"), "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05.123456Z", "2024-01-02T03:04:05Z"),
        ("2024-01-02T04:04:05+01:00", "2024-01-02T03:04:05Z"),
        ("2024-01-02", "2024-01-02T00:00:00Z"),
        ("7d", "2024-05-03T12:00:00Z"),
        ("36h", "2024-05-09T00:00:00Z"),
        ("90m", "2024-05-10T10:30:00Z"),
        ("2w", "2024-04-26T12:00:00Z"),
        ("3 days ago", "2024-05-07T12:00:00Z"),
        (1704164645, "2024-01-02T03:04:05Z"),
    ],
)
def test_times_become_rfc3339_utc_with_second_precision(value, expected):
    assert q(end_time=value)["end_time"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc), "2024-01-02T03:04:06Z"),
        ("2024-01-02T03:04:05.001Z", "2024-01-02T03:04:06Z"),
        ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),  # whole seconds stay
        (1704164645.5, "2024-01-02T03:04:06Z"),
    ],
)
def test_a_fraction_rounds_into_the_window_start_up_end_down(value, expected):
    # Cutting a start down would reach before what was asked (and, for "7d" on a recent
    # endpoint, before the earliest instant X accepts).
    assert q(start_time=value)["start_time"] == expected
    assert q(end_time=value)["end_time"] <= expected


def test_naive_datetime_is_an_error_naming_the_parameter():
    with pytest.raises(ParameterError) as err:
        q(end_time=datetime(2024, 1, 2, 3, 4, 5))
    assert err.value.parameter == "end_time"
    assert "naive" in str(err.value) and "allow_naive" in str(err.value)


def test_naive_iso_string_with_time_is_an_error_too():
    with pytest.raises(ParameterError, match="without a time zone"):
        q(start_time="2024-01-02T03:04:05")


def test_naive_datetime_allowed_on_request_means_utc():
    out = prepare_query(
        SEARCH, {"query": "x", "start_time": datetime(2024, 1, 2, 3, 4, 5)}, allow_naive=True
    )
    assert out["start_time"] == "2024-01-02T03:04:05Z"


def test_naive_pandas_timestamp_is_an_error():
    with pytest.raises(ParameterError, match="naive"):
        q(start_time=pd.Timestamp("2024-01-02 03:04:05"))


@pytest.mark.parametrize("bad", ["yesterday-ish", "2024-13-40", "", [1], True, "1800-01-01"])
def test_bad_times_name_the_parameter(bad):
    with pytest.raises(ParameterError) as err:
        q(start_time=bad)
    assert err.value.parameter == "start_time"


def test_start_must_be_before_end():
    with pytest.raises(ParameterError, match="start_time: must be before end_time"):
        q(start_time="2024-01-02", end_time="2024-01-01")
    with pytest.raises(ParameterError, match="must be before"):
        q(start_time="2024-01-02", end_time="2024-01-02")


@pytest.mark.parametrize(
    ("ids", "times"),
    [
        ({"since_id": "1"}, {"start_time": "2024-01-01"}),
        ({"until_id": "99"}, {"end_time": "2024-01-01"}),
        ({"since_id": "1"}, {"end_time": "2024-01-01"}),
    ],
)
def test_since_until_ids_cannot_mix_with_times_on_search(ids, times):
    with pytest.raises(ParameterError, match="cannot be combined with"):
        q(**ids, **times)


def test_ids_and_times_may_mix_on_timelines():
    timeline = ENDPOINTS["get_users_tweets"]
    out = prepare_query(timeline, {"since_id": 5, "start_time": "2024-01-01"})
    assert out == {"since_id": "5", "start_time": "2024-01-01T00:00:00Z"}


def test_since_id_must_be_below_until_id():
    with pytest.raises(ParameterError, match="since_id: must be smaller than until_id"):
        q(since_id="10", until_id="9")


@pytest.mark.parametrize(
    "bad", ["12a", "-1", "", "12345678901234567890", 1.5, True, None.__class__]
)
def test_ids_are_digit_strings(bad):
    with pytest.raises(ParameterError, match="since_id"):
        q(since_id=bad)


def test_int_ids_become_strings():
    assert q(since_id=1293593516040269825)["since_id"] == "1293593516040269825"
    assert snowflake(" 12 ", "id") == "12"


def test_query_must_be_non_empty_and_within_length():
    with pytest.raises(ParameterError, match="query: must be a non-empty string"):
        prepare_query(SEARCH, {"query": "  "})
    with pytest.raises(
        ParameterError, match="query: is 513 characters; search_recent_tweets allows 512"
    ):
        prepare_query(SEARCH, {"query": "a" * 513})
    assert prepare_query(ALL, {"query": "a" * 1024})["query"] == "a" * 1024
    assert prepare_query(SEARCH, {"query": "a" * 600}, max_query_length=4096)


def test_required_query_is_enforced():
    with pytest.raises(ParameterError, match="query: is required by search_recent_tweets"):
        prepare_query(SEARCH, {})


def test_choices_are_checked():
    counts = ENDPOINTS["get_recent_tweets_count"]
    assert prepare_query(counts, {"query": "x", "granularity": "day"})["granularity"] == "day"
    with pytest.raises(ParameterError, match="granularity: must be one of day, hour, minute"):
        prepare_query(counts, {"query": "x", "granularity": "week"})
    with pytest.raises(ParameterError, match="sort_order"):
        q(sort_order="newest")


def test_list_choices_join_and_check():
    timeline = ENDPOINTS["get_users_tweets"]
    assert prepare_query(timeline, {"exclude": ["replies", "retweets"]})["exclude"] == (
        "replies,retweets"
    )
    with pytest.raises(ParameterError, match="exclude: unknown value 'quotes'"):
        prepare_query(timeline, {"exclude": ["quotes"]})


def test_lookup_ids_are_checked_and_bounded():
    lookup = ENDPOINTS["get_tweets"]
    assert prepare_query(lookup, {"ids": [1, "2", " 3"]})["ids"] == "1,2,3"
    with pytest.raises(ParameterError, match="ids: at most 100 per request"):
        prepare_query(lookup, {"ids": list(range(1, 102))})
    with pytest.raises(ParameterError, match="ids: must be 1 to 19 digits"):
        prepare_query(lookup, {"ids": ["NA", "NA"]})
    with pytest.raises(ParameterError, match="ids: is required"):
        prepare_query(lookup, {})


def test_usernames_are_checked_and_lose_their_at_sign():
    by = ENDPOINTS["get_users_by_usernames"]
    assert prepare_query(by, {"usernames": ["@TwitterDev", "jack"]})["usernames"] == (
        "TwitterDev,jack"
    )
    with pytest.raises(ParameterError, match="usernames: must be 1 to 15 letters"):
        prepare_query(by, {"usernames": ["not a name"]})


def test_space_ids_are_letters_and_digits():
    spaces = ENDPOINTS["get_spaces"]
    assert prepare_query(spaces, {"ids": ["1ynKOZVRyOwxR"]})["ids"] == "1ynKOZVRyOwxR"
    with pytest.raises(ParameterError):
        prepare_query(spaces, {"ids": ["no/slash"]})


def test_split_ids_deduplicates_and_batches():
    batches = split_ids(ENDPOINTS["get_users"], [str(i) for i in range(1, 251)] + ["1"])
    assert [len(b) for b in batches] == [100, 100, 50]
    assert batches[0][0] == "1" and batches[2][-1] == "250"
    with pytest.raises(ParameterError):
        split_ids(ENDPOINTS["search_recent_tweets"], ["1"])


def test_page_token_must_be_a_string():
    assert q(next_token="b26v89c19zqg8o3fpdg72hjgp")["next_token"] == "b26v89c19zqg8o3fpdg72hjgp"
    with pytest.raises(ParameterError, match="next_token"):
        q(next_token=123)
    with pytest.raises(ParameterError, match="pagination_token: not a parameter"):
        q(pagination_token="abc")  # search takes next_token


def test_python_and_api_names_are_both_accepted():
    assert api_name("media_fields") == "media.fields"
    out = q(media_fields="url", **{"poll.fields": "options"})
    assert out["media.fields"] == "url" and out["poll.fields"] == "options"


def test_path_params_are_checked_and_quoted():
    assert prepare_path(FOLLOWERS, {"id": "783214"}) == "/2/users/783214/followers"
    by_name = ENDPOINTS["get_user_by_username"]
    assert prepare_path(by_name, {"username": "@TwitterDev"}) == "/2/users/by/username/TwitterDev"
    with pytest.raises(ParameterError, match="id: is required"):
        prepare_path(FOLLOWERS, {})
    with pytest.raises(ParameterError, match="id: must be 1 to 19 digits"):
        prepare_path(FOLLOWERS, {"id": "../admin"})
    with pytest.raises(ParameterError, match="not a path parameter"):
        prepare_path(FOLLOWERS, {"id": "1", "user_id": "2"})
    dm = ENDPOINTS["get_dm_events_in_conversation"]
    assert prepare_path(dm, {"id": "123-456"}) == "/2/dm_conversations/123-456/dm_events"
    space = ENDPOINTS["get_space"]
    assert prepare_path(space, {"id": "1ynKOZVRyOwxR"}) == "/2/spaces/1ynKOZVRyOwxR"


def test_body_keys_and_ids_are_checked():
    assert prepare_body(ENDPOINTS["like"], {"tweet_id": 5}) == {"tweet_id": "5"}
    with pytest.raises(ParameterError, match="tweetid: not a body field of like"):
        prepare_body(ENDPOINTS["like"], {"tweetid": 5})
    with pytest.raises(ParameterError, match="body: like needs one of"):
        prepare_body(ENDPOINTS["like"], None)
    assert prepare_body(ENDPOINTS["delete_tweet"], None) is None
    body = prepare_body(
        ENDPOINTS["create_list"], {"name": "x", "private": True, "description": None}
    )
    assert body == {"name": "x", "private": True}
