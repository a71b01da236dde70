"""A fake X API v2 for tests, demos and benchmarks: no network, no credentials, same shapes.

``FakeXApi`` is an aiohttp.web server answering the endpoints of
``twxdata.endpoints`` (same paths, page tokens, page sizes, meta, error bodies, rate-limit
headers) from a ``Corpus``: seeded synthetic accounts, posts, follows, likes, lists and spaces,
from a few hundred to a million posts. ``Faults`` injects the failures a real connection
meets (429, 5xx, HTML 502 from a proxy, dropped and truncated bodies, slow answers).

In a coroutine::

    from twxdata.testing import FakeXApi

    async with FakeXApi(seed=1, size=5_000, window=2.0, faults="503=0.05") as api:
        async with aiohttp.ClientSession(headers=api.headers()) as session:
            async with session.get(api.url + "/2/tweets/search/recent",
                                   params={"query": "#python"}) as resp:
                page = await resp.json()
        api.stats.count("search_recent_tweets")  # requests served

In any test (background thread), or with the pytest fixture ``fake_x_api``::

    with FakeXApi(seed=1, size=1_000) as api:
        request = urllib.request.Request(api.url + "/2/users/me", headers=api.headers())
        urllib.request.urlopen(request).read()

From a shell: ``twxdata fake-api --port 8000 --size 100000`` prints the URL and a token.

Billing as X's pay-per-use does it (``twxdata.testing.billing``): ``FakeXApi(credits=5.0)``
charges each answer for the resources in its ``data`` (``twxdata.pricing``), once per UTC day
of the API clock, and answers 402 ``credits-depleted`` once the balance is spent;
``monthly_cap=`` answers 429 ``usage-capped`` past that many posts a month. ``api.billing``
tells what was spent and read (``spent``, ``charged``, ``balance``, ``posts_this_month``) and
tops up (``add_credits``); ``GET /2/usage/tweets`` reports the posts read.

Mutations for hydration and compliance tests: ``api.corpus.delete_tweet(id)``,
``api.corpus.protect_user(id)``, ``api.corpus.suspend_user(id)``; forced faults:
``api.inject("drop", count=2)``. The write endpoints (posting, likes, follows, lists, direct
messages, compliance jobs) keep their state in ``api.corpus.state.activity`` and the reads show
it (``twxdata.testing.writes``): created posts in search, counts and timelines, likes, reposts,
replies and quotes in the posts' ``public_metrics``. They want user context, e.g. the header
``OAuth oauth_token="<user id>-..."`` (``api.oauth1_token(user_id)``), or an OAuth 2.0 user
token from the offline login: ``api.authorize(OAuth2PKCE(..., token_url=api.token_url)
.authorization_url(), user)`` answers the consent screen with the redirect URL, and
``POST /2/oauth2/token`` trades its code (``twxdata.testing.oauth2``).

>>> from datetime import datetime
>>> corpus = Corpus(seed=1, size=1_000, end=datetime(2024, 5, 1))
>>> len(corpus.visible_rows()) < corpus.size
True
>>> Faults.parse("429=0.1").rates["429"]
0.1
"""

from __future__ import annotations

from twxdata.testing.activity import Activity
from twxdata.testing.billing import Billing
from twxdata.testing.corpus import Corpus, CorpusState
from twxdata.testing.faults import Faults
from twxdata.testing.ratelimit import RateLimiter
from twxdata.testing.server import FakeXApi
from twxdata.testing.stats import RequestRecord, Stats

__all__ = [
    "Activity",
    "Billing",
    "Corpus",
    "CorpusState",
    "FakeXApi",
    "Faults",
    "RateLimiter",
    "RequestRecord",
    "Stats",
]
