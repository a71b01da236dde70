"""The layers hold (issue 15): import-linter's contracts, and no import hidden in a function.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and ARCHITECTURE.md draws
them. A cycle or an upward import fails here, and so does an import of a twxdata module inside a
function — the usual way to hide one — unless it is listed below with the import time it saves.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "twxdata"

pytest.importorskip("importlinter", reason="import-linter is a test dependency")

# Function-level imports of twxdata modules that stay, each for a measured saving
# (python -X importtime on the development machine):
LAZY = {
    # Each verb imports only its own stack: `twxdata flatten` never loads aiohttp (~130 ms),
    # `twxdata --help` and `twxdata info` never load pandas (~270 ms).
    "twxdata/cli/": "the command line loads only the chosen verb's stack",
    # twxdata.tables loads pyarrow (~70 ms, ~160 ms with the tables) on first use, so
    # `import twxdata` stays ~7 ms and collections that never build a table never pay it.
    "twxdata/collect/collection.py:twxdata.tables": "pyarrow on first table",
    "twxdata/collect/main_table.py:twxdata.tables": "pyarrow on first table",
    "twxdata/compat/response.py:twxdata.tables": "pyarrow only for .to_frame()",
    "twxdata/sharing/compliance.py:twxdata.tables": "pyarrow only for --apply",
    "twxdata/sharing/dehydrate.py:twxdata.tables": "pyarrow only for Parquet inputs",
    "twxdata/sharing/hydrate.py:twxdata.tables": "pyarrow only to build the table",
    "twxdata/sharing/ids.py:twxdata.tables": "pyarrow only for JSONL inputs",
    # The builders (numpy, pyarrow.compute, ~40 ms) load while the first chunks parse in
    # threads: the import overlaps the work instead of preceding it.
    "twxdata/tables/api.py:twxdata.tables.build": "builders load while chunks parse",
    # pytest loads the plugin in every session of every project that installs twxdata;
    # the server (aiohttp.web, ~280 ms) loads only when a test asks for the fixture.
    "twxdata/testing/pytest_plugin.py:twxdata.testing.server": "pytest start-up",
}


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True, no_logo=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip


def test_every_contract_is_kept():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_planted_upward_import_breaks_the_layers(tmp_path):
    # The contracts are not vacuous: the pure core importing the client is caught.
    shutil.copytree(PACKAGE, tmp_path / "twxdata", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    params = tmp_path / "twxdata" / "protocol" / "params.py"
    params.write_text(params.read_text() + "\nimport twxdata.client  # planted\n")
    result = lint(tmp_path)
    assert result.returncode != 0
    assert "twxdata.protocol.params -> twxdata.client" in result.stdout


def function_level_imports() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for inner in ast.walk(node):
                names = []
                if isinstance(inner, ast.ImportFrom) and inner.level == 0 and inner.module:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                for name in names:
                    if name == "twxdata" or name.startswith("twxdata."):
                        found.append(f"{path.relative_to(ROOT).as_posix()}:{name}")
    return sorted(set(found))


def test_no_twxdata_import_hides_in_a_function_without_a_measured_reason():
    unexplained = [
        where for where in function_level_imports()
        if not any(where.startswith(prefix) for prefix in LAZY)
    ]  # fmt: skip
    assert unexplained == [], "import at the top, or list it in LAZY with its saving"


def test_every_listed_exception_is_still_needed():
    found = function_level_imports()
    stale = [prefix for prefix in LAZY if not any(w.startswith(prefix) for w in found)]
    assert stale == []


def test_importing_twxdata_loads_no_heavy_library():
    code = (
        "import sys, twxdata\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'aiohttp', 'numpy') if m in sys.modules]\n"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr
