"""A fake X API shared by the collect tests (read-only use), and a client on it."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def api():
    with FakeXApi(Corpus(seed=11, size=20_000, end=END)) as server:
        yield server


@pytest.fixture
async def client(api):
    from twxdata.client import Client
    from twxdata.protocol.retry import RetryPolicy

    retry = RetryPolicy(backoff_base=0.01)
    async with Client(
        bearer_token=api.bearer_token, api_base=api.url, retry=retry, rate_limit_margin=0.1
    ) as c:
        yield c
