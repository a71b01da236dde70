"""Where the shared reference material lives, and a skip when it is absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = (ROOT / ".." / "shared").resolve()
REAL = SHARED / "real-api"


def need_shared() -> Path:
    """Skip the calling test when ../shared is not next to the project."""
    if not REAL.is_dir():
        pytest.skip(f"reference recordings not found at {REAL} (../shared is absent)")
    return SHARED


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def recordings(subdir: str, pattern: str = "*.json") -> list[Any]:
    """Parameters for a test over recorded files; one skipped parameter when absent."""
    folder = REAL / subdir
    files = sorted(folder.glob(pattern)) if folder.is_dir() else []
    if not files:
        reason = f"no recordings in {folder} (../shared is absent)"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="absent")]
    return [pytest.param(f, id=f.name) for f in files]


def assert_ignored_by_git(paths):
    import shutil
    import subprocess

    root = Path(__file__).resolve().parents[2]  # the checkout: tests/helpers/ is two down
    if shutil.which("git") is None or not (root / ".git").exists():
        pytest.skip("not a git checkout")
    for path in paths:
        found = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", "--no-index", path])
        assert found.returncode == 0, f"{path} would be an untracked file in a checkout"
