"""The exceptions twxdata raises. Catch ``TwxError`` to catch them all.

::

    TwxError
    ├── ParameterError (also ValueError)   bad input, raised before any request is sent
    │   └── ParameterBadRequest (also BadRequest)  the same, as twxdata.AsyncClient raises it
    ├── AuthError (also TypeError)         missing or unsuitable credentials, before any request
    ├── ApiError                           the API answered with an error status
    │   ├── BadRequest          400 (invalid-request problems keep per-parameter messages)
    │   ├── Unauthorized        401
    │   ├── Forbidden           403
    │   ├── NotFound            404
    │   ├── PaymentRequired     402 (pay-per-use credits depleted: never retried)
    │   ├── TooManyRequests     429 (rate limit or usage cap; ``reset_at`` when known)
    │   └── ServerError         5xx
    │       └── MalformedResponse  a body that is not the promised JSON (proxy HTML, truncation)
    └── TransportError                     no usable answer: connection refused, reset, timeout,
                                           truncated body — after every retry was spent

Messages are one line and name the endpoint by its path (and method, when known), never by the
query string, which for long field lists runs to more than a thousand characters::

    400 Invalid Request: One or more parameters to your request was invalid.; There were
    errors processing your request: ... (GET /2/tweets/search/recent)

``url`` keeps the whole URL. ``ApiError`` also has tweepy's ``HTTPException`` interface:
``api_errors``, ``api_codes`` and ``api_messages`` filled from the body as tweepy fills them,
and ``response``, a read-only stand-in for the answer (``ErrorResponse``: ``status``,
``reason``, ``headers``, ``url``, awaitable ``read``/``text``/``json``).

No message, ``repr`` or attribute here ever holds a credential: request URLs carry none (X takes
credentials in headers only), request headers are never stored on exceptions, and of the
response's headers only a fixed list of harmless ones is kept (content type, date, the
``x-rate-limit-*`` family, ``retry-after``): never ``set-cookie`` or ``authorization``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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
        self._got = got  # ``...``: not given
        super().__init__(_parameter_message(parameter, problem, got))


def _parameter_message(parameter: str, problem: str, got: Any) -> str:
    message = f"{parameter}: {problem}"
    if got is not ...:
        message += f" (got {got!r})"
    return message


class AuthError(TwxError, TypeError):
    """Credentials are missing or cannot be used for this endpoint (tweepy raises TypeError)."""


# Response headers an exception may keep: nothing that can carry a credential or a session.
_SAFE_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "date",
        "retry-after",
        "x-access-level",
        "x-transaction-id",
        "x-response-time",
    }
)
_SAFE_PREFIXES = ("x-rate-limit-", "x-app-limit-", "x-user-limit-")


def safe_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """The response headers an exception may keep, names lower-cased; all others dropped.

    >>> safe_headers({"Set-Cookie": "guest_id=1", "Authorization": "Bearer abc",
    ...               "x-rate-limit-reset": "1700000900", "Content-Type": "application/json"})
    {'x-rate-limit-reset': '1700000900', 'content-type': 'application/json'}
    """
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        key = str(name).lower()
        if key in _SAFE_HEADERS or key.startswith(_SAFE_PREFIXES):
            text = str(value)
            if len(text) <= 200 and "\n" not in text and "\r" not in text:
                out[key] = text
    return out


class ResponseHeaders(Mapping[str, str]):
    """Read-only, case-insensitive response headers, holding only ``safe_headers``.

    >>> h = ResponseHeaders({"X-Rate-Limit-Remaining": "0", "Set-Cookie": "a=b"})
    >>> h["x-rate-limit-remaining"], h.get("X-RATE-LIMIT-REMAINING"), "set-cookie" in h
    ('0', '0', False)
    """

    __slots__ = ("_items",)

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._items = safe_headers(headers)

    def __getitem__(self, key: str) -> str:
        if not isinstance(key, str):
            raise KeyError(key)
        return self._items[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"ResponseHeaders({self._items!r})"


class ErrorResponse:
    """tweepy's ``HTTPException.response`` for an answer twxdata has already read.

    tweepy hands out aiohttp's ``ClientResponse``; twxdata reads the body and releases the
    connection (and may have retried) before raising, so this stand-in keeps what that object
    is read for: ``status`` (and requests' ``status_code``), ``reason``, ``ok``, ``method``,
    ``url``, ``headers`` (the safe response headers: content type, date, rate limits) and
    ``content_type``, with awaitable ``read()``, ``text()`` and ``json()``. The body is kept up
    to 2,000 bytes; ``json()`` gives the whole parsed body. Nothing in it can be changed.

    >>> import asyncio
    >>> r = ApiError(404, title="Not Found", url="https://api.x.com/2/tweets/1?a=b",
    ...              method="GET", body=b'{"title":"Not Found"}').response
    >>> r.status, r.status_code, r.reason, r.ok, r.url
    (404, 404, 'Not Found', False, 'https://api.x.com/2/tweets/1?a=b')
    >>> asyncio.run(r.json())
    {'title': 'Not Found'}
    """

    __slots__ = ("_body", "_headers", "_json", "_method", "_status", "_url")

    def __init__(
        self,
        status: int,
        *,
        method: str = "",
        url: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        parsed: Any = None,
    ) -> None:
        self._status = status
        self._method = method
        self._url = url
        self._headers = ResponseHeaders(headers)
        self._body = body
        self._json = parsed

    @property
    def status(self) -> int:
        return self._status

    @property
    def status_code(self) -> int:
        """``status``, under requests' name (tweepy's sync client reads this one)."""
        return self._status

    @property
    def reason(self) -> str:
        return _reason(self._status)

    @property
    def ok(self) -> bool:
        return self._status < 400

    @property
    def method(self) -> str:
        return self._method

    @property
    def url(self) -> str:
        return self._url

    @property
    def headers(self) -> ResponseHeaders:
        return self._headers

    @property
    def content_type(self) -> str:
        value = self._headers.get("content-type", "application/octet-stream")
        return value.split(";")[0].strip()

    async def read(self) -> bytes:
        return self._body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        return self._body.decode(encoding or "utf-8", errors)

    async def json(self, **_: Any) -> Any:
        """The parsed body (``None`` when it was empty); ``ValueError`` when it is not JSON."""
        if self._json is None and self._body.strip():
            raise ValueError(f"the {self._status} answer's body is not JSON")
        return self._json

    def __repr__(self) -> str:
        where = _endpoint_text(self._method, self._url)
        return f"<ErrorResponse [{self._status} {self.reason}]{' ' + where if where else ''}>"


class ApiError(TwxError):
    """The API answered with an error status.

    ``title``, ``detail`` and ``type`` come from the RFC 7807 problem body when there is one;
    ``errors`` keeps the body's per-parameter messages (``invalid-request``) as given.
    ``url`` is the full request URL and ``method`` its method (empty when not known); the
    message names the path only. tweepy's ``api_errors``, ``api_codes`` and ``api_messages``
    are read from the body as tweepy reads them: its ``errors`` list (and an ``error``
    string), else its ``detail``. ``response`` is an ``ErrorResponse``.

    >>> err = BadRequest(400, title="Invalid Request", detail="One or more parameters to your "
    ...     "request was invalid.", errors=[{"message": "bad query"}], method="GET",
    ...     url="https://api.x.com/2/tweets/search/recent?query=%28&tweet.fields=id,text")
    >>> str(err)
    '400 Invalid Request: One or more parameters to your request was invalid.; bad query (GET /2/tweets/search/recent)'
    >>> err.api_messages, err.api_codes, err.response.status
    (['bad query'], [], 400)
    """  # noqa: E501

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
        method: str = "",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._set_answer(
            status,
            title=title,
            detail=detail,
            type=type,
            errors=errors,
            url=url,
            body=body,
            reset_at=reset_at,
            method=method,
            headers=headers,
        )
        super().__init__(self._message())

    def _set_answer(
        self,
        status: int,
        *,
        title: str,
        detail: str,
        type: str,
        errors: Sequence[Mapping[str, Any]],
        url: str,
        body: bytes,
        reset_at: float | None,
        method: str,
        headers: Mapping[str, str] | None,
    ) -> None:
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = list(errors)
        self.url = url
        self.method = method.upper()
        self.body = body[:2000]
        self.reset_at = reset_at
        self._headers = safe_headers(headers)
        self._json = _parse_json(body)
        if isinstance(self._json, dict):
            problem: Mapping[str, Any] = self._json
        elif not body.strip():  # made by hand, not read from an answer
            problem = {"errors": self.errors, **({"detail": detail} if detail else {})}
        else:  # an HTML page from a proxy, a cut-off body: tweepy finds nothing either
            problem = {}
        self.api_errors, self.api_codes, self.api_messages = _tweepy_lists(problem)

    @property
    def response(self) -> ErrorResponse:
        """tweepy's ``e.response``: the answer as read (``status``, ``headers``, ``json()``...)."""
        return ErrorResponse(
            self.status,
            method=self.method,
            url=self.url,
            headers=self._headers,
            body=self.body,
            parsed=self._json,
        )

    @property
    def parameter_errors(self) -> dict[str, list[str]]:
        """``{parameter: [messages]}`` from an ``invalid-request`` problem."""
        out: dict[str, list[str]] = {}
        for err in self.errors:
            params = err.get("parameters") or {}
            for name in params if isinstance(params, Mapping) else ():
                out.setdefault(str(name), []).append(str(err.get("message", "")))
        return out

    def _attach(self, *, method: str = "", headers: Mapping[str, str] | None = None) -> None:
        """Add what the raiser knows and the reader did not: the method, headers it lacks."""
        if method and not self.method:
            self.method = method.upper()
        for key, value in safe_headers(headers).items():
            self._headers.setdefault(key, value)
        self.args = (self._message(),)

    def _where(self) -> str:
        return _endpoint_text(self.method, self.url)

    def _message(self) -> str:
        head = f"{self.status} {_one_line(self.title) or _REASONS.get(self.status, 'Error')}"
        parts = [head]
        if self.detail and self.detail != self.title:
            parts.append(_one_line(self.detail))
        for err in self.errors[:5]:
            msg = err.get("message")
            if msg:
                parts.append(_one_line(str(msg)))
        text = ": ".join(parts[:2]) + ("; " + "; ".join(parts[2:]) if len(parts) > 2 else "")
        where = self._where()
        return f"{text} ({where})" if where else text


