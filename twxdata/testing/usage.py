"""``GET /2/usage/tweets``: the posts the project read, from the server's billing meter.

The shape is the spec's ``Get2UsageTweetsResponse``: without ``usage.fields`` the four numbers
of X's docs example (``cap_reset_day``, ``project_cap``, ``project_id``, ``project_usage``, as
integers, as the spec has them); ``daily_project_usage`` and ``daily_client_app_usage`` when
asked for, one entry for each of the last ``days`` UTC days (1-90, default 7), oldest first.
Posts read are the posts charged, deduplicated within a UTC day (``twxdata.testing.billing``);
the usage endpoint itself is free and answers even when the credits are spent.
"""

from __future__ import annotations

import orjson

from twxdata.testing import problems
from twxdata.testing.billing import DEFAULT_USAGE_DAYS
from twxdata.testing.context import Ctx, Handler, Problem, Reply


def get_usage(ctx: Ctx) -> Reply:
    if ctx.billing is None:  # pragma: no cover - the server always passes its meter
        raise Problem(problems.generic(500), 500)
    days = int(ctx.req.extra.get("days", DEFAULT_USAGE_DAYS))
    fields = ctx.req.fields.get("usage.fields", frozenset())
    return 200, orjson.dumps({"data": ctx.billing.usage(days, fields, ctx.now)})


HANDLERS: dict[str, Handler] = {"get_usage": get_usage}
