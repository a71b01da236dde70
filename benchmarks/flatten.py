"""Benchmark: ``twxdata flatten`` against twarc-csv 0.7.2 and the parse limit, same run.

Builds a JSONL input of real API pages (../shared/real-api: twarc2 pages and academictwitteR
search pages, replicated with fresh unique ids) of ``--mb`` MB, and one ten times larger, then
measures whole-process wall time and peak RSS of:

- ``twxdata flatten IN -o OUT.parquet`` (the command; its startup loads every verb),
- the same pipeline as a bare script (``iter_batches`` + ``WriteBehind`` + ``TableWriter``: no
  CLI framework, so none of the other verbs' imports),
- ``twarc2 csv IN OUT.csv`` from twarc-csv 0.7.2 in its own virtualenv (needs pandas<3),
- ``orjson.loads`` of every line: the parse limit.

Each command runs ``--repeat`` times, interleaved; the median is reported. Only the 1x input
goes to twarc-csv; the 10x input checks that twxdata's peak memory stays flat.

    python benchmarks/flatten.py --setup     # once: the twarc-csv virtualenv
    python benchmarks/flatten.py             # 60 MB and 600 MB inputs, 3 runs each

Targets: >= 10x twarc-csv's throughput, <= its peak memory, <= 1.5x the parse limit's time,
10x input peak <= 1.5x the 1x peak.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
TWARC_ENV = ROOT / "benchmarks" / ".envs" / "twarc"
REAL = (ROOT / ".." / "shared" / "real-api").resolve()
BIN = Path(sys.executable).parent  # the real interpreter's scripts, not a pyenv shim

PARSE_LIMIT = "import orjson, sys\nfor line in open(sys.argv[1], 'rb'):\n    orjson.loads(line)\n"
# What the command does, without its framework (argument parsing, every verb's imports).
LIBRARY = """import gc, os, sys
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import pyarrow as pa
from twxdata.tables import SCHEMAS, TableWriter, iter_batches
from twxdata.tables.output import WriteBehind
pa.set_memory_pool(pa.system_memory_pool())
gc.freeze()
gc.disable()
with TableWriter(sys.argv[2], SCHEMAS["tweets"], name="tweets") as writer:
    behind = WriteBehind()
    for batch in iter_batches([sys.argv[1]], tables=["tweets"]):
        behind.write(writer, batch["tweets"])
    behind.finish()
"""
# Only Arrow's C++ JSON reader over the input, 4 MB blocks on two threads: no tables, no
# output. Where a block's lines mix shapes (the mixed archive) the reader fails and the floor
# would come out too low, so it is measured on the search archive only.
READER_ONLY = """import sys
import pyarrow as pa, pyarrow.json as pj
options = pj.ReadOptions(block_size=4 << 20, use_threads=True)
pj.read_json(sys.argv[1], read_options=options)
"""
_ID = re.compile(rb'"(\d{5,19})"')


# A search collection (what a real archive is: one endpoint, one era), and every kind of
# page mixed — stream messages, single-object lookups, and 2022 pages that send a count as
# "4" where 2023 pages send 4, which makes the reader take the slower road.
SEARCH = ("noflat", "brexit")
MIXED = (*SEARCH, "geo_tweets", "media_tweet", "mentions_tweet", "edited",
         "streaming_output_with_error")  # fmt: skip


def source_pages(names: tuple[str, ...]) -> list[bytes]:
    """Real responses with their request metadata, one JSON line each (twarc2's format)."""
    lines: list[bytes] = []
    for name in names:
        for line in (REAL / "twarc2-pages" / f"{name}.jsonl").read_bytes().splitlines():
            try:
                json.loads(line)
            except ValueError:
                continue  # the stream file ends with a cut line
            lines.append(line)
    for path in sorted((REAL / "academictwitteR").glob("200_*.json")):
        recording = json.loads(path.read_text())
        body = recording["body"]
        if isinstance(body.get("data"), list) and body["data"] and "text" in body["data"][0]:
            meta = {"url": recording["request_url"], "retrieved_at": "2021-06-05T00:00:00+00:00"}
            lines.append(json.dumps({**body, "__twarc": meta}).encode())
    return lines


def build_input(path: Path, megabytes: int, names: tuple[str, ...]) -> None:
    """Replicate the pages, remapping every id per copy so each copy's posts are new."""
    if path.exists() and path.stat().st_size >= megabytes * 10**6:
        return
    pages = source_pages(names)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as out:
        copy = 0
        while out.tell() < megabytes * 10**6:
            copy += 1
            shift = copy << 40  # xor keeps ids distinct within a copy and apart across copies

            def fresh(match: re.Match[bytes], shift: int = shift) -> bytes:
                return b'"%d"' % (int(match.group(1)) ^ shift)

            for line in pages:
                out.write(_ID.sub(fresh, line) + b"\n")
    os.replace(tmp, path)


@dataclass
class Run:
    seconds: float
    peak_mb: float
    cpu: float  # user + system seconds, all threads: less shaken than wall time by a busy machine


def measure(cmd: list[str]) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def commands(src: Path, twarc: bool) -> dict[str, list[str]]:
    out = WORK / "out"
    out.mkdir(parents=True, exist_ok=True)
    cmds = {
        "twxdata flatten": [str(BIN / "twxdata"), "flatten", str(src), "-o",
                            str(out / "cli.parquet"), "-q"],
        "twxdata (bare script)": [sys.executable, "-c", LIBRARY, str(src),
                                  str(out / "lib.parquet")],
        "parse limit (orjson)": [sys.executable, "-c", PARSE_LIMIT, str(src)],
    }  # fmt: skip
    if twarc:
        twarc2 = str(TWARC_ENV / "bin" / "twarc2")
        cmds["twarc-csv 0.7.2"] = [twarc2, "--bearer-token", "none", "csv", "--hide-progress",
                                   str(src), str(out / "twarc.csv")]  # fmt: skip
    return cmds


def floors(src: Path, reader: bool) -> dict[str, list[str]]:
    """What no flattening to Parquet goes below: loading pyarrow, the command on 2 pages, and
    (``reader``) Arrow's JSON reader alone over the whole input."""
    tiny = WORK / "two-pages.jsonl"
    with src.open("rb") as lines:
        tiny.write_bytes(lines.readline() + lines.readline())
    return {
        "floor: import pyarrow+parquet": [sys.executable, "-c", "import pyarrow, pyarrow.parquet"],
        "floor: flatten of 2 pages": [str(BIN / "twxdata"), "flatten", str(tiny), "-o",
                                      str(WORK / "out" / "tiny.parquet"), "-q"],
        **({"floor: Arrow JSON reader only": [sys.executable, "-c", READER_ONLY, str(src)]}
           if reader else {}),
    }  # fmt: skip


def run_all(cmds: dict[str, list[str]], repeat: int) -> dict[str, Run]:
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name].append(measure(cmd))
    return {
        name: Run(
            statistics.median(r.seconds for r in rs),
            statistics.median(r.peak_mb for r in rs),
            statistics.median(r.cpu for r in rs),
        )
        for name, rs in runs.items()
    }


