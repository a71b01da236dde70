"""Rate-limit headers and the per-bucket budget, driven with a fake clock."""

from __future__ import annotations

import pytest

from twxdata.protocol.ratelimit import (
    Budget,
    RateLimit,
    reset_after_429,
    retry_after_seconds,
)

H = {"x-rate-limit-limit": "15", "x-rate-limit-remaining": "3", "x-rate-limit-reset": "1000"}


def test_headers_are_read_case_insensitively():
    upper = {k.upper(): v for k, v in H.items()}
    assert RateLimit.from_headers(upper, now=990.0) == RateLimit(15, 3, 1000, 10.0)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {**H, "x-rate-limit-limit": "abc"},
        {k: v for k, v in H.items() if "reset" not in k},
        {**H, "x-rate-limit-remaining": "-1"},
        {**H, "x-rate-limit-reset": "0"},
    ],
)
def test_missing_or_malformed_headers_give_none(headers):
    assert RateLimit.from_headers(headers, now=0.0) is None


def test_reset_in_the_past_means_zero_wait():
    assert RateLimit.from_headers(H, now=2000.0).reset_after == 0.0


def test_server_date_corrects_a_skewed_local_clock():
    # Our clock is 10 minutes fast; the server's Date says it is 990 s past the epoch origin.
    headers = {**H, "date": "Thu, 01 Jan 1970 00:16:30 GMT"}  # 990 s
    assert RateLimit.from_headers(headers, now=1590.0).reset_after == 10.0
    # Within the Date header's rounding our own clock is used.
    assert RateLimit.from_headers(headers, now=991.0).reset_after == 9.0


def test_after_429_prefers_reset_then_retry_after_then_fallback():
    spent = {**H, "x-rate-limit-remaining": "0"}
    assert reset_after_429(spent, now=970.0, fallback=60.0) == 30.0
    assert reset_after_429({"Retry-After": "12"}, now=0.0, fallback=60.0) == 12.0
    assert reset_after_429({}, now=0.0, fallback=60.0) == 60.0
    assert reset_after_429({**spent, "x-rate-limit-reset": "5"}, now=10.0, fallback=7.0) == 7.0


def test_retry_after_as_date_or_garbage():
    assert retry_after_seconds({"retry-after": "soon"}, now=0.0) is None
    assert retry_after_seconds({}, now=0.0) is None
    assert retry_after_seconds({"retry-after": "-3"}, now=0.0) == 0.0


def rl(remaining, reset_after=10.0, limit=15, reset=1000):
    return RateLimit(limit, remaining, reset, reset_after)


def test_first_request_probes_alone_until_headers_arrive():
    b = Budget(probe_wait=0.5)
    assert b.acquire(0.0) == 0.0
    assert b.acquire(0.0) == 0.5
    b.settle(rl(14), now=0.1)
    assert [b.acquire(0.2) for _ in range(14)] == [0.0] * 14
    assert b.in_flight == 14
    assert b.acquire(0.2) > 0  # remaining 14, all in flight


def test_concurrent_requests_never_exceed_remaining():
    b = Budget(margin=0.0)
    b.acquire(0.0)
    b.settle(rl(5, reset_after=10.0), now=0.0)
    granted = sum(1 for _ in range(20) if b.acquire(1.0) == 0.0)
    assert granted == 5
    for left in (4, 3, 2, 1, 0):
        b.settle(rl(left, reset_after=9.0), now=1.0)
    assert b.acquire(1.0) == pytest.approx(9.0)  # wait for the reset of this window


def test_out_of_order_answers_keep_the_smallest_remaining():
    b = Budget(margin=0.0)
    b.acquire(0.0)
    b.settle(rl(10), now=0.0)
    b.acquire(0.0), b.acquire(0.0)
    b.settle(rl(8), now=0.1)
    b.settle(rl(9), now=0.2)  # older answer arriving late
    assert b.remaining == 8


def test_late_answer_from_a_closed_window_is_ignored():
    b = Budget(margin=0.0)
    b.acquire(0.0)
    b.settle(rl(0, reset_after=1.0, reset=1000), now=0.0)
    assert b.acquire(1.5) == 0.0  # new window: probe
    b.settle(rl(14, reset_after=15.0, reset=1015), now=1.6)
    b.settle(rl(0, reset_after=0.0, reset=1000), now=1.7)  # stale
    assert b.remaining == 14 and b.window == 1015


def test_margin_is_added_to_the_reset():
    b = Budget(margin=1.0)
    b.acquire(0.0)
    b.settle(rl(0, reset_after=2.0), now=0.0)
    assert b.acquire(0.0) == pytest.approx(3.0)
    assert "window spent" in b.wait_reason(0.0)


def test_min_interval_spaces_requests():
    b = Budget(min_interval=1.0)
    assert b.acquire(10.0) == 0.0
    b.settle(rl(299, limit=300), now=10.1)
    assert b.acquire(10.2) == pytest.approx(0.9)  # the 1 s rule plus a 10% margin
    assert "one request per 1 s" in b.wait_reason(10.2)
    assert b.acquire(11.0) > 0
    assert b.acquire(11.1) == 0.0


def test_reserve_leaves_requests_unspent():
    b = Budget(reserve=2, margin=0.0)
    b.acquire(0.0)
    b.settle(rl(3), now=0.0)
    assert b.acquire(0.0) == 0.0
    assert b.acquire(0.0) > 0


def test_block_after_429_holds_everyone():
    b = Budget(margin=0.0)
    b.acquire(0.0)
    b.settle(None, now=0.0)
    b.block(5.0, now=1.0)
    assert b.acquire(2.0) == pytest.approx(4.0)
    assert "429" in b.wait_reason(2.0)
    assert b.acquire(6.5) == 0.0


def test_answers_without_headers_count_down_known_remaining():
    b = Budget()
    b.acquire(0.0)
    b.settle(rl(2), now=0.0)
    b.acquire(0.0)
    b.settle(None, now=0.0)
    assert b.remaining == 1
    b.release()
    assert b.in_flight == 0


def test_spent_fraction():
    b = Budget()
    assert b.spent() is None
    b.acquire(0.0)
    b.settle(rl(3, limit=15), now=0.0)
    assert b.spent() == pytest.approx(0.8)


def test_block_outranks_an_earlier_longer_window():
    b = Budget(margin=0.0)
    b.acquire(0.0)
    b.settle(rl(400, reset_after=900.0, limit=450, reset=1900), now=0.0)
    b.acquire(1.0)
    b.settle(rl(0, reset_after=1.0, reset=1002), now=1.0)  # a 429 that says "1 s"
    b.block(1.0, now=1.0)
    assert b.acquire(1.5) == pytest.approx(0.5)
    assert b.acquire(2.0) == 0.0
