"""Deterministic hashing for things generated on demand from an index.

The corpus draws its columns with numpy in one go, but details of one post or user (t.co
codes, a display name) are made only when a response needs them. Those come from ``mix``, a
SplitMix64-style hash of the corpus seed and the object's index, so they do not depend on the
order in which requests arrive.

>>> mix(1, 2) == mix(1, 2) != mix(2, 1)
True
>>> len(code(mix(7), 10))
10
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

M64 = (1 << 64) - 1
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _finalize(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def mix(*parts: int) -> int:
    """A 64-bit hash of integers; stable across processes and Python versions.

    >>> mix(0) != mix(1)
    True
    """
    z = 0x9E3779B97F4A7C15
    for p in parts:
        z = _finalize((z + (p & M64) + 0x9E3779B97F4A7C15) & M64)
    return z


def mix_array(seed: int, salt: int, index: npt.NDArray[np.int64]) -> npt.NDArray[np.uint64]:
    """``mix(seed, salt, i)`` for every ``i`` of an array, vectorised (same values as ``mix``).

    >>> int(mix_array(3, 4, np.array([5]))[0]) == mix(3, 4, 5)
    True
    """
    with np.errstate(over="ignore"):
        golden = np.uint64(0x9E3779B97F4A7C15)
        z = np.full(index.shape, golden, dtype=np.uint64)
        for part in (np.uint64(seed & M64), np.uint64(salt & M64), index.astype(np.uint64)):
            z = z + part + golden
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
    return z


def code(h: int, length: int) -> str:
    """``length`` letters and digits drawn from hash ``h`` (t.co codes, media file names).

    >>> code(mix(1), 3) == code(mix(1), 3), len(code(0, 4))
    (True, 4)
    """
    out = []
    for _ in range(length):
        h, r = divmod(h, 62)
        out.append(_ALNUM[r])
        if h == 0:
            h = mix(r, length)
    return "".join(out)


def unit(h: int) -> float:
    """A float in [0, 1) from a hash.

    >>> 0 <= unit(mix(5)) < 1
    True
    """
    return (h >> 11) / float(1 << 53)


def pick(h: int, n: int) -> int:
    """An index below ``n`` from a hash.

    >>> pick(10, 3)
    1
    """
    return h % n
