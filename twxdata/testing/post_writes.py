"""Write handlers for posts: create, delete, like, repost, bookmark, hide a reply.

Bodies and answers follow the spec: ``POST /2/tweets`` answers 201 with
``{"data": {"id", "text", "edit_history_tweet_ids"}}``; likes answer ``{"data": {"liked": ...}}``,
reposts ``{"data": {"id", "retweeted": ...}}``, bookmarks ``{"bookmarked": ...}``, hiding
``{"hidden": ...}``, deletion ``{"deleted": true}``. Repeating a like or a repost is harmless, as
on X. A repost is a post of its own (kind ``retweet``): it shows in search, in its author's
timeline and in the original's reposted-by list, and undoing it deletes it.
"""

from __future__ import annotations

from typing import Any

from twxdata.testing.activity import Post
from twxdata.testing.context import BadRequest, Handler, Reply
from twxdata.testing.created import make_object, position, post_id_at, post_words
from twxdata.testing.posts import REPLY, RETWEET
from twxdata.testing.problems import param_error
from twxdata.testing.texts import RT_LIMIT
from twxdata.testing.timestamps import iso
from twxdata.testing.writectx import (
    StateCtx,
    acting_user,
    forbidden,
    handles_refusals,
    json_body,
    missing,
    ok,
    user_arg,
    viewer,
)

MAX_TEXT = 280
REPLY_SETTINGS = frozenset({"everyone", "following", "mentionedUsers", "subscribers", "verified"})
POLL_MINUTES = (5, 10_080)


def _target(ctx: StateCtx, value: Any, parameter: str) -> int:
    """The position of a visible post named by ``value`` (404 otherwise)."""
    text = str(value)
    pos = position(ctx.corpus, int(text), ctx.viewer) if text.isdigit() else None
    if pos is None:
        raise missing("tweet", parameter, text)
    return pos


def _obj(ctx: StateCtx, pos: int) -> dict[str, Any]:
    c = ctx.corpus
    if pos < c.size:
        return c.tweet(pos)
    return c.state.activity.posts[pos - c.size].obj


def _bad(message: str, **parameters: list[str]) -> BadRequest:
    return BadRequest([param_error(message, **parameters)])


def _media(ctx: StateCtx, body: dict[str, Any], post_id: int) -> list[dict[str, Any]]:
    media = body.get("media")
    if media is None:
        return []
    ids = media.get("media_ids") if isinstance(media, dict) else None
    if not isinstance(ids, list) or not 1 <= len(ids) <= 4:
        raise _bad("`media.media_ids` must hold 1 to 4 media ids", media_ids=[str(ids)])
    for u in media.get("tagged_user_ids") or []:
        user_arg(ctx, u, "media.tagged_user_ids")
    out = []
    for n, mid in enumerate(ids):
        if not str(mid).isdigit():
            raise _bad(f"`{mid}` is not a media id", media_ids=[str(mid)])
        out.append(
            {
                "media_key": f"3_{mid}",
                "type": "photo",
                "url": f"https://pbs.twimg.com/media/fake{post_id}_{n}.jpg",
                "width": 1200,
                "height": 675,
            }
        )
    return out


def _poll(body: dict[str, Any], poll_id: int, now: float) -> dict[str, Any] | None:
    poll = body.get("poll")
    if poll is None:
        return None
    options = poll.get("options") if isinstance(poll, dict) else None
    minutes = poll.get("duration_minutes") if isinstance(poll, dict) else None
    if not isinstance(options, list) or not 2 <= len(options) <= 4:
        raise _bad("`poll.options` must hold 2 to 4 choices", options=[str(options)])
    if any(not isinstance(o, str) or not 1 <= len(o) <= 25 for o in options):
        raise _bad("poll choices must be 1 to 25 characters", options=[str(options)])
    if not isinstance(minutes, int) or not POLL_MINUTES[0] <= minutes <= POLL_MINUTES[1]:
        raise _bad(
            f"`poll.duration_minutes` must be between {POLL_MINUTES[0]} and {POLL_MINUTES[1]}",
            duration_minutes=[str(minutes)],
        )
    return {
        "duration_minutes": minutes,
        "end_datetime": iso(now + 60 * minutes),
        "id": str(poll_id),
        "options": [{"position": k + 1, "label": o, "votes": 0} for k, o in enumerate(options)],
        "voting_status": "open",
    }


