"""Accounts: blocks, follows, mutes and lookup; Spaces; direct messages.

Thin methods with tweepy's signatures; ``CoreClient._call`` does the work, driven by the
endpoint table (``twxdata.endpoints``) and ``twxdata.compat.spec``. Generated once from the
reference signatures, then kept by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from twxdata.compat.core import ID, CoreClient, Fields, IDs


class UserMethods(CoreClient):
    """The account, Space and direct-message methods of ``twxdata.AsyncClient``."""

    async def unblock(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Unblock an account.

        ``DELETE /2/users/{source_user_id}/blocking/{target_user_id}``.
        """
        return await self._call("unblock", locals())

    async def get_blocked(
        self,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """The accounts the authenticating user blocks.

        ``GET /2/users/{id}/blocking``.
        """
        return await self._call("get_blocked", locals())

    async def block(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Block an account.

        ``POST /2/users/{id}/blocking``.
        """
        return await self._call("block", locals())

    async def unfollow_user(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Stop following an account.

        ``DELETE /2/users/{source_user_id}/following/{target_user_id}``.
        """
        return await self._call("unfollow_user", locals())

    async def get_users_followers(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The followers of an account.

        ``GET /2/users/{id}/followers``.
        """
        return await self._call("get_users_followers", locals())

    async def get_users_following(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The accounts an account follows.

        ``GET /2/users/{id}/following``.
        """
        return await self._call("get_users_following", locals())

    async def follow_user(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Follow an account (a protected one gets a follow request).

        ``POST /2/users/{id}/following``.
        """
        return await self._call("follow_user", locals())

    async def unmute(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Unmute an account.

        ``DELETE /2/users/{source_user_id}/muting/{target_user_id}``.
        """
        return await self._call("unmute", locals())

    async def get_muted(
        self,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """The accounts the authenticating user mutes.

        ``GET /2/users/{id}/muting``.
        """
        return await self._call("get_muted", locals())

    async def mute(self, target_user_id: ID, *, user_auth: bool = True) -> Any:
        """Mute an account.

        ``POST /2/users/{id}/muting``.
        """
        return await self._call("mute", locals())

    async def get_user(
        self,
        *,
        id: ID | None = None,
        username: str | None = None,
        expansions: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """One account, by ``id`` or by ``username`` (exactly one of them).

        ``GET /2/users/{id}``, ``GET /2/users/by/username/{username}``.

        Raises ``TypeError`` when both or neither are given.
        """
        return await self._call("get_user", locals())

    async def get_users(
        self,
        *,
        ids: IDs | None = None,
        usernames: Iterable[str] | str | None = None,
        expansions: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """Up to 100 accounts, by ``ids`` or by ``usernames`` (exactly one of them).

        ``GET /2/users``, ``GET /2/users/by``.

        Raises ``TypeError`` when both or neither are given.
        """
        return await self._call("get_users", locals())

    async def get_me(
        self,
        *,
        expansions: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """The authenticating user's account.

        ``GET /2/users/me``.
        """
        return await self._call("get_me", locals())

    async def search_spaces(
        self,
        query: str,
        *,
        expansions: Fields | None = None,
        max_results: int | None = None,
        space_fields: Fields | None = None,
        state: str | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """Live or scheduled Spaces whose title matches ``query``.

        ``GET /2/spaces/search``.
        """
        return await self._call("search_spaces", locals())

    async def get_spaces(
        self,
        *,
        ids: IDs | None = None,
        user_ids: IDs | None = None,
        expansions: Fields | None = None,
        space_fields: Fields | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """Spaces by ``ids``, or the Spaces created by ``user_ids`` (exactly one of them).

        ``GET /2/spaces``, ``GET /2/spaces/by/creator_ids``.

        Raises ``TypeError`` when both or neither are given.
        """
        return await self._call("get_spaces", locals())

    async def get_space(
        self,
        id: str,
        *,
        expansions: Fields | None = None,
        space_fields: Fields | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """One Space by id.

        ``GET /2/spaces/{id}``.
        """
        return await self._call("get_space", locals())

    async def get_space_buyers(
        self,
        id: str,
        *,
        expansions: Fields | None = None,
        media_fields: Fields | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """The accounts that bought a ticket to a Space (its creator's token).

        ``GET /2/spaces/{id}/buyers``.
        """
        return await self._call("get_space_buyers", locals())

    async def get_space_tweets(
        self,
        id: str,
        *,
        expansions: Fields | None = None,
        media_fields: Fields | None = None,
        place_fields: Fields | None = None,
        poll_fields: Fields | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        **params: Any,
    ) -> Any:
        """The posts shared in a Space.

        ``GET /2/spaces/{id}/tweets``.
        """
        return await self._call("get_space_tweets", locals())

    async def get_direct_message_events(
        self,
        *,
        dm_conversation_id: str | None = None,
        participant_id: ID | None = None,
        dm_event_fields: Fields | None = None,
        event_types: Fields | None = None,
        expansions: Fields | None = None,
        max_results: int | None = None,
        media_fields: Fields | None = None,
        pagination_token: str | None = None,
        tweet_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """Direct-message events: of one conversation, with one participant, or all.

        ``GET /2/dm_events``, ``GET /2/dm_conversations/with/{participant_id}/dm_events``,
        ``GET /2/dm_conversations/{id}/dm_events``.

        Raises ``TypeError`` when both ``dm_conversation_id`` and ``participant_id`` are given.
        """
        return await self._call("get_direct_message_events", locals())

    async def create_direct_message(
        self,
        *,
        dm_conversation_id: str | None = None,
        participant_id: ID | None = None,
        media_id: ID | None = None,
        text: str | None = None,
        user_auth: bool = True,
    ) -> Any:
        """Send a direct message to a conversation or to one participant.

        ``POST /2/dm_conversations/{dm_conversation_id}/messages``,
        ``POST /2/dm_conversations/with/{participant_id}/messages``.

        Raises ``TypeError`` unless exactly one of ``dm_conversation_id`` and
        ``participant_id`` is given.
        """
        return await self._call("create_direct_message", locals())

    async def create_direct_message_conversation(
        self,
        *,
        media_id: ID | None = None,
        text: str | None = None,
        participant_ids: IDs,
        user_auth: bool = True,
    ) -> Any:
        """Start a group conversation with a first message.

        ``POST /2/dm_conversations``.
        """
        return await self._call("create_direct_message_conversation", locals())
