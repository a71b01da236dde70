"""Notebook ergonomics: running coroutines anywhere, progress displays, credential widgets."""

from __future__ import annotations

from twxdata.notebook.run import run

__all__ = ["run"]
