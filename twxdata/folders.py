"""Where twxdata keeps things in the user's home: settings, and what it learns between runs.

Separate from ``twxdata.config`` (which reads and writes the saved credentials, and so loads
``auth`` and oauthlib): the archive lock, the rate-limit cache and the command line's spool only
need to know where the folders are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def config_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder holding twxdata's saved settings (None if ``environ`` cannot locate one).

    An explicit ``environ`` is the whole world: without ``TWXDATA_CONFIG_DIR``,
    ``XDG_CONFIG_HOME`` or ``HOME`` in it there is no config folder, so code that passes its
    own environment never reads the real user's credentials by accident.

    >>> str(config_dir({"TWXDATA_CONFIG_DIR": "/tmp/cfg"}))
    '/tmp/cfg'
    >>> str(config_dir({"XDG_CONFIG_HOME": "/home/me/.config"}))
    '/home/me/.config/twxdata'
    >>> config_dir({}) is None
    True
    """
    env = os.environ if environ is None else environ
    if env.get("TWXDATA_CONFIG_DIR"):
        return Path(env["TWXDATA_CONFIG_DIR"]).expanduser()
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "twxdata"
    if env.get("HOME"):
        return Path(env["HOME"]) / ".config" / "twxdata"
    if environ is None:
        try:
            return Path.home() / ".config" / "twxdata"
        except RuntimeError:  # no home directory at all (some containers)
            return None
    return None


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """The folder for what twxdata learns and keeps between runs that is not a setting:
    rate-limit budgets, responses kept while an output is written. Like ``config_dir``, an
    explicit ``environ`` is the whole world.

    >>> str(cache_dir({"TWXDATA_CACHE_DIR": "/tmp/c"})), str(cache_dir({"HOME": "/home/me"}))
    ('/tmp/c', '/home/me/.cache/twxdata')
    """
    env = os.environ if environ is None else environ
    if env.get("TWXDATA_CACHE_DIR"):
        return Path(env["TWXDATA_CACHE_DIR"]).expanduser()
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]).expanduser() / "twxdata"
    if env.get("HOME"):
        return Path(env["HOME"]) / ".cache" / "twxdata"
    if environ is None:
        try:
            return Path.home() / ".cache" / "twxdata"
        except RuntimeError:  # no home directory at all (some containers)
            return None
    return None
