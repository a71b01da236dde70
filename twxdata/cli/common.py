"""Options and plumbing shared by the collecting verbs of the ``twxdata`` command."""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twxdata.cli import UsageError
from twxdata.tables.storage import is_url

if TYPE_CHECKING:  # the client imports aiohttp: too slow for every `twxdata` start
    from twxdata.client import Client
    from twxdata.events import Event


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seconds(text: str) -> float:
    """A number of seconds: finite and not negative (``inf`` and ``nan`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds >= 0, got {text}")
    return value


def dollars(text: str) -> float:
    """An amount of US dollars, more than 0 (``$5``, ``5``, ``0.50``)."""
    return _dollars(text, zero=False)


def dollars_or_zero(text: str) -> float:
    """An amount of US dollars, 0 or more."""
    return _dollars(text, zero=True)


# What people write for an amount: 5, 0.50, .5, 1e-3, $5 (no 1_0, no digits of other
# scripts, which Python's float() takes); inf and nan parse, to be refused in words.
_AMOUNT = re.compile(r"\$?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|inf|infinity|nan")


def parse_amount(text: str) -> float:
    """A number as people write amounts (``ValueError`` otherwise).

    >>> parse_amount("$5"), parse_amount(".5"), parse_amount("1e-3")
    (5.0, 0.5, 0.001)
    """
    cleaned = text.strip()
    if not _AMOUNT.fullmatch(cleaned.lower()):
        raise ValueError(text)
    return float(cleaned.lstrip("$"))


def _dollars(text: str, *, zero: bool) -> float:
    least = "0 dollars or more" if zero else "more than 0 dollars"
    try:
        value = parse_amount(text)
    except ValueError:
        if text.strip().startswith("-") and _is_amount(text.strip()[1:]):
            raise argparse.ArgumentTypeError(f"must be {least}, got {text}") from None  # -1
        raise argparse.ArgumentTypeError(f"not an amount of US dollars: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite amount of US dollars, got {text}")
    if value < 0 or (value == 0 and not zero):
        raise argparse.ArgumentTypeError(f"must be {least}, got {text}")
    return value


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, got {text}")
    return value


def add_connection_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--api-base",
        metavar="URL",
        help="API root (default: $TWXDATA_API_BASE or https://api.x.com)",
    )
    group.add_argument(
        "--insecure-plain-http",
        action="store_true",
        help="allow a plain http:// --api-base on another machine: your credentials would "
        "cross the network unencrypted",
    )
    group.add_argument(
        "--timeout",
        type=positive_seconds,
        default=30.0,
        metavar="S",
        help="per-request timeout (30)",
    )
    group.add_argument(
        "--max-tries",
        type=positive_int,
        default=8,
        metavar="N",
        help="tries per request on 5xx and network errors (8)",
    )
    group.add_argument(
        "--backoff",
        type=seconds,
        default=1.0,
        metavar="S",
        help="first pause after a failed try, doubling up to 60 s (1.0)",
    )


def add_output_options(parser: argparse.ArgumentParser) -> None:
    # Paths stay strings: Path("out/") would lose the slash that makes it a folder.
    group = parser.add_argument_group(
        "output",
        "Without -o, --dataset or --raw, every response is written to standard output as a "
        "JSON line (pipe it to `twxdata flatten - -o FILE`).",
    )
    group.add_argument("--raw", metavar="RAW.jsonl",
                       help="append every API response here as it arrives; rerunning the "
                       "same command resumes")  # fmt: skip
    group.add_argument("--restart", action="store_true",
                       help="start the --raw collection over (the old files are kept)")  # fmt: skip
    group.add_argument("-o", "--output", metavar="OUT",
                       help="the main table as OUT.parquet or OUT.csv, or a folder (OUT/) "
                       "with one Parquet file per table; written at the end, whole or "
                       "not at all")  # fmt: skip
    group.add_argument("--replace", action="store_true",
                       help="let -o replace existing tables that hold another collection, or "
                       "this one already complete (without it, such a run is refused before "
                       "any request)")  # fmt: skip
    group.add_argument("--dataset", metavar="DIR",
                       help="append every table to a dataset folder partitioned by day "
                       "(readable as one table by pandas, DuckDB, Polars, Spark)")  # fmt: skip
    group.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")


def add_window_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("window")
    group.add_argument("--limit", type=positive_int, metavar="N", help="stop after N items")
    group.add_argument("--max-pages", type=positive_int, metavar="N", help="stop after N pages")
    group.add_argument(
        "--start-time",
        metavar="T",
        help="oldest time: ISO 8601 (2024-01-31T12:00:00Z) or relative (7d, 12h)",
    )
    group.add_argument("--end-time", metavar="T", help="newest time (exclusive)")
    group.add_argument("--since-id", metavar="ID", help="only items with a greater id")
    group.add_argument("--until-id", metavar="ID", help="only items with a smaller id")


def client_from_args(args: argparse.Namespace, **extra: object) -> Client:
    from twxdata.protocol.retry import RetryPolicy
    from twxdata.settings import configured_client

    client = configured_client(
        api_base=args.api_base,
        allow_plain_http=args.insecure_plain_http,
        timeout=args.timeout,
        retry=RetryPolicy(max_tries=args.max_tries, backoff_base=args.backoff),
        **extra,
    )
    if args.api_base:
        client.api_base_source = "given with --api-base"
    return client


def stderr_reporter(quiet: bool) -> Callable[[Event], None]:
    """A listener printing waits and retries on stderr (progress bars come with tqdm)."""
    from twxdata.events import Received, Retrying, Waiting

    def report(event: Event) -> None:
        if quiet or isinstance(event, Received):
            return
        if isinstance(event, Waiting):
            if event.seconds < 5 and "at most one request per" in event.reason:
                return  # search/all's one request a second: expected, not worth a line each
            print(
                f"twxdata: {event.endpoint}: {event.reason} ({event.seconds:.0f} s)",
                file=sys.stderr,
            )
        elif isinstance(event, Retrying):
            print(
                f"twxdata: {event.endpoint}: {event.reason}; retrying in {event.delay:.1f} s",
                file=sys.stderr,
            )

    return report


STORAGE_OPTION_HELP = (
    "an fsspec option for URL inputs and outputs (repeatable), e.g. "
    "endpoint_url=http://localhost:9000, anon=true, profile=NAME"
)


def add_storage_option(parser: Any) -> None:
    """``--storage-option KEY=VALUE`` (repeatable): how a URL's object storage is reached,
    for credentials and endpoints the user's fsspec setup does not already provide."""
    parser.add_argument("--storage-option", action="append", default=[], metavar="KEY=VALUE",
                        help=STORAGE_OPTION_HELP)  # fmt: skip


def storage_options(pairs: list[str]) -> dict[str, Any]:
    """``--storage-option`` pairs as fsspec takes them: true/false and numbers typed.

    >>> storage_options(["anon=true", "endpoint_url=http://h:9000", "max_concurrency=4"])
    {'anon': True, 'endpoint_url': 'http://h:9000', 'max_concurrency': 4}
    """
    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--storage-option {pair!r}: give KEY=VALUE")
        typed: Any = {"true": True, "false": False}.get(value.lower(), value)
        if isinstance(typed, str) and typed.isdigit() and typed.isascii():
            typed = int(typed)
        options[key.strip()] = typed
    return options


def url_storage_options(pairs: list[str], *names: str) -> dict[str, Any]:
    """``storage_options(pairs)``, refused (exit status 2) when none of ``names`` is a URL:
    an option that would do nothing is a mistake the user should hear of."""
    options = storage_options(pairs)
    if options and not any(is_url(str(name)) for name in names):
        raise UsageError("--storage-option is for URLs (s3://..., gs://...); "
                         f"{' '.join(map(str, names))} is a local file")  # fmt: skip
    return options
