"""The filtered stream's rules, without I/O: what a rule is, what the user gave, what X
answered, and what makes the server's rules equal to a wanted set.

A rule is its ``value`` (a filter query) and an optional ``tag``; X gives it an ``id``. X
cannot edit a rule: a rule whose tag changes is deleted and added again. ``rules_plan`` says
what a sync does; ``read_answer`` turns the answer of ``POST .../rules`` into the rules
added and the ones X refused (invalid) or already had (duplicates).

>>> current = [Rule("climate", "c", "1"), Rule("flood", None, "2")]
>>> plan = rules_plan(current, [Rule("climate", "c"), Rule("drought")])
>>> [r.value for r in plan.add], [r.id for r in plan.delete], [r.value for r in plan.kept]
(['drought'], ['2'], ['climate'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from twxdata.errors import ParameterError


@dataclass(frozen=True)
class Rule:
    """One rule: ``value`` (the filter query), ``tag`` (a label matched posts carry), and the
    ``id`` X gave it (``None`` for a rule not yet added)."""

    value: str
    tag: str | None = None
    id: str | None = None

    @property
    def key(self) -> tuple[str, str | None]:
        """What makes two rules the same rule (the id is X's name for it)."""
        return (self.value, self.tag)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value}
        if self.tag is not None:
            out["tag"] = self.tag
        if self.id is not None:
            out = {"id": self.id, **out}
        return out

    def __str__(self) -> str:
        return self.value + (f"  (tag: {self.tag})" if self.tag is not None else "")


@dataclass(frozen=True)
class RulesPlan:
    """What a sync does: rules to add, rules (with ids) to delete, rules already right."""

    add: tuple[Rule, ...] = ()
    delete: tuple[Rule, ...] = ()
    kept: tuple[Rule, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.add or self.delete)

    def lines(self) -> list[str]:
        """The difference as a user reads it: ``- `` deleted, ``+ `` added."""
        return [f"- {r}  [id {r.id}]" for r in self.delete] + [f"+ {r}" for r in self.add]


@dataclass(frozen=True)
class RulesAnswer:
    """X's answer to adding rules: those added, those X refused (with its reason), those it
    already had (not added again, not an error), and its summary."""

    added: tuple[Rule, ...] = ()
    invalid: tuple[tuple[Rule, str], ...] = ()
    duplicates: tuple[Rule, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict)


def to_rules(given: Any, *, tag: str | None = None, parameter: str = "rules") -> list[Rule]:
    """Rules as users give them: a string, a ``Rule``, a ``{"value", "tag"}`` mapping, a
    ``(value, tag)`` pair, or a list of those; ``tag`` labels the strings. ``ParameterError``
    for anything else, an empty value or tag, or one value twice (X keeps one rule a value).

    >>> [r.key for r in to_rules(["a", ("b", "t"), {"value": "c"}], tag="x")]
    [('a', 'x'), ('b', 't'), ('c', None)]
    """
    if tag is not None and (not isinstance(tag, str) or not tag.strip()):
        raise ParameterError("tag", "must be a non-empty string", got=tag)
    if isinstance(given, (str, Rule, Mapping, tuple)):
        items = [given]
    elif isinstance(given, (list, Sequence)) and not isinstance(given, (bytes, bytearray)):
        items = list(given)
    else:
        raise ParameterError(parameter, "a rule (a query string) or a list of rules",
                             got=shortened(given))  # fmt: skip
    rules = [_rule(item, tag, parameter) for item in items]
    if not rules:
        raise ParameterError(parameter, "give at least one rule", got=[])
    values = [r.value for r in rules]
    twice = [v for i, v in enumerate(values) if v in values[:i]]
    if twice:
        raise ParameterError(
            parameter, f"the rule {shortened(twice[0])!r} is given twice (X keeps one rule a value)"
        )
    return rules


