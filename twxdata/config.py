"""Saved credentials: a private file in the user's config directory, or the system keyring.

Where: ``$TWXDATA_CONFIG_DIR/credentials.json`` if that variable is set, else
``$XDG_CONFIG_HOME/twxdata/credentials.json``, else ``~/.config/twxdata/credentials.json``.
The folder is made ``0700`` and the file is written atomically: a temporary file created
``0600`` (``tempfile.mkstemp``), synced, then renamed over the old one with ``os.replace``,
so no other user can read it at any moment and a crash never leaves half a file.

When the ``keyring`` package is installed and has a usable backend (and no
``TWXDATA_CONFIG_DIR`` pins the config to a folder, as tests do), ``store="auto"`` keeps the
secrets in the system keyring instead; the file then only records that, and the API base.
The keyring is never required: without it everything works with the file.

``Credentials.load`` reads what is saved here last: arguments, then ``TWXDATA_*`` environment
variables, then saved credentials. ``twxdata configure`` and the notebook widget's "Save"
button write here.

>>> import tempfile
>>> env = {"TWXDATA_CONFIG_DIR": tempfile.mkdtemp()}
>>> saved = save_credentials(bearer_token="AAAA-secret", environ=env)
>>> saved
SavedCredentials(bearer_token=set, consumer_key=not set, consumer_secret=not set, \
access_token=not set, access_token_secret=not set, api_base=None)
>>> load_saved(env).get("bearer_token").reveal()
'AAAA-secret'
>>> oct(credentials_path(env).stat().st_mode & 0o777)
'0o600'
>>> clear_credentials(env)
['bearer_token']
"""

from __future__ import annotations

import logging
import os
import stat
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from twxdata.atomic import atomic_write_bytes
from twxdata.auth import ENV_VARS, Secret
from twxdata.errors import TwxError
from twxdata.folders import cache_dir, config_dir
from twxdata.protocol.request import is_loopback, resolve_api_base

log = logging.getLogger("twxdata.config")

FIELDS: tuple[str, ...] = tuple(ENV_VARS)  # bearer_token, then the four OAuth 1.0a keys
LABELS = {
    "bearer_token": "bearer token",
    "consumer_key": "consumer key (API key)",
    "consumer_secret": "consumer secret (API key secret)",
    "access_token": "access token",
    "access_token_secret": "access token secret",
}
FILE_NAME = "credentials.json"
KEYRING_SERVICE = "twxdata"
FORMAT_VERSION = 1
Store = Literal["auto", "file", "keyring"]


class ConfigError(TwxError):
    """Saved credentials could not be written or removed."""


@dataclass(frozen=True, repr=False)
class SavedCredentials:
    """What is saved: the secrets that are set, the API base, and where they live.

    ``repr`` says which values are set, never the values.

    >>> SavedCredentials().empty
    True
    """

    secrets: Mapping[str, Secret] = field(default_factory=dict)
    api_base: str | None = None
    location: str = ""  # "file <path>" or "keyring (<backend>)"; "" when nothing is saved

    def get(self, name: str) -> Secret | None:
        """The saved ``name`` (one of ``FIELDS``), or None."""
        return self.secrets.get(name)

    @property
    def empty(self) -> bool:
        return not self.secrets and not self.api_base

    def __repr__(self) -> str:
        state = ", ".join(f"{n}={'set' if n in self.secrets else 'not set'}" for n in FIELDS)
        return f"SavedCredentials({state}, api_base={self.api_base!r})"


# ---- where -----------------------------------------------------------------------------------


def credentials_path(environ: Mapping[str, str] | None = None) -> Path:
    """The credentials file (raises ``ConfigError`` when no config folder can be found).

    >>> credentials_path({"TWXDATA_CONFIG_DIR": "/tmp/cfg"}).name
    'credentials.json'
    """
    folder = config_dir(environ)
    if folder is None:
        raise ConfigError("no config folder: set TWXDATA_CONFIG_DIR or HOME")
    return folder / FILE_NAME


# ---- the keyring (optional) ------------------------------------------------------------------


def keyring_backend() -> Any:
    """The ``keyring`` module when it is installed and has a real backend, else None.

    >>> keyring_backend() is None or hasattr(keyring_backend(), "get_password")
    True
    """
    try:
        import keyring
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
        # keyring's fail/null backends have priority <= 0: "installed" is not "usable".
        if float(getattr(backend, "priority", 0)) <= 0:
            return None
    except Exception:  # a broken keyring setup must not break loading credentials
        log.debug("keyring unusable", exc_info=True)
        return None
    return keyring


