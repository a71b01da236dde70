"""Handlers of the endpoints that return accounts, lists and spaces."""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.testing import objects, problems
from twxdata.testing.context import Ctx, Reply, assemble_problem, empty, errors_only
from twxdata.testing.payload import assemble

_SHOWN = ("ok", "protected")


def _listed(ctx: Ctx, u: int) -> bool:
    return ctx.corpus.user_state(u) in _SHOWN


def _user_page(ctx: Ctx, items: Any) -> Reply:
    page, meta = ctx.offset_stream(items, lambda u: _listed(ctx, u))
    if not page:
        return 200, assemble(None, meta=meta)
    return ctx.users(page, meta)


def followers(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    return fail if u is None else _user_page(ctx, ctx.corpus.follows.followers(u))  # type: ignore[return-value]


def following(ctx: Ctx) -> Reply:
    u, fail = ctx.path_user()
    return fail if u is None else _user_page(ctx, ctx.corpus.follows.following(u))  # type: ignore[return-value]


def liking_users(ctx: Ctx) -> Reply:
    row, fail = ctx.path_tweet()
    return fail if row is None else _user_page(ctx, ctx.corpus.likes.likers(row))  # type: ignore[return-value]


def retweeters(ctx: Ctx) -> Reply:
    row, fail = ctx.path_tweet()
    if row is None:
        return fail  # type: ignore[return-value]
    c = ctx.corpus
    rts = c.retweets_of(row)
    authors = c.posts.author[rts[c.visible[rts]]][::-1].astype(np.int64)
    return _user_page(ctx, np.array(list(dict.fromkeys(authors.tolist())), dtype=np.int64))


def _list_index(ctx: Ctx) -> tuple[int | None, Reply | None]:
    c, value = ctx.corpus, ctx.req.path["id"]
    k = c.lists.index_of_id(int(value))
    if k is None:
        return None, errors_only([problems.not_found("list", "id", value)])
    if c.lists.private[k] and ctx.viewer != int(c.lists.owner[k]):
        return None, errors_only([problems.not_authorized("list", "id", value, "data")])
    return k, None


def list_members(ctx: Ctx) -> Reply:
    k, fail = _list_index(ctx)
    return fail if k is None else _user_page(ctx, ctx.corpus.lists.members(k))  # type: ignore[return-value]


def list_followers(ctx: Ctx) -> Reply:
    k, fail = _list_index(ctx)
    return fail if k is None else _user_page(ctx, ctx.corpus.lists.followers(k))  # type: ignore[return-value]


def user_lookup(ctx: Ctx) -> Reply:
    name = "username" if "username" in ctx.req.path else "id"
    u, fail = ctx.path_user(name)
    return fail if u is None else ctx.users([u], None, single=True)  # type: ignore[return-value]


def users_lookup(ctx: Ctx) -> Reply:
    e = ctx.req.endpoint
    param = e.ids_param or "ids"
    users = ctx.corpus.users
    found: list[int] = []
    errors = []
    for value in ctx.req.ids:
        u = (
            users.index_of_username(value)
            if param == "usernames"
            else users.index_of_id(int(value))
        )
        state = "deactivated" if u is None else ctx.corpus.user_state(u)
        if u is not None and state in _SHOWN:
            found.append(u)
        else:
            errors.append(problems.for_user(state, param, value, "data"))
    if not found:
        return errors_only(errors)
    return ctx.users(found, None, errors)


def me(ctx: Ctx) -> Reply:
    if ctx.viewer is None:
        return 403, assemble_problem(problems.generic(403))
    return ctx.users([ctx.viewer], None, single=True)


def _list_users(ctx: Ctx, obj: dict[str, Any]) -> list[int]:
    if "owner_id" not in ctx.req.expansions:
        return []
    u = ctx.corpus.users.index_of_id(int(obj["owner_id"]))
    return [] if u is None else [u]


def _lists_reply(
    ctx: Ctx, indexes: list[int], meta: dict[str, Any] | None, single: bool = False
) -> Reply:
    objs = [objects.list_object(ctx.corpus, k) for k in indexes]
    return ctx.objects(objs, ctx.selection.list, lambda o: _list_users(ctx, o), meta, single=single)


def list_lookup(ctx: Ctx) -> Reply:
    k, fail = _list_index(ctx)
    return fail if k is None else _lists_reply(ctx, [k], None, single=True)  # type: ignore[return-value]


def _user_lists(ctx: Ctx, which: str) -> Reply:
    u, fail = ctx.path_user()
    if u is None:
        return fail  # type: ignore[return-value]
    lists = ctx.corpus.lists
    items = {"owned": lists.owned, "followed": lists.followed, "memberships": lists.memberships}[
        which
    ](u)
    page, meta = ctx.offset_stream(
        items, lambda k: not lists.private[k] or int(lists.owner[k]) == ctx.viewer
    )
    if not page:
        return 200, assemble(None, meta=meta)
    return _lists_reply(ctx, page, meta)


def owned_lists(ctx: Ctx) -> Reply:
    return _user_lists(ctx, "owned")


def followed_lists(ctx: Ctx) -> Reply:
    return _user_lists(ctx, "followed")


def list_memberships(ctx: Ctx) -> Reply:
    return _user_lists(ctx, "memberships")


def pinned_lists(ctx: Ctx) -> Reply:
    u = ctx.own_path_user()
    if not isinstance(u, int):
        return u
    pinned = [int(k) for k in ctx.corpus.lists.followed(u)[:5]]
    if not pinned:
        return empty()
    return _lists_reply(ctx, pinned, {"result_count": len(pinned)})


def _space_users(ctx: Ctx, obj: dict[str, Any]) -> list[int]:
    out: list[int] = []
    exp = ctx.req.expansions
    for field in ("creator_id", "host_ids", "invited_user_ids", "speaker_ids"):
        if field in exp and field in obj:
            values = obj[field] if isinstance(obj[field], list) else [obj[field]]
            for v in values:
                u = ctx.corpus.users.index_of_id(int(v))
                if u is not None:
                    out.append(u)
    return out


def _spaces_reply(
    ctx: Ctx,
    indexes: list[int],
    meta: dict[str, Any] | None,
    errors: list[dict[str, Any]] | None = None,
    single: bool = False,
) -> Reply:
    objs = [objects.space_object(ctx.corpus, k) for k in indexes]
    return ctx.objects(
        objs,
        ctx.selection.space,
        lambda o: _space_users(ctx, o),
        meta,
        errors or [],
        single=single,
        topics=True,
    )


def space_lookup(ctx: Ctx) -> Reply:
    value = ctx.req.path["id"]
    k = ctx.corpus.spaces.by_id.get(value)
    if k is None:
        return errors_only([problems.not_found("space", "id", value)])
    return _spaces_reply(ctx, [k], None, single=True)


def spaces_lookup(ctx: Ctx) -> Reply:
    spaces = ctx.corpus.spaces
    found, errors = [], []
    for value in ctx.req.ids:
        k = spaces.by_id.get(value)
        if k is None:
            errors.append(problems.not_found("space", "ids", value))
        else:
            found.append(k)
    if not found:
        return errors_only(errors)
    return _spaces_reply(ctx, found, None, errors)


def spaces_by_creators(ctx: Ctx) -> Reply:
    users, spaces = ctx.corpus.users, ctx.corpus.spaces
    wanted = {users.index_of_id(int(v)) for v in ctx.req.ids} - {None}
    found = [k for k in range(spaces.n) if int(spaces.creator[k]) in wanted]
    if not found:
        return empty()
    return _spaces_reply(ctx, found, {"result_count": len(found)})


def search_spaces(ctx: Ctx) -> Reply:
    spaces = ctx.corpus.spaces
    words = (ctx.req.query or "").lower().split()
    state = ctx.req.extra.get("state", "all")
    found = [
        k
        for k in range(spaces.n)
        if all(w in spaces.title(k).lower() for w in words)
        and (state == "all" or spaces.STATES[int(spaces.state[k])] == state)
    ]
    found = found[: ctx.page_size()]
    if not found:
        return empty()
    return _spaces_reply(ctx, found, {"result_count": len(found)})


def nothing(ctx: Ctx) -> Reply:
    """Endpoints whose lists are empty in the fake world (blocks, mutes, buyers, DMs)."""
    if ctx.req.endpoint.me:
        u = ctx.own_path_user(ctx.req.endpoint.me)
        if not isinstance(u, int):
            return u
    return empty()


HANDLERS = {
    "get_users_followers": followers,
    "get_users_following": following,
    "get_liking_users": liking_users,
    "get_retweeters": retweeters,
    "get_list_members": list_members,
    "get_list_followers": list_followers,
    "get_user": user_lookup,
    "get_user_by_username": user_lookup,
    "get_users": users_lookup,
    "get_users_by_usernames": users_lookup,
    "get_me": me,
    "get_list": list_lookup,
    "get_owned_lists": owned_lists,
    "get_followed_lists": followed_lists,
    "get_list_memberships": list_memberships,
    "get_pinned_lists": pinned_lists,
    "get_space": space_lookup,
    "get_spaces": spaces_lookup,
    "get_spaces_by_creator_ids": spaces_by_creators,
    "search_spaces": search_spaces,
    "get_blocked": nothing,
    "get_muted": nothing,
    "get_space_buyers": nothing,
    "get_direct_message_events": nothing,
    "get_dm_events_with_participant": nothing,
    "get_dm_events_in_conversation": nothing,
}
