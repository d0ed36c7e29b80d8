"""The API's story look-up at scale: one `StoryIndex.search` against 10k, 100k and 1M stored lead vectors.

Usage: python bench/bench_story_index.py [--sizes 10000 100000 1000000] [--queries 200] [--k 50]

Synthetic stored articles, generated deterministically (seed 0) to look like a news archive: topics
(one per 500 articles) made of stories of 2 to 8 articles; an article's lead vector is its story's
direction plus noise (cosine about 0.75 with its story mates, 0.35 with its topic, near 0 with the
rest), dated over one year (a story within two days) or, for one in ten, undated; 6 names each
from its story and topic. Queries are new articles of stored stories, half of them dated.

Prints per size: the regime (exact below `story_index_exact_below`, 50,000; approximate above), the
time to build the index as the API does at start (one `add` per stored article), the resident memory
it holds (RSS growth, MiB, and bytes per article), and for undated and dated look-ups apart: p50 and
p95 of one look-up of the `story_candidates` (50) nearest (milliseconds, one thread) and recall@10
against an exact float32 search over the same vectors (for a dated look-up, over those within the
two-day story window or undated). Targets (issue 16): recall@10 >= 0.98 and p95 <= 5 ms at 1M.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one look-up, one thread: as an API worker runs it
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from service.store.story_index import WIDTH, StoryIndex  # noqa: E402

FIRST_DAY = 739000  # an ordinal day in 2024
WINDOW_DAYS = 2  # the story rule's window (models/thresholds.json)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def archive(n: int, rng: np.random.Generator) -> tuple[np.ndarray, list[set[str]], list[int | None], np.ndarray]:
    """(lead vectors float32 n x WIDTH, names, days, story of each article) of n synthetic articles."""
    sizes = rng.integers(2, 9, size=n // 2 + 1)
    story_of = np.repeat(np.arange(len(sizes)), sizes)[:n]
    n_stories = int(story_of.max()) + 1
    topic_of_story = rng.integers(0, max(1, n // 500), size=n_stories)
    topics = rng.standard_normal((int(topic_of_story.max()) + 1, WIDTH)).astype(np.float32)
    stories = np.empty((n_stories, WIDTH), dtype=np.float32)
    for start in range(0, n_stories, 65536):  # in blocks: 1M x 512 float32 temporaries are 2 GB each
        block = slice(start, min(start + 65536, n_stories))
        stories[block] = 0.6 * topics[topic_of_story[block]] + 0.8 * rng.standard_normal((block.stop - start, WIDTH))
    vectors = np.empty((n, WIDTH), dtype=np.float32)
    for start in range(0, n, 65536):
        block = slice(start, min(start + 65536, n))
        noise = rng.standard_normal((block.stop - start, WIDTH)).astype(np.float32)
        vectors[block] = stories[story_of[block]] + 0.6 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    story_day = rng.integers(0, 365, size=n_stories)
    undated = rng.random(n) < 0.1
    days: list[int | None] = [
        None if undated[i] else FIRST_DAY + int(story_day[story_of[i]]) + int(rng.integers(0, 2)) for i in range(n)
    ]
    names = [
        {f"s{story_of[i]}a", f"s{story_of[i]}b", f"t{topic_of_story[story_of[i]]}", f"t{topic_of_story[story_of[i]]}x"}
        for i in range(n)
    ]
    return vectors, names, days, story_of


def queries(
    vectors: np.ndarray, days: list[int | None], count: int, rng: np.random.Generator
) -> list[tuple[np.ndarray, int | None]]:
    """New articles of stored stories: a stored article's vector moved as far as a story mate would be;
    every other one dated (its story's day), the others undated."""
    picks = rng.choice(len(vectors), size=count, replace=False)
    out = []
    for k, i in enumerate(picks):
        q = vectors[i] + 0.7 * rng.standard_normal(WIDTH).astype(np.float32) / np.sqrt(WIDTH)
        day = days[i] if days[i] is not None else FIRST_DAY + 180
        out.append((q / np.linalg.norm(q), None if k % 2 else day))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--k", type=int, default=50, help="neighbours per look-up (the story_candidates setting)")
    args = parser.parse_args(argv)
    for n in args.sizes:
        rng = np.random.default_rng(0)
        vectors, names, days, story_of = archive(n, rng)
        gc.collect()
        before = rss_mib()
        started = time.perf_counter()
        index = StoryIndex()
        for i in range(n):
            day = days[i]
            index.add(f"a{i}", vectors[i], names[i], None if day is None else _iso(day))
        index.search(vectors[0], 1)  # the first look-up stacks what was added
        build = time.perf_counter() - started
        held = rss_mib() - before
        day_array = np.array([-(10**9) if d is None else d for d in days])
        figures: dict[str, tuple[list[float], list[float]]] = {"undated": ([], []), "dated": ([], [])}
        asked = queries(vectors, days, args.queries, rng)
        answers = []
        for q, day in asked:  # timed apart from the exact searches, which would evict the index from cache
            window = None if day is None else WINDOW_DAYS
            t = time.perf_counter()
            answers.append(index.search(q, args.k, day, window))
            figures["undated" if day is None else "dated"][0].append(time.perf_counter() - t)
        for (q, day), found in zip(asked, answers, strict=True):
            cosine = vectors @ q
            if day is not None:  # the exact answer among what a dated look-up may return
                cosine = np.where((day_array < 0) | (np.abs(day_array - day) <= WINDOW_DAYS), cosine, -np.inf)
            exact = {f"a{i}" for i in np.argsort(-cosine, kind="stable")[:10]}
            figures["undated" if day is None else "dated"][1].append(len(exact & {a for a, *_ in found[:10]}) / 10)
        regime = "approximate" if index.approximate else "exact"
        print(
            f"{n:>9,} stored ({regime}): build {build:6.1f} s, memory {held:7.0f} MiB "
            f"({held * 2**20 / n:6.0f} B/article)",
            flush=True,
        )
        for kind, (latencies, recalls) in figures.items():
            p50, p95 = np.percentile(latencies, [50, 95]) * 1000
            print(f"    {kind:<8} look-up p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  recall@10 {np.mean(recalls):.3f}")
        del index, vectors, names, days
        gc.collect()
    return 0


def _iso(day: int) -> str:
    from datetime import date

    return date.fromordinal(day).isoformat()


if __name__ == "__main__":
    sys.exit(main())
