"""The pure reader on every real recording: statuses, partial errors, empty, errors-only."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import pytest
from helpers.shared import REAL, load_json, need_shared, recordings

from twxdata.endpoints import ENDPOINTS, by_route
from twxdata.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MalformedResponse,
    TooManyRequests,
    Unauthorized,
    error_class,
)
from twxdata.protocol.ratelimit import RateLimit
from twxdata.protocol.response import ARCHIVE_KEY, Page, read_response

ANY = ENDPOINTS["search_recent_tweets"]


def endpoint_for(url: str, method: str = "GET"):
    path = urlsplit(url).path
    found = by_route(method, path)
    assert found is not None, f"no endpoint in the table for {method} {path}"
    return found


def check_page(page: Page, body: dict, *, strict_count: bool = True) -> None:
    data = body.get("data")
    expected = 0 if data is None else (1 if isinstance(data, dict) else len(data))
    assert len(page.data) == expected
    assert page.includes == (body.get("includes") or {})
    assert page.errors == (body.get("errors") or [])
    assert page.next_token == (body.get("meta") or {}).get("next_token")
    if "result_count" in page.meta and strict_count:  # docs examples are hand-edited
        assert page.meta["result_count"] == expected
    line = page.archive_line()
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = orjson.loads(line)
    meta = back.pop(ARCHIVE_KEY)
    assert back == body
    assert meta["endpoint"] == page.endpoint and meta["url"] == page.url


@pytest.mark.parametrize("path", recordings("academictwitteR"))
def test_academictwitter_recordings(path: Path) -> None:
    if path.name.startswith("_"):
        pytest.skip("catalog, not a response")
    rec = load_json(path)
    endpoint = endpoint_for(rec["request_url"])
    raw = orjson.dumps(rec["body"])
    reset = rec["headers"].get("x-rate-limit-reset")
    now = int(reset) - 300.0 if reset else 0.0
    if rec["status"] >= 400:
        with pytest.raises(ApiError) as err:
            read_response(
                endpoint, rec["status"], rec["headers"], raw, url=rec["request_url"], now=now
            )
        exc = err.value
        assert type(exc) is error_class(rec["status"])
        assert exc.status == rec["status"]
        assert exc.title == rec["body"]["title"]
        if rec["status"] == 400:
            assert exc.parameter_errors, "invalid-request keeps per-parameter messages"
            assert str(exc).startswith("400 Invalid Request: One or more parameters")
        assert exc.reset_at == (pytest.approx(now + 300.0) if reset else None)
        return
    page = read_response(
        endpoint, rec["status"], rec["headers"], raw, url=rec["request_url"], now=now
    )
    check_page(page, rec["body"])
    assert page.rate_limit == RateLimit(
        int(rec["headers"]["x-rate-limit-limit"]),
        int(rec["headers"]["x-rate-limit-remaining"]),
        int(rec["headers"]["x-rate-limit-reset"]),
        300.0,
    )


def test_academictwitter_covers_the_interesting_cases() -> None:
    need_shared()
    folder = REAL / "academictwitteR"
    bodies = {p.name: load_json(p) for p in folder.glob("2*.json")}
    errors_only = [
        n for n, r in bodies.items() if "errors" in r["body"] and "data" not in r["body"]
    ]
    empty = [n for n, r in bodies.items() if r["body"].get("meta", {}).get("result_count") == 0]
    partial = [n for n, r in bodies.items() if "errors" in r["body"] and "data" in r["body"]]
    assert errors_only and empty and partial
    for name in errors_only:
        rec = bodies[name]
        endpoint = endpoint_for(rec["request_url"])
        raw = orjson.dumps(rec["body"])
        page = read_response(endpoint, 200, rec["headers"], raw, url=rec["request_url"], now=0.0)
        assert page.data == [] and page.errors and page.next_token is None


def tweepy_index() -> dict[str, dict[str, str]]:
    index = REAL / "tweepy-cassettes" / "index.tsv"
    lines = [line for line in index.read_text().splitlines() if not line.startswith("#")]
    return {row["file"]: row for row in csv.DictReader(lines, delimiter="\t")}


@pytest.mark.parametrize("path", recordings("tweepy-cassettes"))
def test_tweepy_cassette_bodies(path: Path) -> None:
    row = tweepy_index()[path.name]
    method, url = row["request"].split(" ", 1)
    endpoint = endpoint_for(url, method)
    headers = {
        k: row[k] for k in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
    }
    headers["date"] = row["date"]
    raw = path.read_bytes()
    page = read_response(endpoint, int(row["status"]), headers, raw, url=url, now=0.0)
    check_page(page, json.loads(raw))
    assert len(page.data) == int(row["n_data"])
    assert page.rate_limit is not None
    assert page.rate_limit.remaining == int(row["x-rate-limit-remaining"])
    # reset_after is measured on the server's clock (Date header), not ours (0.0 here).
    assert 0 <= page.rate_limit.reset_after <= 900


@pytest.mark.parametrize("path", recordings("docs-examples/docs"))
def test_docs_example_bodies(path: Path) -> None:
    body = load_json(path)
    if "data" not in body and "errors" not in body:
        with pytest.raises(ApiError):
            read_response(ANY, 503, {}, orjson.dumps(body), url="u", now=0.0)
        return
    page = read_response(ANY, 200, {}, orjson.dumps(body), url="u", now=0.0)
    check_page(page, body, strict_count=False)


@pytest.mark.parametrize("path", recordings("docs-examples/errors"))
def test_docs_error_bodies(path: Path) -> None:
    rec = load_json(path)
    if "body" not in rec or rec.get("status") is None:
        pytest.skip("an error element or stream message, not a whole response")
    raw = orjson.dumps(rec["body"])
    if rec["status"] == 200:
        page = read_response(ANY, 200, {}, raw, url="u", now=0.0)
        assert page.errors and page.data
        return
    with pytest.raises(ApiError) as err:
        read_response(ANY, rec["status"], {}, raw, url="u", now=0.0)
    exc = err.value
    expected = {400: BadRequest, 403: Forbidden, 429: TooManyRequests, 401: Unauthorized}
    assert type(exc) is expected[rec["status"]]
    if "usage_capped" in path.name:
        assert isinstance(exc, TooManyRequests) and exc.usage_capped
    elif isinstance(exc, TooManyRequests):
        assert not exc.usage_capped
    if path.name == "400_since_id_with_end_time.json":
        assert set(exc.parameter_errors) == {"since_id", "end_time"}
        assert "Invalid use of 'since_id'" in str(exc)


@pytest.mark.parametrize("path", recordings("pytwitter"))
def test_pytwitter_fixtures(path: Path) -> None:
    body = load_json(path)
    page = read_response(ANY, 200, {}, orjson.dumps(body), url="u", now=0.0)
    check_page(page, body)


@pytest.mark.parametrize("path", recordings("twarc2-pages", "*.jsonl"))
def test_twarc2_pages(path: Path) -> None:
    if path.name == "flat.jsonl" or "compliance" in path.name:
        pytest.skip("not API responses: twarc's flattening or compliance job results")
    broken = 0
    for number, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError:
            # The recording holds a stream cut mid-line: the reader must call it malformed.
            with pytest.raises(MalformedResponse, match="not valid JSON"):
                read_response(ANY, 200, {}, line, url="u", now=0.0)
            broken += 1
            continue
        meta = body.pop("__twarc", None)
        url = (meta or {}).get("url", "https://api.twitter.com/2/tweets/search/stream")
        endpoint = by_route("GET", urlsplit(url).path) or ANY
        page = read_response(endpoint, 200, {}, orjson.dumps(body), url=url, now=0.0)
        try:
            check_page(page, body)
        except AssertionError as exc:  # pragma: no cover - names the failing line
            raise AssertionError(f"{path.name}:{number}: {exc}") from exc
    assert broken == (1 if path.name == "streaming_output_with_error.jsonl" else 0)
