"""The batch compliance flow against the fake API: report and cleaned copies."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pyarrow.parquet as pq
import pytest

import twxdata
from twxdata.client import Client
from twxdata.errors import ParameterError
from twxdata.sharing.compliance import compliance
from twxdata.testing import Corpus, FakeXApi

END = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
async def setup(tmp_path):
    async with FakeXApi(Corpus(seed=61, size=10_000, end=END)) as api:
        async with Client(bearer_token=api.bearer_token, api_base=api.url) as client:
            c = await twxdata.collect_search(
                "the",
                start_time="2024-04-24",
                limit=300,
                raw=tmp_path / "raw.jsonl",
                client=client,
                progress=False,
            )
            c.to_parquet(tmp_path / "files")
            c.to_dataset(tmp_path / "dataset")
            posts = c.tweets.drop_duplicates("id").reset_index(drop=True)
            deleted = list(posts["id"][:5])
            for tweet_id in deleted:
                api.corpus.delete_tweet(tweet_id)
            author = posts["author_id"][10]
            api.corpus.protect_user(author)
            protected = set(posts.loc[posts["author_id"] == author, "id"]) - set(deleted)
            yield api, client, tmp_path, set(deleted), protected


async def test_report_and_cleaned_parquet(setup):
    _api, client, folder, deleted, protected = setup
    result = await compliance(
        folder / "files" / "tweets.parquet",
        report=folder / "r.csv",
        apply=folder / "clean.parquet",
        client=client,
        poll_interval=0.01,
    )
    report = pd.read_csv(folder / "r.csv", dtype={"id": str})
    removed = deleted | protected
    assert set(report["id"]) >= removed
    reasons = dict(zip(report["id"], report["reason"], strict=True))
    assert {reasons[i] for i in deleted} == {"deleted"}
    assert {reasons[i] for i in protected} == {"protected"}
    clean = pq.read_table(folder / "clean.parquet").column("id").to_pylist()
    original = pq.read_table(folder / "files" / "tweets.parquet").column("id").to_pylist()
    assert set(clean) == set(original) - set(report["id"])
    assert result.to_remove == len(report) and "must be removed" in result.summary
    assert len(pq.read_table(folder / "files" / "tweets.parquet")) == len(original)  # untouched


async def test_cleaned_dataset_and_archive(setup):
    _api, client, folder, deleted, protected = setup
    await compliance(
        folder / "dataset" / "tweets", apply=folder / "clean-ds", client=client, poll_interval=0.01
    )
    left = set(twxdata.read_parquet(folder / "clean-ds")["id"])
    assert not left & deleted and left
    await compliance(
        folder / "raw.jsonl", apply=folder / "clean.jsonl", client=client, poll_interval=0.01
    )
    lines = [json.loads(line) for line in (folder / "clean.jsonl").read_text().splitlines()]
    kept = {t["id"] for line in lines for t in line.get("data", [])}
    assert not kept & (deleted | protected) and kept
    assert all("__twxdata" in line for line in lines)


async def test_the_input_is_never_the_output(setup):
    _api, client, folder, *_ = setup
    with pytest.raises(ParameterError, match="apply"):
        await compliance(folder / "raw.jsonl", apply=folder / "raw.jsonl", client=client)


def test_compliance_verb(tmp_path):
    import os
    import subprocess
    import sys

    with FakeXApi(Corpus(seed=62, size=3_000, end=END)) as api:
        ids = tmp_path / "ids.txt"
        first = api.corpus.tweet(0)["id"]
        ids.write_text(f"{first}\n1\n")
        api.corpus.delete_tweet(first)
        env = {**os.environ, "TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
        result = subprocess.run(
            [sys.executable, "-m", "twxdata", "compliance", str(ids), "--poll", "0.01"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    assert result.returncode == 0, result.stderr
    assert "2 of 2 posts must be removed (2 deleted)" in result.stderr
    assert (tmp_path / "ids.txt.compliance.csv").read_text().count("deleted") == 2
