"""Handlers of the lookups (posts, accounts, lists and spaces by id) and of the endpoints that
page through accounts (followers, likers, list members) or lists.

A resource that cannot be shown raises ``Problem`` (``Ctx.user``, ``Ctx.tweet``,
``Ctx.path_list``, ``Ctx.space``): a lookup of many ids lists it among its partial errors, and the
server answers a lookup of one with it (errors only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.testing import objects, problems
from twxdata.testing.context import (
    Ctx,
    Handler,
    Problem,
    Reply,
    empty,
    errors_only,
    found_and_errors,
)
from twxdata.testing.payload import assemble

_SHOWN = ("ok", "protected")


def _listed(ctx: Ctx, user: int) -> bool:
    return ctx.corpus.user_state(user) in _SHOWN


def _user_page(ctx: Ctx, items: Any) -> Reply:
    page, meta = ctx.offset_stream(items, lambda user: _listed(ctx, user))
    if not page:
        return 200, assemble(None, meta=meta)
    return ctx.users(page, meta)


# --- posts ------------------------------------------------------------------------------------
def tweet_lookup(ctx: Ctx) -> Reply:
    return ctx.tweets([ctx.tweet(ctx.req.path["id"])], None, single=True)


def tweets_lookup(ctx: Ctx) -> Reply:
    found, errors = found_and_errors(ctx.req.ids, lambda value: ctx.tweet(value, "ids"))
    if not found:
        return errors_only(errors)
    return ctx.tweets(found, None, errors)


# --- accounts ---------------------------------------------------------------------------------
def followers(ctx: Ctx) -> Reply:
    return _user_page(ctx, ctx.corpus.follows.followers(ctx.path_user()))


def following(ctx: Ctx) -> Reply:
    return _user_page(ctx, ctx.corpus.follows.following(ctx.path_user()))


def liking_users(ctx: Ctx) -> Reply:
    return _user_page(ctx, ctx.corpus.likes.likers(ctx.path_tweet()))


def retweeters(ctx: Ctx) -> Reply:
    row = ctx.path_tweet()
    corpus = ctx.corpus
    reposts = corpus.retweets_of(row)
    authors = corpus.posts.author[reposts[corpus.visible[reposts]]][::-1].astype(np.int64)
    return _user_page(ctx, np.array(list(dict.fromkeys(authors.tolist())), dtype=np.int64))


def list_members(ctx: Ctx) -> Reply:
    return _user_page(ctx, ctx.corpus.lists.members(ctx.path_list()))


def list_followers(ctx: Ctx) -> Reply:
    return _user_page(ctx, ctx.corpus.lists.followers(ctx.path_list()))


def user_lookup(ctx: Ctx) -> Reply:
    parameter = "username" if "username" in ctx.req.path else "id"
    return ctx.users([ctx.path_user(parameter)], None, single=True)


def users_lookup(ctx: Ctx) -> Reply:
    parameter = ctx.req.endpoint.ids_param or "ids"
    found, errors = found_and_errors(ctx.req.ids, lambda value: ctx.user(value, parameter))
    if not found:
        return errors_only(errors)
    return ctx.users(found, None, errors)


def me(ctx: Ctx) -> Reply:
    if ctx.viewer is None:
        raise Problem(problems.generic(403), 403)
    return ctx.users([ctx.viewer], None, single=True)


# --- lists ------------------------------------------------------------------------------------
def _list_users(ctx: Ctx, obj: dict[str, Any]) -> list[int]:
    if "owner_id" not in ctx.req.expansions:
        return []
    owner = ctx.corpus.users.index_of_id(int(obj["owner_id"]))
    return [] if owner is None else [owner]


def _lists_reply(
    ctx: Ctx, indexes: list[int], meta: dict[str, Any] | None, single: bool = False
) -> Reply:
    objs = [objects.list_object(ctx.corpus, k) for k in indexes]
    return ctx.objects(objs, ctx.selection.list, lambda o: _list_users(ctx, o), meta, single=single)


def list_lookup(ctx: Ctx) -> Reply:
    return _lists_reply(ctx, [ctx.path_list()], None, single=True)


def _user_lists(ctx: Ctx, which: str) -> Reply:
    user = ctx.path_user()
    lists = ctx.corpus.lists
    relation = {"owned": lists.owned, "followed": lists.followed, "memberships": lists.memberships}
    page, meta = ctx.offset_stream(
        relation[which](user),
        lambda k: not lists.private[k] or int(lists.owner[k]) == ctx.viewer,
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
    user = ctx.own_path_user()
    pinned = [int(k) for k in ctx.corpus.lists.followed(user)[:5]]
    if not pinned:
        return empty()
    return _lists_reply(ctx, pinned, {"result_count": len(pinned)})


# --- spaces -----------------------------------------------------------------------------------
def _space_users(ctx: Ctx, obj: dict[str, Any]) -> list[int]:
    out: list[int] = []
    expansions = ctx.req.expansions
    for field in ("creator_id", "host_ids", "invited_user_ids", "speaker_ids"):
        if field in expansions and field in obj:
            values = obj[field] if isinstance(obj[field], list) else [obj[field]]
            for value in values:
                user = ctx.corpus.users.index_of_id(int(value))
                if user is not None:
                    out.append(user)
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
    return _spaces_reply(ctx, [ctx.space(ctx.req.path["id"])], None, single=True)


def spaces_lookup(ctx: Ctx) -> Reply:
    found, errors = found_and_errors(ctx.req.ids, lambda value: ctx.space(value, "ids"))
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
        ctx.own_path_user(ctx.req.endpoint.me)
    return empty()


HANDLERS: dict[str, Handler] = {
    "get_tweet": tweet_lookup,
    "get_tweets": tweets_lookup,
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
