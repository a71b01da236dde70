"""When to try a request again, and after how long. Pure: the caller sleeps.

| what happened                                 | decision                                        |
|-----------------------------------------------|-------------------------------------------------|
| 429, window spent (remaining 0 or unknown)    | wait until ``x-rate-limit-reset`` (else         |
|                                               | ``Retry-After``, else a fallback), then retry   |
| 429 with ``remaining`` > 0 (search/all's 1/s) | wait ``min_interval`` (1 s), then retry         |
| 429 usage-capped (monthly post cap)           | give up: waiting minutes does not help          |
| 500, 502, 503, 504, other 5xx                 | capped exponential backoff with jitter, at      |
| timeouts, resets, refused connections,        | least ``Retry-After`` when sent; give up after  |
| truncated or unparsable bodies                | ``max_tries``                                   |
| no connection (refused, unknown host) to an   | give up after ``connect_tries``: a wrong API    |
| API base that has never answered              | base or no network is not a blip to wait out    |
| any other 4xx                                 | give up at once: the request itself is wrong    |
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from dataclasses import dataclass

from twxdata.protocol.ratelimit import RateLimit, reset_after_429, retry_after_seconds


class Failure(str, enum.Enum):
    """How an attempt failed."""

    RATE_LIMITED = "rate-limited"  # 429
    SERVER = "server-error"  # 5xx
    BAD_BODY = "bad-body"  # truncated, not JSON, or not the shape the API promises
    NETWORK = "network"  # reset, closed mid-body; refused or DNS once the server answered
    UNREACHABLE = "unreachable"  # refused or unknown host: no connection could be made
    TIMEOUT = "timeout"
    CLIENT = "client-error"  # 4xx other than 429: never retried


TRANSIENT = frozenset(
    {Failure.SERVER, Failure.BAD_BODY, Failure.NETWORK, Failure.TIMEOUT, Failure.UNREACHABLE}
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Limits on trying again. The defaults survive a flaky network without hammering X.

    ``max_tries`` counts attempts per request for transient failures (5xx, network, bad
    bodies). Rate-limit waits are not failures and do not use tries up, unless
    ``wait_on_rate_limit`` is off (then a 429 raises ``TooManyRequests`` at once) or
    ``max_rate_limit_waits`` is reached.

    >>> RetryPolicy().backoff(3, random.Random(0)) <= 4.0
    True
    """

    max_tries: int = 8
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    jitter: float = 0.5  # fraction of each backoff taken off at random, so clients spread out
    wait_on_rate_limit: bool = True
    rate_limit_fallback: float = 60.0  # a 429 without any reset header
    max_rate_limit_waits: int | None = None
    per_second_wait: float = 1.0  # search/all's 1 request/second rule
    # Tries when no connection can be made to a server that has not answered yet: a typo in
    # the API base, a server that is not running, no network. Once it has answered, a refused
    # connection is an outage to wait out like any other (``max_tries``).
    connect_tries: int = 2

    def __post_init__(self) -> None:
        if self.max_tries < 1 or self.connect_tries < 1:
            raise ValueError("max_tries and connect_tries must be at least 1")
        if self.backoff_base < 0 or self.backoff_cap < 0:
            raise ValueError("backoff_base and backoff_cap must not be negative")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter must be between 0 and 1")

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """The pause after the ``attempt``-th failed try (1-based); jittered by ``rng`` (the
        caller's randomness: this module draws none), the full pause without one."""
        full = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        return full if rng is None else full * (1.0 - self.jitter * rng.random())


@dataclass(frozen=True, slots=True)
class Decision:
    """Retry after ``delay`` seconds, or give up; ``reason`` is shown to the user."""

    retry: bool
    delay: float
    reason: str


def classify_status(status: int) -> Failure | None:
    """The failure kind of an HTTP status; ``None`` for success.

    >>> classify_status(200), classify_status(429).value, classify_status(502).value
    (None, 'rate-limited', 'server-error')
    """
    if status < 400:
        return None
    if status == 429:
        return Failure.RATE_LIMITED
    if status >= 500:
        return Failure.SERVER
    return Failure.CLIENT


def decide(
    policy: RetryPolicy,
    failure: Failure,
    *,
    tries: int,
    rate_limit_waits: int = 0,
    headers: Mapping[str, str] | None = None,
    problem_type: str = "",
    now: float = 0.0,
    rng: random.Random | None = None,
    reached: bool = True,
) -> Decision:
    """Decide what to do after a failed attempt.

    ``tries`` is how many transient failures this request has had, this one included;
    ``rate_limit_waits`` how many 429 waits it has had before this one; ``now`` is the wall
    clock (Unix seconds) for reading reset headers; ``reached`` whether the server has ever
    answered this client (a connection that cannot be made to a server never reached is given
    up after ``connect_tries``).

    >>> decide(RetryPolicy(), Failure.RATE_LIMITED, tries=0,
    ...        headers={"x-rate-limit-limit": "15", "x-rate-limit-remaining": "0",
    ...                 "x-rate-limit-reset": "1030"}, now=1000.0)
    Decision(retry=True, delay=30.0, reason='rate limit reached; window resets in 30 s')
    >>> decide(RetryPolicy(), Failure.CLIENT, tries=1).retry
    False
    """
    headers = headers or {}
    if failure is Failure.CLIENT:
        return Decision(False, 0.0, "the API rejected the request")
    if failure is Failure.RATE_LIMITED:
        return _after_429(policy, headers, problem_type, rate_limit_waits, now)
    if failure is Failure.UNREACHABLE and not reached:
        if tries >= min(policy.connect_tries, policy.max_tries):
            return Decision(False, 0.0, f"no connection after {tries} tries")
        return Decision(True, policy.backoff(tries, rng), "no connection; trying once more")
    if tries >= policy.max_tries:
        return Decision(False, 0.0, f"{failure.value}: gave up after {tries} tries")
    delay = policy.backoff(tries, rng)
    asked = retry_after_seconds(headers, now=now)
    if asked is not None:
        delay = max(delay, min(asked, policy.backoff_cap * 10))
    return Decision(True, delay, f"{failure.value}; try {tries + 1} of {policy.max_tries}")


def _after_429(
    policy: RetryPolicy,
    headers: Mapping[str, str],
    problem_type: str,
    waits: int,
    now: float,
) -> Decision:
    if "usage-capped" in problem_type or "UsageCapExceeded" in problem_type:
        return Decision(False, 0.0, "usage cap reached: no more posts this billing period")
    if not policy.wait_on_rate_limit:
        return Decision(False, 0.0, "rate limit reached and wait_on_rate_limit is off")
    if policy.max_rate_limit_waits is not None and waits >= policy.max_rate_limit_waits:
        return Decision(False, 0.0, f"rate limit reached {waits + 1} times; giving up")
    rate = RateLimit.from_headers(headers, now=now)
    if rate is not None and rate.remaining > 0:
        # The window still has room, so this is a per-second rule (search/all): a short pause.
        return Decision(True, policy.per_second_wait, "requests too fast for this endpoint")
    delay = reset_after_429(headers, now=now, fallback=policy.rate_limit_fallback)
    return Decision(True, delay, f"rate limit reached; window resets in {delay:.0f} s")
