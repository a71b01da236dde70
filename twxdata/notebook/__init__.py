"""Notebook ergonomics: running coroutines anywhere, progress displays, credential widgets."""

from __future__ import annotations

from twxdata.notebook.loop import run

__all__ = ["run"]
