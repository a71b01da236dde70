"""What a handler gets (``Ctx``) and the helpers every handler shares.

A handler is a plain function ``Ctx -> Reply``: (HTTP status, body bytes). It never awaits,
sleeps or touches rate limits or faults; the server does those around it. Where what the
request names cannot be shown (an account, post, list or space), a lookup raises ``Problem``:
a lookup of many ids lists it among its partial errors, the server answers any other with it.
Handler tables (endpoint name -> handler) are put together with ``union`` and ``override``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import orjson

from twxdata.testing import problems
from twxdata.testing.billing import Billing
from twxdata.testing.corpus import Corpus
from twxdata.testing.paging import make_token, offset_page, read_token, rows_page
from twxdata.testing.params import Request
from twxdata.testing.payload import Includes, Renderer, Selection, assemble, pick_fields
from twxdata.testing.problems import param_error

I64 = npt.NDArray[np.int64]
Reply = tuple[int, bytes]
T = TypeVar("T")


class BadRequest(Exception):
    """Raised by handlers for a 400 found after parsing (a page token of another query)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


class Problem(Exception):
    """Raised where a lookup fails, with the ``error`` the API reports for it.

    A lookup of many ids (``ids=...``) catches it and lists ``error`` among the partial
    ``errors`` of its answer (``found_and_errors``). Anywhere else the server catches it and
    answers with ``reply()``: errors only (HTTP 200, ``{"errors": [error]}``, as X answers for
    a resource it cannot show), or with a 4xx ``status``, ``error`` as the problem body.

    >>> Problem(problems.generic(403), 403).reply()[0]
    403
    """

    def __init__(self, error: dict[str, Any], status: int = 200) -> None:
        super().__init__(error.get("detail", ""))
        self.error = error
        self.status = status

    def reply(self) -> Reply:
        if self.status == 200:
            return errors_only([self.error])
        return self.status, orjson.dumps(self.error)


def found_and_errors(
    values: Iterable[str], lookup: Callable[[str], T]
) -> tuple[list[T], list[dict[str, Any]]]:
    """What ``lookup`` finds for each of ``values``, and the errors of those it does not."""
    found: list[T] = []
    errors: list[dict[str, Any]] = []
    for value in values:
        try:
            found.append(lookup(value))
        except Problem as problem:
            errors.append(problem.error)
    return found, errors


