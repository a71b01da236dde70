"""Every test runs with an empty config folder of its own, never the developer's, and a
cache folder of its own (rate-limit budgets learnt by one test, keyed by a loopback port that
a later test may reuse, must not make that test wait).

Saved credentials (``twxdata configure``) are read by every ``Client`` and
``Credentials.load``; a developer's real token must neither change what tests see nor be sent
to a loopback server. Set in ``os.environ`` before any test so subprocesses and Jupyter kernels
inherit it; ``XDG_CONFIG_HOME`` too, for subprocesses that drop ``TWXDATA_*`` variables.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

_folder = tempfile.mkdtemp(prefix="twxdata-test-config-")
_NAMES = ("TWXDATA_CONFIG_DIR", "XDG_CONFIG_HOME", "TWXDATA_CACHE_DIR", "XDG_CACHE_HOME")
_saved = {name: os.environ.get(name) for name in _NAMES}


def pytest_configure(config):
    os.environ["TWXDATA_CONFIG_DIR"] = os.path.join(_folder, "twxdata")
    os.environ["XDG_CONFIG_HOME"] = _folder
    os.environ["TWXDATA_CACHE_DIR"] = os.path.join(_folder, "cache")
    os.environ["XDG_CACHE_HOME"] = os.path.join(_folder, "xdg-cache")


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TWXDATA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def pytest_unconfigure(config):
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(_folder, ignore_errors=True)
