"""What an estimate found, for people and machines: ``Estimate`` (a repr, a text report, a
DataFrame per target, plain JSON) and its ``Row`` per target."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from twxdata.collect.kinds import KINDS
from twxdata.pricing import Prices

if TYPE_CHECKING:
    import pandas as pd

NOUNS = {"post": "posts", "user": "users", "media": "media", "place": "places", "poll": "polls"}
RESOURCE_NOUN = {"tweets": "posts", "users": "users", "counts": "buckets"}


@dataclass(slots=True)
class Row:
    """One target's estimate (one query, user, post, list, or batch of ids)."""

    target: str  # as given: the query, "@name" or the id, "batch 0"
    key: str  # the stream's key (the id a @name resolved to)
    resource: str  # posts, users or buckets
    available: int | None  # what exists (matching posts, followers_count, ...); None: unknown
    resources: int | None  # what the collection would fetch; None: unknown
    basis: str  # how ``available`` was found
    requests: int = 0
    pages: int = 0
    seconds: float = 0.0
    usd_low: float = 0.0
    usd_high: float = 0.0
    includes: dict[str, float] = field(default_factory=dict)  # high: included objects by kind


@dataclass(slots=True)
class Estimate:
    """What a collection will fetch and cost, per target (``frame``) and in all (``total``).

    ``notes`` says how it was estimated and what is assumed; ``report()`` is the text table
    the ``twxdata estimate`` command prints.
    """

    kind: str
    endpoint: str
    rows: list[Row]
    total: dict[str, Any]
    notes: list[str]
    prices: Prices
    spec: dict[str, Any]
    _frame: Any = field(default=None, repr=False, compare=False)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per target: target, resource, available, resources, requests, pages,
        seconds (at the rate limit), usd_low, usd_high, basis."""
        if self._frame is None:
            import pandas as pd

            columns = ["target", "key", "resource", "available", "resources", "requests",
                       "pages", "seconds", "usd_low", "usd_high", "basis"]  # fmt: skip
            records = [{c: getattr(r, c) for c in columns} for r in self.rows]
            frame = pd.DataFrame.from_records(records, columns=columns)
            self._frame = frame.astype({"available": "Int64", "resources": "Int64",
                                        "requests": "int64", "pages": "int64"})  # fmt: skip
        result: pd.DataFrame = self._frame.copy()
        return result

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values (what ``twxdata estimate --json`` prints)."""
        return {
            "kind": self.kind,
            "endpoint": self.endpoint,
            "targets": [
                {
                    "target": r.target, "key": r.key, "resource": r.resource,
                    "available": r.available, "resources": r.resources, "basis": r.basis,
                    "requests": r.requests, "pages": r.pages, "seconds": round(r.seconds, 1),
                    "usd_low": round(r.usd_low, 6), "usd_high": round(r.usd_high, 6),
                }
                for r in self.rows
            ],
            "total": dict(self.total),
            "notes": list(self.notes),
            "prices": self.prices.source,
            "collection": self.spec,
        }  # fmt: skip

    def summary(self) -> list[str]:
        """The few lines that matter: size, time, the dollar range, the estimate's own cost."""
        t = self.total
        what = what_of(t, self.kind)
        lines = [
            f"{what} in {t['requests']:,} {plural(t['requests'], 'request')}, "
            f"~{duration(t['seconds'])} at the rate limit"
        ]
        if t.get("within_max_cost") is False:
            what = self.rows[0].resource if self.rows else "items"
            lines.append(
                f"max_cost ${t['max_cost']:,.2f} stops it early: after about "
                f"{t['stops_at_max_cost_after']:,} {what}"
            )
        if self.prices.dollars and self.kind == "counts":
            lines.append(f"cost: ${cents(t['usd_low'])} (charged per count request)")
        elif self.prices.dollars:
            lines.append(
                f"cost: ${cents(t['usd_low'])} (low: only the {charged_noun(self.kind)} in data "
                f"charged) to ${cents(t['usd_high'])} (high: the includes charged too)"
            )
        else:
            lines.append(f"no dollar prices ({self.prices.source}): the monthly cap counts")
        lines.append(
            f"this estimate cost ${t['cost_of_estimate_usd']:,.3f} "
            f"({t['estimate_requests']:,} {plural(t['estimate_requests'], 'request')})"
        )
        lines.append(
            f"{percent(t['share_of_monthly_cap'])} of the monthly cap of "
            f"{self.prices.monthly_post_cap:,} posts"
            + (
                f" ({percent(t['share_of_monthly_cap_high'])} if included posts count)"
                if t["share_of_monthly_cap_high"] != t["share_of_monthly_cap"]
                else ""
            )
        )
        if t.get("unknown_targets"):
            n = t["unknown_targets"]
            lines.append(f"{n} {plural(n, 'target')} of unknown size left out of the totals")
        return lines

    def table(self) -> str:
        """The per-target table with a total line, as text."""
        header = ["target", "available", "fetched", "requests", "time", "low $", "high $"]
        body = [[clip(r.target, 32), *_cells(r)[1:]] for r in self.rows]
        t = self.total
        resource = self.rows[0].resource if self.rows else "posts"
        fetched = t["buckets"] if self.kind == "counts" else t["posts"] + t["users"]
        body.append(["total", "", f"{fetched:,} {resource}", f"{t['requests']:,}",
                     duration(t["seconds"]), cents(t["usd_low"]),
                     cents(t["usd_high"])])  # fmt: skip
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
        out = []
        for n, line in enumerate([header, *body]):
            if n == len(body):  # the total line
                out.append("  ".join("-" * w for w in widths))
            cells = [c.ljust(w) if i == 0 else c.rjust(w)
                     for i, (c, w) in enumerate(zip(line, widths, strict=True))]  # fmt: skip
            out.append("  ".join(cells).rstrip())
        return "\n".join(out)

    def report(self) -> str:
        """Table, summary and notes: what ``twxdata estimate`` prints."""
        head = f"estimate of {self.kind} ({self.endpoint}), {counted(len(self.rows), 'target')}"
        notes = "\n".join(f"- {n}" for n in self.notes)
        return f"{head}\n\n{self.table()}\n\n" + "\n".join(self.summary()) + f"\n\nnotes:\n{notes}"

    def __repr__(self) -> str:
        head = f"Estimate of {self.kind} ({self.endpoint}), {counted(len(self.rows), 'target')}:"
        lines = [head, *(f"  {line}" for line in self.summary())]
        lines.append("  .frame: per target; .total; .notes: the assumptions")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        head = ["target", "available", "fetched", "requests", "time", "low $", "high $", "basis"]
        cells = "".join(f"<th>{e(h)}</th>" for h in head)
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(v)}</td>" for v in [*_cells(r), r.basis]) + "</tr>"
            for r in self.rows
        )
        summary = "<br>".join(e(line) for line in self.summary())
        notes = "".join(f"<li>{e(n)}</li>" for n in self.notes)
        return (
            f"<div><b>Estimate of {e(self.kind)}</b> ({e(self.endpoint)})<br>{summary}"
            f"<table><thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>"
            f"<details><summary>assumptions</summary><ul>{notes}</ul></details></div>"
        )


