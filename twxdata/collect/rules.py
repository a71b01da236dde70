"""The filtered stream's rules, from Python and notebooks: list, add, delete, sync.

Every change is checked by X first (``dry_run``: free, changes nothing): if X would refuse a
rule, nothing is changed and ``RulesRefused`` names each refused rule with X's reason. A
rule the app already has is not added twice (and is no error). ``sync_stream_rules`` makes
the app's rules equal to a wanted list, deleting only after X accepted what it will add.
Rule requests read no post and cost nothing; they take the app's bearer token.

>>> # in a notebook cell:
>>> # await twxdata.add_stream_rules(["climate lang:en", "#COP30"], tag="climate")
>>> # await twxdata.stream_rules()  # [Rule(value='climate lang:en', tag='climate', id=...)]
>>> # plan = await twxdata.sync_stream_rules(["climate lang:en"], dry_run=True); plan.lines()
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from twxdata.client import Client
from twxdata.collect.defaults import default_client
from twxdata.errors import ParameterError, TwxError
from twxdata.notebook.loop import run
from twxdata.protocol.rules import (
    Rule,
    RulesAnswer,
    RulesPlan,
    add_body,
    delete_body,
    read_answer,
    read_rules,
    rules_plan,
    shortened,
    to_rules,
)

__all__ = [
    "Rule", "RulesPlan", "RulesRefused", "add_stream_rules", "delete_stream_rules",
    "stream_rules", "sync_stream_rules",
]  # fmt: skip


class RulesRefused(TwxError):
    """X refused rules (``invalid``: each with X's reason; a rule with an empty value stands
    for the request as a whole, such as the app's cap of rules); nothing was changed."""

    def __init__(self, invalid: Sequence[tuple[Rule, str]]) -> None:
        self.invalid = list(invalid)
        rules = [(rule, reason) for rule, reason in self.invalid if rule.value]
        general = [reason for rule, reason in self.invalid if not rule.value]
        parts = [f"{shortened(rule.value)!r}: {reason}" for rule, reason in rules[:5]]
        if len(rules) > 5:
            parts.append(f"and {len(rules) - 5} more")
        what = f"{len(rules)} rule{'s' * (len(rules) != 1)}" if rules else "the change"
        super().__init__(f"X refused {what}, so nothing was changed: " + "; ".join(general + parts))


async def stream_rules(*, client: Client | None = None) -> list[Rule]:
    """The app's rules, oldest first (``GET /2/tweets/search/stream/rules``, every page).

    >>> # rules = await twxdata.stream_rules(); [r.value for r in rules]
    """
    client = client or default_client()
    rules: list[Rule] = []
    async for page in client.pages("get_rules", params={"max_results": 1000}):
        rules.extend(read_rules(page.body))
    return rules


async def add_stream_rules(
    rules: Any, *, tag: str | None = None, dry_run: bool = False, client: Client | None = None
) -> list[Rule]:
    """Add ``rules`` (a query string, a list of them, ``(value, tag)`` pairs or ``Rule``s;
    ``tag`` labels the strings). Returns the rules this call added, with their ids (told by
    the app's rules afterwards, so a request retried after a lost answer counts right); a
    value the app has already is not added again, whatever its tag. With ``dry_run``, the
    rules that would be added. ``RulesRefused`` if X refuses one: then none is added.

    >>> # await twxdata.add_stream_rules("climate lang:en -is:retweet", tag="climate")
    """
    asked = to_rules(rules, tag=tag)
    _check_flag("dry_run", dry_run)
    client = client or default_client()
    await _add(client, asked, dry_run=True)
    held = {r.value for r in await stream_rules(client=client)}
    fresh = [r for r in asked if r.value not in held]
    if dry_run or not fresh:
        return fresh if dry_run else []
    await _add(client, fresh, dry_run=False)
    return _now_held(await stream_rules(client=client), fresh)


async def delete_stream_rules(
    ids: Any = None, *, all: bool = False, dry_run: bool = False, client: Client | None = None
) -> int:
    """Delete the rules ``ids`` (an id, ``Rule``s or a list of them), or with ``all=True``
    every rule of the app. Returns how many were (with ``dry_run``: would be) deleted, told
    by the app's rules before and after; ids the app does not have are left out.

    >>> # await twxdata.delete_stream_rules(all=True)
    """
    _check_flag("all", all)
    _check_flag("dry_run", dry_run)
    if all == (ids is not None):
        raise ParameterError("ids", "give rule ids, or all=True (not both)", got=ids)
    chosen = None if all else _ids(ids)
    client = client or default_client()
    before = {r.id for r in await stream_rules(client=client) if r.id is not None}
    present = [i for i in (before if chosen is None else chosen) if i in before]
    if dry_run or not present:
        return len(present)
    await client.request("update_rules", body=delete_body(sorted(present)))
    after = {r.id for r in await stream_rules(client=client) if r.id is not None}
    return sum(1 for i in present if i not in after)


async def sync_stream_rules(
    wanted: Any, *, dry_run: bool = False, client: Client | None = None
) -> RulesPlan:
    """Make the app's rules equal to ``wanted`` (as ``add_stream_rules`` takes them): rules
    with the same value and tag are kept, others deleted, missing ones added. X checks the
    rules to add first; new values are added before anything is deleted, so a failure
    midway never leaves the app with fewer rules than it asked for (a rule whose tag changes
    is deleted, then added again: X keeps one rule a value). Returns the plan
    (``plan.lines()`` shows the difference); with ``dry_run`` nothing changes.

    >>> # plan = await twxdata.sync_stream_rules(["climate lang:en", ("#COP30", "cop")])
    """
    _check_flag("dry_run", dry_run)
    target = to_rules(wanted)
    client = client or default_client()
    plan = rules_plan(await stream_rules(client=client), target)
    if plan.add:
        await _add(client, list(plan.add), dry_run=True)  # refused: nothing changes
    if dry_run or not plan.changes:
        return plan
    retagged = {r.value for r in plan.delete}
    first = [r for r in plan.add if r.value not in retagged]
    later = [r for r in plan.add if r.value in retagged]
    if first:
        await _add(client, first, dry_run=False)
    if plan.delete:
        ids = [r.id for r in plan.delete if r.id is not None]
        await client.request("update_rules", body=delete_body(ids))
    if later:
        await _add(client, later, dry_run=False)
    added = _now_held(await stream_rules(client=client), list(plan.add))
    return RulesPlan(add=tuple(added), delete=plan.delete, kept=plan.kept)


def _now_held(rules: list[Rule], asked: list[Rule]) -> list[Rule]:
    """The app's rules (with ids) that are the rules asked for."""
    keys = {r.key for r in asked}
    return [r for r in rules if r.key in keys]


async def _add(client: Client, rules: list[Rule], *, dry_run: bool) -> RulesAnswer:
    page = await client.request(
        "update_rules", params={"dry_run": True} if dry_run else None, body=add_body(rules)
    )
    answer = read_answer(page.body, rules)
    if answer.invalid:
        raise RulesRefused(answer.invalid)
    return answer


def _ids(ids: Any) -> list[str]:
    if isinstance(ids, (str, int, Rule)):
        items = [ids]
    elif isinstance(ids, (list, tuple, set, frozenset)):
        items = list(ids)
    else:
        raise ParameterError("ids", "a rule id or a list of them", got=ids)
    out = []
    for item in items:
        value = item.id if isinstance(item, Rule) else item
        text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not (text.isascii() and text.isdigit()) or len(text) > 19:
            raise ParameterError("ids", "rule ids are numbers (as stream_rules gives them)",
                                 got=item)  # fmt: skip
        out.append(text)
    return out


def _check_flag(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise ParameterError(name, "must be True or False", got=value)


def stream_rules_sync(*, client: Client | None = None) -> list[Rule]:
    """Blocking ``stream_rules``."""
    return run(stream_rules(client=client))


def sync_stream_rules_sync(
    wanted: Any, *, dry_run: bool = False, client: Client | None = None
) -> RulesPlan:
    """Blocking ``sync_stream_rules``."""
    return run(sync_stream_rules(wanted, dry_run=dry_run, client=client))
