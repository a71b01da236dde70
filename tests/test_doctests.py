"""Every docstring example in the package runs and shows what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import warnings

import pytest

import twxdata

MODULES = sorted(m.name for m in pkgutil.walk_packages(twxdata.__path__, "twxdata."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = importlib.import_module(name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_public_names_are_sorted_and_importable():
    exported = [n for n in twxdata.__all__ if n != "__version__"]
    for name in exported:
        assert getattr(twxdata, name) is not None, name
    assert len(set(exported)) == len(exported)
