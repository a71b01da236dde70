"""Ways a cost setting could waste money, refused before any request (exit status 2, one line):
prices that are not finite numbers, a cap that cannot be counted or pays for nothing, an
estimate that would cost more than it is worth, an estimate without credentials; and what a
capped run says and records when nothing is kept, and when it hydrates."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import twxdata
from twxdata.errors import ParameterError
from twxdata.store.provenance import read_provenance
from twxdata.testing import Corpus, FakeXApi

pytestmark = pytest.mark.filterwarnings("ignore::twxdata.collect.call.PartialErrors")


@pytest.fixture(scope="module")
def api():
    with FakeXApi(Corpus(seed=8, size=6_000), credits=100.0) as server:
        yield server


def cli(api: FakeXApi | None, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWXDATA_")}
    env |= {"TWXDATA_CONFIG_DIR": str(tmp_path / "config"), "TWXDATA_CACHE_DIR": str(tmp_path)}
    if api is not None:
        env |= {"TWXDATA_BEARER_TOKEN": api.bearer_token, "TWXDATA_API_BASE": api.url}
    return subprocess.run([sys.executable, "-m", "twxdata", *args], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "prices", ["post=nan", "post=inf", "post=1e400", "user=-1", "=0.1", "post=1,post=2",
               "monthly_post_cap=1.5", "post=1_0", "post=\u0661"],
)  # fmt: skip
def test_prices_that_are_not_finite_amounts_are_refused(tmp_path: Path, prices: str) -> None:
    result = cli(None, tmp_path, "configure", "--prices", prices)
    assert result.returncode == 2 and one_line(result).startswith("twxdata configure: error: --")
    assert not (tmp_path / "config" / "spending.json").exists()


def test_price_pairs_change_only_the_prices_they_name(tmp_path: Path) -> None:
    assert cli(None, tmp_path, "configure", "--prices", "user=0.009").returncode == 0
    assert cli(None, tmp_path, "configure", "--prices", "post=0.004").returncode == 0
    shown = cli(None, tmp_path, "configure", "--show").stdout
    assert "your overrides: post=0.004, user=0.009" in shown


def test_a_cap_that_cannot_be_counted_or_pays_for_nothing_sends_nothing(
    api: FakeXApi, tmp_path: Path
) -> None:
    before = api.stats.total
    small = cli(api, tmp_path, "search", "the", "--max-cost", "0.04", "-o", "x.parquet")
    assert small.returncode == 2
    assert "--max-cost: does not pay for the smallest page, $0.050" in one_line(small)
    lookups = cli(api, tmp_path, "tweets", "1", "2", "3", "--max-cost", "0.01", "-o", "t.parquet")
    assert lookups.returncode == 2 and "$0.015" in one_line(lookups)
    assert cli(api, tmp_path, "configure", "--tier", "pro").returncode == 0
    legacy = cli(api, tmp_path, "followers", "@someone", "--max-cost", "5", "-o", "f.parquet")
    assert legacy.returncode == 2 and "--max-cost: cannot be counted" in one_line(legacy)
    assert api.stats.total == before  # not even the @name was looked up
    assert not list(tmp_path.glob("*.parquet")) and not (tmp_path / "unsaved").exists()


def test_a_huge_cap_is_no_cap_and_an_infinite_one_is_refused(api: FakeXApi, tmp_path: Path) -> None:
    huge = cli(api, tmp_path, "search", "the", "--max-cost", "1e308", "--limit", "20", "-o",
               "h.parquet")  # fmt: skip
    assert huge.returncode == 0 and "Traceback" not in huge.stderr, huge.stderr
    infinite = cli(api, tmp_path, "search", "the", "--max-cost", "inf")
    assert infinite.returncode == 2 and "must be a finite amount" in infinite.stderr
    for odd in ("1_0", "\u0661", "5 dollars"):  # Python's float() takes the first two
        refused = cli(api, tmp_path, "search", "the", "--max-cost", odd)
        assert refused.returncode == 2 and "not an amount of US dollars" in refused.stderr
    negative = cli(api, tmp_path, "search", "the", "--max-cost=-1")  # what is allowed, said
    assert negative.returncode == 2 and "must be more than 0 dollars, got -1" in negative.stderr
    with pytest.raises(ParameterError, match="max_cost: must be a finite number"):
        twxdata.fetch_search_sync("the", max_cost=float("inf"))


def test_a_capped_run_to_stdout_says_nothing_is_kept(api: FakeXApi, tmp_path: Path) -> None:
    result = cli(api, tmp_path, "search", "the", "--max-cost", "0.1")
    assert result.returncode == 0
    assert "nothing kept to continue from: with --raw FILE, or -o" in result.stderr
    assert "the same command with a higher cap continues" not in result.stderr


def test_an_estimate_too_costly_or_without_credentials_sends_nothing(
    api: FakeXApi, tmp_path: Path
) -> None:
    before = api.stats.total
    everything = ["estimate", "search", "the", "--archive", "--start-time", "2006-03-21"]
    costly = cli(api, tmp_path, *everything)
    assert costly.returncode == 2
    assert "--max-estimate-cost: sizing this collection takes up to" in one_line(costly)
    nobody = cli(None, tmp_path, "estimate", "search", "the")
    assert nobody.returncode == 2 and "no credentials" in one_line(nobody)
    assert api.stats.total == before
    allowed = cli(api, tmp_path, *everything, "--max-estimate-cost", "5", "--json")
    assert allowed.returncode == 0, allowed.stderr
    assert api.stats.count("get_all_tweets_count") > 100  # what the refusal spared


def test_a_capped_hydration_tells_what_was_not_looked_up_and_what_it_cost(
    api: FakeXApi, tmp_path: Path
) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("".join(f"{api.corpus.tweet(i)['id']}\n" for i in range(250)))
    out = tmp_path / "h.parquet"
    refused = cli(api, tmp_path, "hydrate", str(ids), "--max-cost", "0.3", "-o", str(out))
    assert refused.returncode == 2 and "does not pay for the first batch" in one_line(refused)
    assert not list(tmp_path.glob("h.parquet*"))  # no archive, no checkpoint, no table
    capped = cli(api, tmp_path, "hydrate", str(ids), "--max-cost", "1", "-o", str(out))
    assert capped.returncode == 0, capped.stderr
    # Deleted and protected posts are not charged: the first batch leaves room for a second
    # (its worst case, $0.50, fits), not for a third.
    assert "50 not looked up yet: stopped at the spend cap" in capped.stderr
    assert "no reason given" not in capped.stderr and "charged at most $" in capped.stderr
    record = read_provenance(out)
    rows = len(twxdata.read_parquet(out))
    assert record is not None and record["rows"] == rows and 150 < rows < 200
    assert record["complete"] is False and record["cost"]["cap_usd"] == 1.0
    spent = cli(api, tmp_path, "hydrate", str(ids), "--max-cost", "1", "-o", str(out))
    assert spent.returncode == 2
    assert "less than the next batch ($0.25): a higher one continues" in one_line(spent)
    done = cli(api, tmp_path, "hydrate", str(ids), "--max-cost", "3", "-o", str(out))
    assert done.returncode == 0 and "not looked up" not in done.stderr
    assert read_provenance(out)["complete"] is True  # type: ignore[index]


def test_a_sync_call_s_error_is_not_chained_to_the_missing_loop() -> None:
    with pytest.raises(ParameterError) as raised:
        twxdata.fetch_usage_sync(days=0)
    assert raised.value.__context__ is None


def test_a_free_price_is_a_price_and_a_cap_with_too_little_left_says_what_is_left(
    api: FakeXApi, tmp_path: Path
) -> None:
    assert cli(api, tmp_path, "configure", "--prices", "post=0").returncode == 0
    free = cli(api, tmp_path, "search", "the", "--max-cost", "0.01", "--limit", "20")
    assert free.returncode == 0, free.stderr  # 0 counts: nothing is charged, nothing capped
    assert cli(api, tmp_path, "configure", "--prices", "").returncode == 0
    first = cli(api, tmp_path, "search", "the", "--max-cost", "0.25", "-o", "p.parquet")
    assert first.returncode == 0 and "stopped at the --max-cost of $0.25" in first.stderr
    again = cli(api, tmp_path, "search", "the", "--max-cost", "0.27", "-o", "p.parquet")
    assert again.returncode == 2
    assert ("--max-cost: leaves $0.02 after earlier runs of this collection (counted as "
            "$0.25), less than the smallest page ($0.05)") in one_line(again)  # fmt: skip


def test_hydrate_without_credentials_leaves_no_file(tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("1\n2\n")
    result = cli(None, tmp_path, "hydrate", str(ids), "-o", str(tmp_path / "h.parquet"))
    assert result.returncode == 2 and "no credentials" in one_line(result)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["ids.txt"]
