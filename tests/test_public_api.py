"""The public API is one list, every name in it is real, every async function has a blocking
twin with its very signature, and a type checker sees all of it (``mypy --strict`` on a user's
script)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import twxdata
from twxdata.collect import api, stream, sync, usage
from twxdata.collect import estimate as estimating

PREFIXES = ("collect_", "fetch_", "lookup_")


def public_functions(module):
    """The collectors a module defines (not the ones it imports)."""
    return {
        name: value
        for name, value in vars(module).items()
        if name.startswith(PREFIXES) and callable(value) and value.__module__ == module.__name__
    }


ASYNC = public_functions(api)
SYNC = public_functions(sync)
# Other async functions, each with its blocking twin written out beside it.
TWINS = {"estimate": estimating, "fetch_usage": usage, "collect_stream": stream,
         "fetch_stream": stream}  # fmt: skip


def isort_style(name):
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, then Classes, then the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_without_duplicates_and_every_name_resolves():
    names = twxdata.__all__
    assert names == sorted(names, key=isort_style)
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(twxdata, name) is not None, name
    star: dict[str, object] = {}
    exec("from twxdata import *", star)
    assert set(names) <= set(star)
    assert dir(twxdata) == sorted(names)  # dir() sorts what __dir__ returns
    with pytest.raises(AttributeError, match="fetch_serach"):
        twxdata.fetch_serach  # noqa: B018


def test_every_collector_is_exported_and_documented_with_an_example():
    assert len(ASYNC) == 30 and len(SYNC) == 30
    exported = {n for n in twxdata.__all__ if n.startswith(PREFIXES)}
    others = {n for name in TWINS for n in (name, name + "_sync") if n.startswith(PREFIXES)}
    assert exported == set(ASYNC) | set(SYNC) | others
    for name, function in {**ASYNC, **SYNC}.items():
        assert getattr(twxdata, name) is function, name
        assert re.search(r"twxdata\.\w+\(", function.__doc__ or ""), f"{name}: no example"


@pytest.mark.parametrize("name", sorted(ASYNC))
def test_each_async_function_has_a_written_out_twin_with_its_signature(name):
    function, twin = ASYNC[name], SYNC.get(name + "_sync")
    assert twin is not None, f"{name} has no {name}_sync"
    assert inspect.iscoroutinefunction(function) and not inspect.iscoroutinefunction(twin)
    expected, actual = inspect.signature(function), inspect.signature(twin)
    # Parameter equality covers name, kind, default and annotation.
    assert list(actual.parameters.values()) == list(expected.parameters.values())
    assert actual.return_annotation == expected.return_annotation
    # A def statement of its own in sync.py, not a wrapper made at import time.
    assert twin.__code__.co_name == twin.__name__ == name + "_sync"
    assert Path(twin.__code__.co_filename).name == "sync.py"
    assert "\n" not in twin.__doc__.strip() and f"``{name}``" in twin.__doc__
    assert f"twxdata.{name}_sync(" in twin.__doc__


def test_every_twin_has_an_async_function():
    assert {name.removesuffix("_sync") for name in SYNC} == set(ASYNC)
    assert all(name.endswith("_sync") for name in SYNC)


@pytest.mark.parametrize("name", sorted(ASYNC))
def test_each_twin_passes_every_argument_through(monkeypatch, name):
    """Each parameter (and extra API keywords) reaches the async function, unchanged."""
    received = {}

    async def spy(*args, **kwargs):
        received.update(args=args, kwargs=kwargs)
        return "result"

    monkeypatch.setattr(sync, name, spy)
    args, kwargs = [], {"extra_api_parameter": object()}
    for parameter in inspect.signature(ASYNC[name]).parameters.values():
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            args.append(object())
        elif parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = object()
    assert SYNC[name + "_sync"](*args, **kwargs) == "result"
    assert received == {"args": tuple(args), "kwargs": kwargs}


@pytest.mark.parametrize("name", sorted(TWINS))
def test_the_other_async_functions_have_twins_that_pass_everything_through(monkeypatch, name):
    module = TWINS[name]
    function, twin = getattr(module, name), getattr(module, name + "_sync")
    assert getattr(twxdata, name) is function and getattr(twxdata, name + "_sync") is twin
    assert name in twxdata.__all__ and name + "_sync" in twxdata.__all__
    assert inspect.iscoroutinefunction(function) and not inspect.iscoroutinefunction(twin)
    expected, actual = inspect.signature(function), inspect.signature(twin)
    assert list(actual.parameters.values()) == list(expected.parameters.values())
    assert actual.return_annotation == expected.return_annotation
    assert re.search(rf"twxdata\.{name}\(", function.__doc__ or ""), f"{name}: no example"
    assert "\n" not in twin.__doc__.strip() and f"``{name}``" in twin.__doc__
    assert f"twxdata.{name}_sync(" in twin.__doc__
    received = {}

    async def spy(*args, **kwargs):
        received.update(args=args, kwargs=kwargs)
        return "result"

    monkeypatch.setattr(module, name, spy)
    args, kwargs = [], {}
    for parameter in expected.parameters.values():
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            args.append(object())
        elif parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = object()
        elif parameter.kind is parameter.VAR_KEYWORD:
            kwargs["extra_api_parameter"] = object()
    assert twin(*args, **kwargs) == "result"
    assert received == {"args": tuple(args), "kwargs": kwargs}


def test_py_typed_is_shipped():
    tomllib = pytest.importorskip("tomllib")
    root = Path(twxdata.__file__).parent
    assert (root / "py.typed").is_file()
    pyproject = root.parent / "pyproject.toml"
    if not pyproject.is_file():
        pytest.skip("installed from a wheel: no pyproject.toml beside the package")
    setuptools = tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["twxdata"]


USER_SCRIPT = """\
import twxdata


