"""Write handlers for accounts and lists, and the reads only writes fill (blocks, mutes, pins).

Follows, list members and list followers change ``Activity`` and are read back through
``Corpus.follows`` and ``Corpus.lists`` (``twxdata.testing.live``), so followers pages, home
timelines, list pages and account metrics all see them. A follow of a protected account is a
pending request (``{"following": false, "pending_follow": true}``); a block also ends follows
both ways, as on X. Only a list's owner may edit it, add or remove members, or delete it.
"""

from __future__ import annotations

from typing import Any

from twxdata.testing.activity import NewList, as_array
from twxdata.testing.context import BadRequest, Ctx, Handler, Reply, empty
from twxdata.testing.lookups import _lists_reply
from twxdata.testing.payload import assemble
from twxdata.testing.problems import param_error
from twxdata.testing.writectx import (
    StateCtx,
    acting_user,
    forbidden,
    handles_refusals,
    json_body,
    missing,
    ok,
    state_ctx,
    user_arg,
    viewer,
)

LIST_NAME = (1, 25)
LIST_DESCRIPTION = 100


# --- follows, mutes, blocks -------------------------------------------------------------------
@handles_refusals
def follow_user(ctx: StateCtx) -> Reply:
    """``POST /2/users/{id}/following``."""
    me = acting_user(ctx)
    target = user_arg(ctx, json_body(ctx, ("target_user_id",))["target_user_id"], "target_user_id")
    a = ctx.activity
    if target == me:
        raise forbidden("You cannot follow yourself.")
    if a.blocks.has(target, me, generated=False):
        raise forbidden("You cannot follow an account that blocks you.")
    if ctx.corpus.user_state(target) == "protected":
        a.follow_requests.add(me, target)
        ctx.corpus.changed("follow_request", target)
        return ok({"following": False, "pending_follow": True})
    a.follows.add(me, target)
    ctx.corpus.changed("follow", target)
    return ok({"following": True, "pending_follow": False})


@handles_refusals
def unfollow_user(ctx: StateCtx) -> Reply:
    """``DELETE /2/users/{source_user_id}/following/{target_user_id}``."""
    me = acting_user(ctx, "source_user_id")
    target = user_arg(ctx, ctx.req.path["target_user_id"], "target_user_id")
    ctx.activity.follows.remove(me, target)
    ctx.activity.follow_requests.remove(me, target)
    ctx.corpus.changed("unfollow", target)
    return ok({"following": False})


def _toggle(kind: str, key: str, verb: str, on: bool, acting: str) -> Any:
    """A mute/block handler: POST with ``target_user_id`` in the body, DELETE in the path."""

    @handles_refusals
    def handler(ctx: StateCtx) -> Reply:
        me = acting_user(ctx, acting)
        raw = json_body(ctx, ("target_user_id",))["target_user_id"] if on else None
        target = user_arg(ctx, raw if on else ctx.req.path["target_user_id"], "target_user_id")
        edges = getattr(ctx.activity, kind)
        if on:
            if target == me:
                raise forbidden(f"You cannot {verb} yourself.")
            edges.add(me, target)
            if kind == "blocks":  # X ends follows both ways when one blocks the other
                ctx.activity.follows.remove(me, target)
                ctx.activity.follows.remove(target, me)
        else:
            edges.remove(me, target)
        ctx.corpus.changed(f"{key}" if on else f"un{key}", target)
        return ok({key: on})

    return handler


