"""Models, Response and the request planning, without a server."""

from __future__ import annotations

import pickle
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from twxdata.compat import List, Media, Place, Poll, Response, Space, Tweet, User
from twxdata.compat.models import ReferencedTweet
from twxdata.compat.spec import plan
from twxdata.errors import ParameterError

TWEET = {
    "id": "1460323737035677698",
    "text": "Introducing a new era for the Twitter Developer Platform!",
    "edit_history_tweet_ids": ["1460323737035677698"],
    "author_id": "2244994945",
    "created_at": "2021-11-15T19:08:05.000Z",
    "conversation_id": "1460323737035677698",
    "referenced_tweets": [{"type": "quoted", "id": "1460323734000000000"}],
    "edit_controls": {"edits_remaining": "5", "editable_until": "2021-11-15T19:38:05.000Z"},
    "public_metrics": {"like_count": 3},
}


def test_tweet_attributes_follow_tweepy() -> None:
    t = Tweet(TWEET)
    assert (t.id, t.author_id, t.conversation_id) == (1460323737035677698, 2244994945, t.id)
    assert t.created_at == datetime(2021, 11, 15, 19, 8, 5, tzinfo=timezone.utc)
    assert t.edit_history_tweet_ids == [t.id] and t.edit_controls["edits_remaining"] == 5
    assert t.referenced_tweets == [ReferencedTweet({"id": "1460323734000000000"})]
    assert t.referenced_tweets[0].type == "quoted"
    assert t.context_annotations == [] and t.lang is None and t.data is not TWEET
    assert t["public_metrics"] == {"like_count": 3} and t.get("lang") is None
    assert len(t) == len(TWEET["text"]) and str(t) == TWEET["text"]
    assert sorted(t) == sorted(TWEET) and "lang" not in t
    assert t == Tweet({**TWEET, "text": "edited"}) and hash(t) == hash(t.id)
    assert repr(t).startswith("<Tweet id=1460323737035677698 text='Introducing")
    assert pickle.loads(pickle.dumps(t)) == t
    with pytest.raises(AttributeError):
        _ = t.no_such_field
    with pytest.raises(KeyError):
        Tweet({"id": "1"})  # text is required, as in tweepy


def test_other_models() -> None:
    u = User({"id": "12", "name": "jack", "username": "jack", "pinned_tweet_id": "20"})
    assert (u.id, u.pinned_tweet_id, str(u), u.verified) == (12, 20, "jack", None)
    m = Media({"media_key": "3_1", "type": "photo"})
    assert m == Media({"media_key": "3_1", "type": "video"}) and m.url is None
    p = Place({"id": "01a9a39529b27f36", "full_name": "Manhattan, NY"})
    assert (p.id, str(p), p.contained_within) == ("01a9a39529b27f36", "Manhattan, NY", [])
    poll = Poll({"id": "1", "options": [{"position": 1, "label": "a", "votes": 0}]})
    assert len(poll) == 1 and next(iter(poll))["label"] == "a" and poll.id == "1"
    lst = List({"id": "84839422", "name": "Official Twitter Accounts", "owner_id": "783214"})
    assert (lst.id, lst.owner_id, str(lst)) == ("84839422", "783214", "Official Twitter Accounts")
    s = Space({"id": "1DXxyRYNejbKM", "state": "live", "creator_id": "2244994945"})
    assert (s.creator_id, s.host_ids, s.started_at) == (2244994945, [], None)


def test_response_is_tweepys_namedtuple() -> None:
    r = Response([Tweet(TWEET)], {}, [], {"result_count": 1})
    data, includes, errors, meta = r
    assert r._fields == ("data", "includes", "errors", "meta") and meta == {"result_count": 1}
    assert r == Response(data, includes, errors, meta) and r.page is None and r.rate_limit is None
    with pytest.raises(ValueError, match="not made by"):
        r.to_frame()


def test_plans_shape_bodies_like_tweepy() -> None:
    call = plan(
        "create_tweet",
        {
            "text": "hi",
            "media_ids": [1, "2"],
            "media_tagged_user_ids": [3],
            "in_reply_to_tweet_id": 4,
            "exclude_reply_user_ids": [5],
            "quote_tweet_id": 6,
            "place_id": "abc123",
            "user_auth": True,
        },
    )
    assert call.body == {
        "text": "hi",
        "media": {"media_ids": ["1", "2"], "tagged_user_ids": ["3"]},
        "reply": {"in_reply_to_tweet_id": "4", "exclude_reply_user_ids": ["5"]},
        "quote_tweet_id": "6",
        "geo": {"place_id": "abc123"},
    }
    assert plan("hide_reply", {"id": 7}).path == {"tweet_id": 7}
    assert plan("unhide_reply", {"id": 7}).body == {"hidden": False}
    dm = plan("create_dm_conversation", {"participant_ids": [1, 2], "media_id": 9, "text": "x"})
    assert dm.body == {
        "conversation_type": "Group",
        "participant_ids": ["1", "2"],
        "message": {"attachments": [{"media_id": "9"}], "text": "x"},
    }
    sent = plan("create_dm", {"participant_id": 3, "media_id": 4})
    assert sent.endpoint.name == "create_direct_message_with_participant"
    assert sent.body == {"attachments": [{"media_id": "4"}]} and sent.path == {"participant_id": 3}
    events = plan("get_dm_events", {"dm_conversation_id": "1-2", "max_results": 5})
    assert events.endpoint.name == "get_dm_events_in_conversation"
    assert (events.path, events.params) == ({"id": "1-2"}, {"max_results": 5})
    assert plan("get_dm_events", {}).endpoint.name == "get_direct_message_events"
    search = plan("search_recent_tweets", {"query": "q", "params": {"sort_order": "recency"}})
    assert search.params == {"query": "q", "sort_order": "recency"} and search.body is None
    with pytest.raises(ParameterError, match="media_ids"):
        plan("create_tweet", {"media_ids": "12"})  # a string is not a list of ids


def test_every_method_is_exercised_against_the_fake_api() -> None:
    from twxdata.compat import AsyncClient

    names = [n for n in dir(AsyncClient) if not n.startswith("_")]
    methods = [n for n in names if callable(getattr(AsyncClient, n)) and n != "close"]
    source = "\n".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    unused = [m for m in methods if not re.search(rf"\.{m}\b", source)]
    assert len(methods) == 68 and unused == []
