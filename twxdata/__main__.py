"""``python -m twxdata`` runs the ``twxdata`` command."""

from __future__ import annotations

from twxdata.cli import entry_point

if __name__ == "__main__":
    entry_point()
