"""Every test runs with an empty config folder of its own, never the developer's.

Saved credentials (``twxdata configure``) are read by every ``Client`` and
``Credentials.load``; a developer's real token must neither change what tests see nor be sent
to a loopback server. Set in ``os.environ`` before any test so subprocesses and Jupyter kernels
inherit it; ``XDG_CONFIG_HOME`` too, for subprocesses that drop ``TWXDATA_*`` variables.
"""

from __future__ import annotations

import os
import shutil
import tempfile

_folder = tempfile.mkdtemp(prefix="twxdata-test-config-")
_saved = {name: os.environ.get(name) for name in ("TWXDATA_CONFIG_DIR", "XDG_CONFIG_HOME")}


def pytest_configure(config):
    os.environ["TWXDATA_CONFIG_DIR"] = os.path.join(_folder, "twxdata")
    os.environ["XDG_CONFIG_HOME"] = _folder


def pytest_unconfigure(config):
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(_folder, ignore_errors=True)
