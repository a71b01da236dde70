"""One-line joins of the flattened tables, on pandas DataFrames (Arrow-backed dtypes).

``tweets`` already carries its author, place, poll and media (``author.*``, ``geo.*``,
``attachments.poll.*``, ``attachments.media``); these helpers are for the other shapes an
analysis needs — one row per media item, per referenced post, per mention — or for joining
frames kept apart (for instance users looked up later). Joined columns get a prefix so
nothing is overwritten; every join is a left join, so no post is lost.

>>> from twxdata.tables import flatten, join
>>> t = flatten({"data": [{"id": "1", "text": "hi @bo", "author_id": "9",
...     "attachments": {"media_keys": ["3_1", "3_2"]},
...     "entities": {"mentions": [{"start": 3, "end": 6, "username": "bo"}]}}],
...     "includes": {"users": [{"id": "9", "username": "ann"}, {"id": "7", "username": "bo"}],
...                  "media": [{"media_key": "3_1", "type": "photo"}]}})
>>> tweets, users = t.to_pandas("tweets"), t.to_pandas("users")
>>> join.media(tweets, t.to_pandas("media"))[["id", "media_key", "media.type"]].to_dict("list")
{'id': ['1', '1'], 'media_key': ['3_1', '3_2'], 'media.type': ['photo', None]}
>>> join.mentions(tweets, users)[["id", "mentioned.username", "mentioned.id"]].to_dict("list")
{'id': ['1'], 'mentioned.username': ['bo'], 'mentioned.id': ['7']}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["authors", "media", "mentions", "places", "polls", "referenced"]


def _prefixed(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.rename(columns=lambda c: prefix + c)


def _drop_prefix(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if c.startswith(prefix)])


def _first(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per key (the first), so a join never multiplies posts."""
    return frame.drop_duplicates(subset=[key], keep="first")


def _explode(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """One row per element of the list ``column`` (kept as ``name``); empty lists give none."""
    out = frame.explode(column, ignore_index=True)
    out = out[out[column].notna()]
    return out.rename(columns={column: name}).reset_index(drop=True)


def authors(tweets: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """``tweets`` with ``author.*`` columns taken from ``users`` (replacing any it had).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"id": ["1"], "author_id": ["9"]})
    >>> authors(t, pd.DataFrame({"id": ["9"], "username": ["ann"]}))["author.username"].tolist()
    ['ann']
    """
    right = _prefixed(_first(users, "id"), "author.")
    left = _drop_prefix(tweets, "author.")
    return left.merge(right, how="left", left_on="author_id", right_on="author.id")


def media(tweets: pd.DataFrame, media: pd.DataFrame) -> pd.DataFrame:
    """One row per attached media item: ``media_key`` and ``media.*`` columns.

    Posts without media are left out; a key missing from ``media`` gives null ``media.*``.
    """
    rows = _explode(tweets.drop(columns=["attachments.media"], errors="ignore"),
                    "attachments.media_keys", "media_key")  # fmt: skip
    right = _prefixed(_first(media, "media_key"), "media.")
    return rows.merge(right, how="left", left_on="media_key", right_on="media.media_key")


def referenced(
    tweets: pd.DataFrame, included_tweets: pd.DataFrame, kind: str | None = None
) -> pd.DataFrame:
    """One row per referenced post, with its columns (and its author) as ``referenced.*``.

    ``kind`` keeps one type of reference: ``"retweeted"``, ``"quoted"`` or ``"replied_to"``.
    ``reference_type`` says which each row is; ``referenced.author.username`` is the author.

    >>> import pandas as pd, pyarrow as pa
    >>> refs = pd.Series([[{"type": "quoted", "id": "5"}]],
    ...                  dtype=pd.ArrowDtype(pa.list_(pa.struct([("type", pa.string()),
    ...                                                          ("id", pa.string())]))))
    >>> t = pd.DataFrame({"id": ["1"], "referenced_tweets": refs})
    >>> inc = pd.DataFrame({"id": ["5"], "text": ["orig"], "author.username": ["bo"]})
    >>> referenced(t, inc)[["id", "reference_type", "referenced.text"]].to_dict("list")
    {'id': ['1'], 'reference_type': ['quoted'], 'referenced.text': ['orig']}
    """
    rows = _explode(tweets, "referenced_tweets", "reference")
    rows["reference_type"] = rows["reference"].struct.field("type")
    rows["referenced_tweet_id"] = rows["reference"].struct.field("id")
    rows = rows.drop(columns=["reference"])
    if kind is not None:
        rows = rows[rows["reference_type"] == kind].reset_index(drop=True)
    right = _prefixed(_first(included_tweets, "id"), "referenced.")
    return rows.merge(right, how="left", left_on="referenced_tweet_id", right_on="referenced.id")


def places(tweets: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """``tweets`` with ``place.*`` columns for the tagged place (``geo.place_id``)."""
    right = _prefixed(_first(places, "id"), "place.")
    return tweets.merge(right, how="left", left_on="geo.place_id", right_on="place.id")


def polls(tweets: pd.DataFrame, polls: pd.DataFrame) -> pd.DataFrame:
    """``tweets`` with ``poll.*`` columns for the attached poll (a post has at most one)."""
    ids = tweets["attachments.poll_ids"].list[0] if len(tweets) else tweets["id"]
    left = tweets.assign(poll_id=ids.where(tweets["attachments.poll_ids"].notna()))
    right = _prefixed(_first(polls, "id"), "poll.")
    return left.merge(right, how="left", left_on="poll_id", right_on="poll.id")


def mentions(tweets: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """One row per @mention, with the mentioned user's columns as ``mentioned.*``.

    The user is the one the mention names by id, else the one with that handle
    (case-insensitively); ``mention_username`` is the handle as written.
    """
    rows = _explode(tweets, "entities.mentions", "mention")
    handle = rows["mention"].struct.field("username")
    rows = rows.assign(
        mention_username=handle,
        mention_key=handle.str.lower(),
        mention_id=rows["mention"].struct.field("id"),
    ).drop(columns=["mention"])
    handles = users[["id", "username"]].assign(mention_key=users["username"].str.lower())
    handles = handles.drop_duplicates(subset=["mention_key"], keep="first")
    rows = rows.merge(handles[["mention_key", "id"]].rename(columns={"id": "handle_id"}),
                      how="left", on="mention_key")  # fmt: skip
    rows["mentioned_user_id"] = rows["mention_id"].fillna(rows["handle_id"])
    rows = rows.drop(columns=["mention_key", "mention_id", "handle_id"])
    right = _prefixed(_first(users, "id"), "mentioned.")
    return rows.merge(right, how="left", left_on="mentioned_user_id", right_on="mentioned.id")
