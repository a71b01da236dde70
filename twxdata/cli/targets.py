"""Targets (queries, users, post or list ids) from the command line and from files.

``twxdata followers --targets-file accounts.txt`` reads one target a line, as twarc2 reads a
file of queries or users; ``-`` reads standard input, so ``cut -f1 list.tsv | twxdata users
--targets-file -`` works. Blank lines are skipped, and so are comments:

- for users and ids, everything from a ``#`` on (``@NASA  # space agency``);
- for queries, only a line that starts with ``#`` followed by a space (or nothing): ``#climate``
  is a hashtag search, and a query may hold `` #tag`` anywhere.

>>> parse_targets(["# accounts", "@NASA  # space", "", "11348282"], queries=False)
['@NASA', '11348282']
>>> parse_targets(["# my queries", "#climate lang:en", "python #data"], queries=True)
['#climate lang:en', 'python #data']
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from twxdata.cli import UsageError


def parse_targets(lines: Iterable[str], *, queries: bool) -> list[str]:
    """The targets in ``lines``, comments and blank lines left out."""
    out: list[str] = []
    for line in lines:
        text = line.strip()
        if queries:
            if text == "#" or text.startswith(("# ", "#\t")):
                continue
        else:
            text = text.split("#", 1)[0].strip()
        if text:
            out.append(text)
    return out


def gather_targets(
    given: Sequence[str], files: Sequence[str] | None, *, queries: bool, metavar: str
) -> list[str]:
    """Targets from the arguments, then from each file in order; ``UsageError`` if none or if
    a file cannot be read."""
    targets = list(given)
    for name in files or ():
        targets += parse_targets(_read_lines(name), queries=queries)
    if not targets:
        source = " (the files given had none)" if files else ""
        raise UsageError(f"give at least one {metavar}, or --targets-file FILE{source}")
    return targets


def _read_lines(name: str) -> list[str]:
    where = "standard input" if name == "-" else name
    try:
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(name)
            if path.is_dir():
                raise UsageError(f"--targets-file {name}: is a folder")
            data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"--targets-file {name}: no such file") from None
    except OSError as exc:
        raise UsageError(f"--targets-file {name}: cannot read ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"--targets-file {where}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    if "\x00" in text:
        raise UsageError(f"--targets-file {where}: holds NUL bytes; give a text file")
    return text.splitlines()