def _rule(item: Any, tag: str | None, parameter: str) -> Rule:
    if isinstance(item, Rule):
        rule = item
    elif isinstance(item, str):
        rule = Rule(item, tag)
    elif isinstance(item, Mapping):
        unknown = sorted(set(map(str, item)) - {"id", "value", "tag"})
        if unknown:
            raise ParameterError(parameter, f"a rule has a value and a tag, not {unknown[0]!r}",
                                 got=shortened(item))  # fmt: skip
        rule = Rule(item.get("value"), item.get("tag"), _id(item.get("id")))  # type: ignore[arg-type]
    elif isinstance(item, tuple) and len(item) == 2:
        rule = Rule(item[0], item[1])
    else:
        raise ParameterError(
            parameter, "rules are strings, {'value', 'tag'} mappings or (value, tag) pairs",
            got=shortened(item),
        )  # fmt: skip
    if not isinstance(rule.value, str) or not rule.value.strip():
        raise ParameterError(parameter, "a rule's value must be a non-empty query",
                             got=shortened(item))  # fmt: skip
    if rule.tag is not None and (not isinstance(rule.tag, str) or not rule.tag.strip()):
        raise ParameterError(parameter, "a rule's tag must be a non-empty string",
                             got=shortened(item))  # fmt: skip
    return rule


def shortened(value: Any, width: int = 80) -> str:
    """``value`` for a message: a long one cut (a 2,000-character rule, a whole file)."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def rules_plan(current: Iterable[Rule], wanted: Sequence[Rule]) -> RulesPlan:
    """What makes ``current`` (the server's, with ids) equal to ``wanted``: a rule kept if a
    wanted rule has its value and tag (once), the rest deleted; wanted rules not kept added."""
    left = {r.key: r for r in wanted}
    kept: list[Rule] = []
    delete: list[Rule] = []
    for rule in current:
        if rule.key in left:
            kept.append(rule)
            del left[rule.key]
        else:
            delete.append(rule)
    return RulesPlan(add=tuple(left.values()), delete=tuple(delete), kept=tuple(kept))


def add_body(rules: Sequence[Rule]) -> dict[str, Any]:
    """The body of ``POST .../rules`` that adds ``rules``."""
    return {"add": [{k: v for k, v in r.as_json().items() if k != "id"} for r in rules]}


def delete_body(ids: Sequence[str]) -> dict[str, Any]:
    """The body of ``POST .../rules`` that deletes the rules ``ids``."""
    return {"delete": {"ids": [str(i) for i in ids]}}


def read_rules(body: Mapping[str, Any]) -> list[Rule]:
    """The rules in an answer's ``data`` (``GET .../rules`` or an add)."""
    data = body.get("data")
    return [Rule(str(d.get("value")), d.get("tag"), _id(d.get("id")))
            for d in data if isinstance(d, Mapping)] if isinstance(data, list) else []  # fmt: skip


def read_answer(body: Mapping[str, Any], asked: Sequence[Rule]) -> RulesAnswer:
    """X's answer to adding ``asked``: which were added, refused, or already there."""
    by_value = {r.value: r for r in asked}
    invalid: list[tuple[Rule, str]] = []
    duplicates: list[Rule] = []
    for error in body.get("errors") or ():
        if not isinstance(error, Mapping):
            continue
        value = error.get("value")
        rule = by_value.get(value) if isinstance(value, str) else None
        title = str(error.get("title") or "")
        if title == "DuplicateRule" and rule is not None:
            duplicates.append(Rule(rule.value, rule.tag, _id(error.get("id"))))
            continue
        details = error.get("details")
        reason = "; ".join(map(str, details)) if isinstance(details, list) and details else (
            str(error.get("detail") or title or "refused"))  # fmt: skip
        invalid.append((rule or Rule(str(value) if value else ""), reason))
    meta = body.get("meta")
    summary = meta.get("summary") if isinstance(meta, Mapping) else None
    return RulesAnswer(
        added=tuple(read_rules(body)),
        invalid=tuple(invalid),
        duplicates=tuple(duplicates),
        summary=dict(summary) if isinstance(summary, Mapping) else {},
    )


def deleted_count(body: Mapping[str, Any]) -> int:
    """How many rules an answer to a delete says were deleted."""
    meta = body.get("meta")
    summary = meta.get("summary") if isinstance(meta, Mapping) else None
    deleted = summary.get("deleted") if isinstance(summary, Mapping) else None
    return deleted if isinstance(deleted, int) and not isinstance(deleted, bool) else 0
