"""Whether two paths are one file: the test behind "an output is never an input"."""

from __future__ import annotations

import os
from pathlib import Path


def same_file(a: Path | str, b: Path | str) -> bool:
    """Whether ``a`` and ``b`` name one file or folder: the same real path (symlinks
    resolved), or the same inode (hard links).

    >>> same_file("a/../b.txt", "b.txt")
    True
    """
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: different files
        return False
