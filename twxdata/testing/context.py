"""What a handler gets (``Ctx``) and the helpers every handler shares.

A handler is a plain function ``Ctx -> Reply``: (HTTP status, body bytes). It never awaits,
sleeps or touches rate limits or faults; the server does those around it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from twxdata.testing import problems
from twxdata.testing.corpus import Corpus
from twxdata.testing.paging import make_token, offset_page, read_token, rows_page
from twxdata.testing.params import Request
from twxdata.testing.payload import Includes, Renderer, Selection, assemble, pick_fields
from twxdata.testing.problems import param_error

I64 = npt.NDArray[np.int64]
Reply = tuple[int, bytes]


class BadRequest(Exception):
    """Raised by handlers for a 400 found after parsing (a page token of another query)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Ctx:
    corpus: Corpus
    renderer: Renderer
    req: Request
    viewer: int | None  # the account behind the credentials
    user_context: bool  # OAuth 1.0a or OAuth 2.0 user token (not app-only)
    now: float  # the API clock, Unix seconds

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
    def path_user(self, parameter: str = "id") -> tuple[int | None, Reply | None]:
        """The user named by the path, or the errors-only reply the API gives instead."""
        value = self.req.path[parameter]
        users = self.corpus.users
        u = (
            users.index_of_username(value)
            if parameter == "username"
            else users.index_of_id(int(value))
        )
        state = "deactivated" if u is None else self.corpus.user_state(u)
        if u is None or state in ("deactivated", "suspended"):
            return None, errors_only([problems.for_user(state, parameter, value, "data")])
        return u, None

    def path_tweet(self) -> tuple[int | None, Reply | None]:
        value = self.req.path["id"]
        found = self.corpus.find_tweet(int(value))
        state = "deleted" if found is None else self.corpus.row_state(found[0])
        if found is None or not self.can_see(found[0], state):
            return None, errors_only([problems.for_tweet(state, "id", value, "data")])
        return found[0], None

    def can_see(self, row: int, state: str | None = None) -> bool:
        state = state or self.corpus.row_state(row)
        if state == "ok":
            return True
        author = int(self.corpus.posts.author[row])
        return state == "protected" and self.user_context and self.viewer == author

    def require_self(self, u: int) -> Reply | None:
        """``me`` endpoints: the path id must be the authenticating user's own."""
        if self.viewer != u:
            return 403, assemble_problem(problems.generic(403))
        return None

    def own_path_user(self, parameter: str = "id") -> int | Reply:
        """The path's user for ``me`` endpoints (bookmarks, home timeline, blocks, ...): the
        user index, or the reply the API gives instead (errors only, empty, or 403 when the
        path names another user)."""
        u, fail = self.path_user(parameter)
        if u is None:
            return fail or empty()
        return self.require_self(u) or u

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


def assemble_problem(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)


def empty() -> Reply:
    return 200, assemble(None, meta={"result_count": 0})
