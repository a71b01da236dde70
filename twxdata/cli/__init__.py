"""The ``twxdata`` command: verbs registered by the modules in ``VERB_MODULES``.

Exit codes: 0 success, 1 runtime error (network, API, files), 2 usage error (bad arguments,
rejected before any request), 130 interrupted. Errors print one short line on stderr; the global
``--debug`` flag adds debug logging and tracebacks.

>>> main(["--version"])  # doctest: +SKIP
twxdata 0.1.0
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from twxdata._version import __version__
from twxdata.errors import (
    AuthError,
    ParameterError,
    PaymentRequired,
    TooManyRequests,
    TwxError,
    Unauthorized,
)

# Each module defines register(subparsers), adding its verbs with set_defaults(run=...), where
# run(args) -> int. ``collect`` adds one verb per kind of collection (search, followers, ...).
VERB_MODULES: tuple[str, ...] = (
    "demo",
    "collect",
    "estimate",
    "flatten",
    "info",
    "share",
    "configure",
    "fake_api",
    "scale",
    "stream",
)


class UsageError(Exception):
    """A command-line mistake found by a verb after parsing; exits with status 2."""


class _Parser(argparse.ArgumentParser):
    """A usage error in one line (the message, and where to look), not a screen of usage."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# Which module defines each verb: a run imports only its own verb's module, so `twxdata flatten`
# does not pay for the network stack and `--help` still lists everything.
VERB_HOMES: dict[str, str] = {
    "demo": "demo",
    **{verb: "collect" for verb in (
        "search", "counts", "timeline", "mentions", "followers", "following", "liking-users",
        "liked-tweets", "retweeters", "quotes", "list-tweets", "list-members", "tweets", "users",
    )},
    "estimate": "estimate",
    "usage": "estimate",
    "flatten": "flatten",
    "info": "info",
    "dehydrate": "share",
    "hydrate": "share",
    "compliance": "share",
    "configure": "configure",
    "fake-api": "fake_api",
    "compact": "scale",
    "stream": "stream",
}  # fmt: skip


def _chosen_verb(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in VERB_HOMES else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the chosen verb's module is imported."""
    parser = _Parser(
        prog="twxdata",
        description="Collect X API v2 data into typed tables, with a raw archive.",
    )
    parser.add_argument("--version", action="version", version=f"twxdata {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="debug logging and full tracebacks on errors"
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    verb = _chosen_verb(argv) if argv is not None else None
    for name in [VERB_HOMES[verb]] if verb else VERB_MODULES:
        importlib.import_module(f"twxdata.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    if args.verb is None:
        parser.print_help()
        return 2
    logging.basicConfig(  # the command's own process: its logging is ours to set
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        if args.debug
        else f"twxdata {args.verb}: %(message)s",
    )
    label = getattr(args, "label", None) or args.verb  # "stream rules": the verb as typed
    try:
        status: int = args.run(args)
        return status
    except KeyboardInterrupt:
        print("twxdata: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return closed_stdout()
    except (UsageError, ParameterError, AuthError) as exc:
        if args.debug:
            raise
        print(f"twxdata {label}: error: {_in_option_words(parser, args.verb, exc)}",
              file=sys.stderr)  # fmt: skip
        return 2
    except (TwxError, OSError) as exc:
        if args.debug:
            raise
        print(f"twxdata {label}: error: {explained(exc)}", file=sys.stderr)
        return 1


def explained(exc: BaseException, *, resumes: bool = False) -> str:
    """An error with what to do about it, when there is something to do; ``resumes``: the
    same command continues where it stopped (a collection with its archive or spool)."""
    again = (
        "run the same command again; it continues where it stopped"
        if resumes
        else "run the same command again"
    )
    if isinstance(exc, PaymentRequired):
        return (
            "X says the account's credits are spent (402 Payment Required): add credits in the "
            f"Developer Console, then {again}"
        )
    if isinstance(exc, Unauthorized):
        return (
            f"X did not accept the credentials ({exc}): check them (`twxdata configure --show` "
            "says which are used and where they come from), then run the same command again"
        )
    if isinstance(exc, TooManyRequests) and exc.usage_capped:
        return (
            "the monthly post cap is reached (429 usage-capped): `twxdata usage` says when it "
            f"resets; then {again}"
        )
    return str(exc)


def closed_stdout() -> int:
    """The reader of standard output went away (``| head``): stop quietly, as unix tools do,
    with SIGPIPE's status; nothing more is written to the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def _in_option_words(parser: argparse.ArgumentParser, verb: str, exc: Exception) -> str:
    """The message told in the verb's own words: a Python parameter name (``start_time``,
    ``restart=True``) becomes the option (``--start-time``, ``--restart``) when the verb has
    it."""
    text = str(exc)
    options: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and verb in action.choices:
            options = {s for a in action.choices[verb]._actions for s in a.option_strings}
    if isinstance(exc, ParameterError):
        option = "--" + exc.parameter.replace("_", "-")
        if option in options and text.startswith(exc.parameter):
            text = option + text[len(exc.parameter) :]
    # "pass restart=True (--restart)" -> "pass --restart"; "with start_time" -> "--start-time"
    text = re.sub(r"\b([a-z]+(?:_[a-z]+)*)=True \((--[a-z-]+)\)", r"\2", text)
    for option in sorted(options, key=len, reverse=True):
        name = option.removeprefix("--").replace("-", "_")
        if option.startswith("--") and "_" in name:
            text = re.sub(rf"(?<![\w-]){name}(?![\w=])", option, text)
    return text


def entry_point() -> None:  # pragma: no cover - thin wrapper for the console script
    code = main()
    # The command's work is done and told: a Ctrl-C while the interpreter shuts down (a
    # cluster's threads, a pool's processes) would only turn a success into status 130.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)
