"""What a client tells its listeners (progress bars, the command line's messages) as it works.

Small frozen values, emitted by ``Client`` and read by ``twxdata.notebook.progress`` and the
command line; they carry no credentials and no URLs.

>>> Waiting("search_recent_tweets", 12.0, "rate-limit window spent; waiting for the reset")
Waiting(endpoint='search_recent_tweets', seconds=12.0, reason='rate-limit window spent; waiting for the reset')
"""  # noqa: E501

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Waiting:
    """The client is about to sleep ``seconds`` before a request to ``endpoint``."""

    endpoint: str
    seconds: float
    reason: str


@dataclass(frozen=True, slots=True)
class Retrying:
    """An attempt failed and will be repeated after ``delay`` seconds."""

    endpoint: str
    attempt: int
    delay: float
    reason: str


@dataclass(frozen=True, slots=True)
class Received:
    """A page arrived."""

    endpoint: str
    status: int
    items: int
    elapsed: float
    stream: str | None = None
    errors: int = 0  # partial errors in the page (deleted, protected, suspended resources)


Event = Waiting | Retrying | Received

__all__ = ["Event", "Received", "Retrying", "Waiting"]
