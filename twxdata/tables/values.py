"""Arrow arrays from numpy and Python values, and back, built from raw buffers.

Why not ``pa.array``/``pa.scalar``/``Array.to_numpy``: the first time any of them runs,
pyarrow imports pandas (about 0.2 s) only to check whether the value is a pandas object.
Flattening never makes one, so these helpers keep ``twxdata flatten`` free of that cost.
``test_flattening_never_imports_pandas`` (tests/tables/test_output.py) holds it to that.

>>> ints(np.array([1, 2]), valid=np.array([True, False])).to_pylist()
[1, None]
>>> strings(["a", None, "ccc"]).to_pylist()
['a', None, 'ccc']
>>> to_bools(bools(np.array([True, False, True]))).tolist()
[True, False, True]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa


def _validity(valid: np.ndarray | None) -> pa.Buffer | None:
    if valid is None or valid.all():
        return None
    return pa.py_buffer(np.packbits(valid.astype(bool), bitorder="little"))


def ints(values: np.ndarray, *, valid: np.ndarray | None = None) -> pa.Array:
    """An ``int64`` array (null where ``valid`` is False)."""
    data = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(data), [_validity(valid), pa.py_buffer(data)])


def offsets32(values: np.ndarray) -> pa.Array:
    data = np.ascontiguousarray(values, dtype=np.int32)
    return pa.Array.from_buffers(pa.int32(), len(data), [None, pa.py_buffer(data)])


def bools(values: np.ndarray) -> pa.Array:
    """A ``bool`` array without nulls."""
    bits = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])


def strings(values: Sequence[str | None]) -> pa.Array:
    """A ``string`` array (None becomes null)."""
    encoded = [b"" if v is None else v.encode() for v in values]
    data = b"".join(encoded)
    large = len(data) >= 2**31
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64 if large else np.int32)
    np.cumsum(lengths, out=offsets[1:])
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=len(values))
    buffers = [_validity(valid), pa.py_buffer(offsets), pa.py_buffer(data)]
    array = pa.Array.from_buffers(
        pa.large_string() if large else pa.string(), len(encoded), buffers
    )
    return array.cast(pa.string()) if large else array


def string(value: str) -> pa.Scalar:
    """A string scalar, for compute functions."""
    return strings([value])[0]


def integer(value: int) -> pa.Scalar:
    return ints(np.array([value]))[0]


def string_maps(rows: Sequence[Sequence[tuple[str, str]] | None]) -> pa.Array:
    """A ``map<string, string>`` array from lists of pairs (None becomes null)."""
    lengths = np.fromiter((len(r) if r else 0 for r in rows), dtype=np.int32, count=len(rows))
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    pairs = [pair for r in rows if r for pair in r]
    keys = strings([k for k, _ in pairs])
    items = strings([v for _, v in pairs])
    valid = np.fromiter((r is not None for r in rows), dtype=bool, count=len(rows))
    mask = bools(~valid) if not valid.all() else None
    return pa.MapArray.from_arrays(offsets32(offsets), keys, items, mask=mask)


def _bits(buffer: pa.Buffer | None, offset: int, n: int) -> np.ndarray:
    if buffer is None:
        return np.ones(n, dtype=bool)
    raw = np.frombuffer(buffer, dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little", count=offset + n)[offset:].astype(bool)


def valid_mask(array: pa.Array) -> np.ndarray:
    """Which elements are not null."""
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    if array.null_count == len(array):
        return np.zeros(len(array), dtype=bool)
    return _bits(array.buffers()[0], array.offset, len(array))


def to_bools(array: pa.Array) -> np.ndarray:
    """A ``bool`` array as numpy (null counts as False)."""
    values = _bits(array.buffers()[1], array.offset, len(array))
    return values & valid_mask(array) if array.null_count else values


def to_ints(array: pa.Array, fill: int = 0) -> np.ndarray:
    """An integer array as numpy ``int64`` (nulls become ``fill``)."""
    if array.null_count == len(array):
        return np.full(len(array), fill, dtype=np.int64)
    width = array.type.bit_width // 8
    dtype = np.dtype(f"int{width * 8}")
    data = np.frombuffer(array.buffers()[1], dtype=dtype)[array.offset : array.offset + len(array)]
    out = data.astype(np.int64)
    if array.null_count:
        out[~valid_mask(array)] = fill
    return out


def empty_table(schema: pa.Schema) -> pa.Table:
    """A table of ``schema`` with no rows."""
    return pa.Table.from_arrays([pa.nulls(0, f.type) for f in schema], schema=schema)