class BadRequest(ApiError):
    """400: the API rejected the parameters."""


class Unauthorized(ApiError):
    """401: the credentials were missing, wrong or revoked."""


class Forbidden(ApiError):
    """403: the credentials may not use this endpoint (access level, app settings)."""


class NotFound(ApiError):
    """404: no such resource or route."""


class PaymentRequired(ApiError):
    """402: the pay-per-use balance is spent (``credits-depleted``). Waiting does not help;
    someone has to add credits in the Developer Console. Never retried."""


class TooManyRequests(ApiError):
    """429: a rate limit or the monthly usage cap was hit."""

    @property
    def usage_capped(self) -> bool:
        return "usage-capped" in self.type or "UsageCapExceeded" in self.title

    @property
    def reset_time(self) -> int | None:
        """tweepy's name: when the window resets (Unix seconds, ``x-rate-limit-reset``)."""
        raw = self._headers.get("x-rate-limit-reset")
        if raw is not None:
            try:
                return int(float(raw))
            except ValueError:
                pass
        return None if self.reset_at is None else round(self.reset_at)


class ServerError(ApiError):
    """5xx, or a body that is not the JSON the API promises (HTML from a proxy, truncation)."""


class MalformedResponse(ServerError):
    """A body that is not the JSON the API promises: HTML from a proxy, a cut-off body."""


_INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
_INVALID_DETAIL = "One or more parameters to your request was invalid."


class ParameterBadRequest(ParameterError, BadRequest):
    """A ``ParameterError`` that is also a ``BadRequest``: what ``twxdata.AsyncClient`` and
    ``twxdata.AsyncPaginator`` raise for arguments the API would refuse.

    tweepy sends such a request and raises ``BadRequest`` on the API's 400; twxdata refuses it
    before sending, and this class keeps ``except tweepy.BadRequest``-style code working:
    ``status`` 400, an ``invalid-request`` problem whose one error names the parameter,
    ``api_messages`` holding the message, ``response.status`` 400. ``url`` is empty (nothing
    was sent); ``method`` and ``path`` name the endpoint when it is known.

    >>> err = ParameterBadRequest("max_results", "must be between 10 and 100", got=5000,
    ...                           method="GET", path="/2/tweets/search/recent")
    >>> str(err)
    'max_results: must be between 10 and 100 (got 5000)'
    >>> err.status, err.api_messages, err.parameter_errors
    (400, ['max_results: must be between 10 and 100 (got 5000)'], {'max_results': ['max_results: must be between 10 and 100 (got 5000)']})
    """  # noqa: E501

    def __init__(
        self,
        parameter: str,
        problem: str,
        *,
        got: Any = ...,
        allowed: Any = None,
        method: str = "",
        path: str = "",
        message: str | None = None,
    ) -> None:
        import orjson

        self.parameter = parameter
        self.problem = problem
        self.allowed = allowed
        self._got = got
        self.path = path
        text = message if message is not None else _parameter_message(parameter, problem, got)
        value = [] if got is ... else [_one_line(str(got), 200)]
        errors = [{"parameters": {parameter: value}, "message": text}]
        body = {
            "errors": errors,
            "title": "Invalid Request",
            "detail": _INVALID_DETAIL,
            "type": _INVALID_REQUEST,
        }
        self._set_answer(
            400,
            title="Invalid Request",
            detail=_INVALID_DETAIL,
            type=_INVALID_REQUEST,
            errors=errors,
            url="",
            body=orjson.dumps(body),
            reset_at=None,
            method=method,
            headers=None,
        )
        self._text = text
        Exception.__init__(self, text)

    @classmethod
    def from_parameter_error(
        cls, exc: ParameterError, *, method: str = "", path: str = ""
    ) -> ParameterBadRequest:
        """The same refusal as ``exc`` (same message and attributes), now also a 400."""
        return cls(
            exc.parameter,
            exc.problem,
            got=getattr(exc, "_got", ...),
            allowed=exc.allowed,
            method=method,
            path=path,
            message=str(exc),
        )

    def _where(self) -> str:
        return f"{self.method} {self.path}".strip()

    def _message(self) -> str:
        return self._text


