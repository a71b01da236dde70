"""Reading inputs: JSONL files (ours, twarc2's, gzip, one JSON document), bad lines, chunking."""

from __future__ import annotations

import gzip
import json
import warnings
from pathlib import Path

import pyarrow as pa
import pytest
from tables.fixtures import lines_file, search_page

from twxdata.errors import DataError, DataWarning, TwxError
from twxdata.tables import flatten, iter_batches, iter_pages, read_jsonl
from twxdata.tables.lines import ErrorPolicy


def _page(i: int) -> dict[str, object]:
    return {"data": [{"id": str(i), "text": f"post {i}"}], "__twxdata": {"url": "u"}}


def test_a_corrupt_line_raises_naming_file_and_line(tmp_path: Path) -> None:
    path = lines_file(tmp_path, [_page(1), '{"data": [{"id": "2", "te', _page(3)])
    with pytest.raises(DataError) as caught:
        read_jsonl(path)
    assert isinstance(caught.value, TwxError)
    assert caught.value.line == 2 and caught.value.source == str(path)
    assert str(caught.value).startswith(f"{path}:2: invalid JSON")


def test_skip_keeps_every_good_line_and_lists_the_bad(tmp_path: Path) -> None:
    path = lines_file(tmp_path, [_page(1), "not json", "[1, 2]", "", _page(4), "{trunc"])
    t = read_jsonl(path, on_error="skip")
    assert t.tweets["id"].to_pylist() == ["1", "4"]
    assert [(e.line, e.reason[:14]) for e in t.skipped] == [
        (2, "invalid JSON ("),
        (3, "not a JSON obj"),
        (6, "invalid JSON ("),
    ]


def test_warn_warns_once_per_bad_line(tmp_path: Path) -> None:
    path = lines_file(tmp_path, [_page(1), "oops", _page(3)])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        t = read_jsonl(path, on_error="warn")
    assert t.tweets.num_rows == 2
    assert [w.category for w in seen] == [DataWarning]
    assert f"{path}:2" in str(seen[0].message)


def test_truncated_file_end_is_reported_not_silently_dropped(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(json.dumps(_page(1)).encode() + b"\n" + json.dumps(_page(2)).encode()[:-9])
    with pytest.raises(DataError, match=r"cut.jsonl:2: invalid JSON"):
        read_jsonl(path)


def test_bad_on_error_value_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="on_error"):
        read_jsonl(lines_file(tmp_path, [_page(1)]), on_error="ignore")  # type: ignore[arg-type]


@pytest.mark.parametrize("chunk_bytes", [64, 300, 1 << 20])
def test_chunk_boundaries_lose_nothing(tmp_path: Path, chunk_bytes: int) -> None:
    pages = [_page(i) for i in range(40)]
    pages[7] = search_page()  # a line much longer than the small chunks
    path = lines_file(tmp_path, pages)
    ids = [
        i
        for b in iter_batches([path], chunk_bytes=chunk_bytes)
        for i in b["tweets"]["id"].to_pylist()
    ]
    posts = [str(i) for i in range(7)] + ["10", "11"] + [str(i) for i in range(8, 40)]
    assert ids == list(dict.fromkeys(posts))  # the later 10 and 11 are duplicates


def test_bad_line_numbers_survive_chunking(tmp_path: Path) -> None:
    pages: list[object] = [_page(i) for i in range(30)]
    pages[23] = "{broken"
    policy = ErrorPolicy("skip")
    batches = iter_batches([lines_file(tmp_path, pages)], chunk_bytes=200, policy=policy)
    assert sum(b["tweets"].num_rows for b in batches) == 29
    assert [e.line for e in policy.skipped] == [24]


def test_gzip_and_blank_lines_and_crlf(tmp_path: Path) -> None:
    body = (json.dumps(_page(1)) + "\r\n\r\n" + json.dumps(_page(2)) + "\n\n").encode()
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(body))
    t = read_jsonl(path)
    assert t.tweets["id"].to_pylist() == ["1", "2"]
    assert t.pages["__source.line"].to_pylist() == [1, 3]


def test_a_file_holding_one_json_document(tmp_path: Path) -> None:
    one = tmp_path / "response.json"
    one.write_text(json.dumps(search_page(), indent=2))
    assert read_jsonl(one).tweets.num_rows == 2
    many = tmp_path / "responses.json"
    many.write_text(json.dumps([_page(1), _page(2)], indent=1))
    assert read_jsonl(many).tweets["id"].to_pylist() == ["1", "2"]


def test_pages_in_memory_as_dict_bytes_str(tmp_path: Path) -> None:
    pretty = json.dumps(_page(3), indent=2)
    t = flatten([_page(1), json.dumps(_page(2)).encode(), pretty])
    assert t.tweets["id"].to_pylist() == ["1", "2", "3"]
    with pytest.raises(DataError, match="<pages>:2: invalid JSON"):
        flatten([_page(1), b"{nope"])
    with pytest.raises(DataError, match="not a page: int"):
        flatten([5])


def test_endpoint_and_url_for_bare_bodies() -> None:
    body = {"data": [{"id": "5", "username": "u5"}]}
    t = flatten([body], url="https://api.x.com/2/users/1/followers")
    assert t.edges_followers.select([0, 1]).to_pylist() == [{"user_id": "1", "follower_id": "5"}]
    assert t.users["__twxdata.endpoint"].to_pylist() == ["get_users_followers"]


def test_iter_pages(tmp_path: Path) -> None:
    path = lines_file(tmp_path, [_page(1), "junk", _page(2)])
    assert [p["data"][0]["id"] for p in iter_pages(path, on_error="skip")] == ["1", "2"]
    with pytest.raises(DataError, match=":2:"):
        list(iter_pages(path))


def test_tables_can_be_chosen() -> None:
    batches = list(iter_batches([], tables=["users"]))
    assert batches == []
    t = flatten([search_page()], tables=["users"])
    assert t.users.num_rows == 2 and t.tweets.num_rows == 0
    with pytest.raises(ValueError, match="no such table: nope"):
        flatten([search_page()], tables=["nope"])


def test_twarc_and_our_metadata_fill_the_same_columns() -> None:
    ours = _page(1)
    ours["__twxdata"] = {"url": "https://api.x.com/2/tweets/search/recent?query=a",
                         "retrieved_at": "2024-01-01T00:00:00.5Z", "version": "0.1.0"}  # fmt: skip
    twarc = {"url": "https://api.twitter.com/2/tweets/search/all?query=b", "version": "2.5.0",
             "retrieved_at": "2021-09-22T16:38:09+00:00"}  # fmt: skip
    theirs = {"data": [{"id": "2", "text": "x"}], "__twarc": twarc}
    t = flatten([ours, theirs]).tweets
    assert t["__twxdata.endpoint"].to_pylist() == ["search_recent_tweets", "search_all_tweets"]
    assert t["__twxdata.version"].to_pylist() == ["0.1.0", "2.5.0"]
    assert t["__twxdata.retrieved_at"].type == pa.timestamp("us", tz="UTC")
    assert [v.isoformat() for v in t["__twxdata.retrieved_at"].to_pylist()] == [
        "2024-01-01T00:00:00.500000+00:00",
        "2021-09-22T16:38:09+00:00",
    ]