@dataclass
class Ctx:
    corpus: Corpus
    renderer: Renderer
    req: Request
    viewer: int | None  # the account behind the credentials
    user_context: bool  # OAuth 1.0a or OAuth 2.0 user token (not app-only)
    now: float  # the API clock, Unix seconds
    billing: Billing | None = None  # the server's meter (GET /2/usage/tweets reads it)

    @property
    def selection(self) -> Selection:
        return Selection.of(self.req.fields, self.req.expansions, self.req.endpoint.result.value)

    def page_size(self) -> int:
        e = self.req.endpoint
        if self.req.max_results is not None:
            return self.req.max_results
        if e.api_default_page_size is not None:
            return e.api_default_page_size
        return e.page_size[1] if e.page_size else 100

    def cursor(self) -> tuple[str, int] | None:
        token = self.req.page_token
        if token is None:
            return None
        found = read_token(token, self.req.scope())
        if found is None:
            name = self.req.endpoint.page_token or "pagination_token"
            raise BadRequest(
                [
                    param_error(
                        f"The `{name}` query parameter value [{token}] is not valid",
                        **{name: [token]},
                    )
                ]
            )
        return found

    def token(self, direction: str, position: int) -> str:
        return make_token(direction, position, self.req.scope())

    # --- path resources ---------------------------------------------------------------------
    def user(self, value: str, parameter: str = "id") -> int:
        """The account ``value`` names (a username for ``username``/``usernames``, else an id),
        unless it does not exist, is suspended or is deactivated (``Problem``)."""
        users = self.corpus.users
        by_name = parameter in ("username", "usernames")
        index = users.index_of_username(value) if by_name else users.index_of_id(int(value))
        state = "deactivated" if index is None else self.corpus.user_state(index)
        if index is None or state in ("deactivated", "suspended"):
            raise Problem(problems.for_user(state, parameter, value, "data"))
        return index

    def path_user(self, parameter: str = "id") -> int:
        """The account the path names (``Problem`` when it cannot be shown)."""
        return self.user(self.req.path[parameter], parameter)

    def tweet(self, value: str, parameter: str = "id") -> tuple[int, int]:
        """(row, version) of post ``value``, unless it does not exist or the credentials may
        not see it (``Problem``)."""
        found = self.corpus.find_tweet(int(value))
        state = "deleted" if found is None else self.corpus.row_state(found[0])
        if found is None or not self.can_see(found[0], state):
            raise Problem(problems.for_tweet(state, parameter, value, "data"))
        return found

    def path_tweet(self) -> int:
        """The row of the post the path names (``Problem`` when it cannot be shown)."""
        row, _ = self.tweet(self.req.path["id"])
        return row

    def path_list(self) -> int:
        """The list the path names, unless it does not exist or is another account's private
        list (``Problem``)."""
        lists, value = self.corpus.lists, self.req.path["id"]
        k = lists.index_of_id(int(value))
        if k is None:
            raise Problem(problems.not_found("list", "id", value))
        if lists.private[k] and self.viewer != int(lists.owner[k]):
            raise Problem(problems.not_authorized("list", "id", value, "data"))
        return k

    def space(self, value: str, parameter: str = "id") -> int:
        """The space with id ``value`` (``Problem`` when there is none)."""
        k = self.corpus.spaces.by_id.get(value)
        if k is None:
            raise Problem(problems.not_found("space", parameter, value))
        return k

    def can_see(self, row: int, state: str | None = None) -> bool:
        state = state or self.corpus.row_state(row)
        if state == "ok":
            return True
        author = int(self.corpus.posts.author[row])
        return state == "protected" and self.user_context and self.viewer == author

    def require_self(self, user: int) -> None:
        """``me`` endpoints: the path id must be the authenticating user's own (else 403)."""
        if self.viewer != user:
            raise Problem(problems.generic(403), 403)

    def own_path_user(self, parameter: str = "id") -> int:
        """The path's user for ``me`` endpoints (bookmarks, home timeline, blocks, ...);
        ``Problem`` when it cannot be shown or (403) when the path names another user."""
        user = self.path_user(parameter)
        self.require_self(user)
        return user

    # --- responses --------------------------------------------------------------------------
    def tweets(
        self,
        rows: Sequence[tuple[int, int]],
        meta: dict[str, Any] | None,
        errors: Sequence[dict[str, Any]] = (),
        single: bool = False,
    ) -> Reply:
        sel = self.selection
        inc = Includes()
        for err in errors:
            inc.error(err)
        r = self.renderer
        data = [r.tweet_bytes(i, v, sel.tweet) for i, v in rows]
        if sel.expansions:
            for i, v in rows:
                r.expand_tweet(i, v, sel.expansions, inc)
        return 200, assemble(data, r.includes_bytes(inc, sel), inc.errors, meta, single)

    def users(
        self,
        users: Sequence[int],
        meta: dict[str, Any] | None,
        errors: Sequence[dict[str, Any]] = (),
        single: bool = False,
    ) -> Reply:
        sel = self.selection
        inc = Includes()
        for err in errors:
            inc.error(err)
        r = self.renderer
        data = [r.user_bytes(u, sel.user) for u in users]
        if sel.expansions:
            for u in users:
                r.expand_user(u, sel.expansions, inc)
        return 200, assemble(data, r.includes_bytes(inc, sel), inc.errors, meta, single)

    def objects(
        self,
        objs: Sequence[dict[str, Any]],
        keep: frozenset[str],
        users: Callable[[dict[str, Any]], list[int]] | None,
        meta: dict[str, Any] | None,
        errors: Sequence[dict[str, Any]] = (),
        single: bool = False,
        topics: bool = False,
    ) -> Reply:
        """Lists and spaces: plain objects, with user (and topic) expansions."""
        sel = self.selection
        inc = Includes()
        for err in errors:
            inc.error(err)
        data = [orjson.dumps(pick_fields(o, keep)) for o in objs]
        for o in objs:
            if users is not None:
                for u in users(o):
                    inc.users[u] = None
            if topics and "topic_ids" in sel.expansions:
                for t in o.get("topic_ids", ()):
                    inc.topics[t] = None
        return 200, assemble(data, self.renderer.includes_bytes(inc, sel), inc.errors, meta, single)

    def row_stream(self, rows: I64, style: str, previous: bool = True) -> Reply:
        """A newest-first page of post rows; ``style`` picks the meta keys of the endpoint."""
        size = self.page_size()
        cursor = self.cursor()
        page, older, newer = rows_page(rows, size, cursor)
        meta: dict[str, Any] = {}
        if page.size and style == "timeline":
            ids = self.corpus.posts.ids
            meta.update(newest_id=str(int(ids[page[0]])), oldest_id=str(int(ids[page[-1]])))
        meta["result_count"] = int(page.size)
        if older and page.size:
            meta["next_token"] = self.token("next", int(page[-1]))
        if previous and newer and cursor is not None and page.size:
            meta["previous_token"] = self.token("prev", int(page[0]))
        return self.tweets([(int(i), 0) for i in page], meta)

    def offset_stream(
        self, items: I64, keep: Callable[[int], bool]
    ) -> tuple[list[int], dict[str, Any]]:
        """A page of an ordered list, filtered after slicing (so pages may come out short).

        Like the real API, a full page always gets a ``next_token``, even when the list ends
        there: the next request then answers ``{"meta": {"result_count": 0, ...}}``.
        """
        size = self.page_size()
        cursor = self.cursor()
        start, stop = offset_page(int(items.size), size, cursor)
        page = [int(x) for x in items[start:stop] if keep(int(x))]
        meta: dict[str, Any] = {"result_count": len(page)}
        if stop - start == size:
            meta["next_token"] = self.token("next", stop)
        if start > 0:
            meta["previous_token"] = self.token("prev", start)
        return page, meta


