"""The package version, in one place (read by pyproject.toml and the archive metadata)."""

from __future__ import annotations

__version__ = "0.1.0"