def _cells(r: Row) -> list[str]:
    """A row's cells as the table shows them (the basis aside)."""
    return [
        r.target,
        "?" if r.available is None else f"{r.available:,}",
        "?" if r.resources is None else f"{r.resources:,} {r.resource}",
        f"{r.requests:,}",
        duration(r.seconds),
        cents(r.usd_low),
        cents(r.usd_high),
    ]


def charged_noun(kind: str) -> str:
    return "users" if KINDS[kind].result == "users" else "posts"


def what_of(total: Mapping[str, Any], kind: str) -> str:
    if kind == "counts":
        return f"{total['buckets']:,} count buckets"
    parts = []
    if total["posts"] or KINDS[kind].result == "tweets":
        parts.append(f"{total['posts']:,} posts")
    if total["users"] or KINDS[kind].result == "users":
        parts.append(f"{total['users']:,} users")
    return " and ".join(parts)


def plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def counted(n: int, noun: str) -> str:
    return f"{n:,} {plural(n, noun)}"


def cents(usd: float) -> str:
    """Dollars to the cent, half a cent rounded up, the same for a row and for the total,
    whatever float sums left in the last digits.

    >>> cents(1.275), cents(255 * 0.005), cents(1234.5)
    ('1.28', '1.28', '1,234.50')
    """
    return f"{math.floor(usd * 100 + 0.5 + 1e-6) / 100:,.2f}"


def percent(share: float) -> str:
    """A share for people, never in scientific notation.

    >>> percent(0), percent(5e-07), percent(0.00048), percent(0.25)
    ('0%', 'under 0.001%', '0.048%', '25.0%')
    """
    value = share * 100
    if value == 0:
        return "0%"
    if value < 0.001:
        return "under 0.001%"
    return f"{value:.2g}%" if share < 0.01 else f"{value:.1f}%"


def clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def duration(seconds: float) -> str:
    """A time for people.

    >>> duration(0), duration(42), duration(900), duration(5400), duration(259200)
    ('0 s', '42 s', '15 min', '1.5 h', '3.0 days')
    """
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86_400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:.1f} days"
