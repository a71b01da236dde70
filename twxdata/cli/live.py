"""``twxdata stream [--raw LIVE.jsonl] [-o OUT] [--limit N | --duration 2h] [--max-cost USD]``.

Collects the filtered stream (the posts matching the app's rules) as they are posted. With
``--raw`` every message is archived as it arrives and the same command later appends to the
same archive (the time between the runs is recorded as a gap); with ``-o`` the tables are
written when it stops (a ``.parquet``/``.csv`` file of posts, or ``DIR/`` for every table);
with neither, each message goes to standard output as a JSON line as it arrives. Ctrl-C stops
it cleanly: what arrived is archived and the tables are written.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import warnings
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError
from twxdata.cli.common import (
    add_connection_options,
    client_from_args,
    dollars,
    positive_int,
)


def add_collect_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", metavar="LIVE.jsonl",
                        help="archive every message here as it arrives; the same command "
                        "appends to it later")  # fmt: skip
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="when it stops: posts to OUT.parquet/.csv, or every table to "
                        "OUT/ (a folder)")  # fmt: skip
    parser.add_argument("--limit", type=positive_int, metavar="N",
                        help="stop after N posts (over every run of --raw)")  # fmt: skip
    parser.add_argument("--duration", type=_duration, metavar="TIME",
                        help="stop after TIME (this run): 90s, 30m, 2h")  # fmt: skip
    parser.add_argument(
        "--max-cost",
        type=dollars,
        metavar="USD",
        help="stop before the posts would cost more than USD (over every run)",
    )
    parser.add_argument("--backfill-minutes", type=_backfill, metavar="N",
                        help="on reconnecting, ask X for the last N minutes again (1-5; Pro "
                        "and Enterprise access); posts already received are dropped")  # fmt: skip
    parser.add_argument("--minimal-fields", action="store_true", help="only default fields")
    parser.add_argument("--replace", action="store_true",
                        help="let -o replace tables of another collection")  # fmt: skip
    parser.add_argument("--restart", action="store_true",
                        help="start --raw over (the old archive is kept, renamed)")  # fmt: skip
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    add_connection_options(parser)


def _duration(text: str) -> float:
    from twxdata.errors import ParameterError
    from twxdata.protocol.timefmt import duration_seconds

    try:
        return duration_seconds(text, "--duration")
    except ParameterError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a length of time such as 90s, 30m or 2h"
        ) from None


def _backfill(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 5):
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of minutes from 1 to 5")
    return int(text)


def run_collect(args: argparse.Namespace) -> int:
    from twxdata.cli.paths import check_distinct, check_output
    from twxdata.cli.replacing import check_replacing
    from twxdata.collect.stream import stream_spec

    output = check_output(args.output, "-o", directory_ok=True) if args.output else None
    raw = check_output(args.raw, "--raw", suffixes=None) if args.raw else None
    check_distinct(output, raw)
    stale: list[Path] = []
    if output is not None:  # tables of another collection are never replaced unasked
        spec = stream_spec("minimal" if args.minimal_fields else "research")
        stale = check_replacing(output, spec, raw.path if raw else None, replace=args.replace)
    if args.restart and raw is None:
        raise UsageError("--restart needs --raw (the collection to start over)")
    if output is not None and raw is None and args.limit is None and args.duration is None:
        # Nothing would be on disk until the end: a crash or a kill would lose it all.
        raise UsageError("-o without --raw keeps the posts in memory until it stops: add "
                         "--raw LIVE.jsonl (every message kept as it arrives), or --limit / "
                         "--duration")  # fmt: skip
    show = not args.quiet and sys.stderr.isatty()
    client = client_from_args(args)
    from twxdata.endpoints import get_endpoint

    client.credentials.for_endpoint(get_endpoint("search_stream"))  # before any request
    echo = sys.stdout.buffer if output is None and raw is None else None
    return asyncio.run(_main(client, args, output, raw, echo, show, stale))


async def _main(client: Any, args: argparse.Namespace, output: Any, raw: Any, echo: Any,
                show: bool, stale: list[Path]) -> int:  # fmt: skip
    from twxdata.cli.output import write_collection
    from twxdata.collect.call import last_collection
    from twxdata.collect.stream import collect_stream
    from twxdata.errors import ParameterError, TwxError
    from twxdata.store.checkpoint import ResumeError

    def warn(message: Any, category: Any, *rest: Any, **kw: Any) -> None:
        if not args.quiet:
            print(f"twxdata stream: {message}", file=sys.stderr)

    stop = asyncio.Event()
    interrupted = False
    collection: Any = None
    async with client:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = warn
            try:
                collection = await collect_stream(
                    raw=raw.path if raw is not None else None, limit=args.limit,
                    duration=args.duration, max_cost=args.max_cost,
                    backfill_minutes=args.backfill_minutes,
                    fields="minimal" if args.minimal_fields else "research",
                    restart=args.restart, client=client, progress=show, stop=stop, echo=echo,
                )  # fmt: skip
            except ResumeError as exc:
                raise UsageError(str(exc)) from None
            except ParameterError:
                raise
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True
                collection = last_collection()
            except TwxError as exc:
                print(f"twxdata stream: {exc}", file=sys.stderr)
                collection = last_collection()
                if collection is None or not collection.items:
                    return 1
                interrupted = True
            except BrokenPipeError:
                with contextlib.suppress(OSError):
                    sys.stdout.close()
                return 0
    assert collection is not None
    written = []
    if raw is not None and collection.pages:
        written.append(str(raw.path))
    if output is not None and collection.items:
        try:
            made = write_collection(collection, output)
        except OSError as exc:
            print(f"twxdata stream: could not write {output.path}: {exc.strerror or exc}"
                  + (f"; every message is kept in {raw.path}" if raw is not None else ""),
                  file=sys.stderr)  # fmt: skip
            return 1
        written.append(str(output.path))
        for path in set(stale) - set(made):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # the replaced collection's other tables
    if not args.quiet:
        where = f" -> {', '.join(written)}" if written else ""
        print(f"twxdata stream: {collection.summary()}{where}", file=sys.stderr)
        if interrupted and raw is not None:
            print(f"twxdata stream: run the same command again to go on appending to "
                  f"{raw.path}", file=sys.stderr)  # fmt: skip
    if interrupted:
        return 130 if collection.stopped == "interrupted" else 1
    return 0


__all__ = ["add_collect_options", "run_collect"]
