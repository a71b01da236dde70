"""Beyond one machine: archives anywhere, flattened in parallel into one dataset (Dask).

``flatten(paths, out, client=...)`` runs on any Dask cluster (``workers=N`` on local processes
without one); ``read_dataset(out)`` reads a table back as a ``dask.dataframe`` with the single
machine's columns and Arrow types; ``compact(out)`` merges small files. The dataset is plain
hive-partitioned Parquet: pandas, DuckDB, Polars and Spark read ``out/<table>`` as they are.
Needs ``pip install 'twxdata[scale]'`` for Dask, fsspec and s3fs (local processes do not).
"""

from __future__ import annotations

import importlib
from typing import Any

from twxdata.errors import ParameterError
from twxdata.scale.compaction import compact
from twxdata.scale.engine import MANIFEST, ScaleResult, flatten
from twxdata.scale.sources import StorageOptions, storage_failures
from twxdata.scale.store import Store
from twxdata.tables.api import to_pandas
from twxdata.tables.names import TABLE_NAMES
from twxdata.tables.schema import SCHEMAS
from twxdata.tables.values import empty_table

__all__ = ["MANIFEST", "ScaleResult", "compact", "flatten", "read_dataset"]


def read_dataset(
    path: str, table: str = "tweets", *, storage_options: StorageOptions | None = None
) -> Any:
    """One table of a dataset as a ``dask.dataframe``: the columns of the single-machine
    table (the ``day`` partition folder is not one of them), with ``pd.ArrowDtype`` types.

    >>> import tempfile, os, twxdata.scale as scale
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "a.jsonl")
    >>> _ = open(path, "w").write('{"data": [{"id": "1", "text": "x"}]}\\n')
    >>> _ = scale.flatten([path], os.path.join(folder, "ds"))
    >>> frame = scale.read_dataset(os.path.join(folder, "ds")).compute()
    >>> frame["id"].tolist(), str(frame["id"].dtype)
    (['1'], 'string[pyarrow]')
    """
    if table not in TABLE_NAMES:
        raise ParameterError("table", f"one of {', '.join(TABLE_NAMES)}", got=table)
    try:
        dd: Any = importlib.import_module("dask.dataframe")
    except ImportError:
        raise ParameterError("read_dataset", "needs Dask: pip install 'twxdata[scale]'") from None
    store = Store(path, storage_options)
    with storage_failures(path, "cannot read the dataset there"):
        _check_dataset(store, path, table)
        files = store.files(table)
    # One partition per file, each read by pyarrow and typed as the single-machine table is
    # (dask's own reader would turn strings into pandas' string dtype).
    meta = to_pandas(empty_table(SCHEMAS[table]))
    if not files:
        return dd.from_pandas(meta, npartitions=1)
    return dd.from_map(_read_file, files, store=store, table=table, meta=meta)


def _check_dataset(store: Store, path: str, table: str) -> None:
    """A path that is no dataset is said to be one, not read as an empty table: a typo must
    not look like "no data"."""
    if store.local is not None:
        if store.local.is_file():
            raise ParameterError("path", "a dataset folder (this is a file: read one table "
                                 "file with twxdata.read_parquet)", got=path)  # fmt: skip
        if not store.local.is_dir():
            raise ParameterError("path", "a dataset folder (there is none there)", got=path)
    if not store.exists(MANIFEST) and not store.files(table):
        raise ParameterError(
            "path", f"a dataset folder, written by twxdata flatten --engine dask (no {MANIFEST} "
            f"and no {table}/ files there)", got=path,
        )  # fmt: skip


def _read_file(name: str, *, store: Store, table: str) -> Any:
    schema = SCHEMAS[table]
    return to_pandas(store.read(name).select(schema.names).cast(schema))
