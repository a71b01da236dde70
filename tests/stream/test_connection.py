"""The stream's connection state (``protocol.stream``): X's reconnection rules, exactly, on
any clock; what a line of the stream is; what an error answer means."""

from __future__ import annotations

import itertools

import pytest

from twxdata.protocol.stream import (
    Cause,
    Gap,
    Kind,
    StreamConnection,
    StreamPolicy,
    error_cause,
    read_message,
)


def failures(cause: Cause, n: int, **kw: float) -> list[float]:
    conn = StreamConnection()
    now = 0.0
    delays = []
    for _ in range(n):
        conn.connecting(now)
        delay = conn.disconnected(now, cause, **kw)
        delays.append(delay)
        now += delay
    return delays


def test_network_errors_reconnect_at_once_then_linearly_to_16_s():
    delays = failures(Cause.NETWORK, 70)
    assert delays[:4] == [0.0, 0.25, 0.5, 0.75]
    assert max(delays) == 16.0 and delays[-1] == 16.0
    assert all(b >= a for a, b in itertools.pairwise(delays))


@pytest.mark.parametrize("cause", [Cause.STALL, Cause.OPERATIONAL])
def test_a_stall_or_an_operational_disconnect_reconnects_at_once(cause):
    assert failures(cause, 2) == [0.0, 0.25]


def test_http_errors_back_off_exponentially_from_5_s_to_320_s():
    assert failures(Cause.HTTP, 8) == [5, 10, 20, 40, 80, 160, 320, 320]


@pytest.mark.parametrize("cause", [Cause.RATE_LIMITED, Cause.TOO_MANY_CONNECTIONS])
def test_429_waits_a_minute_doubling_and_never_less_than_the_reset(cause):
    assert failures(cause, 3) == [60, 120, 240]
    assert failures(cause, 1, retry_after=300.0) == [300.0]


def test_a_message_resets_the_backoff_and_closes_the_gap():
    conn = StreamConnection()
    conn.connecting(0.0)
    conn.connected(0.1)
    assert conn.received(1.0, message=True) is None  # no gap yet
    assert conn.disconnected(2.0, Cause.NETWORK) == 0.0
    conn.connecting(2.0)
    assert conn.disconnected(2.1, Cause.HTTP, detail="503") == 10.0  # the second failure
    conn.connecting(12.1)
    conn.connected(12.2)
    assert conn.received(12.5, message=False) is None  # a heartbeat closes no gap
    gap = conn.received(13.0, message=True)
    assert gap == Gap(1.0, 13.0, "network", "") and gap.seconds == 12.0
    assert conn.failures == 0 and conn.reconnections == 1
    assert conn.disconnected(20.0, Cause.HTTP) == 5.0  # the backoff started over


def test_the_connect_limit_is_never_exceeded():
    conn = StreamConnection(StreamPolicy(connect_limit=3, connect_window=900.0))
    for at in (0.0, 1.0, 2.0):
        assert conn.wait_before_connect(at) == 0.0
        conn.connecting(at)
        conn.connected(at)
        conn.received(at, message=True)
        conn.disconnected(at, Cause.NETWORK)
    assert conn.wait_before_connect(3.0) == 897.0  # the first attempt leaves the window
    assert conn.wait_before_connect(900.0) == 0.0


def test_a_stall_is_told_by_silence_and_a_resumed_collection_starts_with_a_gap():
    conn = StreamConnection(StreamPolicy(stall=21.0), last_message=100.0)
    conn.connecting(200.0)
    conn.connected(200.0)
    assert conn.stall_in(210.0) == 11.0 and conn.stall_in(221.0) == 0.0
    gap = conn.received(201.0, message=True)
    assert gap == Gap(100.0, 201.0, "not running", "")
    conn.disconnected(230.0, Cause.STALL, detail="no byte for 21 s")
    assert conn.close(231.0)[-1] == Gap(201.0, None, "stall", "no byte for 21 s")


def test_a_gap_round_trips_through_its_record():
    gap = Gap(1_700_000_000.25, 1_700_000_012.5, "network", "reset")
    assert Gap.from_record(gap.as_record()) == gap
    assert gap.as_record()["start"] == "2023-11-14T22:13:20.250Z"


def test_lines_of_the_stream():
    assert read_message(b"\r\n").kind is Kind.HEARTBEAT
    post = read_message(b'{"data": {"id": "7"}, "matching_rules": [{"id": "1", "tag": "t"}]}')
    assert post.kind is Kind.POST and post.post_id == "7" and post.rule_tags == ["t"]
    untagged = read_message(b'{"data": {"id": "8"}, "matching_rules": [{"id": "1"}]}')
    assert untagged.rule_tags == ["1"]
    assert read_message(b'{"errors": [{"title": "operational-disconnect"}]}').kind is (
        Kind.DISCONNECT
    )
    assert read_message(b'{"errors": [{"title": "Not Found"}]}').kind is Kind.ERRORS
    assert read_message(b"[1]").kind is Kind.UNREADABLE


@pytest.mark.parametrize(
    ("status", "body", "cause"),
    [
        (429, b'{"connection_issue": "TooManyConnections"}', Cause.TOO_MANY_CONNECTIONS),
        (429, b'{"title": "Too Many Requests"}', Cause.RATE_LIMITED),
        (503, b"<html>", Cause.HTTP),
        (500, b"", Cause.HTTP),
        (401, b'{"title": "Unauthorized"}', None),
        (402, b'{"title": "CreditsDepleted"}', None),
        (403, b'{"title": "Forbidden"}', None),
        (400, b'{"errors": [{"message": "bad backfill"}]}', None),
    ],
)
def test_error_answers(status, body, cause):
    got, detail = error_cause(status, body)
    assert got is cause and detail
