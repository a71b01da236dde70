"""The filtered stream's rules: ``GET`` and ``POST /2/tweets/search/stream/rules``.

As X keeps them: per app (the bearer token's project), each ``{"id", "value", "tag"}``, the
value a filter query (``query.parse`` says what X would reject), at most ``MAX_RULES`` rules
of at most ``MAX_RULE_LENGTH`` characters. A request either adds or deletes. An add with an
invalid rule adds none of its rules (X's answer: the invalid ones as errors, a summary); a
rule the app already has is not added again (a ``DuplicateRule`` error) while the others
are. ``dry_run=true`` answers the same and changes nothing. Rule requests read no resource:
they are not billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from twxdata.testing import problems
from twxdata.testing.context import BadRequest, Ctx, Reply
from twxdata.testing.query import QueryError, parse
from twxdata.testing.timestamps import iso
from twxdata.testing.writectx import StateCtx, json_body, state_ctx

MAX_RULES = 1000  # Pro: 1,000 rules per app
MAX_RULE_LENGTH = 1024  # Pro: 1,024 characters per rule
_PROBLEMS = "https://api.twitter.com/2/problems"


@dataclass(frozen=True)
class Rule:
    id: int
    value: str
    tag: str | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": str(self.id), "value": self.value}
        if self.tag is not None:
            out["tag"] = self.tag
        return out


def get_rules(ctx: Ctx) -> Reply:
    """``GET /2/tweets/search/stream/rules[?ids=...]``, oldest first, pages of max_results."""
    s = state_ctx(ctx)
    rules = list(s.activity.rules.values())
    wanted = ctx.req.extra.get("ids")
    if wanted:
        ids = {int(i) for i in str(wanted).split(",") if i.isascii() and i.isdigit()}
        rules = [r for r in rules if r.id in ids]
    size = ctx.req.max_results or 1000
    token = ctx.req.page_token or "0"
    if not (token.isascii() and token.isdigit()):
        name = "pagination_token"
        raise BadRequest(
            [
                problems.param_error(
                    f"The `{name}` query parameter value [{token}] is not valid", **{name: [token]}
                )
            ]
        )
    start = int(token)
    page = rules[start : start + size]
    meta: dict[str, Any] = {"sent": iso(ctx.now), "result_count": len(page)}
    if start + size < len(rules):
        meta["next_token"] = f"{start + size:016d}"
    body: dict[str, Any] = {"data": [r.as_json() for r in page]} if page else {}
    body["meta"] = meta
    return 200, orjson.dumps(body)


def update_rules(plain: Ctx) -> Reply:
    """``POST /2/tweets/search/stream/rules[?dry_run=true][&delete_all=true]``."""
    ctx = state_ctx(plain)
    dry = str(ctx.req.extra.get("dry_run", "false")).lower() == "true"
    if str(ctx.req.extra.get("delete_all", "false")).lower() == "true":
        return _delete(ctx, list(ctx.activity.rules), dry)
    body = json_body(ctx)
    if ("add" in body) == ("delete" in body):
        raise BadRequest([problems.param_error("give one of `add` or `delete`", body=[])])
    if "add" in body:
        return _add(ctx, body["add"], dry)
    delete = body["delete"]
    ids = delete.get("ids") if isinstance(delete, dict) else None
    values = delete.get("values") if isinstance(delete, dict) else None
    if not isinstance(ids, list) and not isinstance(values, list):
        raise BadRequest([problems.param_error("`delete` needs `ids` or `values`", delete=[])])
    by_value = {r.value: r.id for r in ctx.activity.rules.values()}
    chosen = [int(i) for i in ids or [] if str(i).isascii() and str(i).isdigit()]
    chosen += [by_value[v] for v in values or [] if v in by_value]
    return _delete(ctx, chosen, dry, asked=len(ids or []) + len(values or []))


def _add(ctx: StateCtx, add: Any, dry: bool) -> Reply:
    if not isinstance(add, list) or not add:
        raise BadRequest([problems.param_error("`add` must be a non-empty list", add=[])])
    rules = ctx.activity.rules
    held = {r.value: r for r in rules.values()}
    errors: list[dict[str, Any]] = []
    valid: list[tuple[str, str | None]] = []
    for item in add:
        value = item.get("value") if isinstance(item, dict) else None
        tag = item.get("tag") if isinstance(item, dict) else None
        if not isinstance(value, str) or (tag is not None and not isinstance(tag, str)):
            raise BadRequest([problems.param_error("each rule needs a string `value`", add=[])])
        problem = _invalid(value)
        if problem is not None:
            errors.append({"value": value, "details": [problem], "title": "UnprocessableEntity",
                           "type": f"{_PROBLEMS}/invalid-rules"})  # fmt: skip
        elif value in held or value in (v for v, _ in valid):
            same = held.get(value)
            errors.append(
                {
                    "value": value,
                    "id": str(same.id) if same else None,
                    "title": "DuplicateRule",
                    "type": f"{_PROBLEMS}/duplicate-rules",
                }
            )
        else:
            valid.append((value, tag))
    invalid = sum(1 for e in errors if e["title"] == "UnprocessableEntity")
    if not invalid and len(rules) + len(valid) > MAX_RULES:
        errors.append(
            {
                "title": "RulesCapExceeded",
                "type": f"{_PROBLEMS}/rule-cap",
                "detail": f"Rule creation would exceed your cap of {MAX_RULES} rules",
            }
        )
        invalid = len(valid)
    created: list[Rule] = []
    if not invalid and not dry:  # one invalid rule: none is added
        for value, tag in valid:
            rule = Rule(ctx.activity.new_id(ctx.now), value, tag)
            rules[rule.id] = rule
            created.append(rule)
        ctx.corpus.changed("update_rules", len(created))
    body: dict[str, Any] = {}
    if created:
        body["data"] = [r.as_json() for r in created]
    if errors:
        body["errors"] = errors
    summary = {"created": len(created), "not_created": len(add) - len(created),
               "valid": len(add) - invalid, "invalid": invalid}  # fmt: skip
    body["meta"] = {"sent": iso(ctx.now), "summary": summary}
    return 200, orjson.dumps(body)


def _delete(ctx: StateCtx, ids: list[int], dry: bool, asked: int | None = None) -> Reply:
    rules = ctx.activity.rules
    found = [i for i in dict.fromkeys(ids) if i in rules]
    errors = [{"id": str(i), "title": "RuleNotFound", "type": f"{_PROBLEMS}/rules-not-found"}
              for i in dict.fromkeys(ids) if i not in rules]  # fmt: skip
    if not dry:
        for rule_id in found:
            del rules[rule_id]
        ctx.corpus.changed("update_rules", len(found))
    body: dict[str, Any] = {"errors": errors} if errors else {}
    asked = len(ids) if asked is None else asked
    body["meta"] = {
        "sent": iso(ctx.now),
        "summary": {"deleted": len(found), "not_deleted": asked - len(found)},
    }
    return 200, orjson.dumps(body)


def _invalid(value: str) -> str | None:
    """What X says of a rule it would not add; ``None`` for a good one."""
    if len(value) > MAX_RULE_LENGTH:
        return f"Rule length exceeds the maximum of {MAX_RULE_LENGTH} characters"
    try:
        parse(value)
    except QueryError as exc:
        return str(exc)
    return None


def stream_check(ctx: Ctx) -> Reply:
    """``GET /2/tweets/search/stream``: every check of an ordinary request passed (the server
    then holds the connection open: ``testing.stream``)."""
    return 200, b"{}"


HANDLERS = {
    "get_rules": get_rules,
    "update_rules": update_rules,
    "search_stream": stream_check,
    "sample_stream": stream_check,
}
