"""``twxdata configure``: save, show, test or clear the credentials twxdata uses.

Prompts without echo (getpass) for the bearer token and the four OAuth 1.0a keys; Enter keeps
what is saved. Values are never printed, not even in part::

    $ twxdata configure                 # prompt and save (file 0600, or the system keyring)
    $ twxdata configure --show          # which are set, and where they come from
    $ twxdata configure --test          # one cheap request: @username (id), or the API's error
    $ twxdata configure --clear         # forget saved credentials

and what reading costs (see ``twxdata estimate``)::

    $ twxdata configure --prices prices.json          # your Developer Console's rates (JSON)
    $ twxdata configure --prices post=0.004,user=0.01 # or a few of them; '' forgets them
    $ twxdata configure --tier basic                  # a legacy tier: a monthly cap, no dollars
    $ twxdata configure --confirm-above 20            # ask before runs estimated above $20
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import Any

import orjson

from twxdata.auth import ENV_VARS
from twxdata.cli.common import dollars_or_zero, parse_amount
from twxdata.config import ConfigError
from twxdata.errors import ParameterError
from twxdata.settings import CONFIRM_ABOVE_USD, TIERS, load_spending, save_spending


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "configure",
        help="save, show, test or clear credentials",
        description="Save the X API credentials twxdata uses (bearer token, OAuth 1.0a keys, "
        "API base) in your config folder (a file only you can read) or the system keyring. "
        "Arguments and TWXDATA_* environment variables take precedence over saved values.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--show", action="store_true", help="say which credentials are set (never the values)"
    )
    action.add_argument(
        "--test", action="store_true", help="make one request and say whom they belong to"
    )
    action.add_argument("--clear", action="store_true", help="remove saved credentials")
    parser.add_argument(
        "--api-base", metavar="URL", help="API root to save or test (empty string: real X)"
    )
    parser.add_argument(
        "--store",
        choices=("auto", "file", "keyring"),
        default="auto",
        help="where to save: the system keyring when usable (auto), or the file",
    )
    money = parser.add_argument_group("what reading costs (saved apart from credentials)")
    money.add_argument(
        "--prices",
        metavar="FILE|NAME=USD,...",
        help="override X's published prices: a JSON file of price names and USD, or "
        "NAME=USD pairs (post, user, counts_recent, counts_all, ...); '' forgets them",
    )
    money.add_argument("--tier", choices=TIERS, help="your access level (default pay-per-use)")
    money.add_argument(
        "--confirm-above",
        metavar="USD",
        type=dollars_or_zero,
        help=f"an interactive run estimated above this asks first (default {CONFIRM_ABOVE_USD:g};"
        " 0 always asks; a run that is not interactive never asks)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.prices is not None or args.tier is not None or args.confirm_above is not None:
            if args.show or args.clear or args.test:
                print("twxdata configure: error: --prices/--tier/--confirm-above save settings; "
                      "give them without --show, --test or --clear", file=sys.stderr)  # fmt: skip
                return 2
            prices = None if args.prices is None else _read_prices(args.prices)
            forgot = ""
            if prices is None and args.tier not in (None, "pay-per-use"):
                # A legacy tier counts posts, not dollars: dollar overrides saved for
                # pay-per-use would price its collections as if it were one.
                before = load_spending().prices
                if before:
                    prices = {}
                    forgot = ", ".join(f"{k}={v}" for k, v in sorted(before.items()))
            saved = save_spending(prices=prices, tier=args.tier, confirm_above=args.confirm_above)
            print(f"saved to {saved.path}")
            if forgot:
                print(f"  forgot the price overrides {forgot}: the {args.tier} tier has no "
                      "dollar prices (give --prices with --tier to keep some)")  # fmt: skip
            _print_spending(saved)
            return 0
        if args.show:
            return show()
        if args.clear:
            return clear()
        if args.test:
            return test(args.api_base)
        return prompt_and_save(args.api_base, args.store)
    except ParameterError as exc:
        said = str(exc)
        if exc.parameter in ("prices", "tier", "confirm_above"):  # in the option's own words
            option = "--" + exc.parameter.replace("_", "-")
            said = option + said[len(exc.parameter) :]
        print(f"twxdata configure: error: {said}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        print(f"twxdata configure: error: {exc}", file=sys.stderr)
        return 1


def _read_prices(text: str) -> dict[str, Any]:
    """``--prices``: '' (forget), a JSON file, or NAME=USD pairs."""
    if not text.strip():
        return {}
    path = Path(text).expanduser()
    if "=" not in text or path.is_file():
        try:
            loaded = orjson.loads(path.read_bytes())
        except OSError as exc:
            raise ParameterError(
                "--prices",
                "a JSON file of prices or NAME=USD pairs",
                got=f"{text} ({exc.strerror})",
            ) from None
        except orjson.JSONDecodeError:
            raise ParameterError("--prices", "a JSON object of price names and USD",
                                 got=f"{text} (not JSON)") from None  # fmt: skip
        if not isinstance(loaded, dict):
            raise ParameterError("--prices", "a JSON object of price names and USD", got=text)
        return loaded
    prices: dict[str, Any] = {}
    for pair in text.replace(" ", ",").split(","):
        if not pair:
            continue
        name, _, usd = (part.strip() for part in pair.partition("="))
        if not name or name in prices:
            problem = "a price name before each =" if not name else f"{name} given twice"
            raise ParameterError("--prices", f"NAME=USD pairs: {problem}", got=text)
        try:
            value = None if usd in ("null", "none") else parse_amount(usd)
        except ValueError:
            raise ParameterError("--prices", "NAME=USD pairs with USD a number", got=pair) from None
        whole = name == "monthly_post_cap" and value is not None and value.is_integer()
        prices[name] = int(value) if whole and value is not None else value
    # Pairs change the prices they name and keep the others saved before (a file replaces all).
    return {**load_spending().prices, **prices}


def _print_spending(saved: Any) -> None:
    prices = saved.as_prices()
    own = ", ".join(f"{k}={v}" for k, v in sorted(saved.prices.items())) or "none"
    print(f"  tier: {saved.tier} (monthly post cap {prices.monthly_post_cap:,})")
    if prices.dollars:
        print(f"  prices: ${prices.post:g} a post, ${prices.price('user'):g} a user; "
              f"your overrides: {own}")  # fmt: skip
    else:
        print(f"  prices: none in dollars (the tier counts posts); your overrides: {own}")
    print(f"  ask before interactive runs estimated above: ${saved.confirm_above:,.2f}")


def prompt_and_save(api_base: str | None, store: Any) -> int:
    from twxdata.config import FIELDS, LABELS, load_saved, save_credentials

    before = load_saved()
    print("Enter your X API credentials (input is hidden; Enter keeps the saved value or skips).")
    print("A bearer token is enough for most reading; OAuth 1.0a keys act as your account.")
    values: dict[str, str | None] = {}
    for name in FIELDS:
        hint = "saved; Enter keeps it" if before.get(name) else "Enter skips"
        try:
            typed = getpass.getpass(f"{LABELS[name]} [{hint}]: ").strip()
        except EOFError:  # stdin closed: keep the rest as it is
            typed = ""
        values[name] = typed or None
    if api_base is None:
        current = before.api_base or "https://api.x.com"
        try:
            typed_base = input(f"API base [{current}; Enter keeps it, '-' for real X]: ").strip()
        except EOFError:
            typed_base = ""
        api_base = "" if typed_base == "-" else (typed_base or None)
    # An API base typed here is asked for, loopback or not: save it as given.
    saved = save_credentials(values, api_base=api_base, store=store, save_loopback=True)
    private = " (readable only by you)" if saved.location.startswith("file") else ""
    print(f"saved to {saved.location.removeprefix('file ')}{private}")
    _print_state(saved)
    return 0


def _print_state(saved: Any) -> None:
    from twxdata.config import FIELDS, LABELS

    for name in FIELDS:
        print(f"  {LABELS[name]}: {'set' if saved.get(name) else 'not set'}")
    print(f"  API base: {saved.api_base or 'https://api.x.com (default)'}")


def show() -> int:
    from twxdata.config import FIELDS, LABELS, credentials_path, load_saved

    saved = load_saved()
    path = credentials_path()
    if saved.location:
        print(f"saved credentials: {saved.location.removeprefix('file ')}")
    else:
        print(f"saved credentials: none ({path} does not exist)")
    for name in FIELDS:
        state = "set" if saved.get(name) else "not set"
        if os.environ.get(ENV_VARS[name]):
            state += f"; {ENV_VARS[name]} is set and takes precedence"
        print(f"  {LABELS[name]}: {state}")
    base = saved.api_base or "not set (https://api.x.com)"
    if os.environ.get("TWXDATA_API_BASE"):
        base += "; TWXDATA_API_BASE is set and takes precedence"
    print(f"  API base: {base}")
    spending = load_spending()
    where = spending.path if spending.path and spending.path.is_file() else "defaults"
    print(f"what reading costs: {where}")
    _print_spending(spending)
    return 0


def clear() -> int:
    from twxdata.config import clear_credentials

    removed = clear_credentials()
    print(f"removed saved {', '.join(removed)}" if removed else "nothing was saved")
    return 0


def test(api_base: str | None) -> int:
    results = asyncio.run(_check(api_base or None))
    for result in results:
        print(result)
    return 0 if all(r.ok for r in results) else 1


async def _check(api_base: str | None) -> list[Any]:
    from twxdata.identity import check_credentials
    from twxdata.protocol.retry import RetryPolicy
    from twxdata.settings import configured_client

    # One quick answer: a few tries, not the collection's patient retry schedule.
    retry = RetryPolicy(max_tries=2, backoff_base=0.2, max_rate_limit_waits=0)
    async with configured_client(api_base=api_base, retry=retry, timeout=15) as client:
        print(f"checking against {client.api_base}")
        return await check_credentials(client)
