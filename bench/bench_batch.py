"""Batch throughput, memory and kill/resume on a generated corpus.

Usage: python bench/bench_batch.py [--n 2000] [--small 200] [--skip-resume]

Generates corpora with bench/make_corpus.py (RPM2 dev and the bundled examples, with
variants, duplicates and corrupted files), then runs `reliability batch`:
- on the large corpus with --workers 1 and --workers 2: articles/s and the speed-up;
- on the small corpus with --workers 2: peak RSS of all its processes, against the large run's;
- on the large corpus with --workers 2, killed with SIGKILL midway and rerun with --resume:
  its OUT.jsonl must equal the uninterrupted run's (same ids, same scores).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_dask import process_rss_mib  # noqa: E402
from make_corpus import generate_corpus  # noqa: E402


def group_rss_mib(pgid: int) -> float:
    """RSS (MiB) of the whole process group `pgid`."""
    return sum(process_rss_mib(pgid).values())


def run(corpus: Path, out: Path, workers: int, *extra: str, kill_at_units: int | None = None) -> dict[str, float]:
    """Run the batch; returns seconds and peak RSS (MiB) of its process group."""
    command = [str(Path(sys.executable).parent / "reliability"), "batch", str(corpus), "--out", str(out)]
    command += ["--workers", str(workers), *extra]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    peak = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, group_rss_mib(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    state = out.with_name(out.name + ".state.db")
    if kill_at_units is not None:
        while proc.poll() is None:
            try:
                with sqlite3.connect(state) as conn:
                    if conn.execute("SELECT COUNT(*) FROM units").fetchone()[0] >= kill_at_units:
                        os.killpg(proc.pid, signal.SIGKILL)
                        break
            except sqlite3.OperationalError:
                pass
            time.sleep(0.1)
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    if kill_at_units is None and proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}):\n{err[-3000:]}")
    return {"seconds": time.monotonic() - started, "rss": peak, "returncode": proc.returncode}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--skip-resume", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        large, small = work / "large", work / "small"
        manifest = generate_corpus(large, args.n)
        generate_corpus(small, args.small)
        distinct = manifest["distinct"]
        corrupted = len(manifest["corrupted"])
        print(f"corpus: {manifest['articles']} records ({distinct} distinct), {corrupted} corrupted files")

        one = run(large, work / "w1.jsonl", 1)
        two = run(large, work / "w2.jsonl", 2)
        assert lines(work / "w1.jsonl") and len(lines(work / "w2.jsonl")) == len(lines(work / "w1.jsonl"))
        rate1, rate2 = distinct / one["seconds"], distinct / two["seconds"]
        print(f"--workers 1: {one['seconds']:.0f} s, {rate1:.1f} articles/s, peak RSS {one['rss']:.0f} MiB")
        print(f"--workers 2: {two['seconds']:.0f} s, {rate2:.1f} articles/s, peak RSS {two['rss']:.0f} MiB")
        print(f"speed-up 2 workers / 1: {rate2 / rate1:.2f} (target >= 1.6)")

        little = run(small, work / "small.jsonl", 2)
        print(
            f"memory: peak RSS {little['rss']:.0f} MiB at {args.small} articles, {two['rss']:.0f} MiB at {args.n}: "
            f"ratio {two['rss'] / little['rss']:.2f} (target <= 1.5)"
        )

        if not args.skip_resume:
            units = sqlite3.connect(work / "w2.jsonl.state.db").execute("SELECT COUNT(*) FROM units").fetchone()[0]
            killed = run(large, work / "resumed.jsonl", 2, kill_at_units=units // 2)
            resumed = run(large, work / "resumed.jsonl", 2, "--resume")
            same = lines(work / "resumed.jsonl") == lines(work / "w2.jsonl")
            print(
                f"kill -9 after {units // 2} of {units} stories ({killed['seconds']:.0f} s), resumed in "
                f"{resumed['seconds']:.0f} s: OUT.jsonl equal to the uninterrupted run's: {same}"
            )
            if not same:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