def _choose_store(store: Store, env: Mapping[str, str]) -> Literal["file", "keyring"]:
    if store == "file":
        return "file"
    if store == "keyring":
        if keyring_backend() is None:
            raise ConfigError("the system keyring is not available (pip install keyring)")
        return "keyring"
    # An explicit config folder means "keep it here" (tests, portable setups).
    if env.get("TWXDATA_CONFIG_DIR") or keyring_backend() is None:
        return "file"
    return "keyring"


def _keyring_name(path: Path) -> str:
    # One keyring entry per config file, so separate config folders stay separate.
    return f"credentials:{path}"


def _backend_name(keyring: Any) -> str:
    return type(keyring.get_keyring()).__name__


# ---- reading ---------------------------------------------------------------------------------


def _read_file(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            f"{path} can be read by other users; run: chmod 600 {path}",
            RuntimeWarning,
            stacklevel=4,
        )
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        warnings.warn(
            f"{path} is not a twxdata credentials file; ignored (twxdata configure --clear "
            "removes it)",
            RuntimeWarning,
            stacklevel=4,
        )
        return {}
    return data


def _secrets_from(data: Mapping[str, Any]) -> dict[str, Secret]:
    found = {}
    for name in FIELDS:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            found[name] = Secret(value)
    return found


def load_saved(environ: Mapping[str, str] | None = None) -> SavedCredentials:
    """What ``twxdata configure`` or the widget saved; empty when nothing is.

    Unreadable saves give a warning and count as empty: a broken file must not stop a
    collection that has its credentials from the environment.

    >>> load_saved({}).empty
    True
    """
    env = os.environ if environ is None else environ
    folder = config_dir(env)
    if folder is None:
        return SavedCredentials()
    path = folder / FILE_NAME
    data = _read_file(path)
    if not data:
        return SavedCredentials()
    api_base = data.get("api_base") if isinstance(data.get("api_base"), str) else None
    if data.get("store") == "keyring":
        keyring = keyring_backend()
        if keyring is None:
            warnings.warn(
                f"credentials were saved in the system keyring ({path} says so), but no "
                "keyring is usable now; they are ignored",
                RuntimeWarning,
                stacklevel=3,
            )
            return SavedCredentials(api_base=api_base, location=f"file {path}")
        try:
            blob = keyring.get_password(KEYRING_SERVICE, _keyring_name(path))
            stored = orjson.loads(blob) if blob else {}
        except Exception as exc:  # keyring errors vary by backend; never show their payload
            warnings.warn(
                f"could not read the system keyring ({type(exc).__name__})",
                RuntimeWarning,
                stacklevel=3,
            )
            stored = {}
        secrets = _secrets_from(stored if isinstance(stored, dict) else {})
        return SavedCredentials(secrets, api_base, f"keyring ({_backend_name(keyring)})")
    return SavedCredentials(_secrets_from(data), api_base, f"file {path}")


def saved_api_base(environ: Mapping[str, str] | None = None) -> str | None:
    """The saved API base, read from the file alone (never touches the keyring).

    >>> saved_api_base({}) is None
    True
    """
    folder = config_dir(environ)
    if folder is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # load_saved warns about the same file
        value = _read_file(folder / FILE_NAME).get("api_base")
    return value if isinstance(value, str) and value else None


def saved_api_base_location(environ: Mapping[str, str] | None = None) -> str:
    """Where a saved API base lives (for messages that say where an address came from)."""
    folder = config_dir(environ)
    return str(folder / FILE_NAME) if folder is not None else "the twxdata configuration"


# ---- writing ---------------------------------------------------------------------------------


def _private_folder(folder: Path) -> None:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkdir's mode is masked by the umask and ignored for an existing folder.
    os.chmod(folder, 0o700)


