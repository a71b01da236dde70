"""Saved credentials: private files written atomically, the keyring, and loading order."""

from __future__ import annotations

import os
import stat
import sys
import types

import pytest

from twxdata import config
from twxdata.auth import Credentials, Secret
from twxdata.client import Client
from twxdata.config import (
    ConfigError,
    clear_credentials,
    config_dir,
    credentials_path,
    load_saved,
    save_credentials,
)
from twxdata.settings import configured_client, load_credentials

SECRET = "BEARER-VERY-SECRET-0001"
KEYS = {
    "consumer_key": "ck-SECRET-1",
    "consumer_secret": "cs-SECRET-2",
    "access_token": "42-SECRET-3",
    "access_token_secret": "ats-SECRET-4",
}


@pytest.fixture
def env(tmp_path):
    return {"TWXDATA_CONFIG_DIR": str(tmp_path / "cfg")}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_config_folder_follows_the_environment(tmp_path):
    assert config_dir({"TWXDATA_CONFIG_DIR": "/x/y"}).as_posix() == "/x/y"
    assert config_dir({"XDG_CONFIG_HOME": "/x"}).as_posix() == "/x/twxdata"
    assert config_dir({"HOME": "/home/u"}).as_posix() == "/home/u/.config/twxdata"
    # An explicit environment without any of these locates nothing: no accidental reads.
    assert config_dir({}) is None
    assert load_saved({}).empty
    with pytest.raises(ConfigError):
        credentials_path({})


def test_saved_file_is_private_complete_and_reads_back(env, tmp_path):
    saved = save_credentials(
        bearer_token=SECRET, **KEYS, api_base="http://127.0.0.1:9/", environ=env, save_loopback=True
    )
    path = credentials_path(env)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert saved.location == f"file {path}"
    assert [p.name for p in path.parent.iterdir()] == ["credentials.json"]  # no temp files
    again = load_saved(env)
    assert again.get("bearer_token") == Secret(SECRET)
    assert {n: again.get(n).reveal() for n in KEYS} == KEYS
    assert again.api_base == "http://127.0.0.1:9"
    for text in (repr(saved), repr(again), str(again)):
        assert "SECRET" not in text and "set" in text


