"""The ids X charged today, kept across runs so a second run the same UTC day knows what is free.

X does not charge a resource twice within a UTC day, whichever endpoint returns it. A
collection that resumes, or a second command that reads the same posts, is therefore cheaper
than its pages: ``pricing.Ledger`` counts that, and this file keeps its ids between processes —
one append-only text file per (API base and credential fingerprint, UTC day) in the user's
cache folder (``charged/<key>-<YYYY-MM-DD>.tsv``, lines ``kind<TAB>id``). Ids only: no text, no
credential. Files of earlier days are removed when a new day's file is opened.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> today = ChargedToday(folder, "key", "2026-12-04")
>>> today.ledger.fresh("post", ["1", "2"])
(['1', '2'], 0)
>>> today.save()
>>> ChargedToday(folder, "key", "2026-12-04").ledger.fresh("post", ["2", "3"])
(['3'], 1)
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from twxdata.pricing import Ledger

log = logging.getLogger("twxdata.store")


class ChargedToday:
    """A ``pricing.Ledger`` for one UTC day, loaded from and appended to its file."""

    def __init__(self, folder: Path | None, key: str, day: str) -> None:
        """``folder`` None: this run's ledger only, kept nowhere."""
        self.path = None if folder is None else Path(folder) / f"{key}-{day}.tsv"
        charged: dict[str, set[str]] = {}
        try:
            if self.path is None or folder is None:
                raise FileNotFoundError
            for line in self.path.read_text(encoding="utf-8").splitlines():
                kind, _, value = line.partition("\t")
                if value:
                    charged.setdefault(kind, set()).add(value)
        except FileNotFoundError:
            if folder is not None:
                self._prune(folder, key)
        except OSError as exc:  # a cache: unreadable costs only the same-day discount
            log.debug("charged ids %s unreadable: %s", self.path, type(exc).__name__)
        self.ledger = Ledger(day, charged)
        self._saved = {kind: set(ids) for kind, ids in charged.items()}

    def save(self) -> None:
        """Append the ids charged since the last save."""
        if self.path is None:
            return
        new = [
            (kind, value)
            for kind, ids in self.ledger.charged.items()
            for value in ids - self._saved.get(kind, set())
        ]
        if not new:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a", encoding="utf-8") as file:
                file.write("".join(f"{kind}\t{value}\n" for kind, value in new))
        except OSError as exc:
            log.debug("charged ids %s not written: %s", self.path, type(exc).__name__)
            return
        for kind, value in new:
            self._saved.setdefault(kind, set()).add(value)

    @staticmethod
    def _prune(folder: Path, key: str) -> None:
        for old in Path(folder).glob(f"{key}-*.tsv"):
            with contextlib.suppress(OSError):
                old.unlink()