@handles_refusals
def create_tweet(ctx: StateCtx) -> Reply:
    """``POST /2/tweets``."""
    me = viewer(ctx)
    body = json_body(ctx)
    c, a = ctx.corpus, ctx.activity
    text = body.get("text") or ""
    if not isinstance(text, str):
        raise _bad("`text` must be a string", text=[str(text)])
    if not (text or body.get("media") or body.get("poll")):
        raise _bad("Your request must include text, media or a poll", text=[])
    if len(text) > MAX_TEXT:
        raise forbidden("Your Tweet text is too long.")
    settings = body.get("reply_settings", "everyone")
    if settings not in REPLY_SETTINGS:
        raise _bad(f"`reply_settings` must be one of {sorted(REPLY_SETTINGS)}", reply_settings=[])
    if body.get("media") and body.get("poll"):
        raise _bad("A post may have media or a poll, not both", media=[], poll=[])
    if text and any(
        p.author == me and p.obj["text"] == text and p.kind != "retweet" for p in a.live_posts()
    ):
        raise forbidden("You are not allowed to create a Tweet with duplicate content.")
    kind, ref, conversation, reply_to = "original", None, None, None
    reply = body.get("reply")
    if isinstance(reply, dict):
        pos = _target(ctx, reply.get("in_reply_to_tweet_id", ""), "reply.in_reply_to_tweet_id")
        kind, ref = "reply", post_id_at(c, pos)
        parent = _obj(ctx, pos)
        conversation = int(parent.get("conversation_id", ref))
        reply_to = c.users.index_of_id(int(parent["author_id"]))
    elif body.get("quote_tweet_id") is not None:
        kind = "quote"
        ref = post_id_at(c, _target(ctx, body["quote_tweet_id"], "quote_tweet_id"))
    now = ctx.now
    post_id = a.new_id(now, floor=int(c.posts.ids[-1]))
    media = _media(ctx, body, post_id)
    poll = _poll(body, a.new_id(now), now)
    attachments: dict[str, list[str]] = {}
    if media:
        attachments["media_keys"] = [m["media_key"] for m in media]
    if poll is not None:
        attachments["poll_ids"] = [poll["id"]]
    geo = body.get("geo")
    place = geo.get("place_id") if isinstance(geo, dict) else None
    referenced = None
    if ref is not None:
        referenced = ("replied_to" if kind == "reply" else "quoted", ref)
    obj = make_object(
        c, post_id, me, text, now, conversation_id=conversation, referenced=referenced,
        reply_to_user=reply_to, attachments=attachments, place_id=place, reply_settings=settings,
    )  # fmt: skip
    a.add_post(Post(obj, me, kind, ref, now, post_words(text), media, poll))
    c.changed("create_tweet", post_id)
    data = {"id": obj["id"], "text": text, "edit_history_tweet_ids": obj["edit_history_tweet_ids"]}
    return ok(data, 201)


@handles_refusals
def delete_tweet(ctx: StateCtx) -> Reply:
    """``DELETE /2/tweets/{id}``: only the author may."""
    me = viewer(ctx)
    value = int(ctx.req.path["id"])
    c = ctx.corpus
    pos = _target(ctx, value, "id")
    author = c.posts.author[pos] if pos < c.size else c.state.activity.posts[pos - c.size].author
    if int(author) != me:
        raise forbidden("You are not allowed to delete a Tweet you did not create.")
    if pos < c.size:
        c.state.activity.deleted_rows.add(value)
        c.delete_tweet(value)
    else:
        c.state.activity.posts[pos - c.size].deleted = True
        c.changed("delete_tweet", value)
    return ok({"deleted": True})


def _source_id(ctx: StateCtx, post_id: int) -> int:
    """The post a like of ``post_id`` lands on: the source if it is a repost, else itself."""
    c = ctx.corpus
    created = c.state.activity.post(post_id)
    if created is not None:
        return created.ref if created.kind == "retweet" and created.ref is not None else post_id
    row = c.posts.index_of_id(post_id)
    if row is not None and int(c.posts.kind[row]) == RETWEET:
        return int(c.posts.ids[int(c.posts.ref[row])])
    return post_id


@handles_refusals
def like(ctx: StateCtx) -> Reply:
    """``POST /2/users/{id}/likes``: liking a repost likes its source, as on X."""
    me = acting_user(ctx)
    body = json_body(ctx, ("tweet_id",))
    tid = _source_id(ctx, post_id_at(ctx.corpus, _target(ctx, body["tweet_id"], "tweet_id")))
    ctx.activity.likes.add(me, tid)
    ctx.corpus.changed("like", tid)
    return ok({"liked": True})


@handles_refusals
def unlike(ctx: StateCtx) -> Reply:
    """``DELETE /2/users/{id}/likes/{tweet_id}``."""
    me = acting_user(ctx)
    tid = _source_id(ctx, int(ctx.req.path["tweet_id"]))
    ctx.activity.likes.remove(me, tid)
    ctx.corpus.changed("unlike", tid)
    return ok({"liked": False})


@handles_refusals
def bookmark(ctx: StateCtx) -> Reply:
    """``POST /2/users/{id}/bookmarks``."""
    me = acting_user(ctx)
    body = json_body(ctx, ("tweet_id",))
    tid = post_id_at(ctx.corpus, _target(ctx, body["tweet_id"], "tweet_id"))
    ctx.activity.bookmarks.add(me, tid)
    ctx.corpus.changed("bookmark", tid)
    return ok({"bookmarked": True})