def test_the_temporary_file_is_private_from_its_creation(env, monkeypatch):
    # The secret must never sit in a file others can read, not even before the rename.
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(mode(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save_credentials(bearer_token=SECRET, environ=env)
    assert seen == [0o600]


def test_a_loose_existing_folder_is_tightened(env):
    folder = config_dir(env)
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    save_credentials(bearer_token=SECRET, environ=env)
    assert mode(folder) == 0o700


def test_merge_keeps_earlier_values_and_empty_api_base_removes_it(env):
    save_credentials(
        bearer_token=SECRET, api_base="http://127.0.0.1:9", environ=env, save_loopback=True
    )
    merged = save_credentials(**KEYS, environ=env)
    assert merged.get("bearer_token") is not None and merged.get("consumer_key") is not None
    assert merged.api_base == "http://127.0.0.1:9"
    assert save_credentials(api_base="", environ=env).api_base is None
    replaced = save_credentials(bearer_token="other", merge=False, environ=env)
    assert replaced.get("consumer_key") is None


def test_api_base_with_credentials_is_refused(env):
    with pytest.raises(Exception, match="api_base"):
        save_credentials(api_base="https://user:pw@api.x.com", environ=env)
    assert not credentials_path(env).exists()


def test_clear_removes_everything(env):
    save_credentials(
        bearer_token=SECRET, api_base="http://127.0.0.1:9", environ=env, save_loopback=True
    )
    assert clear_credentials(env) == ["bearer_token", "api_base"]
    assert not credentials_path(env).exists() and load_saved(env).empty
    assert clear_credentials(env) == []


def test_broken_or_loose_files_warn_and_never_crash(env):
    path = credentials_path(env)
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    os.chmod(path, 0o600)
    with pytest.warns(RuntimeWarning, match="not a twxdata credentials file"):
        assert load_saved(env).empty
    path.write_text(f'{{"bearer_token": "{SECRET}"}}')
    os.chmod(path, 0o644)
    with pytest.warns(RuntimeWarning, match="chmod 600") as caught:
        assert load_saved(env).get("bearer_token") is not None
    assert SECRET not in str(caught[0].message)


def test_load_order_is_arguments_then_environment_then_saved(env):
    save_credentials(bearer_token="saved-bearer", **KEYS, environ=env)
    from_saved = load_credentials(environ=env)
    assert from_saved.bearer.token.reveal() == "saved-bearer"
    assert from_saved.oauth1.access_token.reveal() == KEYS["access_token"]
    from_env = load_credentials(environ={**env, "TWXDATA_BEARER_TOKEN": "env-bearer"})
    assert from_env.bearer.token.reveal() == "env-bearer"
    assert from_env.oauth1 is not None  # the other fields still come from the saved file
    from_args = load_credentials("arg-bearer", environ={**env, "TWXDATA_BEARER_TOKEN": "env"})
    assert from_args.bearer.token.reveal() == "arg-bearer"
    # auth reads no file: without twxdata.settings, only arguments and the environment count
    assert Credentials.load(environ=env).empty


async def test_clients_use_the_saved_api_base_after_argument_and_environment(monkeypatch):
    save_credentials(
        bearer_token="t", api_base="http://127.0.0.1:7", save_loopback=True
    )  # the test config dir
    try:
        monkeypatch.delenv("TWXDATA_API_BASE", raising=False)
        assert configured_client().api_base == "http://127.0.0.1:7"
        assert configured_client().credentials.bearer is not None
        assert configured_client(api_base="http://127.0.0.1:8").api_base == "http://127.0.0.1:8"
        monkeypatch.setenv("TWXDATA_API_BASE", "http://127.0.0.1:6")
        assert configured_client().api_base == "http://127.0.0.1:6"
        # A Client itself reads no file: arguments and the environment only.
        assert Client().api_base == "http://127.0.0.1:6"
        monkeypatch.delenv("TWXDATA_API_BASE")
        assert Client().api_base == "https://api.x.com" and Client().credentials.empty
    finally:
        clear_credentials()


class FakeKeyring(types.ModuleType):
    """Just enough of the ``keyring`` package: a backend with priority and a dict."""

    def __init__(self, priority: float = 5):
        super().__init__("keyring")
        self.store: dict[tuple[str, str], str] = {}
        self.backend = type("MemoryKeyring", (), {"priority": priority})()

    def get_keyring(self):
        return self.backend

    def get_password(self, service, name):
        return self.store.get((service, name))

    def set_password(self, service, name, value):
        self.store[(service, name)] = value

    def delete_password(self, service, name):
        del self.store[(service, name)]


def test_keyring_keeps_the_secrets_and_the_file_only_says_so(env, monkeypatch):
    keyring = FakeKeyring()
    monkeypatch.setitem(sys.modules, "keyring", keyring)
    saved = save_credentials(bearer_token=SECRET, api_base="http://127.0.0.1:9", store="keyring",
                             save_loopback=True, environ=env)  # fmt: skip
    assert saved.location == "keyring (MemoryKeyring)"
    text = credentials_path(env).read_text()
    assert SECRET not in text and '"keyring"' in text
    assert SECRET in next(iter(keyring.store.values()))
    assert load_saved(env).get("bearer_token") == Secret(SECRET)
    # Going back to the file leaves no copy in the keyring; clearing empties both.
    save_credentials(store="file", environ=env)
    assert not keyring.store and SECRET in credentials_path(env).read_text()
    save_credentials(store="keyring", environ=env)
    clear_credentials(env)
    assert not keyring.store and not credentials_path(env).exists()


def test_auto_store_prefers_a_usable_keyring_unless_the_folder_is_pinned(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring())
    home = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert save_credentials(bearer_token="x", environ=home).location.startswith("keyring")
    pinned = {"TWXDATA_CONFIG_DIR": str(tmp_path / "pinned")}
    assert save_credentials(bearer_token="x", environ=pinned).location.startswith("file")
    # A keyring package without a real backend (priority 0) is not usable.
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring(priority=0))
    assert config.keyring_backend() is None
    with pytest.raises(ConfigError, match="keyring is not available"):
        save_credentials(bearer_token="x", store="keyring", environ=home)


def test_secrets_saved_in_a_keyring_that_is_gone_are_ignored_with_a_warning(env, monkeypatch):
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring())
    save_credentials(bearer_token=SECRET, store="keyring", environ=env)
    monkeypatch.setitem(sys.modules, "keyring", None)  # uninstalled: import fails
    with pytest.warns(RuntimeWarning, match="no keyring is usable"):
        assert load_saved(env).get("bearer_token") is None


def test_a_loopback_api_base_is_saved_only_when_asked(tmp_path):
    # A fake API's address saved by a notebook's Save would send tomorrow's commands to a
    # dead port; `twxdata configure --api-base URL` asks for it explicitly.
    env = {"TWXDATA_CONFIG_DIR": str(tmp_path)}
    saved = save_credentials(bearer_token=SECRET, api_base="https://api.example.org", environ=env)
    assert saved.api_base == "https://api.example.org"
    kept = save_credentials(api_base="http://127.0.0.1:41237", environ=env)
    assert kept.api_base == "https://api.example.org" and kept.get("bearer_token") is not None
    assert save_credentials(api_base="http://localhost:8000", environ=env).api_base == (
        "https://api.example.org"
    )
    asked = save_credentials(api_base="http://[::1]:8000", save_loopback=True, environ=env)
    assert asked.api_base == "http://[::1]:8000"
