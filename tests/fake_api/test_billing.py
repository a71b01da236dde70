"""The fake API bills as X's pay-per-use does (issue 16), seen from the user's side: through
``twxdata.client.Client`` against ``FakeXApi(credits=...)``.

Per resource returned in ``data`` at the ``twxdata.pricing`` prices (``includes`` free: the
fake's assumption), once per UTC day of the API clock; failed requests free; 402
``credits-depleted`` once the balance is spent; 429 ``usage-capped`` past the monthly cap, which
the client does not retry; ``GET /2/usage/tweets`` as the spec has it. Without ``credits``
nothing is refused.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any

import aiohttp
import pytest

from twxdata.client import Client
from twxdata.endpoints import ENDPOINTS
from twxdata.errors import BadRequest, PaymentRequired, TooManyRequests
from twxdata.fields import USAGE_FIELDS
from twxdata.pricing import PRICES, Prices, charge
from twxdata.protocol.retry import RetryPolicy
from twxdata.testing import Billing, Corpus, FakeXApi

FAST = RetryPolicy(backoff_base=0.01, backoff_cap=0.05)
QUERY = "the OR data OR new OR #python"
PAGE = {"query": QUERY, "max_results": 10}
CREDITS_DEPLETED = {
    "title": "Payment Required",
    "detail": "credits depleted",
    "type": "https://api.x.com/2/problems/credits-depleted",
    "status": 402,
}
# Late on 30 April 2024 (UTC), the day the shared corpus ends.
EVENING = datetime(2024, 4, 30, 22, tzinfo=timezone.utc).timestamp()


class Clock:
    """A running API clock a test moves by hand (``FakeXApi(now=clock)``)."""

    def __init__(self, now: float = EVENING) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fake(corpus: Corpus, **options: Any) -> FakeXApi:
    # Rate limits have their own tests; here they would only slow the walks down.
    return FakeXApi(corpus, limits=10**6, min_interval=0.0, **options)


@asynccontextmanager
async def user_of(api: FakeXApi) -> AsyncIterator[Client]:
    async with Client(
        bearer_token=api.bearer_token, api_base=api.url, retry=FAST, rate_limit_margin=0.1
    ) as client:
        yield client


def visible_ids(corpus: Corpus, n: int, skip: int = 0) -> list[str]:
    rows = corpus.visible_rows()
    return [str(int(corpus.posts.ids[int(i)])) for i in rows[-(skip + n) : len(rows) - skip]]


def active_users(corpus: Corpus, n: int) -> list[str]:
    ok = [u for u in range(corpus.users.n) if corpus.user_state(u) == "ok"]
    return [str(int(corpus.users.ids[u])) for u in ok[:n]]


async def raw_get(api: FakeXApi, path: str, **params: Any) -> tuple[int, dict[str, str], Any]:
    async with (
        aiohttp.ClientSession(headers=api.headers()) as session,
        session.get(api.url + path, params={k: str(v) for k, v in params.items()}) as r,
    ):
        return r.status, dict(r.headers), json.loads(await r.read())


# --- what is charged ------------------------------------------------------------------------
async def test_posts_and_users_are_charged_per_resource_at_the_price_table(
    corpus: Corpus,
) -> None:
    async with fake(corpus, credits=10.0) as api, user_of(api) as user:
        page = await user.request(
            "search_recent_tweets",
            params={**PAGE, "expansions": ["author_id"], "user_fields": ["username"]},
        )
        posts = len(page.data)
        assert posts == 10 and page.includes["users"]  # authors came along in includes
        expected = charge(ENDPOINTS["search_recent_tweets"], page.body, PRICES).low
        assert api.billing.charged == expected.resources == {"post": posts}
        assert api.billing.spent == pytest.approx(expected.usd) == pytest.approx(posts * 0.005)
        # includes are not charged (the fake's assumption): the authors are not charged users
        assert api.billing.charged_ids("user") == frozenset()
        assert api.billing.charged_ids("post") == {t["id"] for t in page.data}

        ids = active_users(corpus, 7)
        users = await user.request("get_users", params={"ids": ids})
        assert len(users.data) == 7
        assert api.billing.charged == {"post": posts, "user": 7}
        assert api.billing.spent == pytest.approx(
            posts * PRICES.price("post") + 7 * PRICES.price("user")
        )
        assert api.billing.balance == pytest.approx(10.0 - api.billing.spent)
        assert api.billing.requests == 2 and api.billing.free == {}


async def test_counts_are_charged_per_request_and_prices_can_be_overridden(
    corpus: Corpus,
) -> None:
    prices = PRICES.updated({"post": 0.004, "counts_recent": 0.002})
    async with fake(corpus, credits=1.0, prices=prices) as api, user_of(api) as user:
        for _ in range(2):  # no dedup for a per-request price
            await user.request("get_recent_tweets_count", params={"query": QUERY})
        await user.request("get_tweets", params={"ids": visible_ids(corpus, 5)})
        assert api.billing.charged == {"counts_recent": 2, "post": 5}
        assert api.billing.spent == pytest.approx(2 * 0.002 + 5 * 0.004)


async def test_the_same_post_is_charged_once_a_utc_day_whichever_endpoint_returns_it(
    corpus: Corpus,
) -> None:
    clock = Clock()
    async with fake(corpus, credits=10.0, now=clock) as api, user_of(api) as user:
        page = await user.request("search_recent_tweets", params=PAGE)
        seen = [t["id"] for t in page.data]
        assert api.billing.charged == {"post": 10}
        spent = api.billing.spent

        again = await user.request("get_tweets", params={"ids": seen[:6]})  # another endpoint
        assert len(again.data) == 6
        await user.request("search_recent_tweets", params=PAGE)  # the same page again
        assert api.billing.charged == {"post": 10}
        assert api.billing.free == {"post": 16}
        assert api.billing.spent == pytest.approx(spent)

        clock.now += 3 * 3600  # past midnight UTC: a new day, charged again
        await user.request("get_tweets", params={"ids": seen[:6]})
        assert api.billing.charged == {"post": 16}
        assert api.billing.spent == pytest.approx(spent + 6 * 0.005)
        assert api.billing.charged_ids("post") == set(seen[:6])  # today's
        assert api.billing.daily_usage() == {"2024-04-30": 10, "2024-05-01": 6}


async def test_concurrent_requests_in_a_threaded_server_charge_each_post_once(
    corpus: Corpus,
) -> None:
    ids = visible_ids(corpus, 60)
    batches = [ids[k : k + 20] for k in range(0, 50, 5)]  # overlapping batches
    with fake(corpus, credits=10.0) as api:
        async with user_of(api) as user:
            await asyncio.gather(*(user.request("get_tweets", params={"ids": b}) for b in batches))
        unique = {i for b in batches for i in b}
        assert api.billing.charged == {"post": len(unique)}
        assert api.billing.free == {"post": sum(map(len, batches)) - len(unique)}
        assert api.billing.charged_ids("post") == unique


async def test_failed_requests_are_not_charged(corpus: Corpus) -> None:
    async with fake(corpus, credits=10.0) as api, user_of(api) as user:
        api.inject("503")
        api.inject("truncate")  # served, cut short on the way: not charged either
        await user.request("search_recent_tweets", params=PAGE)
        assert api.stats.count("search_recent_tweets") == 3  # two failures, then the page
        assert api.billing.requests == 1
        assert api.billing.charged == {"post": 10}
        assert api.billing.free == {}  # the cut-short page was not charged before its retry

        with pytest.raises(BadRequest):
            await user.request("search_recent_tweets", params={"query": "(unbalanced"})
        missing = await user.request("get_tweet", path={"id": "20"})  # 200, errors only
        assert missing.data == [] and missing.errors
        assert api.billing.charged == {"post": 10}
        assert api.billing.spent == pytest.approx(10 * 0.005)


# --- a spent balance --------------------------------------------------------------------------
async def test_402_once_the_balance_is_spent_and_add_credits_lets_requests_through(
    corpus: Corpus, spec: Any
) -> None:
    async with fake(corpus, credits=0.06) as api, user_of(api) as user:
        pages = []
        with pytest.raises(PaymentRequired) as raised:
            async for page in user.pages("search_recent_tweets", params=PAGE, max_pages=5):
                pages.append(page)
        # 0.06 pays one page of 10 posts (0.05) and part of the next, which is served whole
        assert [len(p.data) for p in pages] == [10, 10]
        assert api.billing.balance == pytest.approx(0.06 - 0.10)
        assert api.billing.depleted
        error = raised.value
        assert error.status == 402 and json.loads(error.body) == CREDITS_DEPLETED
        assert api.stats.count("search_recent_tweets", 402) == 1  # never retried

        status, headers, body = await raw_get(api, "/2/users/me")
        assert (status, body) == (402, CREDITS_DEPLETED)
        assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= {
            h.lower() for h in headers
        }
        assert spec.check("/2/users/me", 402, body) == [
            f"errors: unknown problem type {CREDITS_DEPLETED['type']!r}"
        ]  # the spec (2.166) predates pay-per-use: the body is a Problem of a type it lacks
        assert spec._errors("#/components/schemas/Problem", body) == []
        spent = api.billing.spent

        assert api.billing.add_credits(1.0) == pytest.approx(1.0 + 0.06 - 0.10)
        token = pages[-1].next_token
        more = await user.request("search_recent_tweets", params={**PAGE, "next_token": token})
        assert len(more.data) == 10
        assert api.billing.spent == pytest.approx(spent + 0.05)
        assert api.billing.credits == pytest.approx(1.06)


async def test_a_balance_of_zero_refuses_everything_but_the_usage_endpoint(
    corpus: Corpus,
) -> None:
    async with fake(corpus, credits=0) as api, user_of(api) as user:
        with pytest.raises(PaymentRequired):
            await user.request("get_users", params={"ids": active_users(corpus, 2)})
        usage = await user.request("get_usage")
        assert usage.data[0]["project_usage"] == 0
        assert api.billing.spent == 0


# --- the monthly cap --------------------------------------------------------------------------
async def test_past_the_monthly_cap_429_usage_capped_and_the_client_gives_up_at_once(
    corpus: Corpus, spec: Any
) -> None:
    clock = Clock()
    async with (
        fake(corpus, credits=100.0, monthly_cap=25, now=clock) as api,
        user_of(api) as user,
    ):
        pages = []
        with pytest.raises(TooManyRequests) as raised:
            async for page in user.pages("search_recent_tweets", params=PAGE, max_pages=10):
                pages.append(page)
        assert len(pages) == 3  # 20 posts < 25: the third page is served whole, then the cap
        assert api.billing.posts_this_month == 30
        error = raised.value
        assert error.usage_capped
        assert api.stats.count("search_recent_tweets", 429) == 1  # no retry
        assert api.stats.count("search_recent_tweets") == 4

        status, headers, body = await raw_get(api, "/2/tweets/search/recent", query="cats")
        assert status == 429
        assert body["title"] == "UsageCapExceeded"
        assert body["type"] == "https://api.x.com/2/problems/usage-capped"
        assert body["detail"] == "Usage cap exceeded: Monthly product cap"
        assert body["status"] == 429
        assert spec._errors("#/components/schemas/UsageCapExceededProblem", body) == []
        names = {h.lower() for h in headers}
        assert "x-rate-limit-reset" not in names and "x-rate-limit-remaining" in names

        # Only reads of posts are capped: a user lookup still answers.
        users = await user.request("get_users", params={"ids": active_users(corpus, 3)})
        assert len(users.data) == 3

        clock.now += 6 * 3600  # 1 May: a new cap period (cap_reset_day=1)
        assert api.billing.posts_this_month == 0
        page = await user.request("search_recent_tweets", params=PAGE)
        assert len(page.data) == 10


async def test_the_default_cap_is_two_million_posts_and_resets_on_the_cap_reset_day(
    corpus: Corpus,
) -> None:
    clock = Clock(datetime(2024, 4, 14, 12, tzinfo=timezone.utc).timestamp())
    async with (
        fake(corpus, credits=100.0, cap_reset_day=15, now=clock) as api,
        user_of(api) as user,
    ):
        assert api.billing.monthly_cap == 2_000_000
        assert api.billing.cap_period_start() == date(2024, 3, 15)
        api.billing.add_posts_read(2_000_000)  # read before the fake started
        with pytest.raises(TooManyRequests) as raised:
            await user.request("get_tweets", params={"ids": visible_ids(corpus, 3)})
        assert raised.value.usage_capped
        clock.now += 86_400  # the 15th: the cap resets
        assert api.billing.cap_period_start() == date(2024, 4, 15)
        page = await user.request("get_tweets", params={"ids": visible_ids(corpus, 3)})
        assert len(page.data) == 3 and api.billing.posts_this_month == 3


# --- GET /2/usage/tweets ----------------------------------------------------------------------
async def test_usage_endpoint_validates_against_the_spec_and_counts_what_was_read(
    corpus: Corpus, spec: Any
) -> None:
    clock = Clock()
    async with fake(corpus, credits=10.0, now=clock) as api, user_of(api) as user:
        first = await user.request("search_recent_tweets", params=PAGE)
        seen = [t["id"] for t in first.data]
        await user.request("get_tweets", params={"ids": seen[:4] + visible_ids(corpus, 3, 400)})
        clock.now += 3 * 3600  # 1 May (UTC)
        await user.request("get_tweets", params={"ids": seen[:5]})

        status, _, body = await raw_get(api, "/2/usage/tweets")
        assert status == 200 and spec.check("/2/usage/tweets", 200, body) == []
        assert body == {
            "data": {
                "cap_reset_day": 1,
                "project_cap": 2_000_000,
                "project_id": api.billing.project_id,
                "project_usage": 5,  # May's cap period: the 5 posts read today
            }
        }
        every = ",".join(sorted(USAGE_FIELDS))
        status, _, body = await raw_get(api, "/2/usage/tweets", days=3, **{"usage.fields": every})
        assert status == 200 and spec.check("/2/usage/tweets", 200, body) == []
        daily: list[dict[str, Any]] = [
            {"date": "2024-04-29T00:00:00.000Z", "usage": 0},
            {"date": "2024-04-30T00:00:00.000Z", "usage": 13},  # 10 + 3 new (4 were free)
            {"date": "2024-05-01T00:00:00.000Z", "usage": 5},
        ]
        data = body["data"]
        assert data["daily_project_usage"] == {
            "project_id": int(api.billing.project_id),
            "usage": daily,
        }
        assert data["daily_client_app_usage"] == [
            {"client_app_id": api.billing.client_app_id, "usage": daily, "usage_result_count": 3}
        ]
        assert data["project_usage"] == api.billing.posts_this_month == 5
        assert sum(d["usage"] for d in daily) == api.billing.charged["post"] == 18

        # From the user's side, and the default of 7 days.
        page = await user.request("get_usage", params={"usage_fields": ["daily_project_usage"]})
        assert len(page.data[0]["daily_project_usage"]["usage"]) == 7
        for days in (0, 91, "x"):
            status, _, body = await raw_get(api, "/2/usage/tweets", days=days)
            assert status == 400, days
            assert body["errors"][0]["message"] == (
                f"The `days` query parameter value [{days}] is not between 1 and 90"
            )
        assert api.billing.spent == pytest.approx(18 * 0.005)  # usage is free


# --- without credits ---------------------------------------------------------------------------
async def test_without_credits_nothing_is_refused_and_usage_is_still_counted(
    corpus: Corpus,
) -> None:
    async with fake(corpus) as api, user_of(api) as user:
        pages = [p async for p in user.pages("search_recent_tweets", params=PAGE)]  # all
        posts = {t["id"] for p in pages for t in p.data}
        assert len(posts) > 200 and api.stats.count(status=402) == 0
        assert api.billing.balance is None and api.billing.credits is None
        assert api.billing.monthly_cap is None and not api.billing.depleted
        assert api.billing.spent == pytest.approx(len(posts) * 0.005)  # what X would charge
        usage = await user.request("get_usage")
        assert usage.data[0]["project_usage"] == len(posts)
        with pytest.raises(ValueError, match="credits="):
            api.billing.add_credits(1.0)


async def test_a_monthly_cap_without_credits_caps_without_billing(corpus: Corpus) -> None:
    async with fake(corpus, monthly_cap=5) as api, user_of(api) as user:
        await user.request("get_tweets", params={"ids": visible_ids(corpus, 8)})
        with pytest.raises(TooManyRequests):
            await user.request("get_tweets", params={"ids": visible_ids(corpus, 2)})
        assert api.billing.balance is None and api.billing.posts_this_month == 8


# --- the meter on its own -------------------------------------------------------------------
def test_cap_periods_on_short_months_and_argument_checks() -> None:
    def at(y: int, m: int, d: int) -> float:
        return datetime(y, m, d, 12, tzinfo=timezone.utc).timestamp()

    billing = Billing(cap_reset_day=31)
    assert billing.cap_period_start(at(2024, 2, 28)) == date(2024, 1, 31)
    assert billing.cap_period_start(at(2024, 2, 29)) == date(2024, 2, 29)  # the month's last
    assert billing.cap_period_start(at(2024, 3, 30)) == date(2024, 2, 29)
    assert Billing(cap_reset_day=1).cap_period_start(at(2025, 1, 1)) == date(2025, 1, 1)
    assert Billing(cap_reset_day=10).cap_period_start(at(2025, 1, 9)) == date(2024, 12, 10)
    for bad in (
        {"credits": -1},
        {"credits": float("nan")},
        {"monthly_cap": -5},
        {"cap_reset_day": 0},
        {"cap_reset_day": 32},
    ):
        with pytest.raises(ValueError):
            Billing(**bad)
    with pytest.raises(TypeError):
        Billing(prices={"post": 1})  # type: ignore[arg-type]
    legacy = Billing(credits=5, prices=Prices(monthly_post_cap=15_000))
    assert legacy.monthly_cap == 15_000 and legacy.project_cap == 15_000
    day = date(2024, 4, 1) + timedelta(days=3)
    legacy.add_posts_read(7, day)
    assert legacy.daily_usage() == {"2024-04-04": 7}


# --- the command line -------------------------------------------------------------------------
def test_command_line_with_credits_says_so_and_bills() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-c",
        "from twxdata.cli import entry_point; entry_point()",
        "fake-api",
        "--credits",
        "1",
        "--port",
        "0",
        "--size",
        "400",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(5)]
        url = re.search(r"http://127\.0\.0\.1:\d+", lines[0])
        assert url, lines
        billing = next(line for line in lines if line.startswith("# billing"))
        assert "$1.00 of credits" in billing and "2,000,000 posts" in billing, billing
        assert "/2/usage/tweets" in billing
        token = lines[2].strip().split("=", 1)[1]
        request = urllib.request.Request(
            url.group() + "/2/usage/tweets", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            assert json.loads(r.read())["data"]["project_usage"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    bad = subprocess.run(
        [*cmd[:3], "fake-api", "--credits", "-2"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "--credits" in bad.stderr
