"""Lists: lookup, members, followers, pins and management; batch compliance jobs.

Thin methods with tweepy's signatures; ``CoreClient._call`` does the work, driven by the
endpoint table (``twxdata.endpoints``) and ``twxdata.compat.spec``. Generated once from the
reference signatures, then kept by hand.
"""

from __future__ import annotations

from typing import Any

from twxdata.compat.core import ID, CoreClient, Fields


class ListMethods(CoreClient):
    """The list and compliance-job methods of ``twxdata.AsyncClient``."""

    async def get_list_tweets(
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
        """The posts of a list's members.

        ``GET /2/lists/{id}/tweets``.
        """
        return await self._call("get_list_tweets", locals())

    async def unfollow_list(self, list_id: ID, *, user_auth: bool = True) -> Any:
        """Stop following a list.

        ``DELETE /2/users/{id}/followed_lists/{list_id}``.
        """
        return await self._call("unfollow_list", locals())

    async def get_list_followers(
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
        """The accounts that follow a list.

        ``GET /2/lists/{id}/followers``.
        """
        return await self._call("get_list_followers", locals())

    async def get_followed_lists(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        list_fields: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The lists an account follows.

        ``GET /2/users/{id}/followed_lists``.
        """
        return await self._call("get_followed_lists", locals())

    async def follow_list(self, list_id: ID, *, user_auth: bool = True) -> Any:
        """Follow a list.

        ``POST /2/users/{id}/followed_lists``.
        """
        return await self._call("follow_list", locals())

    async def get_list(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        list_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """One list by id.

        ``GET /2/lists/{id}``.
        """
        return await self._call("get_list", locals())

    async def get_owned_lists(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        list_fields: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The lists an account owns.

        ``GET /2/users/{id}/owned_lists``.
        """
        return await self._call("get_owned_lists", locals())

    async def remove_list_member(self, id: ID, user_id: ID, *, user_auth: bool = True) -> Any:
        """Remove an account from a list the authenticating user owns.

        ``DELETE /2/lists/{id}/members/{user_id}``.
        """
        return await self._call("remove_list_member", locals())

    async def get_list_members(
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
        """The members of a list.

        ``GET /2/lists/{id}/members``.
        """
        return await self._call("get_list_members", locals())

    async def get_list_memberships(
        self,
        id: ID,
        *,
        expansions: Fields | None = None,
        list_fields: Fields | None = None,
        max_results: int | None = None,
        pagination_token: str | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = False,
        **params: Any,
    ) -> Any:
        """The lists an account is a member of.

        ``GET /2/users/{id}/list_memberships``.
        """
        return await self._call("get_list_memberships", locals())

    async def add_list_member(self, id: ID, user_id: ID, *, user_auth: bool = True) -> Any:
        """Add an account to a list the authenticating user owns.

        ``POST /2/lists/{id}/members``.
        """
        return await self._call("add_list_member", locals())

    async def delete_list(self, id: ID, *, user_auth: bool = True) -> Any:
        """Delete a list the authenticating user owns.

        ``DELETE /2/lists/{id}``.
        """
        return await self._call("delete_list", locals())

    async def update_list(
        self,
        id: ID,
        *,
        description: str | None = None,
        name: str | None = None,
        private: bool | None = None,
        user_auth: bool = True,
    ) -> Any:
        """Change the name, description or privacy of a list.

        ``PUT /2/lists/{id}``.
        """
        return await self._call("update_list", locals())

    async def create_list(
        self,
        name: str,
        *,
        description: str | None = None,
        private: bool | None = None,
        user_auth: bool = True,
    ) -> Any:
        """Create a list owned by the authenticating user.

        ``POST /2/lists``.
        """
        return await self._call("create_list", locals())

    async def unpin_list(self, list_id: ID, *, user_auth: bool = True) -> Any:
        """Unpin a list.

        ``DELETE /2/users/{id}/pinned_lists/{list_id}``.
        """
        return await self._call("unpin_list", locals())

    async def get_pinned_lists(
        self,
        *,
        expansions: Fields | None = None,
        list_fields: Fields | None = None,
        user_fields: Fields | None = None,
        user_auth: bool = True,
        **params: Any,
    ) -> Any:
        """The authenticating user's pinned lists.

        ``GET /2/users/{id}/pinned_lists``.
        """
        return await self._call("get_pinned_lists", locals())

    async def pin_list(self, list_id: ID, *, user_auth: bool = True) -> Any:
        """Pin a list.

        ``POST /2/users/{id}/pinned_lists``.
        """
        return await self._call("pin_list", locals())

    async def get_compliance_jobs(
        self,
        type: str,
        *,
        status: str | None = None,
        **params: Any,
    ) -> Any:
        """Recent batch compliance jobs of a ``type`` (``tweets`` or ``users``).

        ``GET /2/compliance/jobs``.
        """
        return await self._call("get_compliance_jobs", locals())

    async def get_compliance_job(self, id: ID) -> Any:
        """One batch compliance job by id.

        ``GET /2/compliance/jobs/{id}``.
        """
        return await self._call("get_compliance_job", locals())

    async def create_compliance_job(
        self,
        type: str,
        *,
        name: str | None = None,
        resumable: bool | None = None,
    ) -> Any:
        """Create a batch compliance job; upload ids to its ``upload_url``.

        ``POST /2/compliance/jobs``.
        """
        return await self._call("create_compliance_job", locals())