@handles_refusals
def remove_bookmark(ctx: StateCtx) -> Reply:
    """``DELETE /2/users/{id}/bookmarks/{tweet_id}``."""
    me = acting_user(ctx)
    tid = int(ctx.req.path["tweet_id"])
    ctx.activity.bookmarks.remove(me, tid)
    ctx.corpus.changed("remove_bookmark", tid)
    return ok({"bookmarked": False})


def _generated_repost(ctx: StateCtx, me: int, pos: int) -> int | None:
    """Row of ``me``'s visible generated repost of row ``pos``, if any."""
    c = ctx.corpus
    if pos >= c.size:
        return None
    for row in c.retweets_of(pos):
        if int(c.posts.author[row]) == me and c.visible[row]:
            return int(row)
    return None


@handles_refusals
def retweet(ctx: StateCtx) -> Reply:
    """``POST /2/users/{id}/retweets``: makes a repost, or returns the existing one."""
    me = acting_user(ctx)
    body = json_body(ctx, ("tweet_id",))
    c, a = ctx.corpus, ctx.activity
    pos = _target(ctx, body["tweet_id"], "tweet_id")
    original = _obj(ctx, pos)
    if "referenced_tweets" in original and original["referenced_tweets"][0]["type"] == "retweeted":
        pos = _target(ctx, original["referenced_tweets"][0]["id"], "tweet_id")  # repost the source
        original = _obj(ctx, pos)
    tid = post_id_at(c, pos)
    existing = a.repost_of(me, tid)
    row = _generated_repost(ctx, me, pos)
    if existing is not None or row is not None:
        rid = existing.id if existing is not None else int(c.posts.ids[row])
        return ok({"id": str(rid), "retweeted": True})
    author = c.users.index_of_id(int(original["author_id"])) or 0
    text = f"RT @{c.users.username(author)}: {original['text']}"
    if len(text) > RT_LIMIT:
        text = text[: RT_LIMIT - 1] + "…"
    now = ctx.now
    post_id = a.new_id(now, floor=int(c.posts.ids[-1]))
    obj = make_object(c, post_id, me, text, now, referenced=("retweeted", tid))
    # A repost shows its source's repost count (``metrics.adjust`` adds what writes moved).
    source_count = original.get("public_metrics", {}).get("retweet_count", 0)
    obj["public_metrics"]["retweet_count"] = source_count
    a.add_post(Post(obj, me, "retweet", tid, now, post_words(original["text"])))
    c.changed("retweet", post_id)
    return ok({"id": str(post_id), "retweeted": True})


@handles_refusals
def unretweet(ctx: StateCtx) -> Reply:
    """``DELETE /2/users/{id}/retweets/{source_tweet_id}``: deletes ``me``'s repost."""
    me = acting_user(ctx)
    c = ctx.corpus
    tid = int(ctx.req.path["source_tweet_id"])
    repost = ctx.activity.repost_of(me, tid)
    if repost is not None:
        repost.deleted = True
        c.changed("unretweet", repost.id)
    else:
        pos = position(c, tid, ctx.viewer)
        row = _generated_repost(ctx, me, pos) if pos is not None else None
        if row is not None:
            c.state.activity.deleted_rows.add(int(c.posts.ids[row]))
            c.delete_tweet(int(c.posts.ids[row]))
    return ok({"retweeted": False})


def _conversation_owner(ctx: StateCtx, obj: dict[str, Any]) -> int | None:
    """The account that started the conversation a post belongs to."""
    c = ctx.corpus
    root = int(obj.get("conversation_id", obj["id"]))
    created = c.state.activity.post(root)
    if created is not None:
        return created.author
    found = c.find_tweet(root)
    return None if found is None else int(c.posts.author[found[0]])


@handles_refusals
def hide_reply(ctx: StateCtx) -> Reply:
    """``PUT /2/tweets/{tweet_id}/hidden``: only replies in the user's own conversations."""
    me = viewer(ctx)
    body = json_body(ctx)
    hidden = body.get("hidden")
    if not isinstance(hidden, bool):
        raise _bad("`hidden` must be true or false", hidden=[str(hidden)])
    pos = _target(ctx, ctx.req.path["tweet_id"], "tweet_id")
    obj = _obj(ctx, pos)
    c = ctx.corpus
    is_reply = (pos < c.size and int(c.posts.kind[pos]) == REPLY) or (
        pos >= c.size and c.state.activity.posts[pos - c.size].kind == "reply"
    )
    if not is_reply or _conversation_owner(ctx, obj) != me:
        raise forbidden("You can only hide replies to conversations you started.")
    tid = post_id_at(c, pos)
    if hidden:
        ctx.activity.hidden.add(tid)
    else:
        ctx.activity.hidden.discard(tid)
    c.changed("hide_reply", tid)
    return ok({"hidden": hidden})


HANDLERS: dict[str, Handler] = {
    "create_tweet": create_tweet,
    "delete_tweet": delete_tweet,
    "like": like,
    "unlike": unlike,
    "bookmark": bookmark,
    "remove_bookmark": remove_bookmark,
    "retweet": retweet,
    "unretweet": unretweet,
    "hide_reply": hide_reply,
}
