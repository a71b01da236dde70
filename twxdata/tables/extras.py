"""Fields the schema does not know: finding them and keeping them in ``__extra``.

The JSON reader parses each line against the documented types and *infers* the type of any
field it was not told about, so a field the API adds tomorrow arrives as an extra struct child
instead of failing the batch. ``find_unknown`` walks an object array against the type it is
supposed to have and returns where unknown data sits; ``extra_column`` turns that, together
with the entries the slow path's sanitiser wrote, into the ``__extra`` column: a
``map<string, string>`` of dotted path to JSON text, null for rows with nothing unknown.

Only the walk over types runs for every batch, and it stops at the first level where types
agree; Python touches values only in rows that hold unknown data.

>>> import pyarrow as pa
>>> items = pa.array([{"id": "1", "new": 5}, {"id": "2", "new": None}])
>>> target = pa.struct([("id", pa.string())])
>>> extra_column(len(items), find_unknown(items, target), None).to_pylist()
[[('new', '5')], None]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from twxdata.tables.arrow import explode, to_array
from twxdata.tables.canonical import extra_json
from twxdata.tables.objects import EXTRA_KEY
from twxdata.tables.schema import EXTRA_MAP
from twxdata.tables.values import ints, string_maps, valid_mask


@dataclass(frozen=True, slots=True)
class Unknown:
    """Unknown data at ``path``: ``values`` lines up with the rows, ``rows`` marks those
    holding some. For a field inside an array, ``values`` is the whole array."""

    path: str
    values: pa.Array
    rows: np.ndarray


def _has_content(array: pa.Array) -> bool:
    return not pa.types.is_null(array.type) and array.null_count < len(array)


def find_unknown(
    array: pa.Array,
    target: pa.DataType,
    prefix: str = "",
    *,
    skip: Callable[[str], bool] | None = None,
) -> list[Unknown]:
    """Where ``array`` (a struct array) holds data that ``target`` has no field for.

    ``skip(path)`` names children another table takes care of (they are not looked into).
    """
    array = to_array(array)
    if array.type == target or not pa.types.is_struct(array.type):
        return []
    found: list[Unknown] = []
    children = array.flatten()  # applies the parent's nulls to the children
    for field, child in zip(array.type, children, strict=True):
        path = prefix + field.name
        if field.name == EXTRA_KEY or (skip is not None and skip(path)):
            continue
        index = target.get_field_index(field.name)
        if index < 0:
            if _has_content(child):
                found.append(Unknown(path, child, valid_mask(child)))
            continue
        expected = target.field(index).type
        if child.type == expected:
            continue
        if pa.types.is_struct(child.type) and pa.types.is_struct(expected):
            found.extend(find_unknown(child, expected, path + ".", skip=skip))
        elif pa.types.is_list(child.type) and pa.types.is_list(expected):
            rows = _list_rows_with_unknown(child, expected.value_type)
            if rows.any():
                found.append(Unknown(path, child, rows))
    return found


def unknown_rows(array: pa.Array, target: pa.DataType) -> np.ndarray:
    """Which elements of ``array`` hold anything ``target`` does not describe."""
    rows = np.zeros(len(array), dtype=bool)
    if pa.types.is_struct(array.type):
        for unknown in find_unknown(array, target):
            rows |= unknown.rows
    elif pa.types.is_list(array.type) and pa.types.is_list(target):
        rows |= _list_rows_with_unknown(array, target.value_type)
    return rows


def _list_rows_with_unknown(lists: pa.Array, value_target: pa.DataType) -> np.ndarray:
    values, parents = explode(lists)
    inner = unknown_rows(values, value_target)
    rows = np.zeros(len(lists), dtype=bool)
    rows[parents[inner]] = True
    return rows


def extra_column(n: int, unknown: Sequence[Unknown], entries: pa.Array | None) -> pa.Array:
    """The ``__extra`` map column for ``n`` rows.

    ``entries`` is the sanitiser's ``list<struct<key, value>>`` column (or None).
    """
    rows = np.zeros(n, dtype=bool)
    for item in unknown:
        rows |= item.rows
    if entries is not None:
        entries = to_array(entries)
        if entries.null_count < len(entries):
            rows |= valid_mask(entries)
    if not rows.any():
        return pa.nulls(n, EXTRA_MAP)
    where = np.flatnonzero(rows)
    maps: list[list[tuple[str, str]] | None] = [None] * n
    entry_values = entries.take(ints(where)).to_pylist() if entries is not None else None
    for item in unknown:
        picked = item.values.take(ints(where)).to_pylist()
        for row, value in zip(where, picked, strict=True):
            if item.rows[row] and value is not None:
                text = extra_json(value)
                target = maps[row]
                if target is None:
                    maps[row] = target = []
                target.append((item.path, text))
    if entry_values is not None:
        for row, pairs in zip(where, entry_values, strict=True):
            for pair in pairs or ():
                target = maps[row]
                if target is None:
                    maps[row] = target = []
                target.append((pair["key"], pair["value"]))
    return string_maps(maps)
