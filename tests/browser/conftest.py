"""Browser tests run only when asked for: ``python -m pytest -m browser``.

They need Debian's chromium, Playwright and JupyterLab (``pip install -e '.[browser]'``) and
take tens of seconds, so the normal ``python -m pytest -q`` run skips them even where those
are installed.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(config, items):
    if "browser" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="browser test: run it with `python -m pytest -m browser`")
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)