def script() -> None:
    df = twxdata.fetch_search_sync("q", limit=5)
    reveal_type(df)
    collection: twxdata.Collection = twxdata.collect_followers_sync(["@a", 12], limit=5)
    reveal_type(twxdata.fetch_search_sync)
    print(df, collection)


async def notebook() -> None:
    reveal_type(await twxdata.fetch_search("q", limit=5, progress=False))
"""
WRONG_SCRIPT = """\
import twxdata

twxdata.fetch_search_sync(123, limit="x")
n: int = twxdata.collect_search_sync("q")
twxdata.fetch_serach_sync("q")
twxdata.fetch_followers_sync("@a", concurrency="4")
"""
PANDAS_STAND_IN = """\
from typing import Any

class DataFrame:
    def __getattr__(self, name: str) -> Any: ...

def __getattr__(name: str) -> Any: ...
"""


def pandas_is_typed():
    try:
        importlib.metadata.distribution("pandas-stubs")
    except importlib.metadata.PackageNotFoundError:
        spec = importlib.util.find_spec("pandas")
        return spec is not None and (Path(spec.origin).parent / "py.typed").exists()
    return True


@pytest.mark.skipif(
    importlib.util.find_spec("mypy") is None,
    reason="mypy is not installed (it comes with pip install -e '.[dev]')",
)
def test_mypy_strict_sees_the_public_api_in_a_user_script(tmp_path):
    """A user's script under ``mypy --strict``: right uses pass with the real types, wrong ones
    are errors. ~5 s (mypy reads the twxdata modules the script reaches, with no cache)."""
    (tmp_path / "good.py").write_text(USER_SCRIPT)
    (tmp_path / "wrong.py").write_text(WRONG_SCRIPT)
    (tmp_path / "mypy.ini").write_text("[mypy]\n")
    search_path = []
    package_root = Path(twxdata.__file__).resolve().parents[1]
    if package_root.name not in ("site-packages", "dist-packages"):
        search_path.append(str(package_root))  # an editable install: mypy can't follow its hook
    if not pandas_is_typed():
        # Without pandas-stubs mypy sees all of pandas as Any; a stand-in with just DataFrame
        # shows what twxdata declares (what users with pandas-stubs see).
        (tmp_path / "stubs" / "pandas").mkdir(parents=True)
        (tmp_path / "stubs" / "pandas" / "__init__.pyi").write_text(PANDAS_STAND_IN)
        search_path.insert(0, str(tmp_path / "stubs"))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--strict",
         "--follow-imports=silent", "--cache-dir", os.devnull, "good.py", "wrong.py"],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": os.pathsep.join(search_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    lines = re.findall(r"^(\w+)\.py:(\d+): (error|note): (.*)$", result.stdout, re.M)
    assert lines, result.stdout + result.stderr
    good = [(int(n), kind, text) for file, n, kind, text in lines if file == "good"]
    assert [kind for _, kind, _ in good] == ["note"] * 3, result.stdout
    revealed = {n: text for n, _, text in good}
    frame = r"pandas(\.core\.frame)?\.DataFrame"  # the stand-in's name, or pandas-stubs'
    assert re.fullmatch(f'Revealed type is "{frame}"', revealed[6])
    assert re.fullmatch(f'Revealed type is "{frame}"', revealed[13])
    assert revealed[8].startswith('Revealed type is "def (query: str | typing.Sequence[str], *,')
    assert "limit: int | None =" in revealed[8]
    assert re.search(f'-> {frame}"$', revealed[8])
    errors = {
        (int(n), re.search(r"\[([\w-]+)\]$", text).group(1))
        for file, n, kind, text in lines
        if file == "wrong" and kind == "error"
    }
    assert errors == {
        (3, "arg-type"),  # 123 for the query and "x" for limit
        (4, "assignment"),  # a Collection is no int
        (5, "attr-defined"),  # a misspelt name
        (6, "arg-type"),  # concurrency="4"
    }, result.stdout
    assert len(re.findall(r"^wrong\.py:3: error", result.stdout, re.M)) == 2
    assert result.returncode == 1
