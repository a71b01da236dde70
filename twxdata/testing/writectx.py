"""What write handlers share: the request body, the acting account, and the write errors.

Write handlers get a ``StateCtx``: a ``Ctx`` that also carries the raw JSON body and the
server's base URL (compliance jobs hand out upload and download URLs on it). Where X's docs do
not say what a failed write answers, the fake uses RFC 7807 problems in the API's style:
400 ``invalid-request`` for a malformed body, 403 for acting on someone else's behalf or
resource, 404 ``resource-not-found`` for a target that does not exist (or is not visible).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from twxdata.testing import problems
from twxdata.testing.activity import Activity
from twxdata.testing.context import BadRequest, Ctx, Reply
from twxdata.testing.problems import param_error


@dataclass
class StateCtx(Ctx):
    """A ``Ctx`` with the request body (bytes as received) and the server's base URL."""

    body: bytes = b""
    base_url: str = ""

    @property
    def activity(self) -> Activity:
        return self.corpus.state.activity


class Refused(Exception):
    """Raised by write handlers to answer with a problem (status and RFC 7807 body)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail", ""))
        self.status = status
        self.problem = problem

    def reply(self) -> Reply:
        return self.status, orjson.dumps(self.problem)


def state_ctx(ctx: Ctx) -> StateCtx:
    if not isinstance(ctx, StateCtx):  # pragma: no cover - the server always builds one
        raise TypeError("write handlers need a StateCtx")
    return ctx


def handles_refusals(handler: Any) -> Any:
    """Turn a ``Refused`` raised by ``handler`` into its reply."""

    def run(ctx: Ctx) -> Reply:
        try:
            result: Reply = handler(state_ctx(ctx))
        except Refused as refused:
            return refused.reply()
        return result

    run.__name__ = getattr(handler, "__name__", "handler")
    run.__doc__ = handler.__doc__
    return run


def json_body(ctx: StateCtx, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON object in the body, with ``required`` keys present (else a 400)."""
    try:
        body = orjson.loads(ctx.body) if ctx.body.strip() else {}
    except orjson.JSONDecodeError:
        raise BadRequest([{"message": "Request body is not valid JSON"}]) from None
    if not isinstance(body, dict):
        raise BadRequest([{"message": "Request body must be a JSON object"}])
    for key in required:
        if body.get(key) in (None, ""):
            raise BadRequest([param_error(f"`{key}` is required", **{key: []})])
    return body


def ok(data: dict[str, Any], status: int = 200) -> Reply:
    """A write's answer: ``{"data": {...}}``."""
    return status, orjson.dumps({"data": data})


def viewer(ctx: StateCtx) -> int:
    """The account the credentials act for (writes always have one)."""
    if ctx.viewer is None:
        raise Refused(403, problems.generic(403))
    return ctx.viewer


def acting_user(ctx: StateCtx, parameter: str = "id") -> int:
    """The path's user, which must be the authenticating one (``/2/users/{id}/likes``)."""
    me = viewer(ctx)
    value = ctx.req.path[parameter]
    if ctx.corpus.users.index_of_id(int(value)) != me:
        raise forbidden("You are not permitted to perform this action on behalf of this user.")
    return me


def forbidden(detail: str) -> Refused:
    return Refused(
        403, {"detail": detail, "type": "about:blank", "title": "Forbidden", "status": 403}
    )


def missing(resource_type: str, parameter: str, value: Any) -> Refused:
    """404 for a target that does not exist or that the account may not see."""
    found = problems.not_found(resource_type, parameter, str(value))
    return Refused(
        404,
        {
            "title": found["title"],
            "detail": found["detail"],
            "type": found["type"],
            "status": 404,
        },
    )


def user_arg(ctx: StateCtx, value: Any, parameter: str) -> int:
    """The visible account with id ``value`` (404 when it does not exist or is suspended)."""
    text = str(value)
    u = ctx.corpus.users.index_of_id(int(text)) if text.isdigit() else None
    if u is None or ctx.corpus.user_state(u) in ("suspended", "deactivated"):
        raise missing("user", parameter, text)
    return u
