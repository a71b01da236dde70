"""The pandas join helpers: whole typed frames compared."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
from tables.fixtures import search_page

from twxdata.tables import flatten, join

S = pd.ArrowDtype(pa.string())
INT = pd.ArrowDtype(pa.int64())


def _frames() -> dict[str, pd.DataFrame]:
    t = flatten([search_page()])
    return {name: t.to_pandas(name) for name in
            ("tweets", "users", "media", "places", "polls", "included_tweets")}  # fmt: skip


def test_authors_replaces_the_author_columns() -> None:
    f = _frames()
    users = f["users"].assign(username=f["users"]["username"].str.upper())
    out = join.authors(f["tweets"], users)
    assert len(out) == 2
    assert out["author.username"].tolist() == ["ANN", "ANN"]
    assert out["author.public_metrics.followers_count"].dtype == INT


def test_media_one_row_per_item() -> None:
    f = _frames()
    out = join.media(f["tweets"], f["media"])[["id", "media_key", "media.type", "media.width"]]
    expected = pd.DataFrame({
        "id": pd.Series(["11", "11"], dtype=S),
        "media_key": pd.Series(["3_1", "3_404"], dtype=S),
        "media.type": pd.Series(["photo", None], dtype=S),
        "media.width": pd.Series([10, None], dtype=INT),
    })  # fmt: skip
    pd.testing.assert_frame_equal(out, expected)


def test_referenced_posts_with_their_own_authors() -> None:
    f = _frames()
    out = join.referenced(f["tweets"], f["included_tweets"])
    got = out[["id", "reference_type", "referenced_tweet_id", "referenced.text",
               "referenced.author.username"]]  # fmt: skip
    expected = pd.DataFrame({
        "id": pd.Series(["10", "11", "11"], dtype=S),
        "reference_type": pd.Series(["retweeted", "replied_to", "quoted"], dtype=S),
        "referenced_tweet_id": pd.Series(["20", "21", "22"], dtype=S),
        "referenced.text": pd.Series(["original long te", None, "quoted"], dtype=S),
        "referenced.author.username": pd.Series(["Bo", None, "Bo"], dtype=S),
    })  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)
    quoted = join.referenced(f["tweets"], f["included_tweets"], kind="quoted")
    assert quoted["referenced_tweet_id"].tolist() == ["22"]


def test_places_polls_mentions() -> None:
    f = _frames()
    places = join.places(f["tweets"], f["places"])
    assert places["place.full_name"].tolist() == [pd.NA, "Berlin, Germany"]
    assert places["place.geo.bbox"].iloc[1] == [13.0, 52.3, 13.7, 52.6]
    polls = join.polls(f["tweets"], f["polls"])
    assert polls["poll.voting_status"].tolist() == [pd.NA, "closed"]
    assert len(polls) == 2
    mentions = join.mentions(f["tweets"], f["users"])
    expected = pd.DataFrame({
        "id": pd.Series(["10", "11"], dtype=S),
        "mention_username": pd.Series(["bo", "bo"], dtype=S),
        "mentioned.id": pd.Series(["2", "2"], dtype=S),
        "mentioned.username": pd.Series(["Bo", "Bo"], dtype=S),
    })  # fmt: skip
    pd.testing.assert_frame_equal(
        mentions[["id", "mention_username", "mentioned.id", "mentioned.username"]], expected
    )


def test_joins_never_drop_or_multiply_posts() -> None:
    f = _frames()
    doubled_users = pd.concat([f["users"], f["users"]], ignore_index=True)
    assert len(join.authors(f["tweets"], doubled_users)) == len(f["tweets"])
    assert len(join.places(f["tweets"], pd.concat([f["places"]] * 2))) == len(f["tweets"])
