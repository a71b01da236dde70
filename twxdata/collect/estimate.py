"""Before collecting: how much a collection will fetch, in how many requests and how long at
the rate limits, and what X will charge for it — with what finding out cost.

``await estimate("search", "climate lang:en", start_time="30d", archive=True, limit=50_000)``
takes a kind of collection (or a command-line verb) and exactly the arguments of its
``collect_*`` function, validates them the same way (``make_plan``: nothing is sent when they
are wrong), and asks the API the cheapest question that sizes the collection:

- search: the counts endpoint over the same query and window (``counts/recent``: one request;
  ``counts/all``: one per 31 days, stopping once the limit is reached), at day granularity;
- counts: nothing to ask: one request (recent) or one per 31 days of the window (archive);
- followers, following, timeline, liked posts: the accounts' ``public_metrics``
  (``followers_count``, ``following_count``, ``tweet_count``, ``like_count``), one user
  lookup per 100 accounts;
- liking users, reposters, quotes: the posts' ``public_metrics`` (one post lookup per 100);
- list members: the lists' ``member_count``;
- mentions, home timeline, list posts: X counts nothing; the endpoint's reach (800) bounds it;
- post and user lookups: the ids given.

Each target is then capped by ``limit``, ``max_pages`` and the endpoint's reach, and priced
with ``twxdata.pricing`` twice: ``low`` charges only what arrives in ``data``; ``high`` also
the objects in ``includes`` (authors, referenced posts, media), as assumed in
``INCLUDE_RATES`` — X does not say whether those are charged. Same-UTC-day deduplication is
not counted (a re-read on the same day is free), so the real cost can be lower.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from twxdata.client import Client
from twxdata.collect.api import Many, Times
from twxdata.collect.call import check_cost
from twxdata.collect.defaults import current_prices, default_client
from twxdata.collect.estimate_report import NOUNS, RESOURCE_NOUN, Estimate, Row, charged_noun
from twxdata.collect.estimate_sizing import (
    INCLUDE_RATES,
    Sizer,
    expansions_of,
    rate_of,
    seconds_at_limit,
)
from twxdata.collect.kinds import KINDS, Kind
from twxdata.collect.plan import Fields, make_plan
from twxdata.collect.users import split_users
from twxdata.collect.walk import Plan
from twxdata.endpoints import Endpoint, get_endpoint
from twxdata.errors import ParameterError
from twxdata.notebook.loop import run
from twxdata.pricing import Cost, Prices

__all__ = ["INCLUDE_RATES", "Estimate", "Row", "estimate", "estimate_sync", "kind_of",
           "seconds_at_limit"]  # fmt: skip

# What an estimate may spend on sizing unless told otherwise: a year of full-archive search
# ($0.12) and the followers of 100 accounts ($1.00) fit; twenty years of archive do not.
MAX_ESTIMATE_COST = 1.0

# Command-line verbs whose kind is spelt otherwise (the rest: "liking-users" -> liking_users).
VERB_KINDS = {"quotes": "quote_tweets"}


def kind_of(kind_or_verb: str) -> Kind:
    """The kind of collection a name means: a kind (``liking_users``) or a command-line verb
    (``liking-users``, ``quotes``).

    >>> kind_of("quotes").name, kind_of("liking-users").name
    ('quote_tweets', 'liking_users')
    """
    if not isinstance(kind_or_verb, str):
        raise ParameterError("kind", "must be a kind of collection", got=kind_or_verb)
    name = VERB_KINDS.get(kind_or_verb, kind_or_verb.replace("-", "_"))
    if name not in KINDS:
        raise ParameterError("kind", f"one of {', '.join(KINDS)}", got=kind_or_verb)
    return KINDS[name]


async def estimate(
    kind: str,
    targets: Many = None,
    *,
    archive: bool = False,
    start_time: Times = None,
    end_time: Times = None,
    since_id: int | str | None = None,
    until_id: int | str | None = None,
    sort_order: str | None = None,
    granularity: str | None = None,
    limit: int | None = None,
    max_pages: int | None = None,
    fields: Fields = "research",
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
    prices: Prices | None = None,
    max_estimate_cost: float | None = MAX_ESTIMATE_COST,
    **params: Any,
) -> Estimate:
    """What ``collect_<kind>(targets, ...)`` with the same arguments would fetch and cost.

    ``kind``: a kind of collection (``"search"``, ``"followers"``, ``"liking_users"``, ...) or
    its command-line verb (``"liking-users"``, ``"quotes"``). The other arguments are those of
    the collecting function; ``raw``, ``restart`` and ``progress`` are accepted so the same
    keywords can be passed to both, and change nothing; ``max_cost`` says where the collection
    would stop. ``prices``: a ``twxdata.pricing.Prices``; by default the prices collections are
    charged at (X's table, or what ``twxdata.configure(prices=...)`` or ``twxdata configure
    --prices`` set).

    >>> # in a notebook cell:  e = await twxdata.estimate("search", "climate", limit=10_000)
    >>> # e.total["usd_low"], e.total["usd_high"], e.frame, e.notes
    """
    del progress  # accepted for symmetry with collect_*; an estimate shows no progress bar
    prices = current_prices() if prices is None else prices
    if not isinstance(prices, Prices):
        raise ParameterError("prices", "must be a twxdata.pricing.Prices", got=prices)
    check_cost(max_cost)
    if max_estimate_cost is not None:
        check_cost(max_estimate_cost, name="max_estimate_cost")
    what = kind_of(kind)
    client = client or default_client()
    # Credentials that cannot run the collection make its estimate moot: refused before any
    # request, as the collection itself would be (no $0.00 estimate of nothing).
    client.credentials.for_endpoint(get_endpoint(what.endpoint_for(archive)))
    window = {"start_time": start_time, "end_time": end_time, "since_id": since_id,
              "until_id": until_id, "sort_order": sort_order}  # fmt: skip
    if what.name == "counts" and granularity is None:
        granularity = "day"  # collect_counts' default
    given = {**window, "granularity": granularity, **params}
    spent = Cost()
    cached = set(client.username_cache)
    plan = await make_plan(
        client,
        what.name,
        targets,
        archive=archive,
        fields=fields,
        limit=limit,
        max_pages=max_pages,
        concurrency=concurrency,
        params=given,
    )
    if what.target in ("user", "user_ids"):
        _charge_resolved(client, targets, cached, spent, prices)
    job = Sizer(client, plan, prices, spent)
    requests, usd = job.sizing_cost()
    if max_estimate_cost is not None and usd > max_estimate_cost + 1e-9:
        raise ParameterError(
            "max_estimate_cost",
            f"sizing this collection takes up to {requests:,} requests, ${usd:,.2f}: allow it "
            "with a higher max_estimate_cost, or narrow the window or the targets",
            got=max_estimate_cost,
        )
    rows = await job.rows()
    notes = job.notes
    if raw is not None and not restart and _exists(raw):
        notes.append(
            f"{raw} exists: the collection would resume from it, fetching only what is not "
            "there yet; this estimate counts the whole collection"
        )
    return _assemble(plan, rows, notes, prices, spent, client, max_cost)


def estimate_sync(
    kind: str,
    targets: Many = None,
    *,
    archive: bool = False,
    start_time: Times = None,
    end_time: Times = None,
    since_id: int | str | None = None,
    until_id: int | str | None = None,
    sort_order: str | None = None,
    granularity: str | None = None,
    limit: int | None = None,
    max_pages: int | None = None,
    fields: Fields = "research",
    raw: str | Path | None = None,
    restart: bool = False,
    client: Client | None = None,
    progress: bool = True,
    concurrency: int = 4,
    max_cost: float | None = None,
    prices: Prices | None = None,
    max_estimate_cost: float | None = MAX_ESTIMATE_COST,
    **params: Any,
) -> Estimate:
    """Blocking ``estimate``: ``twxdata.estimate_sync("followers", ["@NASA", "@ESA"])``."""
    return run(estimate(kind, targets, archive=archive, start_time=start_time,
                        end_time=end_time, since_id=since_id, until_id=until_id,
                        sort_order=sort_order, granularity=granularity, limit=limit,
                        max_pages=max_pages, fields=fields, raw=raw, restart=restart,
                        client=client, progress=progress, concurrency=concurrency,
                        max_cost=max_cost, prices=prices,
                        max_estimate_cost=max_estimate_cost, **params))  # fmt: skip


def _charge_resolved(
    client: Client, targets: Any, cached: set[str], spent: Cost, prices: Prices
) -> None:
    """Usernames the plan looked up (not known to the client before): user reads."""
    try:
        values = targets if isinstance(targets, (list, tuple)) else [targets]
        names = {n.lower() for n in split_users(values)[1]}
    except ParameterError:
        return
    looked_up = [n for n in names if n not in cached and n in client.username_cache]
    if looked_up:
        requests = math.ceil(len(looked_up) / 100)
        spent.add(Cost({"user": len(looked_up)}, len(looked_up) * prices.price("user"),
                       requests=requests))  # fmt: skip


def _exists(path: str | Path) -> bool:
    return Path(path).exists()


def _assemble(
    plan: Plan,
    rows: list[Row],
    notes: list[str],
    prices: Prices,
    spent: Cost,
    client: Client,
    max_cost: float | None = None,
) -> Estimate:
    endpoint = get_endpoint(plan.endpoint)
    requests = sum(r.requests for r in rows)
    per_window, min_interval = rate_of(client, endpoint)
    resource_rows = [r for r in rows if r.resources is not None]
    includes: dict[str, float] = {}
    for row in rows:
        for kind, count in row.includes.items():
            includes[kind] = includes.get(kind, 0.0) + count
    posts = sum(r.resources or 0 for r in resource_rows if r.resource == "posts")
    users = sum(r.resources or 0 for r in resource_rows if r.resource == "users")
    included_posts = round(includes.get("post", 0.0))
    total: dict[str, Any] = {
        "targets": len(rows),
        "posts": posts,
        "users": users,
        "buckets": sum(r.resources or 0 for r in resource_rows if r.resource == "buckets"),
        "requests": requests,
        "pages": sum(r.pages for r in rows),
        "seconds": round(seconds_at_limit(requests, per_window, min_interval), 1),
        "usd_low": round(sum(r.usd_low for r in rows), 6),
        "usd_high": round(sum(r.usd_high for r in rows), 6),
        "includes_high": {NOUNS.get(k, k): round(v) for k, v in sorted(includes.items())},
        "cost_of_estimate_usd": round(spent.usd, 6),
        "estimate_requests": spent.requests,
        "estimate_reads": {NOUNS.get(k, k): v for k, v in sorted(spent.resources.items())},
        "share_of_monthly_cap": posts / prices.monthly_post_cap,
        "share_of_monthly_cap_high": (posts + included_posts) / prices.monthly_post_cap,
        "unknown_targets": len(rows) - len(resource_rows),
        "rate_limit": {"requests_per_15_min": per_window, "min_interval_s": min_interval},
    }
    notes = [*notes, *_general_notes(plan, prices, includes, per_window, min_interval, endpoint)]
    if max_cost is not None:
        total["max_cost"] = max_cost
        total["within_max_cost"] = total["usd_low"] <= max_cost
        if not total["within_max_cost"]:
            per_request = plan.kind.result == "counts"
            unit = prices.price(
                ("counts_all" if endpoint.paginated else "counts_recent") if per_request
                else "post" if plan.kind.result == "tweets" else "user"
            )  # fmt: skip
            what = "requests" if per_request else RESOURCE_NOUN[plan.kind.result]
            most = math.floor(max_cost / unit + 1e-9) if unit else None
            total["stops_at_max_cost_after"] = most
            notes.append(
                f"max_cost ${max_cost:,.2f} is less than the low estimate: the collection would "
                f"stop after about {most:,} {what} (which targets are cut depends on the order "
                "pages arrive); the same call with a higher max_cost continues"
            )
    if total["unknown_targets"]:
        notes.append(
            f"{total['unknown_targets']} targets of unknown size (no count, no limit) are left "
            "out of the totals: give limit= to bound them"
        )
    return Estimate(plan.kind.name, plan.endpoint, rows, total, notes, prices, plan.spec)


def _general_notes(
    plan: Plan,
    prices: Prices,
    includes: Mapping[str, float],
    per_window: int | None,
    min_interval: float,
    endpoint: Endpoint,
) -> list[str]:
    notes = []
    if plan.kind.result == "counts":
        notes.append("counts read no posts: low = high, and the monthly post cap is untouched")
    else:
        what = charged_noun(plan.kind.name)
        notes.append(
            f"low: only the {what} in data are charged "
            f"(${prices.price('post'):.3f} a post, ${prices.price('user'):.3f} a user); "
            "high: the objects in includes are charged too (X does not say whether they are)"
        )
        expansions = [x for x in expansions_of(plan) if x in INCLUDE_RATES]
        if expansions:
            per_item: dict[str, float] = {}
            for x in expansions:
                kind, rate = INCLUDE_RATES[x]
                if not (x == "author_id" and plan.kind.name == "timeline"):
                    per_item[kind] = per_item.get(kind, 0.0) + rate
            order = list(NOUNS)
            parts = [
                f"{per_item[k]:g} {NOUNS.get(k, k)}"
                for k in sorted(per_item, key=lambda k: order.index(k) if k in order else 99)
            ]
            author = (
                "the author once per page (a user's own timeline), " if "author_id" in
                expansions and plan.kind.name == "timeline" else ""
            )  # fmt: skip
            per = "post" if plan.kind.result == "tweets" else "user"
            notes.append(
                f"high assumes includes of {author}{', '.join(parts)} per {per} returned "
                f"(for the expansions requested: {', '.join(expansions)}); the authors are "
                "counted as one distinct user per post, an upper end: pages deduplicate "
                "their includes, so recurring authors make it lower"
                if "author_id" in expansions and plan.kind.name != "timeline"
                else f"high assumes includes of {author}{', '.join(parts)} per {per} returned "
                f"(for the expansions requested: {', '.join(expansions)})"
            )
        else:
            notes.append("no expansions requested: includes are empty, so low = high")
    notes.append(
        "same-UTC-day deduplication is not counted: posts and users this project already read "
        "today (through any endpoint) are not charged again, so the real cost can be lower"
    )
    limit = f"{per_window:,} requests per 15 minutes" if per_window else "no documented limit"
    interval = f", at most one a {min_interval:g} s" if min_interval else ""
    notes.append(
        f"time: at {endpoint.name}'s documented rate limit ({limit}{interval}), from a fresh "
        "window, not counting time on the network"
    )
    notes.append(f"prices: {prices.source}")
    return notes
