"""``twxdata configure``: prompts without echo, saves privately, shows, tests and clears."""

from __future__ import annotations

import os
import stat

import pytest

from twxdata.cli import main
from twxdata.config import credentials_path, load_saved
from twxdata.testing import FakeXApi

SECRET = "BEARER-SECRET-cli-9911"
KEYS = ["ck-SECRET-1", "cs-SECRET-2", "77-SECRET-3", "ats-SECRET-4"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ("BEARER_TOKEN", "CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN",
                 "ACCESS_TOKEN_SECRET", "API_BASE"):  # fmt: skip
        monkeypatch.delenv(f"TWXDATA_{name}", raising=False)
    yield
    main(["configure", "--clear"])


def answer(monkeypatch, secrets, api_base=""):
    prompts = []
    answers = iter(secrets)

    def fake_getpass(prompt=""):
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("builtins.input", lambda prompt="": api_base)
    return prompts


def test_configure_prompts_without_echo_and_saves_a_private_file(monkeypatch, capsys):
    prompts = answer(monkeypatch, [SECRET, *KEYS], api_base="http://127.0.0.1:9")
    assert main(["configure"]) == 0
    out = capsys.readouterr().out
    assert len(prompts) == 5 and prompts[0].startswith("bearer token [Enter skips]")
    path = credentials_path()
    assert f"saved to {path}" in out and "bearer token: set" in out
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "SECRET" not in out
    saved = load_saved()
    assert saved.get("bearer_token").reveal() == SECRET
    assert saved.get("access_token").reveal() == KEYS[2] and saved.api_base == "http://127.0.0.1:9"


def test_enter_keeps_saved_values_and_dash_resets_the_api_base(monkeypatch, capsys):
    answer(monkeypatch, [SECRET, "", "", "", ""], api_base="http://127.0.0.1:9")
    main(["configure"])
    prompts = answer(monkeypatch, ["", *KEYS], api_base="-")
    assert main(["configure"]) == 0
    assert prompts[0].startswith("bearer token [saved; Enter keeps it]")
    saved = load_saved()
    assert saved.get("bearer_token").reveal() == SECRET and saved.get("consumer_key") is not None
    assert saved.api_base is None


def test_show_says_set_or_not_and_never_a_value(monkeypatch, capsys):
    answer(monkeypatch, [SECRET, "", "", "", ""])
    main(["configure"])
    monkeypatch.setenv("TWXDATA_CONSUMER_KEY", "ck-from-env-SECRET")
    capsys.readouterr()
    assert main(["configure", "--show"]) == 0
    out = capsys.readouterr().out
    assert "bearer token: set\n" in out and "access token: not set" in out
    assert "TWXDATA_CONSUMER_KEY is set and takes precedence" in out
    assert "SECRET" not in out and SECRET[-4:] not in out


def test_clear_removes_the_saved_credentials(monkeypatch, capsys):
    answer(monkeypatch, [SECRET, "", "", "", ""])
    main(["configure"])
    assert main(["configure", "--clear"]) == 0
    assert "removed saved bearer_token" in capsys.readouterr().out
    assert not credentials_path().exists()
    main(["configure", "--clear"])
    assert "nothing was saved" in capsys.readouterr().out


def test_test_names_the_account_or_shows_the_api_error(monkeypatch, capsys):
    with FakeXApi(seed=1, size=500) as api:
        answer(monkeypatch, [SECRET, "", "", "", ""], api_base=api.url)
        main(["configure"])
        capsys.readouterr()
        assert main(["configure", "--test"]) == 0
        me = api.user_of(SECRET)
        assert f"bearer token: @{me['username']} ({me['id']})" in capsys.readouterr().out
        monkeypatch.setenv("TWXDATA_BEARER_TOKEN", "bad-token")  # the environment wins
        assert main(["configure", "--test"]) == 1
        assert "bearer token: 401 Unauthorized" in capsys.readouterr().out


def test_test_accepts_an_app_only_token_without_an_account(capsys):
    # With strict auth the fake API, like X, refuses /2/users/me to app-only tokens (403).
    with FakeXApi(seed=1, size=500, strict_auth=True) as api:
        assert main(["configure", "--test", "--api-base", api.url]) == 1  # nothing set yet
        assert "credentials: none set" in capsys.readouterr().out
        os.environ["TWXDATA_BEARER_TOKEN"] = "app-token"
        try:
            assert main(["configure", "--test", "--api-base", api.url]) == 0
        finally:
            del os.environ["TWXDATA_BEARER_TOKEN"]
    out = capsys.readouterr().out
    assert "bearer token: app-only bearer token accepted" in out
    assert [r.endpoint for r in api.stats.log][-2:] == ["get_me", "get_user_by_username"]
