"""Generated pages with fields missing at random and fields nobody has heard of: flattening
never crashes, never loses a post, and always gives the documented types."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twxdata.tables import SCHEMAS, flatten

ids = st.integers(min_value=1, max_value=2**62).map(str)
words = st.text(alphabet="abcdefghij #@é🙂", min_size=0, max_size=12)
times = st.sampled_from(["2021-04-08T19:34:16.000Z", "2022-10-03T18:00:12.000Z"])
# Names the schema does not have (so they must land in __extra).
new_names = st.sampled_from(["zeta", "new_metric", "community_notes", "x_flag"])
new_values = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    words.filter(lambda s: not s[:1].isdigit()),
    st.lists(st.integers(min_value=0, max_value=9), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), words, max_size=2),
)


@st.composite
def user(draw: st.DrawFn, uid: str) -> dict[str, Any]:
    fields = {
        "id": uid,
        "username": draw(st.from_regex(r"[a-z]{1,8}", fullmatch=True)),
        "name": draw(words),
        "created_at": draw(times),
        "verified": draw(st.booleans()),
        "public_metrics": {"followers_count": draw(st.integers(0, 10**9))},
        "location": draw(words),
    }
    keep = draw(st.sets(st.sampled_from(sorted(fields)), max_size=len(fields)))
    out = {k: v for k, v in fields.items() if k in keep or k == "id"}
    out.update(draw(st.dictionaries(new_names, new_values, max_size=2)))
    return out


@st.composite
def post(draw: st.DrawFn, pid: str, authors: list[str], known: bool) -> dict[str, Any]:
    """A post; without ``known`` (the page says its endpoint) it keeps ``text``, a default
    field, since a bare ``{"id"}`` could be any kind of object."""
    fields: dict[str, Any] = {
        "id": pid,
        "text": draw(words),
        "author_id": draw(st.sampled_from(authors)),
        "created_at": draw(times),
        "lang": draw(st.sampled_from(["en", "de", "und"])),
        "possibly_sensitive": draw(st.booleans()),
        "public_metrics": {
            name: draw(st.integers(0, 10**9))
            for name in draw(st.sets(st.sampled_from(["like_count", "retweet_count",
                                                      "reply_count", "quote_count"])))
        },
        "referenced_tweets": [{"type": draw(st.sampled_from(["quoted", "retweeted",
                                                             "replied_to"])),
                               "id": draw(ids)}],
        "entities": {"hashtags": [{"start": 0, "end": 3, "tag": draw(words)}],
                     "mentions": [{"start": 0, "end": 3, "username": "ab"}]},
        "attachments": {"media_keys": [f"3_{draw(ids)}"]},
        "geo": {"place_id": draw(st.sampled_from(["p1", "p2"]))},
    }  # fmt: skip
    keep = draw(st.sets(st.sampled_from(sorted(fields)), max_size=len(fields)))
    out = {k: v for k, v in fields.items() if k in keep or k == "id" or (k == "text" and not known)}
    out.update(draw(st.dictionaries(new_names, new_values, max_size=2)))
    return out


@st.composite
def pages(draw: st.DrawFn) -> list[dict[str, Any]]:
    authors = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    out = []
    for _ in range(draw(st.integers(1, 4))):
        post_ids = draw(st.lists(ids, min_size=0, max_size=5))
        known = draw(st.booleans())
        page: dict[str, Any] = {"data": [draw(post(p, authors, known)) for p in post_ids]}
        if known:
            page["__twxdata"] = {"endpoint": "search_recent_tweets"}
        included = draw(st.lists(st.sampled_from(authors), unique=True))
        if included:
            page["includes"] = {"users": [draw(user(a)) for a in included]}
        if draw(st.booleans()):
            page["meta"] = {"result_count": len(post_ids), draw(new_names): draw(new_values)}
        out.append(page)
    return out


def _posts(generated: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(p["id"] for page in generated for p in page["data"]))


def _extras(row_extra: list[tuple[str, str]] | None) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in row_extra or []}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_never_crashes_never_loses_a_post_types_stable(generated: list[dict[str, Any]]) -> None:
    t = flatten(generated)
    assert t.tweets["id"].to_pylist() == _posts(generated)
    for name, schema in SCHEMAS.items():
        assert t[name].schema.equals(schema), name
    first = {}
    for page in generated:
        for p in page["data"]:
            first.setdefault(p["id"], p)
    for row in t.tweets.select(["id", "__extra", "public_metrics.like_count"]).to_pylist():
        original = first[row["id"]]
        unknown = {k: v for k, v in original.items() if k in
                   ("zeta", "new_metric", "community_notes", "x_flag")}  # fmt: skip
        extras = _extras(row["__extra"])
        assert {k: v for k, v in extras.items() if k in unknown} == unknown
        assert row["public_metrics.like_count"] == original.get("public_metrics", {}).get(
            "like_count"
        )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_the_slow_path_gives_the_same_tables(generated: list[dict[str, Any]]) -> None:
    fast = flatten(generated)
    poison = {"data": [{"id": "poison", "text": "x", "possibly_sensitive": "maybe"}]}
    slow = flatten([*generated, poison])
    for name in ("tweets", "users"):
        rows = slow[name].slice(0, fast[name].num_rows)
        plain = [c for c in fast[name].column_names if c != "__extra"]
        assert rows.select(plain).equals(fast[name].select(plain)), name
        assert [_extras(m) for m in rows["__extra"].to_pylist()] == [
            _extras(m) for m in fast[name]["__extra"].to_pylist()
        ], name
