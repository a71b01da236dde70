"""Seeded fault injection: the ways a real connection to X goes wrong.

Kinds, and what the client sees:

- ``429``: Too Many Requests (the real body), rate-limit headers still showing requests left.
- ``500``, ``503``: Internal Server Error / Service Unavailable, JSON problem body.
- ``502``: Bad Gateway from an nginx in front of the API: an HTML page, ``text/html``.
- ``reset``: the connection closes before any byte of a response. aiohttp sends a GET once
  more by itself when that happens, so inject it twice for an aiohttp caller to see it.
- ``drop``: headers and part of a chunked body, then the connection closes.
- ``truncate``: a ``content-length`` body closed before that many bytes arrived.
- ``cut``: a complete HTTP response whose JSON body is cut short (parses as garbage).
- ``slow``: the normal response, after ``delay`` seconds.

Each request draws once from a ``random.Random(seed)``, so the same requests in the same order
meet the same faults. Status faults answer before the request is counted or served; body faults
(``reset`` ... ``slow``) hit a request that was served, as a network failure would. No fault
changes the corpus, page tokens or rate-limit state beyond that.

>>> f = Faults.parse("503=0.1,drop=0.05,slow=0.2,delay=0.5,seed=3")
>>> f.rates["503"], f.delay, f.seed
(0.1, 0.5, 3)
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

KINDS: tuple[str, ...] = ("429", "500", "503", "502", "reset", "drop", "truncate", "cut", "slow")
STATUS_FAULTS = frozenset({"429", "500", "503", "502"})
_ALIASES = {"html": "502", "html502": "502", "timeout": "slow", "disconnect": "reset"}


@dataclass(frozen=True)
class Faults:
    """Fault rates (probability per request for each kind), a seed and the slow delay.

    >>> Faults({"500": 0.5}).total
    0.5
    """

    rates: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    seed: int = 0
    delay: float = 0.25
    endpoints: frozenset[str] | None = None  # endpoint names to fault; None: every endpoint

    def __post_init__(self) -> None:
        rates = {_ALIASES.get(k, k): float(v) for k, v in self.rates.items()}
        unknown = set(rates) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        if any(r < 0 for r in rates.values()) or sum(rates.values()) > 1:
            raise ValueError("fault rates must be >= 0 and add up to at most 1")
        object.__setattr__(self, "rates", MappingProxyType(rates))

    @property
    def total(self) -> float:
        return sum(self.rates.values())

    @classmethod
    def parse(cls, spec: str) -> Faults:
        """``"503=0.1,drop=0.05"`` (plus optional ``seed=N``, ``delay=SECONDS``)."""
        rates: dict[str, float] = {}
        seed, delay = 0, 0.25
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, eq, value = part.partition("=")
            if not eq:
                raise ValueError(f"expected KIND=RATE, got {part!r}")
            name = name.strip()
            if name == "seed":
                seed = int(value)
            elif name == "delay":
                delay = float(value)
            else:
                rates[name] = float(value)
        return cls(rates, seed=seed, delay=delay)


class FaultInjector:
    """Decides the fault of each request: queued faults first, then seeded draws."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._rng = random.Random(self.faults.seed)
        self._queue: deque[tuple[str, str | None]] = deque()

    def inject(self, kind: str, count: int = 1, endpoint: str | None = None) -> None:
        """Force ``kind`` on the next ``count`` requests (to ``endpoint`` only, if given)."""
        kind = _ALIASES.get(kind, kind)
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
        self._queue.extend([(kind, endpoint)] * count)

    def draw(self, endpoint: str) -> str | None:
        for n, (kind, target) in enumerate(self._queue):
            if target is None or target == endpoint:
                del self._queue[n]
                return kind
        f = self.faults
        if not f.total or (f.endpoints is not None and endpoint not in f.endpoints):
            return None
        u = self._rng.random()
        for kind in KINDS:
            rate = f.rates.get(kind, 0.0)
            if u < rate:
                return kind
            u -= rate
        return None
