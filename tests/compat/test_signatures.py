"""AsyncClient has every method of tweepy's reference, with the same signature."""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from helpers.shared import need_shared

from twxdata.compat import AsyncClient

ALIASES = {
    "get_dm_events": "get_direct_message_events",
    "create_dm": "create_direct_message",
    "create_dm_conversation": "create_direct_message_conversation",
}
# tweepy's methods that also take ``**params`` (sent as query parameters).
EXTRA_PARAMS = frozenset(
    {
        "get_bookmarks",
        "get_liking_users",
        "get_liked_tweets",
        "get_quote_tweets",
        "get_retweeters",
        "search_all_tweets",
        "search_recent_tweets",
        "get_users_mentions",
        "get_home_timeline",
        "get_users_tweets",
        "get_all_tweets_count",
        "get_recent_tweets_count",
        "get_tweet",
        "get_tweets",
        "get_blocked",
        "get_users_followers",
        "get_users_following",
        "get_muted",
        "get_user",
        "get_users",
        "get_me",
        "search_spaces",
        "get_spaces",
        "get_space",
        "get_space_buyers",
        "get_space_tweets",
        "get_direct_message_events",
        "get_list_tweets",
        "get_list_followers",
        "get_followed_lists",
        "get_list",
        "get_owned_lists",
        "get_list_members",
        "get_list_memberships",
        "get_pinned_lists",
        "get_compliance_jobs",
    }
)
P = inspect.Parameter


def reference() -> dict[str, list[tuple[str, object, object]]]:
    """``{method: [(name, kind, default), ...]}`` from the reference signatures."""
    text = (need_shared() / "seed" / "asyncclient-methods.txt").read_text(encoding="utf-8")
    out: dict[str, list[tuple[str, object, object]]] = {}
    for line in text.splitlines():
        match = re.fullmatch(r"(\w+)\((.*)\)", line.strip())
        assert match, line
        name, args = match.groups()
        kind: object = P.POSITIONAL_OR_KEYWORD
        params = []
        for arg in filter(None, (a.strip() for a in args.split(","))):
            if arg == "*":
                kind = P.KEYWORD_ONLY
                continue
            pname, eq, default = arg.partition("=")
            params.append((pname, kind, ast.literal_eval(default) if eq else P.empty))
        out[name] = params
    return out


def test_the_reference_has_65_methods() -> None:
    assert len(reference()) == 65


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_are_the_same_method(alias: str) -> None:
    assert getattr(AsyncClient, alias) is getattr(AsyncClient, ALIASES[alias])


def test_every_method_matches_the_reference() -> None:
    mismatches = []
    for name, expected in {
        **reference(),
        **{a: reference()[m] for a, m in ALIASES.items()},
    }.items():
        method = getattr(AsyncClient, name, None)
        if method is None or not inspect.iscoroutinefunction(method):
            mismatches.append(f"{name}: missing or not a coroutine function")
            continue
        params = list(inspect.signature(method).parameters.values())
        assert params[0].name == "self"
        extra = [p for p in params[1:] if p.kind is P.VAR_KEYWORD]
        got = [(p.name, p.kind, p.default) for p in params[1:] if p.kind is not P.VAR_KEYWORD]
        if got != expected:
            mismatches.append(f"{name}: {got} != {expected}")
        wants_extra = ALIASES.get(name, name) in EXTRA_PARAMS
        if [p.name for p in extra] != (["params"] if wants_extra else []):
            mismatches.append(f"{name}: **params is {[p.name for p in extra]}")
    assert mismatches == []


def test_methods_have_docstrings_naming_their_routes() -> None:
    for name in reference():
        doc = inspect.getdoc(getattr(AsyncClient, name)) or ""
        assert re.search(r"``(GET|POST|PUT|DELETE) /2/", doc), name
