"""``twxdata.AsyncStreamingClient``: tweepy's streaming client by its methods and callbacks,
against the fake X API's stream (with a dropped connection on the way)."""

from __future__ import annotations

import orjson
import pytest

import twxdata
from twxdata import AsyncStreamingClient, StreamRule
from twxdata.compat import StreamResponse, Tweet, User
from twxdata.errors import TwxError
from twxdata.protocol.stream import StreamPolicy
from twxdata.testing import FakeXApi
from twxdata.testing.stream import LiveStream


class Recorder(AsyncStreamingClient):
    """tweepy-style code: callbacks overridden, the stream ended from one of them."""

    def __init__(self, *args, stop_after: int = 30, **kwargs):
        super().__init__(*args, **kwargs)
        self.events: list[str] = []
        self.tweets: list[Tweet] = []
        self.responses: list[StreamResponse] = []
        self.stop_after = stop_after

    async def on_connect(self):
        self.events.append("connect")

    async def on_closed(self, response):
        self.events.append("closed")

    async def on_disconnect(self):
        self.events.append("disconnect")

    async def on_tweet(self, tweet):
        self.tweets.append(tweet)
        if len(self.tweets) >= self.stop_after:
            self.disconnect()

    async def on_response(self, response):
        self.responses.append(response)


@pytest.fixture
async def api():
    async with FakeXApi(seed=4, size=600, stream=LiveStream(rate=80.0, heartbeat=0.05)) as made:
        yield made


async def test_rules_round_trip_as_tweepy_returns_them(api):
    async with AsyncStreamingClient(api.bearer_token, api_base=api.url) as stream:
        checked = await stream.add_rules([StreamRule("the", tag="t")], dry_run=True)
        assert checked.data == [] and (await stream.get_rules()).data == []
        added = await stream.add_rules(StreamRule("the", tag="t"))
        (rule,) = added.data
        assert isinstance(rule, StreamRule) and (rule.value, rule.tag) == ("the", "t") and rule.id
        assert (await stream.get_rules(ids=[rule.id])).data == [rule]
        gone = await stream.delete_rules(rule)
        assert gone.meta["summary"]["deleted"] == 1 and (await stream.get_rules()).data == []


async def test_filter_calls_tweepy_s_callbacks_and_survives_a_dropped_connection(api, tmp_path):
    api.stream.fault("drop", after=10)
    raw = tmp_path / "live.jsonl"
    stream = Recorder(api.bearer_token, api_base=api.url, raw=raw,
                      policy=StreamPolicy().scaled(0.01))  # fmt: skip
    await stream.add_rules(StreamRule("the", tag="the"))
    task = stream.filter(expansions=["author_id"], tweet_fields="created_at,author_id",
                         user_fields=["username"])  # fmt: skip
    with pytest.raises(TwxError, match="already connected"):
        stream.filter()
    await task
    await stream.close()
    assert len(stream.tweets) >= 30 and all(isinstance(t, Tweet) for t in stream.tweets)
    assert stream.events[:3] == ["connect", "closed", "connect"] and stream.events[-1] == (
        "disconnect"
    )
    first = stream.responses[0]
    assert first.data is stream.tweets[0] and isinstance(first.includes["users"][0], User)
    assert first.matching_rules[0].tag == "the" and first.matching_rules[0].id
    assert stream.tweets[0].created_at.tzinfo is not None
    ids = [orjson.loads(line)["data"]["id"] for line in raw.read_bytes().splitlines()]
    assert ids == [str(t.id) for t in stream.tweets][: len(ids)] and len(set(ids)) == len(ids)
    assert twxdata.read_jsonl(raw).tweets.num_rows == len(ids)


async def test_sample_streams_posts_without_rules(api):
    stream = Recorder(api.bearer_token, api_base=api.url, stop_after=5)
    await stream.sample()
    await stream.close()
    assert len(stream.tweets) >= 5 and stream.responses[0].matching_rules == []


async def test_a_refused_stream_is_told_to_on_exception(tmp_path):
    async with FakeXApi(seed=4, size=300, tokens=["good"]) as api:
        seen: list[Exception] = []

        class Refused(AsyncStreamingClient):
            async def on_exception(self, exception):
                seen.append(exception)

        stream = Refused("revoked", api_base=api.url)
        await stream.filter()
        await stream.close()
    assert seen and "401" in str(seen[0])
