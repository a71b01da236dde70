"""The retry decision, case by case."""

from __future__ import annotations

import random

import pytest

from twxdata.protocol.retry import Failure, RetryPolicy, classify_status, decide

SPENT = {"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1030"}


@pytest.mark.parametrize(
    ("status", "failure"),
    [
        (200, None),
        (204, None),
        (301, None),
        (400, Failure.CLIENT),
        (401, Failure.CLIENT),
        (403, Failure.CLIENT),
        (404, Failure.CLIENT),
        (409, Failure.CLIENT),
        (429, Failure.RATE_LIMITED),
        (500, Failure.SERVER),
        (502, Failure.SERVER),
        (503, Failure.SERVER),
        (504, Failure.SERVER),
        (599, Failure.SERVER),
    ],
)
def test_classify_status(status, failure):
    assert classify_status(status) is failure


@pytest.mark.parametrize(
    "failure", [Failure.SERVER, Failure.BAD_BODY, Failure.NETWORK, Failure.TIMEOUT]
)
def test_transient_failures_retry_until_max_tries(failure):
    policy = RetryPolicy(max_tries=3)
    assert decide(policy, failure, tries=1).retry
    assert decide(policy, failure, tries=2).retry
    last = decide(policy, failure, tries=3)
    assert not last.retry and "gave up after 3 tries" in last.reason


def test_client_errors_never_retry():
    assert not decide(RetryPolicy(), Failure.CLIENT, tries=0).retry


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=10.0, jitter=0.5)
    rng = random.Random(1)
    delays = [decide(policy, Failure.SERVER, tries=t, rng=rng).delay for t in range(1, 8)]
    for attempt, delay in enumerate(delays, 1):
        full = min(10.0, 2.0 ** (attempt - 1))
        assert full * 0.5 <= delay <= full
    assert max(delays) <= 10.0
    no_jitter = RetryPolicy(jitter=0.0)
    assert [no_jitter.backoff(t, rng) for t in (1, 2, 3)] == [1.0, 2.0, 4.0]


def test_retry_after_is_honoured_on_5xx():
    d = decide(RetryPolicy(jitter=0.0), Failure.SERVER, tries=1, headers={"Retry-After": "20"})
    assert d.retry and d.delay == 20.0


def test_429_waits_for_the_reset_without_using_tries():
    d = decide(RetryPolicy(max_tries=1), Failure.RATE_LIMITED, tries=5, headers=SPENT, now=1000.0)
    assert d.retry and d.delay == 30.0


def test_429_without_headers_falls_back():
    d = decide(RetryPolicy(rate_limit_fallback=42.0), Failure.RATE_LIMITED, tries=0)
    assert d.retry and d.delay == 42.0


def test_429_with_room_in_the_window_is_the_per_second_rule():
    room = {**SPENT, "x-rate-limit-remaining": "250"}
    d = decide(RetryPolicy(), Failure.RATE_LIMITED, tries=0, headers=room, now=1000.0)
    assert d.retry and d.delay == 1.0 and "too fast" in d.reason


def test_usage_cap_is_final():
    d = decide(
        RetryPolicy(),
        Failure.RATE_LIMITED,
        tries=0,
        headers=SPENT,
        problem_type="https://api.twitter.com/2/problems/usage-capped",
    )
    assert not d.retry and "usage cap" in d.reason


def test_wait_on_rate_limit_off_and_max_waits():
    assert not decide(RetryPolicy(wait_on_rate_limit=False), Failure.RATE_LIMITED, tries=0).retry
    capped = RetryPolicy(max_rate_limit_waits=2)
    assert decide(capped, Failure.RATE_LIMITED, tries=0, rate_limit_waits=1).retry
    assert not decide(capped, Failure.RATE_LIMITED, tries=0, rate_limit_waits=2).retry


@pytest.mark.parametrize("kwargs", [{"max_tries": 0}, {"backoff_base": -1}, {"jitter": 2.0}])
def test_policy_rejects_nonsense(kwargs):
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)
