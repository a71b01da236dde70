"""Request building: URLs, query strings, bodies; no credentials anywhere."""

from __future__ import annotations

import orjson
import pytest

from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError
from twxdata.protocol.request import build_request, resolve_api_base, with_params


def test_url_encodes_query_like_the_real_api():
    r = build_request(
        ENDPOINTS["search_all_tweets"],
        params={"query": "#cats OR from:x -is:retweet", "tweet_fields": ["lang", "author_id"]},
    )
    assert r.url == (
        "https://api.x.com/2/tweets/search/all?query=%23cats%20OR%20from%3Ax%20-is%3Aretweet"
        "&tweet.fields=lang%2Cauthor_id"
    )
    assert r.method == "GET" and r.body is None
    assert r.headers == {"Accept": "application/json"}


def test_write_bodies_are_json_with_string_ids():
    r = build_request(ENDPOINTS["like"], path={"id": 12}, body={"tweet_id": 34})
    assert r.url == "https://api.x.com/2/users/12/likes"
    assert orjson.loads(r.body) == {"tweet_id": "34"}
    assert r.headers["Content-Type"] == "application/json"


def test_with_params_replaces_page_values():
    r = build_request(ENDPOINTS["search_recent_tweets"], params={"query": "a"})
    nxt = with_params(r, {"max_results": "100", "next_token": "t 1"})
    assert nxt.url.endswith("?query=a&max_results=100&next_token=t%201")
    assert nxt.params["next_token"] == "t 1"


def test_api_base_from_argument_or_default_never_the_environment(monkeypatch):
    # The pure core reads no process state: the client reads TWXDATA_API_BASE.
    monkeypatch.setenv("TWXDATA_API_BASE", "http://127.0.0.1:5000/")
    assert resolve_api_base() == "https://api.x.com"
    assert resolve_api_base("http://127.0.0.1:5000/") == "http://127.0.0.1:5000"
    assert resolve_api_base("https://example.test") == "https://example.test"
    from twxdata.client import Client

    assert Client(bearer_token="t").api_base == "http://127.0.0.1:5000"


@pytest.mark.parametrize(
    "bad", ["ftp://x", "api.x.com", "https://user:pw@api.x.com", "https://api.x.com/?token=1"]
)
def test_bad_api_base_is_rejected(bad):
    with pytest.raises(ParameterError, match="api_base"):
        resolve_api_base(bad)


def test_repr_holds_no_body():
    r = build_request(ENDPOINTS["create_tweet"], body={"text": "secret draft"})
    assert "secret draft" not in repr(r)
