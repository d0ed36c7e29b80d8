"""The batch on Dask against the process pool: throughput and memory per worker as the corpus grows.

Usage: python bench/bench_dask.py [--sizes 2000 20000] [--workers 2]

For each size, generates a corpus with bench/make_corpus.py (RPM2 dev and the bundled examples, by
deterministic perturbation: variants, duplicates and corrupted files), then runs `reliability batch`
with `--workers N` (the process pool) and with `--scheduler local:N` (a Dask LocalCluster of N worker
processes), and prints for each: seconds, articles/s, the peak RSS of the largest worker process and
of the whole process group; then the ratios the scale-out issue sets:
- Dask articles/s >= 0.9x the process pool's on the same corpus;
- Dask articles/s at the largest size >= 0.9x at the smallest;
- Dask peak RSS per worker at the largest size <= 1.2x at the smallest.
Both runs' OUT.jsonl must be identical (the bench exits 1 otherwise).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from make_corpus import generate_corpus  # noqa: E402


def process_rss_mib(pgid: int) -> dict[int, float]:
    """RSS (MiB) of each process of the process group `pgid`."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[2]) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[int(entry.name)] = int(line.split()[1]) / 1024
        except (OSError, ValueError):
            continue
    return found


def run(corpus: Path, out: Path, *options: str) -> dict[str, float]:
    """Run the batch; returns seconds, the peak RSS of its largest worker and of its process group (MiB)."""
    command = [str(Path(sys.executable).parent / "reliability"), "batch", str(corpus), "--out", str(out), *options]
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    per_process: dict[int, float] = defaultdict(float)
    total = 0.0
    stop = threading.Event()

    def sample() -> None:
        nonlocal total
        while not stop.is_set():
            now = process_rss_mib(proc.pid)
            total = max(total, sum(now.values()))
            for pid, rss in now.items():
                per_process[pid] = max(per_process[pid], rss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"batch failed ({proc.returncode}):\n{err[-3000:]}")
    workers = [rss for pid, rss in per_process.items() if pid != proc.pid]
    return {"seconds": time.monotonic() - started, "worker_rss": max(workers, default=0.0), "rss": total}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    n = args.workers
    dask_runs: dict[int, dict[str, float]] = {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            work = Path(tmp) / str(size)
            manifest = generate_corpus(work / "in", size)
            distinct = manifest["distinct"]
            print(f"corpus {size}: {manifest['articles']} records ({distinct} distinct)", flush=True)
            pool = run(work / "in", work / "pool.jsonl", "--workers", str(n))
            dask = run(work / "in", work / "dask.jsonl", "--scheduler", f"local:{n}")
            same = (work / "pool.jsonl").read_bytes() == (work / "dask.jsonl").read_bytes()
            failed |= not same
            for name, figures in ((f"--workers {n}", pool), (f"--scheduler local:{n}", dask)):
                print(
                    f"  {name:<20} {figures['seconds']:7.1f} s  {distinct / figures['seconds']:6.1f} articles/s  "
                    f"worker peak RSS {figures['worker_rss']:6.0f} MiB  all processes {figures['rss']:6.0f} MiB",
                    flush=True,
                )
            ratio = pool["seconds"] / dask["seconds"]
            print(f"  Dask / process pool articles/s: {ratio:.2f} (target >= 0.9); OUT.jsonl identical: {same}")
            dask_runs[size] = {**dask, "rate": distinct / dask["seconds"]}
        if len(dask_runs) > 1:
            small, large = min(dask_runs), max(dask_runs)
            rate = dask_runs[large]["rate"] / dask_runs[small]["rate"]
            rss = dask_runs[large]["worker_rss"] / dask_runs[small]["worker_rss"]
            print(f"Dask articles/s at {large} / at {small}: {rate:.2f} (target >= 0.9)")
            print(f"Dask worker peak RSS at {large} / at {small}: {rss:.2f} (target <= 1.2)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