def setup() -> None:
    subprocess.run([sys.executable, "-m", "venv", str(TWARC_ENV)], check=True)
    pip = str(TWARC_ENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "twarc", "twarc-csv==0.7.2", "pandas<3"], check=True)


def report(label: str, small: Path, large: Path, args: argparse.Namespace, twarc: bool) -> None:
    one = run_all({**commands(small, twarc), **floors(small, label.startswith("search"))},
                  args.repeat)  # fmt: skip
    big_cmds = commands(large, False)
    # Three runs at most: one is at the mercy of whatever else the machine is doing.
    ten = run_all(
        {k: big_cmds[k] for k in ("twxdata flatten", "parse limit (orjson)")}, min(args.repeat, 3)
    )
    size = small.stat().st_size / 1e6
    print(
        f"== {label}: {size:.0f} MB, {sum(1 for _ in small.open('rb'))} pages; median of "
        f"{args.repeat} runs; whole process: wall time, peak RSS\n"
    )
    print(f"{'':30} {'seconds':>8} {'MB/s':>7} {'peak MB':>8} {'CPU s':>7}")
    for name, r in one.items():
        rate = "" if name.startswith("floor") else f"{size / r.seconds:7.1f}"
        print(f"{name:30} {r.seconds:8.2f} {rate:>7} {r.peak_mb:8.0f} {r.cpu:7.2f}")
    ours, limit = one["twxdata flatten"], one["parse limit (orjson)"]
    bare = one["twxdata (bare script)"]
    print()
    if twarc:
        theirs = one["twarc-csv 0.7.2"]
        print(
            f"throughput vs twarc-csv:   {theirs.seconds / ours.seconds:5.1f}x   (target >= 10x)"
            f"   bare script {theirs.seconds / bare.seconds:5.1f}x"
        )
        print(
            f"peak memory vs twarc-csv:  {ours.peak_mb / theirs.peak_mb:5.2f}    (target <= 1)"
            f"      bare script {bare.peak_mb / theirs.peak_mb:5.2f}"
        )
    print(
        f"time vs parse limit:       {ours.seconds / limit.seconds:5.2f}x   (target <= 1.5x)"
        f"  bare script {bare.seconds / limit.seconds:5.2f}x"
    )
    big, big_limit = ten["twxdata flatten"], ten["parse limit (orjson)"]
    print(
        f"{args.scale}x input ({large.stat().st_size / 1e6:.0f} MB): twxdata flatten "
        f"{big.seconds:.2f} s, peak {big.peak_mb:.0f} MB; parse limit {big_limit.seconds:.2f} s"
        f" -> {big.seconds / big_limit.seconds:.2f}x"
    )
    print(
        f"peak memory {args.scale}x / 1x:      {big.peak_mb / ours.peak_mb:5.2f}    "
        f"(target <= 1.5)\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=60, help="size of the 1x input (MB)")
    parser.add_argument("--scale", type=int, default=10, help="the large input is this many x")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--setup", action="store_true", help="create the twarc-csv virtualenv")
    args = parser.parse_args()
    if args.setup:
        setup()
        return 0
    if not REAL.is_dir():
        raise SystemExit(f"no recordings at {REAL}: the benchmark builds its input from them")
    twarc = (TWARC_ENV / "bin" / "twarc2").exists()
    if not twarc:
        print("twarc-csv virtualenv absent (run with --setup): comparing without it\n")
    # A pip install compiles bytecode; an editable one compiles at every start unless told.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "twxdata")], check=True)
    for label, names in (("search archive", SEARCH), ("mixed archive", MIXED)):
        small = WORK / f"{label.split()[0]}-{args.mb}mb.jsonl"
        large = WORK / f"{label.split()[0]}-{args.mb * args.scale}mb.jsonl"
        build_input(small, args.mb, names)
        build_input(large, args.mb * args.scale, names)
        report(label, small, large, args, twarc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