def errors_only(errors: list[dict[str, Any]]) -> Reply:
    return 200, assemble(None, errors=errors)


def empty() -> Reply:
    return 200, assemble(None, meta={"result_count": 0})


# --- handler tables ---------------------------------------------------------------------------
Handler = Callable[[Ctx], Reply]


def union(*tables: Mapping[str, Handler]) -> dict[str, Handler]:
    """The handler tables as one; an endpoint in two of them is an error.

    >>> def answer(ctx):
    ...     return empty()
    >>> union({"a": answer}, {"b": answer}).keys()
    dict_keys(['a', 'b'])
    >>> union({"a": answer}, {"a": answer})
    Traceback (most recent call last):
    ...
    ValueError: endpoint 'a' has two handlers
    """
    out: dict[str, Handler] = {}
    for table in tables:
        for name, handler in table.items():
            if name in out:
                raise ValueError(f"endpoint {name!r} has two handlers")
            out[name] = handler
    return out


def override(base: Mapping[str, Handler], overrides: Mapping[str, Handler]) -> dict[str, Handler]:
    """``base`` with some of its handlers replaced; replacing one it lacks is an error.

    >>> def answer(ctx):
    ...     return empty()
    >>> override({"a": answer}, {"b": answer})
    Traceback (most recent call last):
    ...
    ValueError: endpoint 'b' overrides no handler
    """
    for name in overrides:
        if name not in base:
            raise ValueError(f"endpoint {name!r} overrides no handler")
    return {**base, **overrides}