class TransportError(TwxError):
    """No usable answer reached us: the network failed every try.

    The message names the path (not the query string, which is dropped from any URL in it);
    ``url`` keeps the full URL.

    >>> str(TransportError("connection reset", url="https://api.x.com/2/tweets?ids=1,2"))
    'connection reset (/2/tweets)'
    """

    def __init__(self, message: str, *, url: str = "", cause: str = "", method: str = "") -> None:
        self.url = url
        self.cause = cause
        self.method = method.upper()
        text = _without_queries(message)
        if url and not _mentions(text, _endpoint_text("", url)):
            text += f" ({_endpoint_text(self.method, url)})"
        super().__init__(text)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
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
    402: PaymentRequired,
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


def _reason(status: int) -> str:
    """The HTTP reason phrase of a status ("" for one HTTP does not name)."""
    if status in _REASONS:
        return _REASONS[status]
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _tweepy_lists(problem: Mapping[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """tweepy's ``api_errors``, ``api_codes`` and ``api_messages`` of an error body.

    As ``tweepy.errors.HTTPException`` reads it: the ``errors`` list and an ``error`` string;
    each error's ``code`` and ``message``; the ``detail`` only when no error had a message.

    >>> _tweepy_lists({"errors": [{"code": 88, "message": "Rate limit exceeded"}]})
    ([{'code': 88, 'message': 'Rate limit exceeded'}], [88], ['Rate limit exceeded'])
    >>> _tweepy_lists({"title": "Unauthorized", "status": 401, "detail": "Unauthorized"})
    ([], [], ['Unauthorized'])
    >>> _tweepy_lists({"error": "invalid_request", "error_description": "Value passed ..."})
    (['invalid_request'], [], ['invalid_request'])
    """
    listed = problem.get("errors", [])
    errors = list(listed) if isinstance(listed, list) else []
    if "error" in problem:
        errors.append(problem["error"])
    api_errors: list[Any] = []
    codes: list[Any] = []
    messages: list[Any] = []
    has_text = False
    for error in errors:
        api_errors.append(error)
        if isinstance(error, str):
            messages.append(error)
            has_text = True
            continue
        if not isinstance(error, Mapping):
            continue
        if "code" in error:
            codes.append(error["code"])
        if "message" in error:
            messages.append(error["message"])
            has_text = True
    if not has_text and "detail" in problem:
        messages.append(problem["detail"])
    return api_errors, codes, messages


def _parse_json(body: bytes) -> Any:
    if not body.strip():
        return None
    import orjson

    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def _endpoint_text(method: str, url: str) -> str:
    """``"GET /2/tweets/search/recent"`` for a URL: its path, never its query string."""
    if not url:
        return ""
    from urllib.parse import urlsplit

    try:
        path = urlsplit(url).path
    except ValueError:
        path = url.split("?", 1)[0].split("#", 1)[0]
    path = path or "/"
    return f"{method} {path}" if method else path


def _mentions(text: str, path: str) -> bool:
    """Whether ``text`` names ``path`` (as a whole path, not the start of a longer one)."""
    import re

    return re.search(re.escape(path) + r"(?=$|[\s:;,)\]])", text) is not None


def _without_queries(text: str) -> str:
    """``text`` with the query string of every URL in it left out."""
    if "?" not in text:
        return text
    import re

    return re.sub(r"(https?://[^\s'\"<>?#]*)\?[^\s'\"<>]*", r"\1", text)


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    if "\n" in text or "\r" in text:
        text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
