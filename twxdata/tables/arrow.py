"""Small Arrow building blocks the table builders share: exploding lists, keyed lookups,
flattening structs into dotted columns. Everything works on whole arrays; nothing loops over
rows in Python.

>>> import pyarrow as pa
>>> values, parents = explode(pa.array([[1, 2], None, [3]]))
>>> values.to_pylist(), parents.tolist()
([1, 2, 3], [0, 0, 2])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from twxdata.tables.values import ints, offsets32, string, to_ints

Columns = dict[str, pa.Array]

_SEPARATOR = string("\x1f")  # unit separator: never in an id, so "page|id" keys cannot clash


def to_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def explode(lists: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The values of a list array and, for each value, the index of its list.

    Null lists contribute nothing (``pc.list_parent_indices`` would count their slots).
    """
    lists = to_array(lists)
    lengths = to_ints(pc.list_value_length(lists))
    parents = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)
    return pc.list_flatten(lists), parents


def rebuild_list(like: pa.Array, values: pa.Array) -> pa.Array:
    """A list array shaped like ``like`` (same lengths and nulls) holding ``values``.

    ``values`` must line up with ``explode(like)[0]``.
    """
    like = to_array(like)
    lengths = to_ints(pc.list_value_length(like))
    offsets = np.zeros(len(like) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    mask = like.is_null() if like.null_count else None
    return pa.ListArray.from_arrays(offsets32(offsets), values, mask=mask)


def keys(pages: np.ndarray | pa.Array, ids: pa.Array) -> pa.Array:
    """``"page<US>id"`` keys, so lookups stay within one API response; null ids stay null."""
    page_text = pc.cast(pages if isinstance(pages, pa.Array) else ints(pages), pa.string())
    return pc.binary_join_element_wise(page_text, pc.cast(ids, pa.string()), _SEPARATOR)


def lookup(needles: pa.Array, haystack: pa.Array) -> pa.Array:
    """Index of each needle's first match in ``haystack``; null where none (or needle null)."""
    return pc.index_in(needles, value_set=haystack, skip_nulls=True)


def take(array: pa.Array, indices: pa.Array) -> pa.Array:
    """``array`` at ``indices``; null indices give nulls."""
    return pc.take(array, indices)


def last_per_parent(n: int, parents: np.ndarray) -> pa.Array:
    """For each of ``n`` parents, the position of its last child (null when it has none)."""
    positions = np.full(n, -1, dtype=np.int64)
    if len(parents):
        reverse = parents[::-1]
        unique, first_in_reverse = np.unique(reverse, return_index=True)
        positions[unique] = len(parents) - 1 - first_in_reverse
    return ints(positions, valid=positions >= 0)


def struct_columns(array: pa.Array) -> Columns:
    """A struct array as dotted columns: nested structs flattened, lists kept whole."""
    array = to_array(array)
    table = pa.Table.from_struct_array(array)
    while any(pa.types.is_struct(t) for t in table.schema.types):
        table = table.flatten()
    return {
        name: to_array(col) for name, col in zip(table.column_names, table.columns, strict=True)
    }


def select(columns: Mapping[str, pa.Array], schema: Sequence[pa.Field], n: int) -> list[pa.Array]:
    """The arrays of ``schema``'s fields, in order, cast to the field types; absent ones null."""
    out = []
    for field in schema:
        array = columns.get(field.name)
        if array is None:
            out.append(pa.nulls(n, field.type))
        elif array.type != field.type:
            out.append(array.cast(field.type))
        else:
            out.append(array)
    return out


def table_of(columns: Mapping[str, pa.Array], schema: pa.Schema, n: int) -> pa.Table:
    """A table of exactly ``schema`` from whichever columns are at hand."""
    return pa.Table.from_arrays(select(columns, list(schema), n), schema=schema)


def prefixed(columns: Mapping[str, pa.Array], prefix: str) -> Columns:
    return {prefix + name: array for name, array in columns.items()}


def taken(columns: Mapping[str, pa.Array], indices: pa.Array) -> Columns:
    return {name: pc.take(array, indices) for name, array in columns.items()}


def filtered(columns: Mapping[str, pa.Array], mask: pa.Array) -> Columns:
    return {name: pc.filter(array, mask) for name, array in columns.items()}


def first_valid(*arrays: pa.Array) -> pa.Array:
    """Element-wise first non-null of ``arrays`` (all of one type)."""
    return arrays[0] if len(arrays) == 1 else pc.coalesce(*arrays)
