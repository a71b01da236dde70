"""Files kept anywhere fsspec reaches (``s3://``, ``gs://``, ``https://``, ``az://``...).

A name with a protocol is opened through fsspec with the caller's ``storage_options`` or,
without them, whatever the user's fsspec setup provides (environment variables such as
``FSSPEC_S3_ENDPOINT_URL``, ``~/.aws`` profiles, instance roles); other names are local paths.
The options are only ever handed to fsspec: what is written about a file (manifests,
provenance, messages) names it by ``shown(url)``, without a ``user:password@`` part.
fsspec and the protocol's package (s3fs, gcsfs, adlfs) come with ``twxdata[scale]``.

>>> shown("https://ann:secret@example.org/x.jsonl")
'https://example.org/x.jsonl'
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator, Mapping
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from twxdata.errors import DataError, ParameterError, TwxError

StorageOptions = Mapping[str, Any]


def is_url(name: str) -> bool:
    """Whether ``name`` is read through fsspec (``s3://...``) rather than as a local path.

    >>> is_url("s3://b/a.jsonl"), is_url("archive.jsonl"), is_url("file:///tmp/a.jsonl")
    (True, False, False)
    """
    return "://" in name and not name.startswith("file://")


def shown(url: str) -> str:
    """``url`` as it may be written down: without credentials in it."""
    if not is_url(url):
        return url
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=host))


def filesystem(url: str, storage_options: StorageOptions | None = None) -> tuple[Any, str]:
    """The fsspec filesystem holding ``url``, and the path in it."""
    try:
        fsspec: Any = importlib.import_module("fsspec")
    except ImportError:
        raise ParameterError(
            "inputs", f"{shown(url)}: reading URLs needs fsspec: pip install 'twxdata[scale]'"
        ) from None
    try:
        fs, path = fsspec.core.url_to_fs(url, **dict(storage_options or {}))
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package missing
        raise ParameterError("inputs", f"{shown(url)}: {exc}") from None
    return fs, path


def open_stored(url: str, storage_options: StorageOptions | None = None) -> IO[bytes]:
    """The file's stored bytes (compressed as kept), for hashing."""
    if not is_url(url):
        return open(url.removeprefix("file://"), "rb")
    fs, path = filesystem(url, storage_options)
    stream: IO[bytes] = fs.open(path, "rb", block_size=4 << 20)
    return stream


def storage_error(exc: BaseException, url: str, what: str) -> DataError:
    """An object store's failure as one line naming the file (never the options used)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return DataError(f"{what} ({type(exc).__name__}{': ' + detail if detail else ''})",
                     source=shown(url))  # fmt: skip


# Where the errors of object stores come from (their packages' own exception classes).
_STORAGE_PACKAGES = frozenset(
    {"botocore", "aiobotocore", "s3fs", "gcsfs", "google", "adlfs", "azure", "fsspec", "aiohttp"}
)


def from_storage(exc: BaseException) -> bool:
    """Whether ``exc`` is a file system's or an object store's failure (no credentials, no
    such bucket, an endpoint that does not answer), not a bug of ours.

    >>> from_storage(PermissionError("denied")), from_storage(KeyError("x"))
    (True, False)
    """
    package = type(exc).__module__.split(".", 1)[0]
    return isinstance(exc, OSError) or package in _STORAGE_PACKAGES


@contextlib.contextmanager
def storage_failures(url: str, what: str) -> Iterator[None]:
    """Inside it, an object store's own failure (no credentials, no such bucket, an endpoint
    that does not answer) becomes one ``DataError`` naming ``url`` without its credentials;
    twxdata's errors and a local path's pass as they are."""
    try:
        yield
    except TwxError:
        raise
    except Exception as exc:
        if is_url(url) and from_storage(exc):
            raise storage_error(exc, url, what) from None
        raise
