"""Asking before an expensive collection: only when a person is there to answer.

An interactive run (standard input and standard error both terminals) whose estimate is above
the threshold saved with ``twxdata configure --confirm-above`` (``$5`` unless changed) prints
the estimate and asks. It does not ask, and spends nothing on estimating, when the run is
already bounded under the threshold (``--max-cost``, or ``--limit`` times the targets at the
endpoint's price), when the tier has no dollar prices, or with ``--yes``. A run that is not
interactive (a pipe, cron, CI) never asks: it is bounded by ``--max-cost`` if by anything.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from twxdata.collect.defaults import current_prices
from twxdata.collect.estimate import estimate
from twxdata.errors import ParameterError
from twxdata.pricing import unit_price
from twxdata.settings import load_spending


class Declined(Exception):
    """The person at the terminal said no: nothing is collected."""


def interactive(stdin: TextIO | None = None, stderr: TextIO | None = None) -> bool:
    """Whether a person can answer: standard input and standard error are terminals."""
    stdin = sys.stdin if stdin is None else stdin
    stderr = sys.stderr if stderr is None else stderr
    try:
        return bool(stdin.isatty() and stderr.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


def bound_without_asking(args: argparse.Namespace, endpoint: Any, threshold: float) -> str | None:
    """Why no estimate is needed (the run cannot pass the threshold), or None."""
    prices = current_prices()
    if not prices.dollars:
        return "no dollar prices"
    if args.max_cost is not None and args.max_cost <= threshold:
        return "--max-cost is under the threshold"
    unit, per_request = unit_price(endpoint, prices)
    if args.limit and not per_request and len(args.targets) * args.limit * unit <= threshold:
        return "--limit keeps it under the threshold"
    return None


async def confirm(
    client: Any, args: argparse.Namespace, options: dict[str, Any], endpoint: Any
) -> None:
    """Estimate and ask when the run may cost more than the threshold; raise ``Declined``."""
    if getattr(args, "yes", False) or not interactive():
        return
    threshold = load_spending().confirm_above
    if bound_without_asking(args, endpoint, threshold) is not None:
        return
    print(f"estimating what this costs (above ${threshold:,.2f} it asks first)...",
          file=sys.stderr)  # fmt: skip
    try:
        found = await estimate(
            args.kind, args.targets, archive=getattr(args, "archive", False),
            fields="minimal" if getattr(args, "minimal_fields", False) else "research",
            limit=args.limit, max_pages=args.max_pages, client=client, progress=False,
            concurrency=args.concurrency, max_cost=args.max_cost, **options,
        )  # fmt: skip
    except ParameterError as exc:
        if exc.parameter != "max_estimate_cost":
            raise
        # Sizing it would itself cost more than an estimate should: ask without one.
        sizing = exc.problem.split(":", 1)[0]  # "sizing this collection takes up to ..."
        print(f"not estimated: {sizing}, more than an estimate may spend", file=sys.stderr)
        _ask("its cost is not known; --max-cost USD caps a run, -y skips this question",
             "not collecting; nothing was fetched")  # fmt: skip
        return
    low = float(found.total["usd_low"])
    if args.max_cost is not None:
        low = min(low, args.max_cost)
    if low <= threshold:
        return
    for line in found.summary():
        print(f"  {line}", file=sys.stderr)
    cap = "" if args.max_cost is None else f", capped at ${args.max_cost:,.2f}"
    print(
        f"this is above ${threshold:,.2f}{cap}; --max-cost USD caps a run, -y skips this "
        "question, `twxdata configure --confirm-above USD` moves the threshold",
        file=sys.stderr,
    )
    _ask(None, f"not collecting (estimated ${low:,.2f}); nothing was fetched but the estimate "
         f"(${found.total['cost_of_estimate_usd']:,.3f})")  # fmt: skip


def _ask(why: str | None, declined: str) -> None:
    """Ask on standard error, read the answer from standard input; ``Declined`` unless yes."""
    if why is not None:
        print(why, file=sys.stderr)
    sys.stderr.write("collect? [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip().lower() not in ("y", "yes"):
        raise Declined(declined)
