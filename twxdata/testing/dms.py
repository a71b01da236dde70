"""Direct messages in the fake API: conversations, messages and the event timelines.

The generated world has no messages; every event is one sent through the API. A one-to-one
conversation's id is ``"<smaller user id>-<larger user id>"``; a group gets a snowflake and
starts with a ``ParticipantsJoin`` event. Sending answers 201 with
``{"data": {"dm_conversation_id", "dm_event_id"}}``. Events come newest first; by default with
``id``, ``event_type`` and ``text``, as the API sends them.

>>> one_to_one(12, 5)
'5-12'
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twxdata.testing.activity import Conversation, DmEvent
from twxdata.testing.context import BadRequest, Ctx, Handler, Reply, empty
from twxdata.testing.created import entities
from twxdata.testing.payload import assemble
from twxdata.testing.problems import param_error
from twxdata.testing.timestamps import iso
from twxdata.testing.writectx import (
    StateCtx,
    forbidden,
    handles_refusals,
    json_body,
    missing,
    ok,
    state_ctx,
    user_arg,
    viewer,
)

MAX_TEXT = 10_000


def one_to_one(a: int, b: int) -> str:
    """The conversation id of two account ids."""
    low, high = sorted((int(a), int(b)))
    return f"{low}-{high}"


def _message(ctx: StateCtx, message: Any) -> tuple[str | None, list[str]]:
    """(text, media ids) of a message body; 400 when it has neither."""
    if not isinstance(message, dict):
        raise BadRequest([{"message": "`message` must be an object"}])
    text = message.get("text")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
        raise BadRequest([param_error("`text` must be a string of at most 10000 characters")])
    media = [
        str(x.get("media_id")) for x in message.get("attachments") or [] if isinstance(x, dict)
    ]
    if not text and not media:
        raise BadRequest([param_error("A message needs text or attachments", text=[])])
    return text, media


def _send(ctx: StateCtx, conversation: Conversation, message: Any) -> Reply:
    me = viewer(ctx)
    text, media = _message(ctx, message)
    a = ctx.activity
    event = DmEvent(
        a.new_id(ctx.now), conversation.id, "MessageCreate", me, ctx.now, text, [], media
    )
    a.dm_events.append(event)
    ctx.corpus.changed("dm", event.id)
    return ok({"dm_conversation_id": conversation.id, "dm_event_id": str(event.id)}, 201)


@handles_refusals
def send_with_participant(ctx: StateCtx) -> Reply:
    """``POST /2/dm_conversations/with/{participant_id}/messages``."""
    me = viewer(ctx)
    other = user_arg(ctx, ctx.req.path["participant_id"], "participant_id")
    if other == me:
        raise forbidden("You cannot send a direct message to yourself.")
    if ctx.activity.blocks.has(other, me, generated=False):
        raise forbidden("You cannot send messages to this user.")
    ids = ctx.corpus.users.ids
    cid = one_to_one(int(ids[me]), int(ids[other]))
    conversation = ctx.activity.conversations.setdefault(
        cid, Conversation(cid, sorted((me, other)), group=False)
    )
    return _send(ctx, conversation, json_body(ctx))


@handles_refusals
def send_to_conversation(ctx: StateCtx) -> Reply:
    """``POST /2/dm_conversations/{dm_conversation_id}/messages``."""
    conversation = _conversation(ctx, ctx.req.path["dm_conversation_id"])
    return _send(ctx, conversation, json_body(ctx))


def _conversation(ctx: StateCtx, cid: str) -> Conversation:
    me = viewer(ctx)
    conversation = ctx.activity.conversations.get(cid)
    if conversation is None:
        raise missing("dm_conversation", "dm_conversation_id", cid)
    if me not in conversation.participants:
        raise forbidden("You are not a participant of this conversation.")
    return conversation


@handles_refusals
def create_group(ctx: StateCtx) -> Reply:
    """``POST /2/dm_conversations``: a group conversation with a first message."""
    me = viewer(ctx)
    body = json_body(ctx, ("conversation_type", "participant_ids", "message"))
    if body["conversation_type"] != "Group":
        raise BadRequest([param_error("`conversation_type` must be Group", conversation_type=[])])
    raw = body["participant_ids"]
    if not isinstance(raw, list) or not raw:
        raise BadRequest([param_error("`participant_ids` must list accounts", participant_ids=[])])
    others = [user_arg(ctx, v, "participant_ids") for v in raw]
    a = ctx.activity
    _message(ctx, body["message"])  # checked before anything is created
    cid = str(a.new_id(ctx.now))
    members = list(dict.fromkeys([me, *others]))
    conversation = Conversation(cid, members, group=True)
    a.conversations[cid] = conversation
    join = DmEvent(a.new_id(ctx.now), cid, "ParticipantsJoin", None, ctx.now, None, members)
    a.dm_events.append(join)
    return _send(ctx, conversation, body["message"])


# --- reading ----------------------------------------------------------------------------------
def _event_object(ctx: Ctx, event: DmEvent) -> dict[str, Any]:
    ids = ctx.corpus.users.ids
    out: dict[str, Any] = {}
    if event.media_ids:
        out["attachments"] = {"media_keys": [f"3_{m}" for m in event.media_ids]}
    out["created_at"] = iso(event.created_s)
    out["dm_conversation_id"] = event.conversation
    if event.text:
        found = entities(event.text, ctx.corpus)
        if found:
            out["entities"] = found
    out["event_type"] = event.event_type
    out["id"] = str(event.id)
    if event.participants:
        out["participant_ids"] = [str(int(ids[u])) for u in event.participants]
    if event.sender is not None:
        out["sender_id"] = str(int(ids[event.sender]))
    if event.text is not None:
        out["text"] = event.text
    return out


def _event_users(ctx: Ctx, obj: dict[str, Any]) -> list[int]:
    exp = ctx.req.expansions
    wanted = []
    if "sender_id" in exp and "sender_id" in obj:
        wanted.append(obj["sender_id"])
    if "participant_ids" in exp:
        wanted.extend(obj.get("participant_ids", ()))
    users = ctx.corpus.users
    return [u for u in (users.index_of_id(int(v)) for v in wanted) if u is not None]


def _events(ctx: Ctx, conversations: set[str]) -> Reply:
    a = state_ctx(ctx).activity
    types = ctx.req.extra.get("event_types")
    allowed = set(types.split(",")) if types else None
    events = [
        e
        for e in reversed(a.dm_events)
        if e.conversation in conversations and (allowed is None or e.event_type in allowed)
    ]
    if not events:
        return empty()
    # Offsets into the newest-first list of events.
    page, meta = ctx.offset_stream(np.arange(len(events), dtype=np.int64), lambda _: True)
    objs = [_event_object(ctx, events[i]) for i in page]
    if not objs:
        return 200, assemble(None, meta=meta)
    return ctx.objects(objs, ctx.selection.dm_event, lambda o: _event_users(ctx, o), meta)


def _mine(ctx: Ctx) -> set[str]:
    me = ctx.viewer
    return {
        cid
        for cid, conv in state_ctx(ctx).activity.conversations.items()
        if me in conv.participants
    }


def all_events(ctx: Ctx) -> Reply:
    """``GET /2/dm_events``: every conversation of the authenticating user."""
    return _events(ctx, _mine(ctx))


def events_with(ctx: Ctx) -> Reply:
    """``GET /2/dm_conversations/with/{participant_id}/dm_events``."""
    users = ctx.corpus.users
    other = users.index_of_id(int(ctx.req.path["participant_id"]))
    if other is None or ctx.viewer is None:
        return empty()
    cid = one_to_one(int(users.ids[ctx.viewer]), int(users.ids[other]))
    return _events(ctx, {cid} & _mine(ctx))


def events_in(ctx: Ctx) -> Reply:
    """``GET /2/dm_conversations/{id}/dm_events`` (403 for someone else's conversation)."""
    cid = ctx.req.path["id"]
    conversation = state_ctx(ctx).activity.conversations.get(cid)
    if conversation is not None and ctx.viewer not in conversation.participants:
        return forbidden("You are not a participant of this conversation.").reply()
    return _events(ctx, {cid})


HANDLERS: dict[str, Handler] = {
    "create_direct_message": send_to_conversation,
    "create_direct_message_with_participant": send_with_participant,
    "create_direct_message_conversation": create_group,
}

# Each replaces the generated-only handler of its endpoint (``lookups.nothing``; see
# ``twxdata.testing.server``).
OVERRIDES: dict[str, Handler] = {
    "get_direct_message_events": all_events,
    "get_dm_events_with_participant": events_with,
    "get_dm_events_in_conversation": events_in,
}
