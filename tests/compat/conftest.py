"""Fixtures for the tweepy-compatible client: a fresh fake API per test (writes mutate it),
ids of useful corpus objects, and clients acting as two different accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from compat.support import END, USER_TOKEN, Ids, make_client, pick_ids

from twxdata.compat import AsyncClient
from twxdata.testing import Corpus, FakeXApi


@pytest.fixture
async def api() -> AsyncIterator[FakeXApi]:
    corpus = Corpus(seed=5, size=3_000, end=END)
    ids = pick_ids(corpus)
    async with FakeXApi(
        corpus, limits=10**6, min_interval=0.0, user_tokens={USER_TOKEN: ids.me}
    ) as server:
        yield server


@pytest.fixture
def ids(api: FakeXApi) -> Ids:
    return pick_ids(api.corpus)


@pytest.fixture
async def client(api: FakeXApi, ids: Ids) -> AsyncIterator[AsyncClient]:
    async with make_client(api, ids.me) as c:
        yield c


@pytest.fixture
async def other(api: FakeXApi, ids: Ids) -> AsyncIterator[AsyncClient]:
    """A second account (``ids.other``)."""
    async with make_client(api, ids.other) as c:
        yield c


@pytest.fixture
async def user_client(api: FakeXApi) -> AsyncIterator[AsyncClient]:
    """Only an OAuth 2.0 user access token (bookmarks accept nothing else)."""
    async with AsyncClient(bearer_token=USER_TOKEN, api_base=api.url) as c:
        yield c
