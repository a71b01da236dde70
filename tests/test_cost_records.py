"""What a capped collection tells afterwards: the warning a DataFrame cannot carry, and the
cost and completeness that travel from its checkpoint into `twxdata flatten`'s Parquet and
`twxdata info`."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import twxdata
from twxdata.cli import main
from twxdata.client import Client
from twxdata.protocol.retry import RetryPolicy
from twxdata.store.provenance import read_provenance
from twxdata.testing import Corpus, FakeXApi

pytestmark = pytest.mark.filterwarnings("ignore::twxdata.collect.call.PartialErrors")


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus(seed=21, size=8_000)


def client_of(api: FakeXApi) -> Client:
    return Client(
        bearer_token=api.bearer_token, api_base=api.url, retry=RetryPolicy(backoff_base=0.01)
    )


async def test_a_capped_fetch_warns_how_to_continue(corpus: Corpus, tmp_path: Path) -> None:
    async with FakeXApi(corpus, credits=10.0) as api, client_of(api) as client:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            frame = await twxdata.fetch_search(
                "the", start_time="5d", max_cost=0.30, client=client, progress=False
            )
            raw = tmp_path / "r.jsonl"
            await twxdata.fetch_search(
                "the", start_time="5d", max_cost=0.30, raw=raw, client=client, progress=False
            )
    said = [str(w.message) for w in caught if w.category is twxdata.CostCapReached]
    assert len(frame) == 60
    assert len(said) == 2
    assert said[0].startswith("stopped at max_cost=$0.30 after 60 items")
    assert "pass raw=FILE" in said[0]  # without an archive a higher cap starts over
    assert f"continues from {raw}" in said[1]


async def test_flatten_and_info_carry_the_checkpoint_s_cost_and_completeness(
    corpus: Corpus, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "r.jsonl"
    async with FakeXApi(corpus, credits=10.0) as api:
        async with client_of(api) as client:
            capped = await twxdata.collect_search(
                "the", start_time="5d", max_cost=0.25, raw=raw, client=client, progress=False
            )
        assert capped.capped
        assert main(["flatten", str(raw), "-o", str(tmp_path / "part.parquet")]) == 0
        part = read_provenance(tmp_path / "part.parquet")
        assert part is not None
        assert part["complete"] is False and "not finished" in part["incomplete"]
        assert part["cost"]["usd_low"] == pytest.approx(api.billing.spent)

        async with client_of(api) as client:
            whole = await twxdata.collect_search(
                "the", start_time="5d", raw=raw, client=client, progress=False
            )
        assert not whole.capped
        assert main(["flatten", str(raw), "-o", str(tmp_path / "all.parquet")]) == 0
        done = read_provenance(tmp_path / "all.parquet")
        assert done is not None
        assert done["complete"] is True and "incomplete" not in done
        assert done["cost"]["usd_low"] == pytest.approx(api.billing.spent)  # both runs
        capsys.readouterr()
        assert main(["info", str(raw)]) == 0
        assert f"cost_usd: {round(api.billing.spent, 6)}" in capsys.readouterr().out


def test_a_plain_archive_claims_no_cost(tmp_path: Path) -> None:
    # No checkpoint beside it: nothing is known of cost or completeness, so nothing is said.
    line = b'{"data": [{"id": "1", "text": "a"}], "meta": {"result_count": 1}}\n'
    (tmp_path / "p.jsonl").write_bytes(line)
    assert main(["flatten", str(tmp_path / "p.jsonl"), "-o", str(tmp_path / "p.parquet")]) == 0
    record = read_provenance(tmp_path / "p.parquet")
    assert record is not None and "cost" not in record and "complete" not in record
