"""The fake API's handler table: each endpoint has one handler, and every write-aware read
visibly replaces an existing generated-only read (``OVERRIDES``), never silently."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections import Counter
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import pytest

import twxdata.testing
from twxdata.testing import (
    compliance,
    dms,
    feeds,
    lookups,
    post_reads,
    post_writes,
    rules,
    search,
    server,
    social_writes,
    timelines,
    usage,
    writes,
)
from twxdata.testing.context import override, union

Table = Mapping[str, Callable[..., Any]]

# Answers from the generated corpus.
READ_TABLES: dict[str, Table] = {
    "search.HANDLERS": search.HANDLERS,
    "timelines.HANDLERS": timelines.HANDLERS,
    "lookups.HANDLERS": lookups.HANDLERS,
    "usage.HANDLERS": usage.HANDLERS,
}
# Write endpoints (and compliance-job and stream-rule reads, which only writes create).
WRITE_TABLES: dict[str, Table] = {
    "post_writes.HANDLERS": post_writes.HANDLERS,
    "social_writes.HANDLERS": social_writes.HANDLERS,
    "dms.HANDLERS": dms.HANDLERS,
    "compliance.HANDLERS": compliance.HANDLERS,
    "rules.HANDLERS": rules.HANDLERS,  # the stream's rules: reads show what writes made
}
# Reads that also show what writes did, each replacing a read of READ_TABLES.
OVERRIDE_TABLES: dict[str, Table] = {
    "post_reads.OVERRIDES": post_reads.OVERRIDES,
    "feeds.OVERRIDES": feeds.OVERRIDES,
    "social_writes.OVERRIDES": social_writes.OVERRIDES,
    "dms.OVERRIDES": dms.OVERRIDES,
}
COMPOSED = {server, writes}  # modules that only put the tables above together


def _owners(tables: dict[str, Table]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for table_name, table in tables.items():
        for endpoint in table:
            owners.setdefault(endpoint, []).append(table_name)
    return owners


def _merged(tables: dict[str, Table]) -> dict[str, Callable[..., Any]]:
    return {k: v for table in tables.values() for k, v in table.items()}


def test_no_endpoint_is_defined_in_two_handler_tables() -> None:
    twice = {k: v for k, v in _owners({**READ_TABLES, **WRITE_TABLES}).items() if len(v) > 1}
    assert twice == {}
    twice = {k: v for k, v in _owners(OVERRIDE_TABLES).items() if len(v) > 1}
    assert twice == {}


def test_every_override_replaces_an_existing_read_handler() -> None:
    reads, written = _merged(READ_TABLES), _merged(WRITE_TABLES)
    overrides = _merged(OVERRIDE_TABLES)
    assert overrides, "no overrides found: the tables moved?"
    assert sorted(set(overrides) - set(reads)) == []
    assert sorted(set(overrides) & set(written)) == []
    for endpoint, handler in overrides.items():
        assert handler is not reads[endpoint], endpoint


def test_the_server_table_is_the_tables_together_with_overrides_applied() -> None:
    reads, written = _merged(READ_TABLES), _merged(WRITE_TABLES)
    overrides = _merged(OVERRIDE_TABLES)
    assert reads == server.READS
    assert written == writes.HANDLERS
    assert overrides == writes.OVERRIDES
    assert set(server.HANDLERS) == set(reads) | set(written)
    for endpoint, handler in server.HANDLERS.items():
        expected = overrides.get(endpoint) or reads.get(endpoint) or written[endpoint]
        assert handler is expected, endpoint


def _literal_keys(module: ModuleType) -> dict[str, list[str]]:
    """The string keys of each dict literal assigned to an upper-case name in ``module``."""
    tree = ast.parse(inspect.getsource(module))
    found: dict[str, list[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id.isupper() and isinstance(value, ast.Dict):
            keys = [k.value for k in value.keys if isinstance(k, ast.Constant)]
            found[target.id] = [k for k in keys if isinstance(k, str)]
    return found


TABLE_MODULES = [
    compliance,
    dms,
    feeds,
    lookups,
    post_reads,
    post_writes,
    search,
    social_writes,
    timelines,
    usage,
]


@pytest.mark.parametrize("module", TABLE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_no_table_literal_names_an_endpoint_twice(module: ModuleType) -> None:
    # A key written twice in one dict literal silently keeps the last handler.
    literals = _literal_keys(module)
    assert {"HANDLERS", "OVERRIDES"} & set(literals)
    for name, keys in literals.items():
        assert [k for k, n in Counter(keys).items() if n > 1] == [], name


def test_every_handler_table_of_the_fake_is_in_the_server() -> None:
    known = {id(t) for t in (*READ_TABLES.values(), *WRITE_TABLES.values())}
    known |= {id(t) for t in OVERRIDE_TABLES.values()}
    for info in pkgutil.iter_modules(twxdata.testing.__path__):
        module = importlib.import_module(f"twxdata.testing.{info.name}")
        if module in COMPOSED:
            continue
        for name in ("HANDLERS", "OVERRIDES"):
            table = getattr(module, name, None)
            if table is not None:
                assert id(table) in known, f"{module.__name__}.{name} is not in the server"


def test_union_refuses_an_endpoint_twice_and_override_one_it_cannot_replace() -> None:
    def first(ctx: Any) -> Any: ...

    def second(ctx: Any) -> Any: ...

    assert union({"a": first}, {"b": second}) == {"a": first, "b": second}
    with pytest.raises(ValueError, match="'a' has two handlers"):
        union({"a": first}, {"a": second})
    assert override({"a": first}, {"a": second}) == {"a": second}
    with pytest.raises(ValueError, match="'b' overrides no handler"):
        override({"a": first}, {"b": second})
