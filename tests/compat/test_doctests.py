"""The examples in the docstrings of the compatibility layer and the fake's write side run."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "twxdata.compat",
    "twxdata.compat.asyncclient",
    "twxdata.compat.models",
    "twxdata.compat.paginator",
    "twxdata.compat.response",
    "twxdata.compat.spec",
    "twxdata.testing.activity",
    "twxdata.testing.compliance",
    "twxdata.testing.created",
    "twxdata.testing.dms",
    "twxdata.testing.live",
    "twxdata.testing.writes",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
