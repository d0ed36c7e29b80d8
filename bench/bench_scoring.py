"""End-to-end scoring throughput vs embedding-only throughput on the same sentences.

    python bench/bench_scoring.py [--data ../shared/data] [--repeat 1]

Corpus: the 200 rpm2-fr-dev articles, the 5 seeds and the bundled examples (>= 200
articles). Prints the start-up time (models and dictionaries, loaded once per process and not in the
timings), articles/s end to end (cold embedding cache), the embedding-only
time for exactly the sentences the pipeline embeds, and their ratio (target >= 0.6): the best of
`--repeat` runs, and with more than one also the first run's, whose process caches start empty.
On 2 cores the embedder's speed varies by +-10% between runs: compare figures of one session.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.cli import read_articles  # noqa: E402
from service.engine.embed import EmbeddingCache  # noqa: E402
from service.engine.extract import DEFAULT_MAX_BYTES, read_path  # noqa: E402
from service.engine.pipeline import EMBEDDED_KINDS, load_resources, prepare, score_articles, warm_up  # noqa: E402
from service.engine.records import ArticleInput  # noqa: E402


def corpus(data: Path) -> list[ArticleInput]:
    articles = []
    with (data / "rpm2-fr-dev" / "documents.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            articles.append(ArticleInput(text=row["text"], title=row["title"], input=row["doc_id"]))
    for path in sorted((ROOT.parent / "shared" / "seeds").glob("*.txt")):
        articles.extend(read_path(path))
    for path in sorted((ROOT / "service" / "examples").iterdir()):
        if path.suffix in (".json", ".txt", ".html"):
            articles.extend(read_articles(path, DEFAULT_MAX_BYTES))  # as `make demo` reads them: sidecars too
    return articles


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    articles = corpus(args.data)
    # Start-up outside the timings, as a server does it once (`ScoringService` calls warm_up):
    # the embedder's weights, the other models, the language identifier, the spelling dictionaries.
    start = time.perf_counter()
    warm = load_resources()
    warm.embeddings.encode(["Phrase de mise en route du modèle."])
    warm_up()
    startup = time.perf_counter() - start

    sentences = [s.text for d in prepare(articles) for s in d.content_sentences if s.kind in EMBEDDED_KINDS]
    e2e_times, embed_times = [], []
    for _ in range(args.repeat):
        fresh = dataclasses.replace(warm, embeddings=EmbeddingCache(warm.embeddings.model))
        start = time.perf_counter()
        results = score_articles(articles, resources=fresh)
        e2e_times.append(time.perf_counter() - start)
        assert len(results) == len(articles)
        cold = EmbeddingCache(warm.embeddings.model)
        start = time.perf_counter()
        cold.encode(sentences)
        embed_times.append(time.perf_counter() - start)
    e2e, embed = min(e2e_times), min(embed_times)
    n = len(articles)
    print(f"machine: {os.cpu_count()} CPU(s); embedder: {warm.embeddings.name}")
    print(f"corpus: {n} articles, {len(sentences)} embedded sentences ({len(set(sentences))} distinct)")
    print(f"start-up (models, language identifier, dictionaries; once per process): {startup:.1f} s")
    print(f"end to end:     {e2e:7.2f} s  {n / e2e:7.1f} articles/s")
    print(
        f"embedding only: {embed:7.2f} s  {n / embed:7.1f} articles/s  ({len(set(sentences)) / embed:.0f} sentences/s)"
    )
    print(f"ratio end-to-end / embedding-only throughput: {embed / e2e:.2f} (target >= 0.60)")
    if args.repeat > 1:
        # The first run also fills the process's word caches (n-gram columns, dictionary look-ups),
        # as a server's first requests do; the best run is the steady state.
        print(f"  first run alone (cold process caches): {embed_times[0] / e2e_times[0]:.2f}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
