"""What a process learnt of its rate-limit windows, kept for the next process.

A collection that is interrupted and run again, or a second command started a minute after
the first, would otherwise begin knowing nothing of the window the first one spent, and its
first request could draw a 429. So each (API base, endpoint bucket, credential) budget's last
known state — limit, remaining, the window's reset, and when its last request left (for the
one-a-second rule of search/all) — is kept in the user's cache folder
(``cache_dir()/ratelimits.json``) under a one-way fingerprint: neither the credential nor its
fingerprint as used elsewhere can be read back from the key. Entries whose window has reset are
dropped; nothing else is ever stored.

It is a cache, not a record: a lost or damaged file costs at most one probe request, so writes
are atomic (whole or absent) but not synced, and a file that cannot be read or written is
ignored (logged at debug level).

>>> import tempfile, pathlib
>>> from twxdata.protocol.ratelimit import budget_key
>>> cache = RateLimitCache(pathlib.Path(tempfile.mkdtemp()) / "ratelimits.json")
>>> key = budget_key("https://api.x.com", "GET /2/tweets/search/recent", "app:abc")
>>> cache.remember(key, limit=450, remaining=0, reset=2_000_000_000, now=1_999_999_000.0)
>>> cache.recall(key, now=1_999_999_100.0)
(450, 0, 2000000000)
>>> cache.recall(key, now=2_000_000_001.0) is None  # that window is over
True
>>> cache.remember(key, limit=300, remaining=9, reset=2_000_000_000, now=1_999_999_000.0,
...                last_sent=1_999_999_000.5)
>>> cache.last_sent(key)
1999999000.5
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from twxdata.folders import cache_dir

log = logging.getLogger("twxdata.ratelimit_cache")

FILE_NAME = "ratelimits.json"
FORMAT_VERSION = 1


class RateLimitCache:
    """Budgets' last known states in one small JSON file, shared by processes (a
    ``protocol.ratelimit.BudgetMemory``; keys from ``protocol.ratelimit.budget_key``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> RateLimitCache | None:
        """The cache in the user's cache folder; ``None`` when there is no such folder or
        ``TWXDATA_RATE_LIMIT_CACHE=off``."""
        env = os.environ if environ is None else environ
        if env.get("TWXDATA_RATE_LIMIT_CACHE", "").lower() in ("0", "off", "no", "false"):
            return None
        folder = cache_dir(environ)
        return None if folder is None else cls(folder / FILE_NAME)

    def recall(self, key: str, *, now: float) -> tuple[int, int, int] | None:
        """``(limit, remaining, reset)`` of a window that has not reset by ``now``."""
        entry = self._read().get(key)
        if not isinstance(entry, dict):
            return None
        try:
            limit, remaining, reset = (int(entry[k]) for k in ("limit", "remaining", "reset"))
        except (KeyError, TypeError, ValueError):
            return None
        if reset <= now or limit < 0 or not 0 <= remaining <= max(limit, remaining):
            return None
        return limit, remaining, reset

    def last_sent(self, key: str) -> float | None:
        """When the budget's last request left (server clock), if it was kept."""
        entry = self._read().get(key)
        value = entry.get("last_sent") if isinstance(entry, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        return None

    def remember(
        self,
        key: str,
        *,
        limit: int,
        remaining: int,
        reset: int,
        now: float,
        last_sent: float | None = None,
    ) -> None:
        """Record a budget's state; entries of windows already over are dropped meanwhile."""
        entries = {
            k: v
            for k, v in self._read().items()
            if isinstance(v, dict) and isinstance(v.get("reset"), int) and v["reset"] > now
        }
        entry: dict[str, Any] = {"limit": limit, "remaining": remaining, "reset": reset}
        if last_sent is not None:
            entry["last_sent"] = round(last_sent, 3)
        entries[key] = entry
        self._write({"version": FORMAT_VERSION, "budgets": entries})

    def _read(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, orjson.JSONDecodeError) as exc:
            log.debug("rate-limit cache %s unreadable: %s", self.path, type(exc).__name__)
            return {}
        budgets = data.get("budgets") if isinstance(data, dict) else None
        return budgets if isinstance(budgets, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.{os.getpid()}.",
                suffix=".twxdata-tmp",
                dir=self.path.parent,
            )
            try:
                with os.fdopen(fd, "wb") as file:
                    file.write(orjson.dumps(data))
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.debug("rate-limit cache %s not written: %s", self.path, type(exc).__name__)