def save_credentials(
    values: Mapping[str, str | Secret | None] | None = None,
    /,
    *,
    bearer_token: str | Secret | None = None,
    consumer_key: str | Secret | None = None,
    consumer_secret: str | Secret | None = None,
    access_token: str | Secret | None = None,
    access_token_secret: str | Secret | None = None,
    api_base: str | None = None,
    merge: bool = True,
    store: Store = "auto",
    environ: Mapping[str, str] | None = None,
    save_loopback: bool = False,
) -> SavedCredentials:
    """Save credentials; returns what is saved now (``repr`` shows only which are set).

    ``values`` maps names of ``FIELDS`` to values, like the keywords (which win). With
    ``merge`` (the default) a value left ``None`` keeps what was saved before;
    ``api_base=""`` removes a saved API base. ``store`` is ``"file"``, ``"keyring"``, or
    ``"auto"`` (the keyring when usable, see the module docstring).

    A loopback ``api_base`` (a fake API on this machine, which will be gone tomorrow) is not
    saved unless ``save_loopback=True``: saved, it would send every later command to a dead
    port. What was saved before is kept then.

    >>> import tempfile
    >>> env = {"TWXDATA_CONFIG_DIR": tempfile.mkdtemp()}
    >>> save_credentials(bearer_token="one", api_base="http://127.0.0.1:8000", environ=env).api_base
    >>> _ = save_credentials(api_base="http://127.0.0.1:8000", save_loopback=True, environ=env)
    >>> save_credentials(consumer_key="two", environ=env).api_base
    'http://127.0.0.1:8000'
    """
    env = os.environ if environ is None else environ
    path = credentials_path(env)
    keywords = {
        "bearer_token": bearer_token,
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "access_token": access_token,
        "access_token_secret": access_token_secret,
    }
    unknown = set(values or {}) - set(FIELDS)
    if unknown:
        raise TypeError(f"unknown credentials {sorted(unknown)}; expected names of {FIELDS}")
    given = {n: keywords[n] if keywords[n] is not None else (values or {}).get(n) for n in FIELDS}
    chosen = _choose_store(store, env)  # first: an unusable keyring changes nothing
    before = load_saved(env) if merge else SavedCredentials()
    texts: dict[str, str] = {}
    for name in FIELDS:
        value = given[name]
        if value is None:
            kept = before.get(name)
            if kept is not None:
                texts[name] = kept.reveal()
        else:
            text = value.reveal() if isinstance(value, Secret) else str(value).strip()
            if text:
                texts[name] = text
    base = before.api_base if api_base is None else (api_base.strip().rstrip("/") or None)
    if base is not None:
        base = resolve_api_base(base)  # refuse a URL with credentials in it before saving
        if api_base is not None and is_loopback(base) and not save_loopback:
            base = before.api_base
    _private_folder(path.parent)
    record: dict[str, Any] = {"version": FORMAT_VERSION, "api_base": base}
    if chosen == "keyring":
        keyring = keyring_backend()
        try:
            keyring.set_password(KEYRING_SERVICE, _keyring_name(path), orjson.dumps(texts).decode())
        except Exception as exc:
            raise ConfigError(
                f"could not write to the system keyring ({type(exc).__name__})"
            ) from None
        record["store"] = "keyring"
        location = f"keyring ({_backend_name(keyring)})"
    else:
        record.update(texts)
        location = f"file {path}"
    atomic_write_bytes(path, orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n", mode=0o600)
    if chosen == "file":
        _forget_keyring(path)  # a switch from keyring to file leaves no copy behind
    secrets = {name: Secret(text) for name, text in texts.items()}
    return SavedCredentials(secrets, base, location)


def _forget_keyring(path: Path) -> bool:
    keyring = keyring_backend()
    if keyring is None:
        return False
    try:
        if keyring.get_password(KEYRING_SERVICE, _keyring_name(path)) is None:
            return False
        keyring.delete_password(KEYRING_SERVICE, _keyring_name(path))
    except Exception:
        log.debug("keyring delete failed", exc_info=True)
        return False
    return True


def clear_credentials(environ: Mapping[str, str] | None = None) -> list[str]:
    """Remove saved credentials (file and keyring); returns the names that were saved.

    >>> clear_credentials({})
    []
    """
    env = os.environ if environ is None else environ
    folder = config_dir(env)
    if folder is None:
        return []
    path = folder / FILE_NAME
    saved = load_saved(env)
    removed = [n for n in FIELDS if saved.get(n) is not None]
    if saved.api_base:
        removed.append("api_base")
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise ConfigError(f"could not remove {path}: {exc.strerror}") from None
    _forget_keyring(path)
    return removed


__all__ = [
    "FIELDS",
    "LABELS",
    "ConfigError",
    "SavedCredentials",
    "cache_dir",
    "clear_credentials",
    "config_dir",
    "credentials_path",
    "keyring_backend",
    "load_saved",
    "save_credentials",
    "saved_api_base",
    "saved_api_base_location",
]
