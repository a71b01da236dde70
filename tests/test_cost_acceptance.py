"""The acceptance tests of issue 16 (pay-per-use), through the public API (``import twxdata``)
and the command line (``python -m twxdata``), against the billing fake API.

1. An estimate is within 5% of what the collection is then charged: search (recent and full
   archive), followers, a timeline (under and over the 3,200 reach); the table's provenance and
   ``twxdata info`` record what was charged.
2. A spend cap is never exceeded, over many random caps, page sizes and fan-outs, and a
   collection that stops at its cap leaves at most one page's cost unspent; a higher cap
   resumes without fetching a page twice.
3. 402 in the middle of a fan-out keeps every page received, and after ``add_credits`` the same
   call (or command) completes with no page fetched twice and no post charged twice a day.
4. 402 and 429 ``usage-capped`` are never retried.

Every case gets a fresh server (billing from zero, its own same-day ledger) over a shared
corpus. What the server charged (``api.billing``) is the truth the client is held to; what the
server served (``api.stats.log``) tells which pages were fetched.
"""

from __future__ import annotations

import calendar
import json
import os
import random
import subprocess
import sys
import warnings
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pytest

import twxdata
from twxdata.testing import Corpus, FakeXApi

# X's pay-per-use prices (issue 16, ../shared/x-api/PRICING.md): what the fake charges.
POST = 0.005
USER = 0.010
EPS = 1e-9  # dollars are summed in floats
FAST = twxdata.RetryPolicy(backoff_base=0.01, backoff_cap=0.05)
SEARCH_PAGE = (10, 100)  # search/recent's max_results range
FOLLOWERS_PAGE = (1, 1000)
QUERIES = [  # from a handful of posts in six days to a few hundred
    "python has:media",
    "#python has:media",
    "#python",
    "python",
    "climate",
    "data",
    "the",
    "the OR data OR new",
]


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    # 100 days (full-archive search over 60 days), accounts with up to ~2,700 followers and
    # timelines of up to ~2,500 posts. Ends this hour: the fake API runs on the real clock.
    return Corpus(seed=7, size=30_000, span=timedelta(days=100))


@pytest.fixture(scope="module")
def prolific() -> Corpus:
    return Corpus(seed=5, size=20_000, users=5)  # thousands of posts an account


def billing_api(corpus: Corpus, **options: Any) -> FakeXApi:
    """A fresh fake API (billing from zero). Rate limits have tests of their own; here they
    would only make the walks wait."""
    return FakeXApi(corpus, limits=10**6, min_interval=0.0, **options)


