"""pytest plugin providing the ``fake_x_api`` fixture: a running fake X API per test.

Installed with twxdata (``pytest11`` entry point); or enable it explicitly in a top-level
``conftest.py`` with ``pytest_plugins = ["twxdata.testing.pytest_plugin"]``. The server runs in
a background thread, so the fixture works in plain and in async tests alike. Options go in a
marker and are ``FakeXApi`` arguments::

    import pytest, urllib.request

    @pytest.mark.fake_x_api(size=500, window=2.0, faults="503=0.2")
    def test_me(fake_x_api):
        req = urllib.request.Request(fake_x_api.url + "/2/users/me",
                                     headers=fake_x_api.headers())
        assert urllib.request.urlopen(req).status == 200

Defaults: ``seed=0``, ``size=2000`` and a fixed ``end`` (2024-01-01 UTC), so every run sees
the same corpus with the API clock frozen at its end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from twxdata.testing.server import FakeXApi

DEFAULTS: dict[str, Any] = {
    "seed": 0,
    "size": 2_000,
    "end": datetime(2024, 1, 1, tzinfo=timezone.utc),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fake_x_api(**options): FakeXApi arguments for the fake_x_api fixture"
    )


@pytest.fixture
def fake_x_api(request: pytest.FixtureRequest) -> Iterator[FakeXApi]:
    """A fake X API listening on loopback for the duration of one test (``.url``)."""
    from twxdata.testing.server import FakeXApi

    options = dict(DEFAULTS)
    marker = request.node.get_closest_marker("fake_x_api")
    if marker is not None:
        options.update(marker.kwargs)
    with FakeXApi(**options) as api:
        yield api
