"""``fetch_usage`` and ``twxdata usage`` (issue 16): ``GET /2/usage/tweets`` read in each of its
documented shapes, from a small loopback server of our own, and from the fake X API when it
serves the endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from datetime import date, datetime, timezone

import pandas as pd
import pytest
from aiohttp import web

import twxdata
from twxdata.client import Client
from twxdata.collect.usage import parse_usage, read_usage
from twxdata.errors import ParameterError
from twxdata.testing import FakeXApi

# The OpenAPI schema's shape (Get2UsageTweetsResponse), with the cap and usage as strings as
# in X's older docs example.
SCHEMA_ANSWER = {
    "data": {
        "cap_reset_day": 10,
        "project_cap": "2000000",
        "project_id": "1369785403853424",
        "project_usage": "43435",
        "daily_project_usage": {
            "project_id": 1369785403,
            "usage": [
                {"date": "2026-11-29T00:00:00.000Z", "usage": 12000},
                {"date": "2026-11-30T00:00:00.000Z", "usage": 15420},
            ],
        },
        "daily_client_app_usage": [
            {
                "client_app_id": "29573014",
                "usage": [
                    {"date": "2026-11-29T00:00:00.000Z", "usage": 12000},
                    {"date": "2026-11-30T00:00:00.000Z", "usage": 15420},
                ],
                "usage_result_count": 2,
            }
        ],
    }
}
# The shape of X's newer usage page: one entry a day, reads per app inside.
NEWER_DOCS_ANSWER = {
    "data": {
        "daily_project_usage": [
            {
                "date": "2024-01-15",
                "usage": [
                    {"app_id": "1", "tweets_consumed": 100},
                    {"app_id": "2", "tweets_consumed": 20},
                ],
            },
        ],
        "project_id": "1234567890",
        "project_cap": 10000000,
    }
}


class UsageServer:
    """Answers ``GET /2/usage/tweets`` with ``answer`` and remembers what it was asked."""

    def __init__(self, answer):
        self.answer = answer
        self.asked: list[dict[str, str]] = []
        self.url = ""
        self._runner = None

    async def _handle(self, request):
        if request.path != "/2/usage/tweets":
            return web.Response(status=404, text="no such route")
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"title": "Unauthorized", "status": 401}, status=401)
        self.asked.append(dict(request.query))
        return web.json_response(self.answer)

    async def __aenter__(self):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc):
        await self._runner.cleanup()


def client_for(url, token="usage-test-token"):
    return Client(bearer_token=token, api_base=url, rate_limit_cache=False)


async def test_fetch_usage_reads_the_schema_shape():
    async with UsageServer(SCHEMA_ANSWER) as server, client_for(server.url) as client:
        frame = await twxdata.fetch_usage(days=30, client=client)
    asked = server.asked[0]
    assert asked["days"] == "30"
    assert set(asked["usage.fields"].split(",")) == {
        "cap_reset_day", "daily_client_app_usage", "daily_project_usage", "project_cap",
        "project_id", "project_usage",
    }  # fmt: skip
    assert list(frame.columns) == ["date", "usage"]
    assert list(frame["usage"]) == [12000, 15420]
    assert str(frame["usage"].dtype) == "int64"
    assert frame["date"].iloc[1] == pd.Timestamp("2026-11-30", tz="UTC")
    attrs = frame.attrs
    assert attrs["project_cap"] == 2_000_000 and attrs["project_usage"] == 43_435  # strings read
    assert attrs["cap_reset_day"] == 10 and attrs["project_id"] == "1369785403853424"
    assert attrs["left"] == 2_000_000 - 43_435
    assert attrs["share_of_cap"] == pytest.approx(43_435 / 2_000_000)
    assert attrs["apps"] == [
        {"client_app_id": "29573014", "date": "2026-11-29", "usage": 12000},
        {"client_app_id": "29573014", "date": "2026-11-30", "usage": 15420},
    ]
    assert isinstance(attrs["days_to_reset"], int) and 0 < attrs["days_to_reset"] <= 31


async def test_the_newer_docs_shape_sums_the_apps_per_day():
    async with UsageServer(NEWER_DOCS_ANSWER) as server, client_for(server.url) as client:
        usage = await read_usage(1, client=client)
    assert usage.daily == (("2024-01-15", 120),)
    assert usage.apps == (("1", "2024-01-15", 100), ("2", "2024-01-15", 20))
    assert usage.project_cap == 10_000_000 and usage.project_usage is None
    assert usage.share_of_cap is None and usage.next_reset(date(2024, 1, 20)) is None


async def test_days_are_checked_before_any_request():
    async with UsageServer(SCHEMA_ANSWER) as server, client_for(server.url) as client:
        for days in (0, 91, "7", True, 2.5):
            with pytest.raises(ParameterError, match="days"):
                await twxdata.fetch_usage(days=days, client=client)
    assert server.asked == []


def test_days_to_the_reset_read_cap_reset_day_as_a_day_of_the_month():
    usage = parse_usage({"data": {"cap_reset_day": 10}})
    assert usage.days_to_reset(date(2026, 12, 5)) == 5
    assert usage.next_reset(date(2026, 12, 10)) == date(2027, 1, 10)  # reset today: next month
    assert usage.next_reset(date(2026, 12, 31)) == date(2027, 1, 10)
    late = parse_usage({"data": {"cap_reset_day": 31}})
    assert late.next_reset(date(2026, 2, 3)) == date(2026, 2, 28)  # a short month: its last day
    assert parse_usage({}).days_to_reset(date(2026, 1, 1)) is None


async def run_cli(url, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_BEARER_TOKEN": "usage-test-token", "TWXDATA_API_BASE": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "twxdata", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, out.decode(), err.decode()


async def test_the_usage_command():
    async with UsageServer(SCHEMA_ANSWER) as server:
        status, out, err = await run_cli(server.url, "usage", "--days", "2")
        assert status == 0, err
        assert "post reads this month: 43,435 of 2,000,000 (2.2%); 1,956,565 left" in out
        assert "resets on day 10 of the month" in out and "in " in out
        assert "2026-11-30  15,420" in out
        assert "app 29573014: 27,420 over 2 days" in out
        assert server.asked[-1]["days"] == "2"

        status, out, err = await run_cli(server.url, "usage", "--json")
        assert status == 0, err
        record = json.loads(out)
        assert record["project_usage"] == 43_435 and record["project_cap"] == 2_000_000
        assert record["daily"][-1] == {"date": "2026-11-30", "usage": 15420}
        assert record["cap_reset_day"] == 10 and isinstance(record["days_to_reset"], int)

        asked = len(server.asked)
        status, out, err = await run_cli(server.url, "usage", "--days", "91")
        assert status == 2 and "--days" in err and len(server.asked) == asked


# ---- the fake X API ------------------------------------------------------------------------


def fake_serves_usage(api):
    request = urllib.request.Request(api.url + "/2/usage/tweets", headers=api.headers())
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_usage_from_the_fake_api_counts_the_posts_read():
    with FakeXApi(seed=3, size=5_000) as api:
        status = fake_serves_usage(api)
        if status in (404, 501):
            pytest.skip(f"the fake X API does not serve GET /2/usage/tweets yet ({status})")

        async def go():
            async with client_for(api.url, api.bearer_token) as client:
                before = await twxdata.fetch_usage(days=3, client=client)
                posts = await twxdata.fetch_search("python", limit=30, client=client,
                                                   progress=False)  # fmt: skip
                after = await twxdata.fetch_usage(days=3, client=client)
                return before, posts, after

        before, posts, after = twxdata.run(go())
    assert len(before) == 3 and len(after) == 3
    today = pd.Timestamp(datetime.now(timezone.utc).date(), tz="UTC")
    assert after["date"].iloc[-1] == today or after["date"].iloc[-1] == today - pd.Timedelta("1D")
    read = int(after["usage"].sum() - before["usage"].sum())
    assert read == len(posts) == 30
    assert after.attrs["project_usage"] - before.attrs["project_usage"] == 30
    assert after.attrs["project_cap"] in (None, 2_000_000)
