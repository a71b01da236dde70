"""Fixtures for the table tests: inline pages, and the real recordings as archive lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.shared import REAL, need_shared

# --- the real recordings, as archive lines with their request URL ------------------------


def _tweepy_urls() -> dict[str, str]:
    index = REAL / "tweepy-cassettes" / "index.tsv"
    rows = [line for line in index.read_text().splitlines() if not line.startswith("#")]
    return {r["file"]: r["request"].split(" ", 1)[1] for r in csv.DictReader(rows, delimiter="\t")}


def recorded_pages(path: Path) -> list[dict[str, Any]]:
    """The API responses in one recording file, each with ``__twxdata.url`` when known."""
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines() if _complete(line)]
    value = json.loads(path.read_text())
    if path.parent.name == "academictwitteR":
        return [{**value["body"], "__twxdata": {"url": value["request_url"]}}]
    if path.parent.name == "tweepy-cassettes":
        return [{**value, "__twxdata": {"url": _tweepy_urls()[path.name]}}]
    if "errors_element" in value:
        return [{"errors": [value["errors_element"]]}]
    return [value.get("body", value)]


def _complete(line: str) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return bool(line.strip())


def all_recordings() -> list[Any]:
    if not REAL.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason="../shared is absent"))]
    files = [
        *sorted((REAL / "twarc2-pages").glob("*.jsonl")),
        *sorted((REAL / "academictwitteR").glob("[0-9]*.json")),
        *sorted((REAL / "tweepy-cassettes").glob("*.json")),
        *sorted((REAL / "docs-examples").glob("*/*.json")),
        *sorted((REAL / "pytwitter").glob("*.json")),
    ]
    return [pytest.param(f, id=f"{f.parent.name}/{f.name}") for f in files]


@pytest.fixture
def real() -> Path:
    return need_shared() / "real-api"
