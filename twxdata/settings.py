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

import os
from collections.abc import Mapping
from typing import Any

from twxdata.auth import ENV_VARS, Credentials, OAuth2UserToken, Secret
from twxdata.client import Client
from twxdata.config import FIELDS, load_saved, saved_api_base, saved_api_base_location
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
