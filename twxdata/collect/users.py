"""Users given as ids or @usernames, resolved to ids once per client.

``fetch_followers(["@nasa", 11348282])`` needs ids for the path. Usernames are looked up in
batches of 100 (``GET /2/users/by``) and remembered in ``Client.username_cache``, so the next
call — the next notebook cell — spends no request on them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from twxdata.client import Client
from twxdata.endpoints import ENDPOINTS
from twxdata.errors import ParameterError
from twxdata.protocol.params import split_ids

_USERNAME = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")


def as_list(value: Any, parameter: str) -> list[Any]:
    """One value or many, as a list; refuses empty input."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        items = [value]
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, dict)):
        items = list(value)
    else:
        raise ParameterError(parameter, "must be one value or a list of them", got=value)
    if not items:
        raise ParameterError(parameter, "must not be empty")
    return items


def split_users(values: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Separate ids (digit strings or ints) from usernames (with or without @).

    >>> split_users([12, "@NASA", "783214", "jack"])
    (['12', '783214'], ['NASA', 'jack'])
    """
    ids: list[str] = []
    names: list[str] = []
    for value in values:
        if isinstance(value, bool):
            raise ParameterError("users", "must be user ids or usernames", got=value)
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            text = str(value).strip()
            if len(text) > 19:
                raise ParameterError("users", "a user id has at most 19 digits", got=value)
            ids.append(text)
        elif isinstance(value, str) and _USERNAME.match(value.strip()):
            names.append(value.strip().removeprefix("@"))
        else:
            raise ParameterError(
                "users", "must be user ids or usernames (1 to 15 letters, digits, _)", got=value
            )
    return ids, names


def _reason(error: dict[str, Any]) -> str:
    detail = str(error.get("detail") or error.get("title") or "not found")
    lowered = detail.lower()
    for word in ("suspended", "deactivated", "protected"):
        if word in lowered:
            return word
    return "not found" if "could not find" in lowered or "not found" in lowered else detail[:80]


async def resolve_users(client: Client, values: Sequence[Any]) -> dict[str, str]:
    """Map each given user (id or username, as given) to its id.

    Usernames X does not know (suspended, deleted, mistyped) raise ``ParameterError`` listing
    them: a collection over the wrong account is worse than none.
    """
    names = split_users(values)[1]
    cache: dict[str, str] = client.username_cache
    missing = [n for n in dict.fromkeys(names) if n.lower() not in cache]
    unknown: dict[str, str] = {}
    for batch in split_ids(ENDPOINTS["get_users_by_usernames"], missing) if missing else []:
        page = await client.request("get_users_by_usernames", params={"usernames": batch})
        found = {str(u["username"]).lower(): str(u["id"]) for u in page.data}
        cache.update(found)
        # X says why in its partial errors: "User has been suspended: [name]." and the like.
        reasons = {
            str(e.get("value", "")).lower(): _reason(e) for e in page.errors if isinstance(e, dict)
        }
        unknown |= {n: reasons.get(n.lower(), "not found") for n in batch if n.lower() not in found}
    if unknown:
        listed = ", ".join(f"@{name} ({why})" for name, why in unknown.items())
        raise ParameterError("users", f"X cannot collect for {listed}")
    out: dict[str, str] = {}
    for value in values:
        text = str(value).strip()
        key = text.removeprefix("@")
        out[text] = text if text.isdigit() else cache[key.lower()]
    return out
