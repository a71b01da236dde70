"""The collections a researcher asks for, as one table: what each fetches and returns.

Each ``Kind`` names the endpoint (and its full-archive twin), what one stream of pages is keyed
by (a query, a user, a post, a list), what the result table is, and the column that carries the
stream's key in fan-out results — so a frame of followers of 50 accounts says whose follower
each row is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Target = Literal["query", "user", "tweet", "list", "me", "tweet_ids", "user_ids"]
ResultName = Literal["tweets", "users", "counts"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of collection."""

    name: str
    endpoint: str
    target: Target
    result: ResultName
    column: str | None  # the stream key's column in fan-out frames
    archive_endpoint: str | None = None
    time_window: bool = False  # takes start_time/end_time/since_id/until_id

    def endpoint_for(self, archive: bool) -> str:
        """The endpoint collecting this kind reads: the full-archive one with ``archive``
        where there is one.

        >>> KINDS["search"].endpoint_for(True), KINDS["timeline"].endpoint_for(True)
        ('search_all_tweets', 'get_users_tweets')
        """
        return self.archive_endpoint if archive and self.archive_endpoint else self.endpoint


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("search", "search_recent_tweets", "query", "tweets", "query",
             archive_endpoint="search_all_tweets", time_window=True),
        Kind("counts", "get_recent_tweets_count", "query", "counts", "query",
             archive_endpoint="get_all_tweets_count", time_window=True),
        Kind("timeline", "get_users_tweets", "user", "tweets", "timeline_of", time_window=True),
        Kind("mentions", "get_users_mentions", "user", "tweets", "mentions_of",
             time_window=True),
        Kind("home_timeline", "get_home_timeline", "me", "tweets", None, time_window=True),
        Kind("followers", "get_users_followers", "user", "users", "followers_of"),
        Kind("following", "get_users_following", "user", "users", "followed_by"),
        Kind("liking_users", "get_liking_users", "tweet", "users", "liked_tweet_id"),
        Kind("liked_tweets", "get_liked_tweets", "user", "tweets", "liked_by"),
        Kind("retweeters", "get_retweeters", "tweet", "users", "retweeted_tweet_id"),
        Kind("quote_tweets", "get_quote_tweets", "tweet", "tweets", "quoted_tweet_id"),
        Kind("list_tweets", "get_list_tweets", "list", "tweets", "list_id"),
        Kind("list_members", "get_list_members", "list", "users", "list_id"),
        Kind("tweets", "get_tweets", "tweet_ids", "tweets", None),
        Kind("users", "get_users", "user_ids", "users", None),
    )
}  # fmt: skip