def _blocked_or_muted(kind: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        user = ctx.own_path_user()
        targets = getattr(state_ctx(ctx).activity, kind).new_of(user)
        c = ctx.corpus
        page, meta = ctx.offset_stream(
            as_array(targets), lambda t: c.user_state(t) in ("ok", "protected")
        )
        return ctx.users(page, meta) if page else (200, assemble(None, meta=meta))

    return handler


# --- lists ------------------------------------------------------------------------------------
def _list_fields(body: dict[str, Any], creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = body.get("name")
    if name is not None or creating:
        if not isinstance(name, str) or not LIST_NAME[0] <= len(name) <= LIST_NAME[1]:
            raise BadRequest([param_error("`name` must be 1 to 25 characters", name=[str(name)])])
        out["name"] = name
    description = body.get("description")
    if description is not None:
        if not isinstance(description, str) or len(description) > LIST_DESCRIPTION:
            message = "`description` must be at most 100 characters"
            raise BadRequest([param_error(message, description=[str(description)])])
        out["description"] = description
    private = body.get("private")
    if private is not None:
        if not isinstance(private, bool):
            raise BadRequest([param_error("`private` must be true or false", private=[])])
        out["private"] = private
    return out


def _list(ctx: StateCtx, value: Any, parameter: str, *, own: bool = False) -> int:
    """The index of the list ``value`` (404 if none or private to someone else)."""
    lists = ctx.corpus.lists
    text = str(value)
    k = lists.index_of_id(int(text)) if text.isdigit() else None
    me = viewer(ctx)
    if k is None or (bool(lists.private[k]) and int(lists.owner[k]) != me):
        raise missing("list", parameter, text)
    if own and int(lists.owner[k]) != me:
        raise forbidden("You may only change lists you own.")
    return k


@handles_refusals
def create_list(ctx: StateCtx) -> Reply:
    """``POST /2/lists``: answers ``{"data": {"id", "name"}}``."""
    me = viewer(ctx)
    fields = _list_fields(json_body(ctx), creating=True)
    a, c = ctx.activity, ctx.corpus
    lid = a.new_id(ctx.now, floor=int(c.lists.ids[-1]))
    a.lists.append(
        NewList(
            lid,
            me,
            fields["name"],
            fields.get("description", ""),
            fields.get("private", False),
            int(ctx.now),
        )
    )
    c.changed("create_list", lid)
    return ok({"id": str(lid), "name": fields["name"]})


@handles_refusals
def update_list(ctx: StateCtx) -> Reply:
    """``PUT /2/lists/{id}``."""
    k = _list(ctx, ctx.req.path["id"], "id", own=True)
    fields = _list_fields(json_body(ctx), creating=False)
    ctx.activity.list_edits.setdefault(k, {}).update(fields)
    ctx.corpus.changed("update_list", k)
    return ok({"updated": True})


@handles_refusals
def delete_list(ctx: StateCtx) -> Reply:
    """``DELETE /2/lists/{id}``."""
    k = _list(ctx, ctx.req.path["id"], "id", own=True)
    ctx.activity.deleted_lists.add(k)
    ctx.corpus.changed("delete_list", k)
    return ok({"deleted": True})


@handles_refusals
def add_list_member(ctx: StateCtx) -> Reply:
    """``POST /2/lists/{id}/members``."""
    k = _list(ctx, ctx.req.path["id"], "id", own=True)
    u = user_arg(ctx, json_body(ctx, ("user_id",))["user_id"], "user_id")
    ctx.activity.members.add(k, u)
    ctx.corpus.changed("add_list_member", u)
    return ok({"is_member": True})


@handles_refusals
def remove_list_member(ctx: StateCtx) -> Reply:
    """``DELETE /2/lists/{id}/members/{user_id}``."""
    k = _list(ctx, ctx.req.path["id"], "id", own=True)
    u = user_arg(ctx, ctx.req.path["user_id"], "user_id")
    ctx.activity.members.remove(k, u)
    ctx.corpus.changed("remove_list_member", u)
    return ok({"is_member": False})


def _list_relation(edges: str, key: str, on: bool) -> Any:
    """Follow/unfollow and pin/unpin: the list is in the body to add, in the path to remove."""

    @handles_refusals
    def handler(ctx: StateCtx) -> Reply:
        me = acting_user(ctx)
        raw = json_body(ctx, ("list_id",))["list_id"] if on else ctx.req.path["list_id"]
        k = _list(ctx, raw, "list_id")
        relation = getattr(ctx.activity, edges)
        pair = (k, me) if edges == "list_followers" else (me, k)
        if on:
            relation.add(*pair)
        else:
            relation.remove(*pair)
        ctx.corpus.changed(f"{key}" if on else f"un{key}", k)
        return ok({key: on})

    return handler


def pinned_lists(ctx: Ctx) -> Reply:
    """``GET /2/users/{id}/pinned_lists``: the generated pins (five followed lists), edited."""
    user = ctx.own_path_user()
    lists = ctx.corpus.lists
    base = [int(k) for k in lists.base.followed(user)[:5]]
    activity = state_ctx(ctx).activity
    pinned = [k for k in activity.pins.out_of(user, base) if k not in activity.deleted_lists]
    if not pinned:
        return empty()
    return _lists_reply(ctx, pinned, {"result_count": len(pinned)})


HANDLERS: dict[str, Handler] = {
    "follow_user": follow_user,
    "unfollow_user": unfollow_user,
    "mute": _toggle("mutes", "muting", "mute", True, "id"),
    "unmute": _toggle("mutes", "muting", "mute", False, "source_user_id"),
    "block": _toggle("blocks", "blocking", "block", True, "id"),
    "unblock": _toggle("blocks", "blocking", "block", False, "source_user_id"),
    "create_list": create_list,
    "update_list": update_list,
    "delete_list": delete_list,
    "add_list_member": add_list_member,
    "remove_list_member": remove_list_member,
    "follow_list": _list_relation("list_followers", "following", True),
    "unfollow_list": _list_relation("list_followers", "following", False),
    "pin_list": _list_relation("pins", "pinned", True),
    "unpin_list": _list_relation("pins", "pinned", False),
}

# Reads that only writes fill: each replaces the generated-only handler of its endpoint
# (``lookups``; see ``twxdata.testing.server``).
OVERRIDES: dict[str, Handler] = {
    "get_blocked": _blocked_or_muted("blocks"),
    "get_muted": _blocked_or_muted("mutes"),
    "get_pinned_lists": pinned_lists,
}
