"""``AsyncClient``: a drop-in for tweepy's ``AsyncClient`` on top of ``twxdata.Client``.

Same 65 methods, argument names, defaults and ``user_auth`` rules as tweepy's, the same
``Response(data, includes, errors, meta)`` and models, and tweepy's exceptions (names,
``api_errors``/``api_codes``/``api_messages`` and ``response``). What changes underneath: one
keep-alive session, requests kept under the rate limit before they are sent, retries of 5xx and
network failures with backoff, arguments checked before anything is sent (refusals raise
``ParameterBadRequest``, which is tweepy's ``BadRequest`` too), no credential in any log, repr
or exception, and ``to_frame()`` on responses and paginators.
``docs/migrating-from-tweepy.md`` lists the differences.

>>> import asyncio
>>> from datetime import datetime
>>> from twxdata.testing import FakeXApi
>>> async def demo():
...     async with FakeXApi(seed=1, size=2_000, end=datetime(2024, 5, 1)) as api:
...         async with AsyncClient(api.bearer_token, api_base=api.url) as client:
...             response = await client.search_recent_tweets(
...                 "the", max_results=10, expansions="author_id", user_fields="username")
...             tweet, author = response.data[0], response.includes["users"][0]
...             return type(tweet.id).__name__, len(response.data), author.username != ""
>>> asyncio.run(demo())
('int', 10, True)
"""

from __future__ import annotations

from twxdata.compat.lists import ListMethods
from twxdata.compat.tweets import TweetMethods
from twxdata.compat.users import UserMethods


class AsyncClient(TweetMethods, UserMethods, ListMethods):
    """X API v2 client with tweepy's ``AsyncClient`` interface.

    ``AsyncClient(bearer_token=None, consumer_key=None, consumer_secret=None,
    access_token=None, access_token_secret=None, *, return_type=Response,
    wait_on_rate_limit=False, api_base=None, client=None)``

    ``return_type`` is ``Response`` (tweepy's namedtuple of models), ``dict`` (the JSON as
    sent) or ``aiohttp.ClientResponse`` (a ``RawResponse``: ``status``, ``headers``, and
    awaitable ``read``/``text``/``json``). With ``wait_on_rate_limit=False`` a 429 raises
    ``TooManyRequests``; either way requests are spaced to stay inside the limits the
    server announces. ``api_base`` (or ``TWXDATA_API_BASE``) points the client elsewhere,
    e.g. at ``twxdata.testing.FakeXApi``; ``client`` wraps an existing ``twxdata.Client``.
    Use it as ``async with AsyncClient(...) as client`` or ``await client.close()`` at the
    end, so the shared session is closed.

    >>> AsyncClient(bearer_token="secret-token", api_base="http://127.0.0.1:9")
    AsyncClient(api_base='http://127.0.0.1:9', credentials=Credentials(bearer=set, oauth1=not set, oauth2_user=not set), return_type=Response)
    """  # noqa: E501

    # tweepy's short names for the direct-message methods.
    get_dm_events = UserMethods.get_direct_message_events
    create_dm = UserMethods.create_direct_message
    create_dm_conversation = UserMethods.create_direct_message_conversation
