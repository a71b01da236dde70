"""Collecting the filtered stream against the fake X API: ten minutes of X's timings in a few
seconds (``StreamPolicy.scaled``), with stalls, drops and operational disconnects; a slow
consumer; the cost cap; refusals; and the command killed and run again."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

import twxdata
from twxdata.client import Client
from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError, PaymentRequired, Unauthorized
from twxdata.protocol.stream import StreamPolicy
from twxdata.store.archive import Archive
from twxdata.testing import FakeXApi
from twxdata.testing.stream import LiveStream

# X's figures a hundred times faster: a 21 s stall in 0.21 s, a minute's 429 wait in 0.6 s,
# the 15-minute connect window in 9 s (ten minutes of a stream in six seconds).
FAST = StreamPolicy().scaled(0.01)


def archive_ids(path: Path) -> list[str]:
    ids = []
    for line in path.read_bytes().splitlines():
        data = orjson.loads(line).get("data")
        if isinstance(data, dict):
            ids.append(data["id"])
    return ids


@pytest.fixture
async def live(tmp_path):
    api = FakeXApi(seed=3, size=800, stream=LiveStream(rate=60.0, heartbeat=0.05))
    async with api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.add_stream_rules(["the", "data"], client=client)
            yield api, client


async def test_ten_minutes_of_faults_lose_nothing_sent_duplicate_nothing_and_record_every_gap(
    live, tmp_path
):
    api, client = live
    for kind in ("drop", "stall", "disconnect", "drop", "disconnect"):
        api.stream.fault(kind, after=25)
    raw = tmp_path / "live.jsonl"
    got = await twxdata.collect_stream(raw=raw, limit=200, client=client, progress=False,
                                       policy=FAST)  # fmt: skip
    assert got.posts == 200 and got.stopped == "limit"
    ids = archive_ids(raw)
    sent = api.stream.sent_ids()
    # Every post the fake wrote whole reached the archive, in order, once: the archive is the
    # fake's own sequence up to where the collection stopped reading.
    assert ids == sent[: len(ids)] and len(set(ids)) == len(ids) == 200
    causes = [g.cause for g in got.gaps]
    assert causes == ["network", "stall", "operational disconnect", "network",
                      "operational disconnect"]  # fmt: skip
    assert all(g.start is not None and g.end is not None and g.end >= g.start for g in got.gaps)
    frame = got.gap_frame()  # for a study's coverage statement: UTC times, seconds, causes
    assert frame["cause"].tolist() == causes
    assert str(frame.dtypes["start"]) == "timestamp[ms, tz=UTC][pyarrow]"
    assert (frame["end"] >= frame["start"]).all() and (frame["seconds"] >= 0).all()
    assert got.reconnections >= 5
    # The gaps are in the archive (the first message after each), its provenance and checkpoint.
    gaps_in_archive = [orjson.loads(line)["__twxdata"]["gap"]
                       for line in raw.read_bytes().splitlines()
                       if b'"gap"' in line]  # fmt: skip
    assert [g["cause"] for g in gaps_in_archive] == causes
    tables = twxdata.read_jsonl(raw)
    assert tables.tweets.num_rows == 200
    written = got.write("tweets", tmp_path / "t.parquet")
    provenance = twxdata.read_parquet(written).attrs["twxdata"]
    assert [g["cause"] for g in provenance["stream"]["gaps"]] == causes
    assert provenance["complete"] is False
    checkpoint = orjson.loads(raw.with_name("live.jsonl.checkpoint.json").read_bytes())
    assert len(checkpoint["extra"]["gaps"]) == 5
    # Never more connection attempts than X allows in any window.
    attempts = [r.time for r in api.stats.log if r.endpoint == "search_stream"]
    window = FAST.connect_window
    assert max(sum(1 for b in attempts if a <= b < a + window) for a in attempts) <= 50
    assert got.per_rule and sum(got.per_rule.values()) >= 200


async def test_a_slow_consumer_never_stalls_the_connection(live, tmp_path, monkeypatch):
    api, client = live
    write = Archive.append_lines

    def slow(self: Archive, lines: list[bytes]) -> None:
        time.sleep(0.3)  # longer than the stall: a reader that waited would reconnect
        write(self, lines)

    monkeypatch.setattr(Archive, "append_lines", slow)
    raw = tmp_path / "slow.jsonl"
    got = await twxdata.collect_stream(raw=raw, limit=60, client=client, progress=False,
                                       policy=FAST)  # fmt: skip
    assert got.posts == 60 and got.reconnections == 0 and not got.gaps
    assert got.max_backlog > 1  # the lines waited in the queue, not in the socket
    assert archive_ids(raw) == api.stream.sent_ids()[:60]


async def test_max_cost_stops_before_the_cap_and_a_higher_cap_goes_on(live, tmp_path):
    _, client = live
    raw = tmp_path / "capped.jsonl"
    with pytest.warns(twxdata.CostCapReached):
        got = await twxdata.collect_stream(raw=raw, max_cost=0.05, client=client,
                                           progress=False, policy=FAST)  # fmt: skip
    assert got.posts == 10 and got.stopped == "max_cost" and got.meter.spent_total <= 0.05
    with pytest.warns(twxdata.CostCapReached):
        more = await twxdata.collect_stream(raw=raw, max_cost=0.08, client=client,
                                            progress=False, policy=FAST)  # fmt: skip
    assert more.posts == 16 and len(archive_ids(raw)) == 16
    assert [g.cause for g in more.gaps] == ["not running"]
    # A third run: its summary counts every run's gaps, as the archive's provenance does.
    with pytest.warns(twxdata.CostCapReached):
        third = await twxdata.collect_stream(raw=raw, max_cost=0.10, client=client,
                                             progress=False, policy=FAST)  # fmt: skip
    assert [g.cause for g in third.gaps] == ["not running", "not running"]
    assert "2 gaps" in third.summary()
    checkpoint = orjson.loads(raw.with_name(raw.name + ".checkpoint.json").read_bytes())
    assert [g["cause"] for g in checkpoint["extra"]["gaps"]] == ["not running"] * 2


async def test_backfill_fills_a_gap_and_its_duplicates_are_dropped(tmp_path):
    async with FakeXApi(seed=3, size=800, stream=LiveStream(rate=60.0, heartbeat=0.05)) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            await twxdata.add_stream_rules(["the"], client=client)
            api.stream.fault("drop", after=20)
            raw = tmp_path / "b.jsonl"
            got = await twxdata.collect_stream(raw=raw, limit=40, backfill_minutes=1,
                                               client=client, progress=False,
                                               policy=FAST)  # fmt: skip
    ids = archive_ids(raw)
    # With backfill the limit is kept by the consumer (posts sent again are dropped there), so
    # the last burst may bring a few more: kept, never dropped (X charged them).
    assert got.duplicates >= 10 and len(set(ids)) == len(ids) >= 40 and got.stopped == "limit"
    connects = [r.params.get("backfill_minutes") for r in api.stats.log
                if r.endpoint == "search_stream"]  # fmt: skip
    # Asked on the reconnection after the drop, never on the first connection.
    assert connects[0] is None and connects[1] == "1"


async def test_refusals_come_before_anything_is_opened(live, tmp_path):
    api, client = live
    for kwargs, name in (
        ({"limit": 0}, "limit"),
        ({"duration": "soon"}, "duration"),
        ({"duration": 0}, "duration"),
        ({"max_cost": -1}, "max_cost"),
        ({"max_cost": 0.001}, "max_cost"),
        ({"backfill_minutes": 6}, "backfill_minutes"),
        ({"fields": "everything"}, "fields"),
    ):
        with pytest.raises(ParameterError, match=name):
            await twxdata.collect_stream(raw=tmp_path / "x.jsonl", client=client, **kwargs)
    assert not (tmp_path / "x.jsonl").exists()
    await twxdata.delete_stream_rules(all=True, client=client)
    with pytest.raises(ParameterError, match="rule"):
        await twxdata.collect_stream(raw=tmp_path / "x.jsonl", limit=1, client=client)
    assert not (tmp_path / "x.jsonl").exists()
    assert not [r for r in api.stats.log if r.endpoint == "search_stream"]


async def test_a_refused_stream_stops_with_x_s_reason_and_no_reconnection(tmp_path):
    async with FakeXApi(seed=3, size=300, tokens=["good"], credits=0.005) as api:
        async with Client(bearer_token="good", api_base=api.url) as good:
            await twxdata.add_stream_rules(["the"], client=good)
            api.billing.record(ENDPOINTS["get_tweet"], b'{"data": {"id": "1"}}')  # spent
            raw = tmp_path / "r.jsonl"
            with pytest.raises(PaymentRequired, match="402"):
                await twxdata.collect_stream(raw=raw, limit=1, client=good, progress=False)
            attempts = [r.status for r in api.stats.log if r.endpoint == "search_stream"]
            assert attempts in ([], [402])  # refused at once: never a reconnection loop
            assert archive_ids(raw) == [] if raw.exists() else True
        async with Client(bearer_token="revoked", api_base=api.url) as bad:
            with pytest.raises(Unauthorized):
                await twxdata.collect_stream(limit=1, client=bad, progress=False)


# ---- the command -----------------------------------------------------------------------------


def twxdata_command(api: FakeXApi, *args: object, **kw: object) -> subprocess.Popen[bytes]:
    env = dict(os.environ, TWXDATA_API_BASE=api.url, TWXDATA_BEARER_TOKEN=api.bearer_token,
               TWXDATA_CONFIG_DIR=str(kw.pop("home")))  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "twxdata", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip


def wait_for_lines(path: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} never had {count} lines")


def test_killed_then_run_again_appends_to_the_same_archive(tmp_path):
    with FakeXApi(seed=3, size=500, stream=LiveStream(rate=40.0, heartbeat=0.5)) as api:
        added = subprocess.run(
            [sys.executable, "-m", "twxdata", "stream", "rules", "add", "the", "--tag", "the"],
            env=dict(os.environ, TWXDATA_API_BASE=api.url,
                     TWXDATA_BEARER_TOKEN=api.bearer_token),
            capture_output=True, timeout=60,
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        raw = tmp_path / "live.jsonl"
        first = twxdata_command(api, "stream", "--raw", raw, "--limit", "100000", "-q",
                                home=tmp_path)  # fmt: skip
        wait_for_lines(raw, 20)
        os.killpg(first.pid, signal.SIGKILL)  # no chance to clean up
        first.communicate(timeout=30)
        before = raw.read_bytes()
        second = twxdata_command(api, "stream", "--raw", raw, "--limit", str(before.count(b"\n")
                                 + 15), "-o", tmp_path / "out/", home=tmp_path)  # fmt: skip
        _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
        after = raw.read_bytes()
        assert after.startswith(before.rstrip(b"\n").rsplit(b"\n", 1)[0])  # appended to
        ids = archive_ids(raw)
        assert len(ids) == len(set(ids)) >= 15
        assert b"resuming" in err and b"1 gap;" in err
        gaps = [orjson.loads(line)["__twxdata"].get("gap") for line in after.splitlines()]
        assert [g["cause"] for g in gaps if g] == ["not running"]
        # Ctrl-C: the summary, every message kept, and the same command goes on.
        third = twxdata_command(api, "stream", "--raw", raw, home=tmp_path)
        wait_for_lines(raw, after.count(b"\n") + 5)
        os.killpg(third.pid, signal.SIGINT)
        _, err = third.communicate(timeout=60)
        assert third.returncode == 130, err
        assert b"Traceback" not in err and b"run the same command again" in err
        assert len(archive_ids(raw)) >= len(ids) + 5


def stream_command(api: FakeXApi, home: Path) -> tuple[list[str], dict[str, str]]:
    """``twxdata stream`` against ``api``, with the rule "the" added; its environment."""
    env = dict(os.environ, TWXDATA_API_BASE=api.url, TWXDATA_BEARER_TOKEN=api.bearer_token,
               TWXDATA_CACHE_DIR=str(home / "cache"), TWXDATA_CONFIG_DIR=str(home))  # fmt: skip
    command = [sys.executable, "-m", "twxdata", "stream"]
    added = subprocess.run([*command, "rules", "add", "the"], env=env, capture_output=True,
                           timeout=60)  # fmt: skip
    assert added.returncode == 0, added.stderr
    return command, env


def test_tables_without_raw_keep_every_message_in_a_spool_until_written(tmp_path):
    with FakeXApi(seed=3, size=500, stream=LiveStream(rate=80.0, heartbeat=0.5)) as api:
        command, env = stream_command(api, tmp_path)
        done = subprocess.run([*command, "-o", tmp_path / "posts.parquet", "--limit", "15"],
                              env=env, capture_output=True, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert twxdata.read_parquet(tmp_path / "posts.parquet").shape[0] == 15
        assert not list((tmp_path / "cache").rglob("*.jsonl"))  # written: the spool is gone
        # Stopped at a cap, the same -o with a higher cap goes on from the kept spool.
        capped = [*command, "-o", tmp_path / "capped.parquet", "--max-cost"]
        first = subprocess.run([*capped, "0.05"], env=env, capture_output=True, timeout=60)
        assert first.returncode == 0 and b"raise --max-cost" in first.stderr, first.stderr
        more = subprocess.run([*capped, "0.08"], env=env, capture_output=True, timeout=60)
        assert more.returncode == 0, more.stderr
        assert twxdata.read_parquet(tmp_path / "capped.parquet").shape[0] == 16


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--duration", "0"], "--duration"),
        (["--duration", "soon"], "--duration"),
        (["--backfill-minutes", "9"], "--backfill-minutes"),
        (["--max-cost", "-1"], "--max-cost"),
        (["--limit", "0"], "--limit"),
        (["-o", "posts.txt", "--limit", "5"], "-o"),
        (["--restart"], "--restart needs --raw"),
        (["--raw", "a.jsonl.checkpoint.json"], "checkpoint"),
    ],
)
def test_the_command_refuses_bad_options_in_one_line_before_any_request(tmp_path, args, says):
    result = subprocess.run(
        [sys.executable, "-m", "twxdata", "stream", *args], cwd=tmp_path, capture_output=True,
        env=dict(os.environ, TWXDATA_API_BASE="http://127.0.0.1:9",
                 TWXDATA_BEARER_TOKEN="t"), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.decode().strip().splitlines()
    assert says in lines[-1] and b"Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


async def test_all_connections_open_is_told_in_words(live, tmp_path, caplog):
    """X's TooManyConnections (another client holds the app's connection) in words, not as a
    bare 429; the collection ends at its duration with the gap recorded."""
    api, client = live
    api.stream.max_connections = 0  # as if another client held the one connection
    with caplog.at_level(logging.WARNING, logger="twxdata"):
        got = await twxdata.collect_stream(duration="0.5s", client=client, progress=False,
                                           policy=FAST)  # fmt: skip
    assert got.posts == 0 and [g.cause for g in got.gaps] == ["too many connections"]
    told = [r.getMessage() for r in caplog.records if "all open" in r.getMessage()]
    assert told and "another twxdata stream, a tweepy client" in told[0]


def test_a_reader_that_goes_away_ends_the_stream_as_unix_tools_end(tmp_path):
    """`twxdata stream | head -2`: status 141 (SIGPIPE's), the summary, no traceback."""
    with FakeXApi(seed=3, size=500, stream=LiveStream(rate=80.0, heartbeat=0.5)) as api:
        command, env = stream_command(api, tmp_path)
        stream = subprocess.Popen([*command, "--limit", "500"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)  # fmt: skip
        assert stream.stdout is not None and stream.stderr is not None
        first = [orjson.loads(stream.stdout.readline()) for _ in range(2)]  # as head -2
        stream.stdout.close()
        err = stream.stderr.read()
        assert stream.wait(timeout=60) == 141, err
        assert all("data" in message for message in first)
        assert b"Traceback" not in err and b"standard output closed by its reader" in err
        assert b"posts" in err and err.count(b"\n") == 1


async def test_two_collections_in_a_row_find_the_connection_free(live, tmp_path):
    """A notebook collects twice in a row: the first closed its connection, so the second
    connects at once (no TooManyConnections, no gap)."""
    api, client = live
    for n in range(3):
        got = await twxdata.collect_stream(raw=tmp_path / f"{n}.jsonl", limit=3, client=client,
                                           progress=False, policy=FAST)  # fmt: skip
        assert got.posts == 3 and not got.gaps, got.summary()
    assert api.stats.count("search_stream", status=429) == 0


async def test_a_growing_archive_flattened_after_each_run_costs_its_total_once(live, tmp_path):
    """A live collection flattened into a dataset after each run: the dataset's cost is the
    collection's total (each run's record holds the total so far), not the totals summed."""
    _, client = live
    raw, out = tmp_path / "live.jsonl", tmp_path / "ds"
    for limit in (5, 10):
        await twxdata.collect_stream(raw=raw, limit=limit, client=client, progress=False,
                                     policy=FAST)  # fmt: skip
        ran = await asyncio.to_thread(command, "flatten", raw, "-o", f"{out}/", "--engine",
                                      "dask", "-q")  # fmt: skip
        assert ran.returncode == 0, ran.stderr
    info = await asyncio.to_thread(command, "info", out, "--json")
    assert info.returncode == 0, info.stderr
    tables = orjson.loads(info.stdout)["tables"]
    # Posts and pages have rows from both runs (a table whose rows all came in the first run,
    # places say, carries that run's record: the total then).
    for name in ("tweets", "pages"):
        cost = tables[name]["provenance"]["cost"]
        assert cost["usd_low"] == 0.05, (name, cost)  # 10 posts, once


def command(*args: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "twxdata", *map(str, args)],
                          capture_output=True, timeout=300)  # fmt: skip


def test_ctrl_c_before_anything_arrived_says_so(tmp_path):
    """Interrupted while the app's connection was taken: no archive was written, so the
    command does not say every message is kept in it."""
    stream = LiveStream(rate=50.0, heartbeat=0.5, max_connections=0)
    with FakeXApi(seed=3, size=300, stream=stream) as api:
        command, env = stream_command(api, tmp_path)
        waiting = subprocess.Popen([*command, "--raw", tmp_path / "x.jsonl"], env=env,
                                   stderr=subprocess.PIPE, start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 60
        while api.stats.count("search_stream", status=429) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until it was refused once: it waits to try again
        os.killpg(waiting.pid, signal.SIGINT)
        _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130, err
    assert b"nothing had arrived" in err and b"kept in" not in err, err
    assert b"Traceback" not in err
