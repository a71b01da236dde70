"""API objects (post, media, poll, place, list, space, topic) with every field we model.

Each function returns the *full* object, keys in alphabetical order as X emits them for
default requests; the payload layer keeps only the requested fields. Nothing here knows
about requests, errors or caching.

>>> from twxdata.testing.corpus import Corpus
>>> from datetime import datetime
>>> c = Corpus(seed=1, size=300, end=datetime(2024, 5, 1))
>>> sorted(tweet_object(c, 0))[:4]
['author_id', 'context_annotations', 'conversation_id', 'created_at']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from twxdata.testing import vocab
from twxdata.testing.posts import GIF, PHOTO, QUOTE, REPLY, RETWEET, VIDEO
from twxdata.testing.rand import code, mix, pick, unit
from twxdata.testing.texts import compose, edited_text, media_keys
from twxdata.testing.timestamps import iso

if TYPE_CHECKING:
    from twxdata.testing.corpus import Corpus

REPLY_SETTINGS = ("everyone", "mentionedUsers", "following")
EDIT_WINDOW_S = 3600
EDIT_SPACING_S = 60


def tweet_object(c: Corpus, i: int, version: int = 0) -> dict[str, Any]:
    """Post ``i`` as the API shows it; ``version`` k > 0 is the k-th edit before the latest."""
    p, users, seed = c.posts, c.users, c.seed
    kind = int(p.kind[i])
    composed = compose(p, users, seed, i)
    sec = int(p.sec[i]) - EDIT_SPACING_S * version
    n_edits = int(p.edits[i])
    history = [str(x) for x in c.edit_history(i)]
    pid = history[-1 - version]
    out: dict[str, Any] = {}
    attachments: dict[str, list[str]] = {}
    keys = media_keys(p, i) if kind != RETWEET else []
    if keys:
        attachments["media_keys"] = keys
    if p.poll[i]:
        attachments["poll_ids"] = [str(c.poll_id(i))]
    if attachments:
        out["attachments"] = attachments
    out["author_id"] = str(int(users.ids[int(p.author[i])]))
    ctx = [int(x) for x in p.ctx[i] if x >= 0]
    if ctx:
        out["context_annotations"] = [_annotation(k) for k in ctx]
    conv = int(p.conv[i])
    out["conversation_id"] = pid if conv == i else str(int(p.ids[conv]))
    out["created_at"] = iso(sec)
    out["display_text_range"] = list(composed.display)
    first = int(p.sec[i]) - EDIT_SPACING_S * n_edits
    out["edit_controls"] = {
        "edits_remaining": 5 - (n_edits - version),
        "is_edit_eligible": kind != RETWEET and not bool(p.poll[i]),
        "editable_until": iso(first + EDIT_WINDOW_S),
    }
    out["edit_history_tweet_ids"] = history
    entities = composed.ordered()
    if entities:
        out["entities"] = entities
    if p.place[i] >= 0:
        geo: dict[str, Any] = {}
        if p.coords[i]:
            w, s, e, n = vocab.PLACES[int(p.place[i])][6]
            fx, fy = unit(mix(seed, 20, i)), unit(mix(seed, 21, i))
            geo["coordinates"] = {
                "type": "Point",
                "coordinates": [round(w + fx * (e - w), 6), round(s + fy * (n - s), 6)],
            }
        geo["place_id"] = vocab.PLACES[int(p.place[i])][0]
        out["geo"] = geo
    out["id"] = pid
    if kind == REPLY:
        out["in_reply_to_user_id"] = str(int(users.ids[int(p.author[int(p.ref[i])])]))
    out["lang"] = vocab.LANGS[int(p.lang[i])]
    out["possibly_sensitive"] = bool(p.sensitive[i])
    out["public_metrics"] = _metrics(c, i)
    if kind != 0:
        rtype = {REPLY: "replied_to", RETWEET: "retweeted", QUOTE: "quoted"}[kind]
        out["referenced_tweets"] = [{"type": rtype, "id": str(int(p.ids[int(p.ref[i])]))}]
    out["reply_settings"] = REPLY_SETTINGS[int(p.reply_settings[i])]
    out["source"] = vocab.SOURCES[int(p.source[i])]
    out["text"] = edited_text(composed.text, version) if version else composed.text
    if p.withheld[i]:
        cc = sorted({vocab.COUNTRY_CODES[pick(mix(seed, 22, i, k), 10)] for k in range(3)})
        out["withheld"] = {"copyright": False, "country_codes": cc, "scope": "tweet"}
    return out


def _metrics(c: Corpus, i: int) -> dict[str, int]:
    p = c.posts
    if int(p.kind[i]) == RETWEET:
        j = int(p.ref[i])
        return {
            "retweet_count": int(p.retweet_count[j]),
            "reply_count": 0,
            "like_count": 0,
            "quote_count": 0,
            "bookmark_count": 0,
            "impression_count": 0,
        }
    likes = int(p.like_count[i])
    return {
        "retweet_count": int(p.retweet_count[i]),
        "reply_count": int(p.reply_count[i]),
        "like_count": likes,
        "quote_count": int(p.quote_count[i]),
        "bookmark_count": likes // 9,
        "impression_count": likes * 37 + pick(mix(c.seed, 23, i), 250) + 3,
    }


def _annotation(k: int) -> dict[str, Any]:
    did, dname, ddesc, eid, ename, edesc = vocab.ANNOTATIONS[k]
    entity = {"id": eid, "name": ename}
    if edesc:
        entity["description"] = edesc
    return {"domain": {"id": did, "name": dname, "description": ddesc}, "entity": entity}


def media_objects(c: Corpus, i: int) -> list[dict[str, Any]]:
    """The media attached to post ``i`` (photos, a video or an animated GIF)."""
    p, seed = c.posts, c.seed
    kind = int(p.media[i])
    out = []
    for n, key in enumerate(media_keys(p, i)):
        h = mix(seed, 24, i, n)
        mid = key.split("_")[1]
        w, hgt = [(1200, 675), (1080, 1350), (2048, 1536), (640, 640)][pick(h, 4)]
        obj: dict[str, Any] = {}
        if kind == PHOTO:
            if unit(h >> 3) < 0.3:
                obj["alt_text"] = f"Photo {n + 1}: " + " ".join(
                    vocab.WORDS["en"][pick(mix(h, k), 60)] for k in range(4)
                )
            obj.update(
                height=hgt,
                media_key=key,
                type="photo",
                url=f"https://pbs.twimg.com/media/{code(h, 15)}.jpg",
                width=w,
            )
        elif kind == VIDEO:
            base = f"https://video.twimg.com/ext_tw_video/{mid}/pu"
            obj.update(
                duration_ms=5000 + pick(h, 170000),
                height=720,
                media_key=key,
                preview_image_url=f"https://pbs.twimg.com/ext_tw_video_thumb/{mid}/pu/img/"
                f"{code(h, 16)}.jpg",
                public_metrics={"view_count": int(p.like_count[i]) * 41 + pick(h >> 9, 900)},
                type="video",
                variants=[
                    {
                        "bit_rate": 256000,
                        "content_type": "video/mp4",
                        "url": f"{base}/vid/480x270/{code(h >> 1, 16)}.mp4?tag=12",
                    },
                    {
                        "content_type": "application/x-mpegURL",
                        "url": f"{base}/pl/{code(h >> 2, 16)}.m3u8?tag=12&container=fmp4",
                    },
                    {
                        "bit_rate": 2176000,
                        "content_type": "video/mp4",
                        "url": f"{base}/vid/1280x720/{code(h >> 3, 16)}.mp4?tag=12",
                    },
                    {
                        "bit_rate": 832000,
                        "content_type": "video/mp4",
                        "url": f"{base}/vid/640x360/{code(h >> 4, 16)}.mp4?tag=12",
                    },
                ],
                width=1280,
            )
        elif kind == GIF:
            name = code(h, 15)
            obj.update(
                height=200,
                media_key=key,
                preview_image_url=f"https://pbs.twimg.com/tweet_video_thumb/{name}.jpg",
                type="animated_gif",
                variants=[
                    {
                        "bit_rate": 0,
                        "content_type": "video/mp4",
                        "url": f"https://video.twimg.com/tweet_video/{name}.mp4",
                    }
                ],
                width=320,
            )
        out.append(obj)
    return out


def poll_object(c: Corpus, i: int) -> dict[str, Any]:
    """The poll attached to post ``i``."""
    seed = c.seed
    h = mix(seed, 25, i)
    duration = [60, 360, 1440, 4320, 10080][pick(h, 5)]
    end = int(c.posts.sec[i]) + duration * 60
    n_opt = 2 + pick(h >> 4, 3)
    labels = ["Yes", "No", "Maybe", "Ask me later", "نعم", "כן", "はい"]
    options = [
        {
            "position": k + 1,
            "label": labels[(pick(h >> 8, 3) * 2 + k) % len(labels)],
            "votes": pick(mix(seed, 26, i, k), 400),
        }
        for k in range(n_opt)
    ]
    return {
        "duration_minutes": duration,
        "end_datetime": iso(end),
        "id": str(c.poll_id(i)),
        "options": options,
        "voting_status": "closed" if end <= c.end_s else "open",
    }


def place_object(k: int) -> dict[str, Any]:
    """Place number ``k`` of the gazetteer."""
    pid, name, full, country, cc, ptype, bbox = vocab.PLACES[k]
    out: dict[str, Any] = {}
    if ptype == "poi":
        out["contained_within"] = [vocab.PLACES[5][0]]
    out.update(
        country=country,
        country_code=cc,
        full_name=full,
        geo={"type": "Feature", "bbox": list(bbox), "properties": {}},
        id=pid,
        name=name,
        place_type=ptype,
    )
    return out


def list_object(c: Corpus, k: int) -> dict[str, Any]:
    """List ``k``."""
    lists = c.lists
    return {
        "created_at": iso(int(lists.created_s[k])),
        "description": lists.description(k),
        "follower_count": int(lists.follower_ptr[k + 1] - lists.follower_ptr[k]),
        "id": str(int(lists.ids[k])),
        "member_count": int(lists.member_ptr[k + 1] - lists.member_ptr[k]),
        "name": lists.name(k),
        "owner_id": str(int(c.users.ids[int(lists.owner[k])])),
        "private": bool(lists.private[k]),
    }


def space_object(c: Corpus, k: int) -> dict[str, Any]:
    """Space ``k``."""
    s, ids = c.spaces, c.users.ids
    state = s.STATES[int(s.state[k])]
    created = int(s.created_s[k])
    creator = int(s.creator[k])
    out: dict[str, Any] = {"created_at": iso(created), "creator_id": str(int(ids[creator]))}
    started = created + 600
    if state == "ended":
        out["ended_at"] = iso(started + int(s.duration_s[k]))
    out["host_ids"] = [str(int(ids[creator]))]
    out["id"] = s.ids[k]
    out["invited_user_ids"] = [str(int(ids[u])) for u in s.speakers[k][:1]]
    out["is_ticketed"] = bool(s.ticketed[k])
    out["lang"] = vocab.LANGS[int(s.lang[k])]
    if state != "scheduled":
        out["participant_count"] = int(s.participants[k])
    out["scheduled_start"] = iso(started if state != "scheduled" else int(c.end_s) + 86_400)
    out["speaker_ids"] = [str(int(ids[u])) for u in s.speakers[k]]
    if state != "scheduled":
        out["started_at"] = iso(started)
    out["state"] = state
    out["subscriber_count"] = int(s.participants[k]) // 7
    out["title"] = s.title(k)
    out["topic_ids"] = [vocab.ANNOTATIONS[int(s.topic[k])][3]]
    out["updated_at"] = iso(created + 60)
    return out


def topic_object(topic_id: str) -> dict[str, Any]:
    """A Space topic (the entity of a context annotation)."""
    for _, _, _, eid, name, desc in vocab.ANNOTATIONS:
        if eid == topic_id:
            return {"description": desc or name, "id": eid, "name": name}
    raise KeyError(topic_id)
