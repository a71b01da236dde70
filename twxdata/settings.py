"""Where a client's settings come from: arguments, then the environment, then what was saved.

The one place that reads what ``twxdata configure`` (or the credential widget) saved, and the
one that hands a client the user's cache folder for rate-limit budgets. ``Client`` and
``auth`` take what they are given (and the environment), so neither reads a file; everything
that builds clients for users (``fetch_*``, the command line, ``AsyncClient``, the widget)
builds them here.

>>> import os, tempfile
>>> client = configured_client(bearer_token="t", api_base="http://127.0.0.1:9")
>>> client.api_base, client.api_base_source
('http://127.0.0.1:9', 'given')
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from twxdata.atomic import atomic_write_bytes
from twxdata.auth import ENV_VARS, Credentials, OAuth2UserToken, Secret
from twxdata.client import Client
from twxdata.config import (
    FIELDS,
    ConfigError,
    load_saved,
    saved_api_base,
    saved_api_base_location,
)
from twxdata.errors import ParameterError
from twxdata.folders import config_dir
from twxdata.pricing import PRICES, Prices, legacy
from twxdata.ratelimit_cache import RateLimitCache

_CREDENTIAL_ARGS = (
    "bearer_token",
    "consumer_key",
    "consumer_secret",
    "access_token",
    "access_token_secret",
)


def load_credentials(
    bearer_token: str | Secret | None = None,
    consumer_key: str | Secret | None = None,
    consumer_secret: str | Secret | None = None,
    access_token: str | Secret | None = None,
    access_token_secret: str | Secret | None = None,
    *,
    oauth2_user: OAuth2UserToken | None = None,
    environ: Mapping[str, str] | None = None,
) -> Credentials:
    """Arguments first, then ``TWXDATA_*`` environment variables, then saved credentials
    (``environ``, default ``os.environ``, also locates the saved ones).

    >>> load_credentials(environ={"TWXDATA_BEARER_TOKEN": "x"}).bearer is not None
    True
    """
    env = os.environ if environ is None else environ
    given = (bearer_token, consumer_key, consumer_secret, access_token, access_token_secret)
    found = [
        g if g is not None else env.get(ENV_VARS[n]) for n, g in zip(FIELDS, given, strict=True)
    ]
    if None not in found:  # nothing left for saved values to fill: no file is read
        return Credentials.load(*given, environ=env, oauth2_user=oauth2_user)
    saved = load_saved(env)
    return Credentials.load(
        *given,
        environ=env,
        oauth2_user=oauth2_user,
        saved={name: saved.get(name) for name in FIELDS},
    )


def configured_client(**options: Any) -> Client:
    """A ``Client`` with credentials and API base from the arguments, the environment or what
    was saved (in that order), and its rate-limit budgets kept in the user's cache folder
    between runs. Takes every keyword of ``Client``.
    """
    options = dict(options)
    environ = os.environ
    if options.get("credentials") is None:
        given = {name: options.pop(name, None) for name in _CREDENTIAL_ARGS}
        options["credentials"] = load_credentials(
            **given, oauth2_user=options.pop("oauth2_user", None), environ=environ
        )
    source = None
    if options.get("api_base") is None and not environ.get("TWXDATA_API_BASE"):
        saved = saved_api_base(environ)
        if saved:
            options["api_base"] = saved
            source = (
                f"saved in {saved_api_base_location(environ)}; `twxdata configure --api-base ''` "
                "forgets it"
            )
    if "rate_limit_cache" not in options:
        options["rate_limit_cache"] = RateLimitCache.default(environ)
    client = Client(**options)
    if source is not None:
        client.api_base_source = source
    return client


SPENDING_FILE = "spending.json"
# An interactive command line run whose estimate is above this asks first: about 1,000 posts,
# more than a look at a topic, less than a collection one would start without thinking.
CONFIRM_ABOVE_USD = 5.0
TIERS = ("pay-per-use", "free", "basic", "pro")


@dataclass(frozen=True)
class SpendingSettings:
    """What ``twxdata configure`` saved about money: price overrides, the access tier, and the
    estimate above which an interactive run asks first."""

    prices: Mapping[str, Any] = field(default_factory=dict)
    tier: str = "pay-per-use"
    confirm_above: float = CONFIRM_ABOVE_USD
    path: Path | None = None

    def as_prices(self) -> Prices:
        """The price table these settings describe.

        >>> SpendingSettings(tier="basic").as_prices().monthly_post_cap
        15000
        """
        base = PRICES if self.tier == "pay-per-use" else legacy(self.tier)
        return base.updated(self.prices) if self.prices else base


def load_spending(environ: Mapping[str, str] | None = None) -> SpendingSettings:
    """What ``twxdata configure --prices/--tier/--confirm-above`` saved (defaults if nothing).

    >>> load_spending({}).confirm_above
    5.0
    """
    folder = config_dir(environ)
    path = None if folder is None else folder / SPENDING_FILE
    if path is None or not path.is_file():
        return SpendingSettings(path=path)
    fix = f"run `twxdata configure --prices ''` to reset it, or edit {path}"
    try:
        saved = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise ConfigError(
            f"{path}: not a spending settings file ({type(exc).__name__}); {fix}"
        ) from None
    if not isinstance(saved, dict):
        raise ConfigError(f"{path}: not a spending settings file (not a JSON object); {fix}")
    try:
        settings = SpendingSettings(
            prices=_checked_prices(saved.get("prices") or {}),
            tier=_checked_tier(saved.get("tier") or "pay-per-use"),
            confirm_above=_checked_usd(saved.get("confirm_above", CONFIRM_ABOVE_USD)),
            path=path,
        )
    except ParameterError as exc:
        raise ConfigError(f"{path}: {exc}; {fix}") from None
    return settings


def save_spending(
    *,
    prices: Mapping[str, Any] | None = None,
    tier: str | None = None,
    confirm_above: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> SpendingSettings:
    """Save price overrides (``{}`` forgets them), the tier, or the confirm threshold; what is
    not given stays as saved. Checked before anything is written; the file is written atomically.

    >>> import tempfile
    >>> env = {"TWXDATA_CONFIG_DIR": tempfile.mkdtemp()}
    >>> save_spending(prices={"post": 0.004}, environ=env).as_prices().post
    0.004
    >>> load_spending(env).as_prices().post, load_spending(env).confirm_above
    (0.004, 5.0)
    """
    try:
        before = load_spending(environ)
    except ConfigError:  # unreadable: what is saved now replaces it (the rest from defaults)
        folder = config_dir(environ)
        before = SpendingSettings(path=None if folder is None else folder / SPENDING_FILE)
    if before.path is None:
        raise ConfigError("no config folder: set TWXDATA_CONFIG_DIR or HOME")
    after = SpendingSettings(
        prices=before.prices if prices is None else _checked_prices(prices),
        tier=before.tier if tier is None else _checked_tier(tier),
        confirm_above=before.confirm_above
        if confirm_above is None
        else _checked_usd(confirm_above),
        path=before.path,
    )
    record = {
        "prices": dict(after.prices),
        "tier": after.tier,
        "confirm_above": after.confirm_above,
    }
    try:
        before.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(before.path, orjson.dumps(record, option=orjson.OPT_INDENT_2) + b"\n")
    except OSError as exc:
        raise ConfigError(f"cannot write {before.path}: {exc.strerror or exc}") from None
    return after


def _checked_prices(prices: Any) -> dict[str, Any]:
    if not isinstance(prices, Mapping):
        raise ParameterError("prices", "an object of price names and USD", got=prices)
    PRICES.updated(prices)  # refuses unknown names and values that are not numbers >= 0
    return {k: v for k, v in prices.items() if k != "source"}


def _checked_tier(tier: Any) -> str:
    if tier not in TIERS:
        raise ParameterError("tier", f"one of {', '.join(TIERS)}", got=tier)
    return str(tier)


def _checked_usd(usd: Any) -> float:
    if isinstance(usd, bool) or not isinstance(usd, (int, float)) or not 0 <= usd < math.inf:
        raise ParameterError("confirm_above", "a finite dollar amount >= 0", got=usd)
    return float(usd)


def load_prices(environ: Mapping[str, str] | None = None) -> Prices:
    """X's price table with what ``twxdata configure --prices/--tier`` saved laid over it.

    >>> load_prices({}).post
    0.005
    """
    return load_spending(environ).as_prices()
