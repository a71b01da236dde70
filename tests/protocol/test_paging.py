"""The page cursor: sizes, tokens, limits that never overshoot."""

from __future__ import annotations

import pytest

from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError
from twxdata.protocol.paging import Cursor

SEARCH = ENDPOINTS["search_recent_tweets"]


def walk(cursor: Cursor, available: int, per_page_cap: int = 10**9) -> list[dict[str, str]]:
    asked, served = [], 0
    while not cursor.done:
        params = cursor.next_params()
        asked.append(params)
        size = min(int(params.get("max_results", 100)), per_page_cap, available - served)
        served += size
        kept = cursor.keep(size)
        cursor.advance(items=kept, next_token=f"t{served}" if served < available else None)
    return asked


def test_unlimited_walk_uses_the_largest_page_and_follows_tokens():
    asked = walk(Cursor(SEARCH), available=250)
    assert [a["max_results"] for a in asked] == ["100", "100", "100"]
    assert "next_token" not in asked[0] and asked[1]["next_token"] == "t100"


def test_item_limit_shrinks_the_last_page():
    asked = walk(Cursor(SEARCH, limit=250), available=10_000)
    assert [a["max_results"] for a in asked] == ["100", "100", "50"]


def test_limit_below_minimum_page_asks_for_minimum_and_keeps_only_the_limit():
    cursor = Cursor(SEARCH, limit=3)
    assert cursor.next_params() == {"max_results": "10"}
    assert cursor.keep(10) == 3
    cursor.advance(items=3, next_token="t")
    assert cursor.done and cursor.items == 3


def test_server_may_return_fewer_items_than_asked():
    asked = walk(Cursor(SEARCH, limit=250), available=10_000, per_page_cap=60)
    assert [a["max_results"] for a in asked] == ["100", "100", "100", "70", "10"]


def test_page_limit_and_callers_page_size():
    asked = walk(Cursor(SEARCH, max_pages=2, page_size=20), available=10_000)
    assert [a["max_results"] for a in asked] == ["20", "20"]


def test_resume_from_a_token():
    cursor = Cursor(ENDPOINTS["get_users_followers"], token="ABC")
    assert cursor.next_params() == {"max_results": "1000", "pagination_token": "ABC"}


def test_unpaginated_endpoint_stops_after_one_page():
    cursor = Cursor(ENDPOINTS["get_recent_tweets_count"])
    assert cursor.next_params() == {}
    cursor.advance(items=168, next_token="ignored")
    assert cursor.done


def test_empty_page_without_token_ends_the_walk():
    cursor = Cursor(SEARCH, limit=1000)
    cursor.advance(items=0, next_token=None)
    assert cursor.done


@pytest.mark.parametrize("kwargs", [{"limit": 0}, {"limit": -5}, {"max_pages": 0}, {"limit": True}])
def test_bad_limits_are_rejected(kwargs):
    with pytest.raises(ParameterError):
        Cursor(SEARCH, **kwargs)
