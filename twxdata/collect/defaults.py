"""The client the notebook functions use when none is given: one per event loop.

A notebook kernel keeps one loop alive across cells, so the default client — and with it the
rate-limit budgets and the username cache — lives across cells too: the fifth cell does not
probe the window again or look up ``@nasa`` twice. ``configure`` changes what the next default
client is built with (the credential widget calls it).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from twxdata.client import Client
from twxdata.pricing import Prices
from twxdata.settings import configured_client, load_prices

_settings: dict[str, Any] = {}
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Client] = weakref.WeakKeyDictionary()


_prices: dict[str, Any] = {}


def current_prices() -> Prices:
    """The prices collections are charged at: X's table, then what ``twxdata configure
    --prices`` saved, then ``configure(prices={...})`` of this session."""
    return load_prices().updated(_prices) if _prices else load_prices()


def configure(**client_options: Any) -> None:
    """Set the options of the default client (credentials, ``api_base``, retry policy, ...),
    and ``prices={...}`` (USD per resource, overriding X's table for this session).

    Takes every keyword of ``twxdata.client.Client``; passing ``None`` removes a setting.
    Clients made before keep working; the next notebook call builds a new one.

    >>> configure(api_base="http://127.0.0.1:8000", bearer_token="fake-token")
    >>> sorted(k for k in _settings)
    ['api_base', 'bearer_token']
    >>> configure(api_base=None, bearer_token=None)
    """
    if "prices" in client_options:
        given = client_options.pop("prices")
        _prices.clear()
        if given:
            load_prices().updated(given)  # refused at once if a name or value is wrong
            _prices.update(given)
    for key, value in client_options.items():
        if value is None:
            _settings.pop(key, None)
        else:
            _settings[key] = value
    stale = list(_clients.items())
    _clients.clear()
    for loop, client in stale:
        if not loop.is_closed() and loop.is_running():
            loop.create_task(client.close())


def settings() -> dict[str, Any]:
    """A copy of the default client's options (secrets stay wrapped or as given)."""
    return dict(_settings)


def default_client() -> Client:
    """The default client of the running loop, created on first use.

    >>> async def where():
    ...     return default_client().api_base
    >>> asyncio.run(where()).startswith("http")
    True
    """
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = configured_client(**_settings)
        _clients[loop] = client
    return client


async def close_default_client() -> None:
    """Close the running loop's default client (``twxdata.run`` does this for scripts)."""
    loop = asyncio.get_running_loop()
    client = _clients.pop(loop, None)
    if client is not None:
        await client.close()
