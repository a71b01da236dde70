"""Posts: bookmarks, hidden replies, likes, posting, quotes, reposts, search, timelines,
counts and lookup.

Thin methods with tweepy's signatures; ``CoreClient._call`` does the work, driven by the
endpoint table (``twxdata.endpoints``) and ``twxdata.compat.spec``. Generated once from the
reference signatures, then kept by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from twxdata.compat.core import ID, CoreClient, Fields, IDs, Time


class TweetMethods(CoreClient):
    """The post methods of ``twxdata.AsyncClient``."""

    async def remove_bookmark(self, tweet_id: ID) -> Any:
        """Remove a post from the authenticating user's bookmarks.

        ``DELETE /2/users/{id}/bookmarks/{tweet_id}``.
        """
        return await self._call("remove_bookmark", locals())

    async def get_bookmarks(
        self,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """The authenticating user's bookmarked posts (the 800 most recent).

        ``GET /2/users/{id}/bookmarks``.
        """
        return await self._call("get_bookmarks", locals())

    async def bookmark(self, tweet_id: ID) -> Any:
        """Bookmark a post as the authenticating user.

        ``POST /2/users/{id}/bookmarks``.
        """
        return await self._call("bookmark", locals())

    async def hide_reply(self, id: ID, *, user_auth: bool = True) -> Any:
        """Hide a reply to one of the authenticating user's posts.

        ``PUT /2/tweets/{tweet_id}/hidden``.
        """
        return await self._call("hide_reply", locals())

    async def unhide_reply(self, id: ID, *, user_auth: bool = True) -> Any:
        """Show a hidden reply again.

        ``PUT /2/tweets/{tweet_id}/hidden``.
        """
        return await self._call("unhide_reply", locals())

    async def unlike(self, tweet_id: ID, *, user_auth: bool = True) -> Any:
        """Take back the authenticating user's like of a post.

        ``DELETE /2/users/{id}/likes/{tweet_id}``.
        """
        return await self._call("unlike", locals())

    async def get_liking_users(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The accounts that liked a post.

        ``GET /2/tweets/{id}/liking_users``.
        """
        return await self._call("get_liking_users", locals())

    async def get_liked_tweets(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The posts an account liked.

        ``GET /2/users/{id}/liked_tweets``.
        """
        return await self._call("get_liked_tweets", locals())

    async def like(self, tweet_id: ID, *, user_auth: bool = True) -> Any:
        """Like a post as the authenticating user.

        ``POST /2/users/{id}/likes``.
        """
        return await self._call("like", locals())

    async def delete_tweet(self, id: ID, *, user_auth: bool = True) -> Any:
        """Delete one of the authenticating user's posts.

        ``DELETE /2/tweets/{id}``.
        """
        return await self._call("delete_tweet", locals())

    async def create_tweet(
        self,
        *,
        direct_message_deep_link: str | None = None,
        for_super_followers_only: bool | None = None,
        place_id: str | None = None,
        media_ids: IDs | None = None,
        media_tagged_user_ids: IDs | None = None,
        poll_duration_minutes: int | None = None,
        poll_options: Iterable[str] | None = None,
        quote_tweet_id: ID | None = None,
        exclude_reply_user_ids: IDs | None = None,
        in_reply_to_tweet_id: ID | None = None,
        reply_settings: str | None = None,
        text: str | None = None,
        user_auth: bool = True,
    ) -> Any:
        """Post as the authenticating user: text, media, a poll, a quote or a reply.

        ``POST /2/tweets``.

        ``media_tagged_user_ids``, ``poll_duration_minutes`` and ``exclude_reply_user_ids``
        need ``media_ids``, ``poll_options`` and ``in_reply_to_tweet_id``.
        """
        return await self._call("create_tweet", locals())

    async def get_quote_tweets(
        self,
        id: ID,
        *,
        exclude: Fields | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The posts that quote a post.

        ``GET /2/tweets/{id}/quote_tweets``.
        """
        return await self._call("get_quote_tweets", locals())

    async def unretweet(self, source_tweet_id: ID, *, user_auth: bool = True) -> Any:
        """Undo the authenticating user's repost of a post.

        ``DELETE /2/users/{id}/retweets/{source_tweet_id}``.
        """
        return await self._call("unretweet", locals())

    async def get_retweeters(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The accounts that reposted a post.

        ``GET /2/tweets/{id}/retweeted_by``.
        """
        return await self._call("get_retweeters", locals())

    async def retweet(self, tweet_id: ID, *, user_auth: bool = True) -> Any:
        """Repost a post as the authenticating user.

        ``POST /2/users/{id}/retweets``.
        """
        return await self._call("retweet", locals())

    async def search_all_tweets(
        self,
        query: str,
        *,
        end_time: Time | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        next_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        since_id: ID | None = None,
        sort_order: str | None = None,
        start_time: Time | None = None,
        tweet_fields: Fields | None = None,
        until_id: ID | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """Full-archive search (app-only bearer token; Pro and Enterprise access).

        ``GET /2/tweets/search/all``.
        """
        return await self._call("search_all_tweets", locals())

    async def search_recent_tweets(
        self,
        query: str,
        *,
        end_time: Time | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        next_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        since_id: ID | None = None,
        sort_order: str | None = None,
        start_time: Time | None = None,
        tweet_fields: Fields | None = None,
        until_id: ID | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """Search the posts of the last seven days.

        ``GET /2/tweets/search/recent``.
        """
        return await self._call("search_recent_tweets", locals())

    async def get_users_mentions(
        self,
        id: ID,
        *,
        end_time: Time | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        since_id: ID | None = None,
        start_time: Time | None = None,
        tweet_fields: Fields | None = None,
        until_id: ID | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The posts that mention an account (the 800 most recent).

        ``GET /2/users/{id}/mentions``.
        """
        return await self._call("get_users_mentions", locals())

    async def get_home_timeline(
        self,
        *,
        end_time: Time | None = None,
        exclude: Fields | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        since_id: ID | None = None,
        start_time: Time | None = None,
        tweet_fields: Fields | None = None,
        until_id: ID | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """The authenticating user's home timeline, newest first.

        ``GET /2/users/{id}/timelines/reverse_chronological``.
        """
        return await self._call("get_home_timeline", locals())

    async def get_users_tweets(
        self,
        id: ID,
        *,
        end_time: Time | None = None,
        exclude: Fields | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        since_id: ID | None = None,
        start_time: Time | None = None,
        tweet_fields: Fields | None = None,
        until_id: ID | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The posts of an account (the 3,200 most recent).

        ``GET /2/users/{id}/tweets``.
        """
        return await self._call("get_users_tweets", locals())

    async def get_all_tweets_count(
        self,
        query: str,
        *,
        end_time: Time | None = None,
        granularity: str | None = None,
        next_token: str | None = None,
        since_id: ID | None = None,
        start_time: Time | None = None,
        until_id: ID | None = None,
        **params: Any,
    ) -> Any:
        """How many posts match a query over the full archive, per bucket.

        ``GET /2/tweets/counts/all``.
        """
        return await self._call("get_all_tweets_count", locals())

    async def get_recent_tweets_count(
        self,
        query: str,
        *,
        end_time: Time | None = None,
        granularity: str | None = None,
        since_id: ID | None = None,
        start_time: Time | None = None,
        until_id: ID | None = None,
        **params: Any,
    ) -> Any:
        """How many posts of the last seven days match a query, per bucket.

        ``GET /2/tweets/counts/recent``.
        """
        return await self._call("get_recent_tweets_count", locals())

    async def get_tweet(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        media_fields: Fields | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """One post by id.

        ``GET /2/tweets/{id}``.
        """
        return await self._call("get_tweet", locals())

    async def get_tweets(
        self,
        ids: IDs,
        *,
        expansions: Fields | None = None,
        media_fields: Fields | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """Up to 100 posts by id.

        ``GET /2/tweets``.
        """
        return await self._call("get_tweets", locals())
