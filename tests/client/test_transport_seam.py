"""The client's one seam to the network: any Transport (two methods) can stand in for aiohttp.

A user's own tests (or ours) answer requests with a few lines, no server: the client's whole
policy — throttling, the one retry loop, reading answers — runs unchanged on top.
"""

from __future__ import annotations

import orjson
import pytest

from twxdata.client import Client, Retrying
from twxdata.errors import BadRequest, TransportError
from twxdata.protocol.retry import Failure, RetryPolicy
from twxdata.transport import Answer, NoAnswer

PAGE = {"data": [{"id": "1", "text": "hi"}], "meta": {"result_count": 1}}
LIMITS = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
          "x-rate-limit-reset": "9999999999"}  # fmt: skip


class Scripted:
    """Answers from a list: an ``Answer``, or an exception to raise."""

    def __init__(self, *script: Answer | Exception) -> None:
        self.script = list(script)
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.closed = False

    async def request(self, method, url, *, headers, body=None):
        self.seen.append((method, url, dict(headers)))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    async def close(self):
        self.closed = True


def ok(body=PAGE) -> Answer:
    return Answer(200, {"content-type": "application/json", **LIMITS}, orjson.dumps(body))


def client(transport, **kwargs) -> Client:
    return Client(bearer_token="t", transport=transport, seed=1,
                  retry=RetryPolicy(backoff_base=0.0), **kwargs)  # fmt: skip


async def test_a_scripted_transport_carries_the_whole_client():
    transport = Scripted(ok())
    async with client(transport) as c:
        page = await c.request("search_recent_tweets", params={"query": "a"})
    assert page.data == PAGE["data"] and transport.closed
    method, url, headers = transport.seen[0]
    assert method == "GET" and "query=a" in url and headers["Authorization"] == "Bearer t"


async def test_no_answer_and_server_errors_go_through_the_one_retry_loop():
    events = []
    transport = Scripted(
        NoAnswer(Failure.NETWORK, "connection reset"),
        Answer(503, {"content-type": "text/html"}, b"<html>busy</html>"),
        ok(),
    )
    async with client(transport, on_event=events.append) as c:
        page = await c.request("search_recent_tweets", params={"query": "a"})
        # Storage transfers (compliance uploads) retry in the same loop, without credentials.
        transport.script = [Answer(500, {}, b""), Answer(200, {}, b"done")]
        assert (
            await c.transfer("PUT", "https://storage.example/up?sig=SECRET", data=b"1") == b"done"
        )
    assert page.data == PAGE["data"]
    retries = [e for e in events if isinstance(e, Retrying)]
    assert [r.endpoint for r in retries] == ["search_recent_tweets"] * 2 + ["storage"]
    assert "Authorization" not in transport.seen[-1][2]


async def test_giving_up_raises_the_api_error_or_a_transport_error():
    bad = orjson.dumps({"title": "Invalid Request", "type": "about:blank", "status": 400,
                        "detail": "bad query"})  # fmt: skip
    async with client(Scripted(Answer(400, {"content-type": "application/json"}, bad))) as c:
        with pytest.raises(BadRequest):
            await c.request("search_recent_tweets", params={"query": "a"})
    never = Scripted(*[NoAnswer(Failure.UNREACHABLE, "connection refused")] * 2)
    async with client(never, api_base="http://127.0.0.1:9") as c:
        with pytest.raises(TransportError, match=r"cannot connect to http://127\.0\.0\.1:9"):
            await c.request("search_recent_tweets", params={"query": "a"})
    assert len(never.seen) == 2  # connect_tries, not max_tries: a wrong address ends at once
