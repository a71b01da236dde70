"""The fake API's write endpoints, and the reads that show what they wrote.

Every write of ``twxdata.endpoints`` is served: posts (create, delete, like, repost, bookmark,
hide a reply: ``post_writes``), accounts and lists (follow, mute, block, lists, members, pins:
``social_writes``), direct messages (``dms``) and batch compliance jobs (``compliance``). All
state goes to ``Corpus.state.activity`` (``twxdata.testing.activity``); reads see it through
``Corpus.follows``/``Corpus.lists`` (``twxdata.testing.live``), the handlers of ``post_reads``
(lookups, search, author timelines, likes, reposts, bookmarks) and ``feeds`` (counts, mentions,
home timelines, list posts, quote posts), and ``metrics``, which moves the public counts of
the posts (and accounts) writes touched. Those handlers are ``OVERRIDES``: each replaces the
generated-only read of its endpoint. Writes need user context (OAuth 1.0a, a registered
OAuth 2.0 user token, or one issued by ``POST /2/oauth2/token``), as on X; compliance jobs
need an app-only token.

>>> import asyncio
>>> from datetime import datetime
>>> from twxdata.testing import FakeXApi
>>> async def demo():
...     async with FakeXApi(seed=1, size=500, end=datetime(2024, 5, 1)) as api:
...         me = int(api.corpus.users.ids[3])
...         headers = {"Authorization": f'OAuth oauth_token="{api.oauth1_token(me)}"'}
...         async with aiohttp.ClientSession(headers=headers) as s:
...             async with s.post(api.url + "/2/tweets", json={"text": "hello #fake"}) as r:
...                 made = (await r.json())["data"]
...             async with s.get(api.url + "/2/tweets/" + made["id"]) as r:
...                 return r.status, (await r.json())["data"]["text"]
>>> import aiohttp
>>> asyncio.run(demo())
(200, 'hello #fake')
"""

from __future__ import annotations

from twxdata.testing import (
    compliance,
    dms,
    feeds,
    post_reads,
    post_writes,
    rules,
    social_writes,
)
from twxdata.testing.context import union
from twxdata.testing.writectx import StateCtx

# The write endpoints, and the compliance-job reads (only writes create jobs).
HANDLERS = union(
    post_writes.HANDLERS, social_writes.HANDLERS, dms.HANDLERS, compliance.HANDLERS, rules.HANDLERS
)

# Reads that show what writes did. Each replaces the generated-only handler of its endpoint in
# ``twxdata.testing.server.READS`` and answers as it when nothing written concerns the request.
OVERRIDES = union(post_reads.OVERRIDES, feeds.OVERRIDES, social_writes.OVERRIDES, dms.OVERRIDES)

__all__ = ["HANDLERS", "OVERRIDES", "StateCtx", "compliance"]
