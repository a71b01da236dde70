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
import hashlib
import sys
import warnings
from pathlib import Path
from typing import Any

from twxdata.cli import UsageError, explained
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
            f"{text!r}: must be a positive length of time, such as 90s, 30m or 2h"
        ) from None


def _backfill(text: str) -> int:
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 5):
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of minutes from 1 to 5")
    return int(text)


def run_collect(args: argparse.Namespace) -> int:
    from twxdata.cli.output import spool_for
    from twxdata.cli.paths import check_distinct, check_output
    from twxdata.cli.replacing import check_replacing
    from twxdata.collect.stream import stream_spec
    from twxdata.store.checkpoint import Checkpoint

    output = check_output(args.output, "-o", directory_ok=True) if args.output else None
    raw = check_output(args.raw, "--raw", suffixes=None) if args.raw is not None else None
    check_distinct(output, raw)
    if args.restart and raw is None:
        raise UsageError("--restart needs --raw (the collection to start over)")
    spec = stream_spec("minimal" if args.minimal_fields else "research")
    archive = raw.path if raw is not None else None
    spool = None
    if output is not None and raw is None:
        # Every message is kept on disk as it arrives even without --raw: a kill, Ctrl-C, a
        # cap or a failed final write loses nothing, and the same command (same -o) goes on
        # from it; removed once the tables of a finished run are written.
        folder = output.path if output.kind == "directory" else output.path.parent
        where = str(output.path.resolve()).encode()
        key = hashlib.sha256(Checkpoint(spec=spec).fingerprint.encode() + b"\0" + where)
        spool = archive = spool_for("stream", key.hexdigest()[:16], folder)
    stale: list[Path] = []
    if output is not None:  # tables of another collection are never replaced unasked
        stale = check_replacing(output, spec, archive, replace=args.replace)
    show = not args.quiet and sys.stderr.isatty()
    client = client_from_args(args)
    from twxdata.endpoints import get_endpoint

    client.credentials.for_endpoint(get_endpoint("search_stream"))  # before any request
    echo = sys.stdout.buffer if output is None and raw is None else None
    return asyncio.run(_main(client, args, output, archive, spool, echo, show, stale))


async def _main(
    client: Any, args: argparse.Namespace, output: Any, archive: Path | None,
    spool: Path | None, echo: Any, show: bool, stale: list[Path],
) -> int:  # fmt: skip
    from twxdata.cli import closed_stdout
    from twxdata.cli.output import remove_spool, write_collection
    from twxdata.collect.call import CostCapReached, last_collection
    from twxdata.collect.stream import collect_stream
    from twxdata.errors import ParameterError, TwxError
    from twxdata.store.checkpoint import ResumeError

    def warn(message: Any, category: Any, *rest: Any, **kw: Any) -> None:
        text = str(message)
        if args.quiet or text.startswith("interrupted"):
            return  # the command says it itself, in its own words, below
        if category is CostCapReached:
            text = text.replace("max_cost=", "--max-cost ").replace("max_cost", "--max-cost")
            text = text.replace("the same call", "the same command")
        print(f"twxdata stream: {text}", file=sys.stderr)

    stop = asyncio.Event()
    interrupted = piped = False
    collection: Any = None
    async with client:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = warn
            ticker = None
            if not args.quiet and not show:  # a log file, nohup: a line a minute
                ticker = asyncio.create_task(_tick(60.0))
            try:
                collection = await collect_stream(
                    raw=archive, limit=args.limit, duration=args.duration,
                    max_cost=args.max_cost, backfill_minutes=args.backfill_minutes,
                    fields="minimal" if args.minimal_fields else "research",
                    restart=args.restart, client=client, progress=show, stop=stop, echo=echo,
                )  # fmt: skip
            except ResumeError as exc:
                raise UsageError(str(exc)) from None
            except ParameterError as exc:
                if exc.parameter == "rules":
                    raise UsageError("the app has no filtered-stream rules, so the stream would "
                                     "send nothing: add some first (twxdata stream rules add "
                                     "RULE)") from None  # fmt: skip
                raise
            except (KeyboardInterrupt, asyncio.CancelledError):
                interrupted = True
                collection = last_collection()
            except BrokenPipeError:
                piped = True  # the reader went away (| head): stop, as unix tools do
                collection = last_collection()
            except TwxError as exc:
                print(f"twxdata stream: error: {explained(exc, resumes=archive is not None)}",
                      file=sys.stderr)  # fmt: skip
                collection = last_collection()
                if collection is None or not collection.items:
                    return 1
                interrupted = True
            finally:
                if ticker is not None:
                    ticker.cancel()
    if collection is None:
        return closed_stdout() if piped else 1
    written = []
    if archive is not None and spool is None and collection.pages:
        written.append(str(archive))
    if output is not None and collection.items:
        try:
            made = write_collection(collection, output)
        except OSError as exc:
            kept = archive if archive is not None else None
            print(f"twxdata stream: could not write {output.path}: {exc.strerror or exc}"
                  + (f"; every message is kept in {kept}: the same command writes the "
                     "tables from it" if kept else ""), file=sys.stderr)  # fmt: skip
            return 1
        written.append(str(output.path))
        for path in set(stale) - set(made):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # the replaced collection's other tables
        if spool is not None and not interrupted and collection.stopped != "max_cost":
            remove_spool(spool)  # written: the spool has done its work
    if not args.quiet:
        where = f" -> {', '.join(written)}" if written else ""
        if piped:  # as for `yes | head`: what the reader did not take is the reader's choice
            where += "; standard output closed by its reader"
        summary = collection.summary().removeprefix("stream: ")
        print(f"twxdata stream: {summary}{where}", file=sys.stderr)
        if collection.stopped == "max_cost" and archive is not None:
            print("twxdata stream: raise --max-cost and run the command again to go on "
                  f"(every message so far is kept in {archive})", file=sys.stderr)  # fmt: skip
        elif interrupted and archive is not None and not collection.pages:
            print("twxdata stream: nothing had arrived; run the same command again to start",
                  file=sys.stderr)  # fmt: skip
        elif interrupted and archive is not None:
            print("twxdata stream: run the same command again to go on (every message so "
                  f"far is kept in {archive})", file=sys.stderr)  # fmt: skip
    if piped:
        return closed_stdout()
    if interrupted:
        return 130 if collection.stopped == "interrupted" else 1
    return 0


async def _tick(seconds: float) -> None:
    """Without a terminal (a log file, nohup), a line every ``seconds``: the stream lives."""
    from twxdata.collect.call import last_collection

    while True:
        await asyncio.sleep(seconds)
        collection = last_collection()
        if collection is not None:
            line = collection.summary().removeprefix("stream: ")
            print(f"twxdata stream: {line}", file=sys.stderr, flush=True)


__all__ = ["add_collect_options", "run_collect"]
