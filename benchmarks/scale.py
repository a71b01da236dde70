"""Benchmark: flatten beyond one process (issue 17), against one process, in the same run.

Builds ``--files`` archives of real API pages (../shared/real-api, replicated with fresh ids
as benchmarks/flatten.py does) totalling ``--mb`` MB, one in ten gzip'd, and measures:

- ``twxdata flatten FILES -o DIR/``: one process (the anchor);
- ``twxdata flatten FILES -o DIR/ --workers 2``: the same tables from two processes;
- ``twxdata flatten FILES -o DIR/ --engine dask --workers 2``: a dataset from a 2-worker
  ``LocalCluster`` started by the command;
- ``twxdata.scale.flatten(FILES, DIR)``: the same dataset from one process (the dask row's
  own anchor).

Wall time is the whole command; memory is the peak resident set of every process of the
command's tree, sampled every 20 ms (the largest worker is reported "per worker"). Then it
flattens ``--small`` small archives (one page each, a few days) into a dataset and counts
the files per partition folder.

    python benchmarks/scale.py               # 10 files, >= 600 MB stored, 3 runs; 1,000 small

Targets: >= 1.7x one process's throughput on 2 cores; peak per worker <= 1.2x the
one-process peak; <= one file per day partition per table.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flatten import REAL, SEARCH, WORK, build_input

import twxdata.scale as scale


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system seconds of the whole tree
    peak_total_mb: float  # the whole tree at its largest
    peak_driver_mb: float  # the command's own process
    peak_worker_mb: float  # the largest other process (a worker), or the command alone


def measure(cmd: list[str]) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, float] = {}
    total = 0.0
    while proc.poll() is None:
        now = 0.0
        try:
            tree = [proc, *proc.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for process in tree:
            try:
                rss = process.memory_info().rss / 2**20
            except psutil.NoSuchProcess:
                continue
            peaks[process.pid] = max(peaks.get(process.pid, 0.0), rss)
            now += rss
        total = max(total, now)
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    driver = peaks.pop(proc.pid, 0.0)
    return Run(seconds, cpu, total, driver, max(peaks.values(), default=driver))


_ONE_DATASET = "import sys, twxdata.scale as s; s.flatten(sys.argv[2:], sys.argv[1])"


def build_inputs(files: int, megabytes: int) -> list[Path]:
    """One archive of ``megabytes`` with every post new (benchmarks/flatten.py's), cut into
    ``files`` files at line ends; one in ten gzip'd, as archives often are."""
    whole = WORK / f"search-{megabytes}mb.jsonl"
    build_input(whole, megabytes, SEARCH)
    folder = WORK / f"scale-{files}-of-{megabytes}mb"
    paths = [folder / f"part-{n:03d}.jsonl" for n in range(files)]
    packed = {p: p.with_suffix(".jsonl.gz") for p in paths[: max(1, files // 10)]}
    chosen = [packed.get(p, p) for p in paths]
    if all(p.exists() for p in chosen):
        return chosen
    folder.mkdir(parents=True, exist_ok=True)
    share = whole.stat().st_size // files
    with whole.open("rb") as source:
        for n, path in enumerate(paths):
            with path.open("wb") as out:
                written = 0
                for line in source:
                    out.write(line)
                    written += len(line)
                    if written >= share and n < files - 1:
                        break
    for plain, gz in packed.items():
        gz.write_bytes(gzip.compress(plain.read_bytes(), compresslevel=1))
        plain.unlink()
    return chosen


def small_archives(count: int, megabytes: int) -> list[Path]:
    """``count`` archives of one page each (the first pages of the large archive)."""
    folder = WORK / f"small-{count}"
    paths = [folder / f"{n:05d}.jsonl" for n in range(count)]
    if all(p.exists() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    with (WORK / f"search-{megabytes}mb.jsonl").open("rb") as source:
        for path, line in zip(paths, source, strict=False):
            path.write_bytes(line)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument(
        "--mb",
        type=int,
        default=680,
        help="total size of the inputs before gzip (MB; 680: >= 600 stored)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", type=int, default=1000, help="small archives to count files")
    args = parser.parse_args()
    if not REAL.is_dir():
        raise SystemExit(f"no recordings at {REAL}: the benchmark builds its input from them")
    inputs = build_inputs(args.files, args.mb)
    size = sum(p.stat().st_size for p in inputs) / 1e6
    out = WORK / "scale-out"
    twx = [sys.executable, "-m", "twxdata", "flatten", *map(str, inputs), "-q"]
    cmds = {
        "one process": [*twx, "-o", f"{out}/one/"],
        "--workers 2": [*twx, "-o", f"{out}/two/", "--workers", "2"],
        "dask LocalCluster (2)": [*twx, "-o", f"{out}/dask/", "--engine", "dask", "--workers", "2"],
        # The dataset the dask row writes, from one process: its output's own anchor (a
        # dataset is partitioned by day and staged, more work than two table files).
        "one process, dataset": [
            sys.executable,
            "-c",
            _ONE_DATASET,
            f"{out}/one-ds",
            *map(str, inputs),
        ],
    }
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(args.repeat):  # interleaved: a busy moment hits every command alike
        for name, cmd in cmds.items():
            shutil.rmtree(out, ignore_errors=True)
            runs[name].append(measure(cmd))
    shutil.rmtree(out, ignore_errors=True)
    print(f"== {len(inputs)} files, {size:.0f} MB stored; median of {args.repeat} runs; "
          f"{os.cpu_count()} cores\n")  # fmt: skip
    print(f"{'':24} {'seconds':>8} {'MB/s':>6} {'x one':>6} {'cores':>6} {'worker MB':>10} "
          f"{'x one':>6} {'driver MB':>10} {'tree MB':>8}")  # fmt: skip
    median = {n: Run(*(statistics.median(getattr(r, f) for r in rs)
                       for f in ("seconds", "cpu", "peak_total_mb", "peak_driver_mb",
                                 "peak_worker_mb"))) for n, rs in runs.items()}  # fmt: skip
    anchor = median["one process"]
    for name, r in median.items():
        print(f"{name:24} {r.seconds:8.2f} {size / r.seconds:6.1f} "
              f"{anchor.seconds / r.seconds:6.2f} {r.cpu / r.seconds:6.2f} "
              f"{r.peak_worker_mb:10.0f} {r.peak_worker_mb / anchor.peak_worker_mb:6.2f} "
              f"{r.peak_driver_mb:10.0f} {r.peak_total_mb:8.0f}")  # fmt: skip
    same = median["one process, dataset"].seconds / median["dask LocalCluster (2)"].seconds
    print(f"\ndask LocalCluster (2) against one process writing the same dataset: {same:.2f}x")
    cores = os.cpu_count() or 1
    print(
        f"\nthe one process already keeps {anchor.cpu / anchor.seconds:.2f} cores busy: on "
        f"{cores} cores no parallel run can exceed {cores * anchor.seconds / anchor.cpu:.2f}x"
        f"\ntargets: throughput >= 1.7x one process; peak per worker <= 1.2x\n"
    )

    small = small_archives(args.small, args.mb)
    dataset = WORK / "small-dataset"
    shutil.rmtree(dataset, ignore_errors=True)
    started = time.perf_counter()
    result = scale.flatten([str(p) for p in small], str(dataset), workers=2)
    seconds = time.perf_counter() - started
    files = [p for p in dataset.rglob("*.parquet")]
    folders = {p.parent for p in files}
    most = max((sum(1 for f in files if f.parent == d) for d in folders), default=0)
    posts = result.rows.get("tweets", 0)
    print(f"== {len(small)} small archives -> {len(files)} files in {len(folders)} partition "
          f"folders (at most {most} per folder) in {seconds:.1f} s; {posts:,} posts\n"
          "target: <= one file per day partition per table")  # fmt: skip
    shutil.rmtree(dataset, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
