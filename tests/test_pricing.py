"""What reading the API costs: the price table and the charge of one answer (pure)."""

from __future__ import annotations

import pytest

from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError
from twxdata.pricing import PRICES, Ledger, charge, legacy

POSTS = {
    "data": [{"id": "1", "author_id": "9"}, {"id": "2", "author_id": "8"}],
    "includes": {"users": [{"id": "9"}, {"id": "8"}], "tweets": [{"id": "3"}]},
}


def test_posts_users_and_counts_are_charged_as_x_prices_them():
    search = charge(ENDPOINTS["search_recent_tweets"], POSTS)
    assert search.low.resources == {"post": 2} and search.low.usd == pytest.approx(0.010)
    # The high reading charges includes too: 2 users and a referenced post.
    assert search.high.resources == {"post": 3, "user": 2}
    assert search.high.usd == pytest.approx(3 * 0.005 + 2 * 0.010)
    followers = charge(ENDPOINTS["get_users_followers"], {"data": [{"id": "5"}]})
    assert followers.low.usd == pytest.approx(0.010)
    counts = charge(ENDPOINTS["get_all_tweets_count"], {"data": [{"tweet_count": 7}] * 31})
    assert counts.low.resources == {"counts_all": 1} and counts.low.usd == pytest.approx(0.010)
    assert charge(ENDPOINTS["search_recent_tweets"], {"meta": {"result_count": 0}}).low.usd == 0


def test_the_same_resource_is_free_again_on_the_same_utc_day():
    ledger = Ledger("2026-12-04")
    first = charge(ENDPOINTS["search_recent_tweets"], POSTS, ledger=ledger)
    again = charge(ENDPOINTS["get_tweets"], {"data": [{"id": "2"}, {"id": "4"}]}, ledger=ledger)
    assert first.low.resources == {"post": 2}
    assert again.low.resources == {"post": 1} and again.low.free == {"post": 1}
    # Users are another kind: post 2's id does not make user 2 free.
    users = charge(ENDPOINTS["get_users"], {"data": [{"id": "2"}]}, ledger=ledger)
    assert users.low.resources == {"user": 1}


def test_prices_can_be_overridden_and_legacy_tiers_count_posts_only():
    cheaper = PRICES.updated({"post": 0.004})
    assert charge(ENDPOINTS["search_recent_tweets"], POSTS, cheaper).low.usd == pytest.approx(0.008)
    with pytest.raises(ParameterError, match="no such price"):
        PRICES.updated({"tweet": 1})
    for wrong in (-1, float("nan"), float("inf"), True, "0.004"):
        with pytest.raises(ParameterError, match="post must be a finite number of USD"):
            PRICES.updated({"post": wrong})
    with pytest.raises(ParameterError, match="monthly_post_cap must be a whole number"):
        PRICES.updated({"monthly_post_cap": 1.5})
    with pytest.raises(ParameterError, match="a mapping of price names"):
        PRICES.updated("post=0.004")  # type: ignore[arg-type]
    basic = legacy("basic")
    assert basic.monthly_post_cap == 15_000 and not basic.dollars
    assert charge(ENDPOINTS["search_recent_tweets"], POSTS, basic).low.usd == 0
