"""``twxdata fake-api``: run the fake X API on this machine, for demos and offline work.

Prints the base URL and a bearer token, then serves until interrupted::

    $ twxdata fake-api --port 8000 --size 100000 --faults 503=0.05,drop=0.01
    fake X API on http://127.0.0.1:8000 (100,000 posts, seed 0)
    export TWXDATA_API_BASE=http://127.0.0.1:8000
    export TWXDATA_BEARER_TOKEN=fake-bearer-token

With ``--credits USD`` it bills as X's pay-per-use does (per resource returned, once per UTC
day; 402 ``credits-depleted`` once the balance is spent; 429 ``usage-capped`` past
``--monthly-cap`` posts, 2 million by default; ``twxdata.testing.billing``) and prints a
``# billing: $5.00 of credits at X's pay-per-use prices ...`` line saying so.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from twxdata.cli.common import dollars_or_zero


def _faults(text: str) -> Any:
    from twxdata.testing.faults import Faults

    try:
        return Faults.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, got {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of posts: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _day(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day of the month: {text!r}") from None
    if not 1 <= value <= 31:
        raise argparse.ArgumentTypeError(f"must be 1 to 31, got {value}")
    return value


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "fake-api",
        help="serve a fake X API (synthetic data) on this machine",
        description="Serve the read endpoints of X API v2 from a seeded synthetic corpus, "
        "with real page tokens, rate-limit headers and error bodies. Prints the URL and a "
        "bearer token to use, then runs until interrupted (Ctrl-C).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=port, default=8000, help="port, 0 for any free one (8000)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (0)")
    parser.add_argument("--size", type=int, default=10_000, help="number of posts (10000)")
    parser.add_argument(
        "--window",
        type=float,
        default=900.0,
        metavar="S",
        help="rate-limit window in seconds (900, as X; e.g. 2 for quick tests)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="requests per window for every endpoint (default: X's documented limits)",
    )
    parser.add_argument(
        "--faults",
        type=_faults,
        metavar="SPEC",
        help="fault rates, e.g. 503=0.1,drop=0.05,slow=0.1,delay=0.5,seed=1 "
        "(kinds: 429 500 503 502 reset drop truncate cut slow)",
    )
    parser.add_argument(
        "--tokens", "--token", dest="tokens", action="append", metavar="TOKEN",
        help="a bearer token to accept, repeatable; any other is refused with 401 "
        "(default: any token); tokens= in Python",
    )  # fmt: skip
    parser.add_argument(
        "--credits", type=dollars_or_zero, metavar="USD",
        help="bill as X's pay-per-use: start with this balance; every post, user, ... returned "
        "is charged once per UTC day, and 402 credits-depleted answers once it is spent "
        "(default: no billing); credits= in Python",
    )  # fmt: skip
    parser.add_argument(
        "--monthly-cap", type=_count, metavar="N",
        help="posts a month before 429 usage-capped (default with --credits: 2,000,000)",
    )  # fmt: skip
    parser.add_argument(
        "--cap-reset-day", type=_day, default=1, metavar="D",
        help="day of the month the cap period starts (1)",
    )  # fmt: skip
    parser.add_argument(
        "--stream-rate", type=_rate, default=2.0, metavar="N",
        help="posts a second on the filtered stream (GET /2/tweets/search/stream) matching "
        "its rules (2)",
    )  # fmt: skip
    parser.add_argument(
        "--stream-heartbeat", type=_rate, default=20.0, metavar="S",
        help="seconds of silence before the stream's keep-alive newline (20, as X)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number")
    return value


async def serve(args: argparse.Namespace) -> None:
    from twxdata.testing.server import FakeXApi
    from twxdata.testing.stream import LiveStream

    api = FakeXApi(
        stream=LiveStream(rate=args.stream_rate, heartbeat=args.stream_heartbeat),
        seed=args.seed,
        size=args.size,
        window=args.window,
        limits=args.limit,
        faults=args.faults,
        tokens=args.tokens,
        credits=args.credits,
        monthly_cap=args.monthly_cap,
        cap_reset_day=args.cap_reset_day,
        host=args.host,
        port=args.port,
    )
    async with api:
        me = api.user_of()
        print(f"fake X API on {api.url} ({args.size:,} posts, seed {args.seed})")
        print(f"export TWXDATA_API_BASE={api.url}")
        print(f"export TWXDATA_BEARER_TOKEN={api.bearer_token}")
        print(f"# /2/users/me is @{me['username']} (id {me['id']})")
        billing = api.billing
        if billing.credits is not None or billing.monthly_cap is not None:
            print(_billing_line(api.url, billing), flush=True)
        print(f"# OAuth 2.0: consent screen at {api.url}/i/oauth2/authorize, tokens at "
              f"{api.token_url}; Ctrl-C stops", flush=True)  # fmt: skip
        await asyncio.Event().wait()


def _billing_line(url: str, billing: Any) -> str:
    prices, credits = billing.prices, billing.credits
    if credits is None:
        money = "no credits (nothing billed)"
    else:
        money = (
            f"${credits:,.2f} of credits at X's pay-per-use prices "
            f"(post ${prices.price('post'):.3f}, user ${prices.price('user'):.3f})"
        )
    cap = billing.monthly_cap
    capped = "no monthly cap" if cap is None else f"monthly cap {cap:,} posts"
    return (
        f"# billing: {money}; {capped} from day {billing.cap_reset_day}; "
        f"usage at {url}/2/usage/tweets"
    )


def run(args: argparse.Namespace) -> int:
    if args.size < 1:
        print("twxdata fake-api: error: --size must be at least 1", file=sys.stderr)
        return 2
    asyncio.run(serve(args))
    return 0
