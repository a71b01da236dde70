"""The exceptions twxdata raises. Catch ``TwxError`` to catch them all.

::

    TwxError
    ├── ParameterError (also ValueError)   bad input, raised before any request is sent
    ├── AuthError (also TypeError)         missing or unsuitable credentials, before any request
    ├── ApiError                           the API answered with an error status
    │   ├── BadRequest          400 (invalid-request problems keep per-parameter messages)
    │   ├── Unauthorized        401
    │   ├── Forbidden           403
    │   ├── NotFound            404
    │   ├── TooManyRequests     429 (rate limit or usage cap; ``reset_at`` when known)
    │   └── ServerError         5xx
    │       └── MalformedResponse  a body that is not the promised JSON (proxy HTML, truncation)
    └── TransportError                     no usable answer: connection refused, reset, timeout,
                                           truncated body — after every retry was spent

No message, ``repr`` or attribute here ever holds a credential: request URLs carry none (X takes
credentials in headers only) and headers are never stored on exceptions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class TwxError(Exception):
    """Root of every exception twxdata raises on purpose."""


class ParameterError(TwxError, ValueError):
    """A parameter's value is not allowed. Raised before any request is sent.

    >>> str(ParameterError("max_results", "must be between 10 and 100", got=5))
    'max_results: must be between 10 and 100 (got 5)'
    """

    def __init__(self, parameter: str, problem: str, *, got: Any = ..., allowed: Any = None):
        self.parameter = parameter
        self.problem = problem
        self.allowed = allowed
        message = f"{parameter}: {problem}"
        if got is not ...:
            message += f" (got {got!r})"
        super().__init__(message)


class AuthError(TwxError, TypeError):
    """Credentials are missing or cannot be used for this endpoint (tweepy raises TypeError)."""


class ApiError(TwxError):
    """The API answered with an error status.

    ``title``, ``detail`` and ``type`` come from the RFC 7807 problem body when there is one;
    ``errors`` keeps the body's per-parameter messages (``invalid-request``) as given.
    """

    status: int

    def __init__(
        self,
        status: int,
        *,
        title: str = "",
        detail: str = "",
        type: str = "",
        errors: Sequence[Mapping[str, Any]] = (),
        url: str = "",
        body: bytes = b"",
        reset_at: float | None = None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = list(errors)
        self.url = url
        self.body = body[:2000]
        self.reset_at = reset_at
        super().__init__(self._message())

    @property
    def parameter_errors(self) -> dict[str, list[str]]:
        """``{parameter: [messages]}`` from an ``invalid-request`` problem."""
        out: dict[str, list[str]] = {}
        for err in self.errors:
            params = err.get("parameters") or {}
            for name in params if isinstance(params, Mapping) else ():
                out.setdefault(str(name), []).append(str(err.get("message", "")))
        return out

    def _message(self) -> str:
        head = f"{self.status} {self.title or _REASONS.get(self.status, 'Error')}"
        parts = [head]
        if self.detail and self.detail != self.title:
            parts.append(self.detail)
        for err in self.errors[:5]:
            msg = err.get("message")
            if msg:
                parts.append(str(msg))
        if self.url:
            parts.append(f"[{self.url}]")
        return ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "")


class BadRequest(ApiError):
    """400: the API rejected the parameters."""


class Unauthorized(ApiError):
    """401: the credentials were missing, wrong or revoked."""


class Forbidden(ApiError):
    """403: the credentials may not use this endpoint (access level, app settings)."""


class NotFound(ApiError):
    """404: no such resource or route."""


class TooManyRequests(ApiError):
    """429: a rate limit or the monthly usage cap was hit."""

    @property
    def usage_capped(self) -> bool:
        return "usage-capped" in self.type or "UsageCapExceeded" in self.title


class ServerError(ApiError):
    """5xx, or a body that is not the JSON the API promises (HTML from a proxy, truncation)."""


class MalformedResponse(ServerError):
    """A body that is not the JSON the API promises: HTML from a proxy, a cut-off body."""


class TransportError(TwxError):
    """No usable answer reached us: the network failed every try."""

    def __init__(self, message: str, *, url: str = "", cause: str = "") -> None:
        self.url = url
        self.cause = cause
        super().__init__(f"{message} [{url}]" if url else message)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    429: TooManyRequests,
}


def error_class(status: int) -> type[ApiError]:
    """The exception class for an HTTP error status.

    >>> error_class(503).__name__, error_class(404).__name__, error_class(418).__name__
    ('ServerError', 'NotFound', 'ApiError')
    """
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)


class DataError(TwxError, ValueError):
    """An input file or page cannot be read: bad JSON, a truncated line, not an API response.

    ``source`` is the file (or ``"<pages>"`` for in-memory input) and ``line`` the 1-based
    line (or position in the iterable).

    >>> str(DataError("invalid JSON: unexpected end of data", source="a.jsonl", line=7))
    'a.jsonl:7: invalid JSON: unexpected end of data'
    """

    def __init__(self, reason: str, *, source: str | None = None, line: int | None = None):
        self.reason = reason
        self.source = source
        self.line = line
        if line is not None:
            where = f"{source or '<pages>'}:{line}: "
        else:
            where = f"{source}: " if source else ""
        super().__init__(f"{where}{reason}")


class DataWarning(UserWarning):
    """A bad line or page was skipped (flattening with ``on_error="warn"``)."""


# tweepy's names for the same exceptions, so ``except tweepy.HTTPException``-style code keeps
# working after a switch to ``twxdata.AsyncClient``. BadRequest, Unauthorized, Forbidden,
# NotFound and TooManyRequests already carry tweepy's names.
TweepyException = TwxError
HTTPException = ApiError
TwitterServerError = ServerError
