"""tweepy-compatible interface: ``AsyncClient``, ``AsyncPaginator``, ``Response`` and models.

>>> from twxdata.compat import AsyncClient, AsyncPaginator, Response, Tweet
>>> Response(None, {}, [], {}).meta
{}
"""

from __future__ import annotations

from twxdata.compat.asyncclient import AsyncClient
from twxdata.compat.models import (
    DirectMessageEvent,
    List,
    Media,
    Place,
    Poll,
    ReferencedTweet,
    Space,
    Tweet,
    User,
)
from twxdata.compat.paginator import AsyncPaginator
from twxdata.compat.response import RawResponse, Response
from twxdata.compat.streaming import AsyncStreamingClient, StreamResponse, StreamRule

__all__ = [
    "AsyncClient",
    "AsyncPaginator",
    "AsyncStreamingClient",
    "DirectMessageEvent",
    "List",
    "Media",
    "Place",
    "Poll",
    "RawResponse",
    "ReferencedTweet",
    "Response",
    "Space",
    "StreamResponse",
    "StreamRule",
    "Tweet",
    "User",
]