def client_of(api: FakeXApi) -> twxdata.Client:
    return twxdata.Client(bearer_token=api.bearer_token, api_base=api.url, retry=FAST)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def recent_window(days: int = 3) -> dict[str, str]:
    """A fixed window of the last ``days`` days (not "7d": its edge has a fix of its own under
    way), ending before the corpus does, so that every run and the reference see one set."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return {
        "start_time": iso(now - timedelta(days=days)),
        "end_time": iso(now - timedelta(minutes=5)),
    }


def most_followed(corpus: Corpus, n: int) -> list[dict[str, Any]]:
    ranked = sorted(range(corpus.users.n), key=lambda u: len(corpus.follows.followers(u)))
    return [corpus.user(u) for u in reversed(ranked[-n:])]


def by_tweet_count(corpus: Corpus) -> list[dict[str, Any]]:
    users = [corpus.user(u) for u in range(corpus.users.n)]
    return sorted(users, key=lambda u: u["public_metrics"]["tweet_count"], reverse=True)


def within(estimated: float, charged: float, share: float = 0.05) -> bool:
    return abs(estimated - charged) <= share * charged + EPS


def run_cli(api: FakeXApi, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m twxdata ARGS`` against ``api``: its address and token from the environment,
    no other TWXDATA_* setting but this test's own cache folder (conftest.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {
        "TWXDATA_BEARER_TOKEN": api.bearer_token,
        "TWXDATA_API_BASE": api.url,
        "TWXDATA_CACHE_DIR": os.environ["TWXDATA_CACHE_DIR"],
    }
    return subprocess.run([sys.executable, "-m", "twxdata", *args], capture_output=True,
                          text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)  # fmt: skip


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower()]


def pages_fetched_twice(api: FakeXApi, endpoint: str) -> list[Any]:
    """Successful requests of ``endpoint`` asking for the same page (the same path and
    parameters, page token included; a page asked again in another size is the same page)."""
    asked = Counter(
        (r.path, tuple(sorted((k, v) for k, v in r.params.items() if k != "max_results")))
        for r in api.stats.log
        if r.endpoint == endpoint and r.status == 200
    )
    return [key for key, n in asked.items() if n > 1]


def served(api: FakeXApi, endpoint: str, status: int = 200) -> int:
    return sum(1 for r in api.stats.log if r.endpoint == endpoint and r.status == status)


def archived(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def archived_ids(path: Path) -> set[str]:
    return {item["id"] for page in archived(path) for item in page.get("data") or []}


def pairs(frame: pd.DataFrame, column: str) -> list[tuple[str, str]]:
    """(target, id) of every row."""
    return list(zip(frame[column].astype(str), frame["id"].astype(str), strict=True))


async def reference(corpus: Corpus, kind: str, targets: list[str], **options: Any) -> set[Any]:
    """What the whole collection holds, from a server of its own with no billing."""
    with billing_api(corpus) as api:
        async with client_of(api) as c:
            got = await getattr(twxdata, f"collect_{kind}")(
                targets, client=c, progress=False, **options
            )
    frame = got.tweets if kind == "search" else got.users
    return set(pairs(frame, "query" if kind == "search" else "followers_of"))


# ---- 1. the estimate is what the collection is then charged ------------------------------


def estimate_cases(corpus: Corpus, prolific: Corpus, case: str) -> tuple[Corpus, str, Any, dict]:
    if case == "search recent":
        return corpus, "search", "the OR data OR new", {"start_time": "3d"}
    if case == "search archive":  # 60 days: two counts/all chunks of 31 days
        return corpus, "search", "python has:media", {"archive": True, "start_time": "60d"}
    if case == "followers":
        return corpus, "followers", most_followed(corpus, 1)[0]["id"], {}
    if case == "timeline":  # under the reach: every post of the account
        user = next(u for u in by_tweet_count(corpus) if u["public_metrics"]["tweet_count"] < 3200)
        return corpus, "timeline", user["id"], {}
    assert case == "timeline beyond the reach"
    return prolific, "timeline", by_tweet_count(prolific)[0]["id"], {}


@pytest.mark.parametrize(
    "case",
    ["search recent", "search archive", "followers", "timeline", "timeline beyond the reach"],
)
async def test_the_estimate_is_within_5_percent_of_what_the_collection_is_charged(
    corpus: Corpus, prolific: Corpus, case: str
) -> None:
    source, kind, target, options = estimate_cases(corpus, prolific, case)
    unit = POST if kind in ("search", "timeline") else USER
    with billing_api(source, credits=1_000.0) as api:
        async with client_of(api) as c:
            e = await twxdata.estimate(kind, target, client=c, **options)
            asked = api.billing.spent  # what the estimate cost, apart
            collection = await getattr(twxdata, f"collect_{kind}")(
                target, client=c, progress=False, **options
            )
            charged = api.billing.spent - asked

    assert isinstance(e, twxdata.Estimate)
    # The estimate says what it cost, ids as targets: nothing to deduplicate.
    assert asked == pytest.approx(e.total["cost_of_estimate_usd"]) and asked > 0
    assert charged > 0.5  # enough pages for 5% to mean something
    assert within(e.total["usd_low"], charged), (e.total, charged)
    assert charged <= e.total["usd_high"] + EPS  # high: the includes charged too
    resources = e.total["posts"] if unit == POST else e.total["users"]
    assert e.total["usd_low"] == pytest.approx(resources * unit)
    # The collection knows what it was charged.
    assert collection.cost["usd_low"] == pytest.approx(charged)
    assert not collection.capped
    if case == "timeline":
        assert e.total["posts"] < 3200
    if case == "timeline beyond the reach":
        assert by_tweet_count(prolific)[0]["public_metrics"]["tweet_count"] > 3200
        assert e.total["posts"] == 3200 == collection.items


@pytest.mark.parametrize("verb", ["search", "followers"])
def test_the_command_line_estimate_is_within_5_percent_and_the_table_records_the_cost(
    corpus: Corpus, tmp_path: Path, verb: str
) -> None:
    # One target: the estimate adds targets up, while X charges a post two queries find (or
    # a follower of two accounts) once a day; the estimate says so in its notes.
    if verb == "search":
        args = ["the OR data OR new", "--start-time", recent_window(3)["start_time"]]
    else:
        args = ["@" + most_followed(corpus, 1)[0]["username"]]
    out = tmp_path / "out.parquet"
    with billing_api(corpus, credits=1_000.0) as api:
        said = run_cli(api, "estimate", verb, *args, "--json")
        assert said.returncode == 0, said.stderr
        total = json.loads(said.stdout)["total"]
        before = api.billing.spent
        collected = run_cli(api, verb, *args, "-o", str(out))
        assert collected.returncode == 0, collected.stderr
        charged = api.billing.spent - before
        info = run_cli(api, "info", str(out), "--json")

    assert charged > 1.0
    assert within(total["usd_low"], charged), (total, charged)
    assert {"posts", "users", "requests", "usd_low", "usd_high"} <= set(total)
    cost = twxdata.read_parquet(out).attrs["twxdata"]["cost"]
    # What the collection was charged (the @username it resolved was read by the estimate,
    # free the same day).
    assert cost["usd_low"] == pytest.approx(charged, abs=1e-6)
    assert cost["earlier_runs_usd"] == 0
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["provenance"]["cost"]["usd_low"] == cost["usd_low"]


# ---- 2. spend caps hold ------------------------------------------------------------------


def spend_cap_cases(n: int = 30, seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        kind = ("search", "followers")[i % 2]
        if kind == "search":
            targets = rng.sample(QUERIES, rng.randint(1, 3))
            page = rng.randint(*SEARCH_PAGE)
        else:
            targets = rng.sample(range(30), rng.randint(1, 3))  # ranks by followers
            page = rng.choice([rng.randint(*FOLLOWERS_PAGE), rng.randint(1, 200)])
        cap = round(rng.uniform(0.03, 3.0), 2)
        cases.append({"kind": kind, "targets": targets, "max_results": page, "cap": cap,
                      "concurrency": len(targets)})  # fmt: skip
    return cases


@pytest.mark.parametrize(
    "case", spend_cap_cases(), ids=lambda c: f"{c['kind']}{len(c['targets'])}-${c['cap']}"
)
async def test_a_spend_cap_is_never_exceeded_nor_undershot_by_more_than_a_page(
    corpus: Corpus, case: dict[str, Any]
) -> None:
    kind, page, cap = case["kind"], case["max_results"], case["cap"]
    if kind == "search":
        targets, unit, options = case["targets"], POST, recent_window(6)
    else:
        top = most_followed(corpus, 30)
        targets, unit, options = [top[r]["id"] for r in case["targets"]], USER, {}
    with billing_api(corpus, credits=1_000.0) as api, warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        async with client_of(api) as c:
            collection = await getattr(twxdata, f"collect_{kind}")(
                targets, client=c, progress=False, max_cost=cap, max_results=page,
                concurrency=case["concurrency"], **options,
            )  # fmt: skip
        spent = api.billing.spent
    whole = await reference(corpus, kind, targets, max_results=page, **options)
    # Stopping at the cap is said (with how to continue), and only then.
    said = [w for w in told if issubclass(w.category, twxdata.CostCapReached)]
    assert len(said) == int(collection.capped), [str(w.message) for w in said]

    assert spent <= cap + EPS, (spent, cap)
    assert collection.cost["usd_low"] == pytest.approx(spent)
    frame = collection.tweets if kind == "search" else collection.users
    got = pairs(frame, "query" if kind == "search" else "followers_of")
    assert len(got) == len(set(got)) and set(got) <= whole
    if collection.capped:
        assert cap - spent <= page * unit + EPS, (cap, spent, page * unit)
    else:  # not stopped at the cap: everything
        assert set(got) == whole


@pytest.mark.filterwarnings("ignore::twxdata.CostCapReached")
async def test_pages_in_flight_do_not_stop_another_target_at_the_cap(corpus: Corpus) -> None:
    """Two small searches hold reservations of a whole page each while a third, large one
    starts: the third must wait for what they are actually charged, not give up."""
    small = ["python has:media", "#python has:media"]
    targets = [*small, "the OR data OR new"]
    window = recent_window(6)
    with billing_api(corpus, credits=1_000.0) as api:
        async with client_of(api) as c:
            collection = await twxdata.collect_search(
                targets, client=c, progress=False, max_cost=1.0, max_results=100,
                concurrency=3, **window,
            )  # fmt: skip
        spent = api.billing.spent
    assert collection.capped
    assert all(n < 100 for q, n in collection.items_by_stream().items() if q in small)
    assert spent <= 1.0 + EPS
    assert 1.0 - spent <= 100 * POST + EPS, (spent, collection.items_by_stream())


@pytest.mark.parametrize("verb", ["search", "followers"])
def test_the_command_line_stops_at_max_cost_and_a_higher_cap_resumes(
    corpus: Corpus, tmp_path: Path, verb: str
) -> None:
    out = tmp_path / "out.parquet"
    if verb == "search":  # without --raw: the capped run keeps its spool in the cache folder
        window = recent_window(3)
        targets = ["python", "climate"]
        args = [*targets, "--start-time", window["start_time"], "--end-time", window["end_time"]]
        page, unit, first_cap, column = 30, POST, 0.5, "query"
        keep: list[str] = []
        endpoint = "search_recent_tweets"
        whole = twxdata.run(reference(corpus, "search", targets, max_results=page, **window))
    else:
        top = most_followed(corpus, 2)
        targets = [u["id"] for u in top]
        raw = tmp_path / "followers.jsonl"
        args = list(targets)
        page, unit, first_cap, column = 100, USER, 1.5, "followers_of"
        keep = ["--raw", str(raw)]
        endpoint = "get_users_followers"
        whole = twxdata.run(reference(corpus, "followers", targets, max_results=page))
    command = [verb, *args, "--max-results", str(page), *keep, "-o", str(out)]
    spool = Path(os.environ["TWXDATA_CACHE_DIR"]) / "unsaved"

    with billing_api(corpus, credits=1_000.0) as api:
        first = run_cli(api, *command, "--max-cost", str(first_cap))
        spent_first = api.billing.spent
        spooled = list(spool.glob("*.jsonl"))
        log_first = len(api.stats.log)
        second = run_cli(api, *command, "--max-cost", "100")
        spent = api.billing.spent
        twice = pages_fetched_twice(api, endpoint)
        fetched_later = served(api, endpoint) - sum(
            1 for r in api.stats.log[:log_first] if r.endpoint == endpoint and r.status == 200
        )

    assert first.returncode in (0, 1) and "Traceback" not in first.stderr, first.stderr
    assert spent_first <= first_cap + EPS
    assert first_cap - spent_first <= page * unit + EPS, spent_first
    assert "--max-cost" in first.stderr and "same command" in first.stderr, first.stderr
    if verb == "search":
        assert spooled, "a capped run keeps its spool"
    assert second.returncode == 0, second.stderr
    assert "resuming" in second.stderr and fetched_later > 0
    assert twice == []
    rows = pairs(twxdata.read_parquet(out), column)
    assert len(rows) == len(set(rows)) and set(rows) == whole
    assert spent <= 100
    provenance = twxdata.read_parquet(out).attrs["twxdata"]
    assert provenance["complete"] is True
    cost = provenance["cost"]
    assert cost["usd_low"] + cost["earlier_runs_usd"] == pytest.approx(spent, abs=1e-6)
    if verb == "search":
        assert not list(spool.glob("*.jsonl")), "the spool goes once the table is written"
    else:
        assert archived_ids(raw) == {i for _, i in whole}


# ---- 3. 402 in the middle of a fan-out ---------------------------------------------------


def fan_out(corpus: Corpus, kind: str) -> tuple[list[str], dict[str, Any], float, float, str]:
    """Targets, options, unit price, credits for part of it, and the endpoint."""
    if kind == "search":
        return (["python", "climate", "data"], {"max_results": 20, **recent_window(3)},
                POST, 1.0, "search_recent_tweets")  # fmt: skip
    top = most_followed(corpus, 3)
    return [u["id"] for u in top], {"max_results": 100}, USER, 5.0, "get_users_followers"


@pytest.mark.parametrize("kind", ["search", "followers"])
async def test_402_in_a_fan_out_keeps_every_page_and_the_same_call_completes(
    corpus: Corpus, tmp_path: Path, kind: str
) -> None:
    targets, options, unit, credits, endpoint = fan_out(corpus, kind)
    column = "query" if kind == "search" else "followers_of"
    raw = tmp_path / "raw.jsonl"
    collect = getattr(twxdata, f"collect_{kind}")
    with billing_api(corpus, credits=credits) as api:
        async with client_of(api) as c:
            with pytest.raises(twxdata.PaymentRequired) as refused:
                await collect(targets, client=c, progress=False, raw=raw, concurrency=3,
                              **options)  # fmt: skip
            assert "\n" not in str(refused.value)
            kept = archived(raw)
            pages_before = served(api, endpoint)
            paid = api.billing.charged_ids("post" if unit == POST else "user")
            assert api.stats.count(status=402) >= 1
            assert api.billing.add_credits(100.0) > 0
            with pytest.warns(UserWarning, match=f"resuming: {len(kept)} pages"):
                collection = await collect(targets, client=c, progress=False, raw=raw,
                                           concurrency=3, **options)  # fmt: skip
        twice = pages_fetched_twice(api, endpoint)
        spent = api.billing.spent
    whole = await reference(corpus, kind, targets, **options)

    # Every page received before the 402 is in the archive, and everything paid for.
    assert 0 < len(kept) == pages_before
    assert {i["id"] for p in kept for i in p.get("data") or []} == set(paid)
    assert collection.resumed_pages == len(kept)
    assert twice == []
    frame = collection.tweets if kind == "search" else collection.users
    rows = pairs(frame, column)
    assert len(rows) == len(set(rows)) and set(rows) == whole
    # Each post (or user) charged once that UTC day: a fan-out's overlaps are free, no more.
    unique = {i for _, i in whole}
    assert spent == pytest.approx(len(unique) * unit)
    assert sum(api.billing.charged.values()) == len(unique)


def test_402_in_a_command_line_fan_out_says_so_in_one_line_and_the_same_command_completes(
    corpus: Corpus, tmp_path: Path
) -> None:
    window = recent_window(3)
    targets = ["python", "climate", "data"]
    raw, out = tmp_path / "raw.jsonl", tmp_path / "out.parquet"
    times = ["--start-time", window["start_time"], "--end-time", window["end_time"]]
    command = ["search", *targets, *times, "--max-results", "20", "--raw", str(raw), "-o", str(out)]
    whole = twxdata.run(reference(corpus, "search", targets, max_results=20, **window))
    with billing_api(corpus, credits=1.0) as api:
        first = run_cli(api, *command)
        written = out.exists()
        kept = archived(raw)
        pages_before = served(api, "search_recent_tweets")
        paid = api.billing.charged_ids("post")
        api.billing.add_credits(100.0)
        second = run_cli(api, *command)
        twice = pages_fetched_twice(api, "search_recent_tweets")
        spent = api.billing.spent

    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stderr
    errors = error_lines(first.stderr)
    assert len(errors) == 1, first.stderr
    assert "402" in errors[0] and "credits" in errors[0] and "same command" in errors[0]
    assert not written
    assert 0 < len(kept) == pages_before
    assert {i["id"] for p in kept for i in p.get("data") or []} == set(paid)

    assert second.returncode == 0, second.stderr
    assert twice == []
    rows = pairs(twxdata.read_parquet(out), "query")
    assert len(rows) == len(set(rows)) and set(rows) == whole
    unique = {i for _, i in whole}
    assert spent == pytest.approx(len(unique) * POST)
    cost = twxdata.read_parquet(out).attrs["twxdata"]["cost"]
    assert cost["usd_low"] + cost["earlier_runs_usd"] == pytest.approx(spent, abs=1e-6)


# ---- 4. 402 and usage-capped are never retried ---------------------------------------------


def next_reset(api: FakeXApi) -> date:
    """The first day after today (UTC, the API clock) that starts a new cap period."""
    today = datetime.now(timezone.utc).date()
    day = today + timedelta(days=1)
    while True:
        noon = calendar.timegm(day.timetuple()) + 12 * 3600
        if api.billing.cap_period_start(noon) == day:
            return day
        day += timedelta(days=1)


def reset_day() -> int:
    """A day of the month for the cap to reset on, other than the 1st (the default)."""
    return (datetime.now(timezone.utc).day + 10) % 27 + 2


@pytest.mark.parametrize("kind", ["search", "followers"])
async def test_402_is_never_retried(corpus: Corpus, kind: str) -> None:
    if kind == "search":  # $0.06: a page of 10 posts, and the one that crosses zero
        target, endpoint, credits = "python", "search_recent_tweets", 0.06
    else:  # $0.5: 2 pages of 20 users, and the one that crosses zero
        target, endpoint, credits = most_followed(corpus, 1)[0]["id"], "get_users_followers", 0.5
    options = {"max_results": 10 if kind == "search" else 20}
    with billing_api(corpus, credits=credits) as api:
        async with client_of(api) as c:
            with pytest.raises(twxdata.PaymentRequired) as refused:
                await getattr(twxdata, f"collect_{kind}")(
                    target, client=c, progress=False, **options
                )
        log = [(r.endpoint, r.status) for r in api.stats.log]
    assert refused.value.status == 402 and "\n" not in str(refused.value)
    assert log.count((endpoint, 402)) == 1
    assert log[-1] == (endpoint, 402)  # the last request sent
    assert served(api, endpoint) == (2 if kind == "search" else 3)


async def test_usage_capped_is_never_retried(corpus: Corpus) -> None:
    with billing_api(corpus, credits=100.0, monthly_cap=25) as api:
        async with client_of(api) as c:
            with pytest.raises(twxdata.TooManyRequests) as refused:
                await twxdata.collect_search("python", client=c, progress=False,
                                             max_results=10, start_time="3d")  # fmt: skip
        log = [(r.endpoint, r.status) for r in api.stats.log]
    assert refused.value.usage_capped and "\n" not in str(refused.value)
    assert log.count(("search_recent_tweets", 429)) == 1
    assert log[-1] == ("search_recent_tweets", 429)
    assert served(api, "search_recent_tweets") == 3  # 20 posts < 25: the third is served


def test_the_command_line_never_retries_402_and_says_it_in_one_line(
    corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    with billing_api(corpus, credits=0.06) as api:
        result = run_cli(api, "search", "python", "--start-time", "3d", "--max-results", "10",
                         "-o", str(out))  # fmt: skip
        log = [(r.endpoint, r.status) for r in api.stats.log]
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert "402" in errors[0] and "credits" in errors[0] and "same command" in errors[0]
    assert log.count(("search_recent_tweets", 402)) == 1
    assert [s for e, s in log if e == "search_recent_tweets"] == [200, 200, 402]


def test_the_command_line_never_retries_usage_capped_and_names_the_reset_date(
    corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    with billing_api(corpus, credits=100.0, monthly_cap=25, cap_reset_day=reset_day()) as api:
        result = run_cli(api, "search", "python", "--start-time", "3d", "--max-results", "10",
                         "-o", str(out))  # fmt: skip
        log = [(r.endpoint, r.status) for r in api.stats.log]
        reset = next_reset(api)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = error_lines(result.stderr)
    assert len(errors) == 1, result.stderr
    assert "usage-capped" in errors[0] and f"resets on {reset.isoformat()}" in errors[0]
    assert log.count(("search_recent_tweets", 429)) == 1
    assert [s for e, s in log if e == "search_recent_tweets"] == [200, 200, 200, 429]
    assert not out.exists()
