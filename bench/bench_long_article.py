"""Cost of one long article: time and extra peak memory at 5k, 25k and 100k characters (issue 15).

    python bench/bench_long_article.py [--data ../shared/data] [--repeat 1] [--sizes 5000,25000,99000]

Each article is scored alone, in a fresh process per size and repeat, so that the peak resident
memory of one size is not hidden by another's. In that process the models, the language
identifier and the dictionaries are loaded and a short article is scored first (as a server does
at start: `ScoringService` calls warm_up); only then are the clock started and the peak reset.
The article's sentences are embedded cold (a fresh embedding cache).

Articles, read from the shared data (never copied into the project):
- fr: paragraphs of rpm2-fr-dev articles one after another (ordinary French news, many topics);
- en: paragraphs of basil-dev articles one after another (ordinary English news);
- near-identical: one sentence repeated with a changing figure and place (the adversarial case
  for anything that compares the sentences of one article with each other).
"100k" is 99,000 characters: under the default cap of 100,000 (RELIABILITY_MAX_ARTICLE_CHARS).

Prints, per article and size, the seconds (min over repeats), the extra peak RSS over the
resident memory after start-up, and the ratios 100k/25k; exits 1 when the acceptance bounds of
issue 15 fail: 100k at most 5x the time of 25k, at most 10 s and 500 MB of extra memory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAX_RATIO = 5.0  # time of 100k / time of 25k
MAX_SECONDS = 10.0  # for 100k
MAX_EXTRA_MB = 500.0  # extra peak RSS for 100k
SERIES = ("fr", "fr+mate", "en", "en+mate", "near-identical", "near-identical+mate")


def rss_mb() -> float:
    """Resident memory of this process now, in MB (/proc/self/status VmRSS)."""
    return _status_kb("VmRSS") / 1024


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: since `reset_peak`, when that worked), in MB."""
    return _status_kb("VmHWM") / 1024


def reset_peak() -> bool:
    """Reset the peak-RSS mark to the current RSS (Linux: write 5 to /proc/self/clear_refs), so
    that the peak measured afterwards is the scoring's alone and not start-up's; False when the
    kernel refuses (the peak then includes start-up's, an over-estimate)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _status_kb(field: str) -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return float(line.split()[1])
    return 0.0


def _source_texts(kind: str, data: Path) -> tuple[list[str], dict[str, str]]:
    """The texts whose paragraphs make the long article (the lead first), and a short article of the
    same story, left out of them (as the store scores a new article with its stored story mates)."""
    if kind == "fr":
        with (data / "rpm2-fr-dev" / "documents.jsonl").open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        mate = next(r for r in rows[1:] if r["cluster"] == rows[0]["cluster"])
    else:
        folder = data / "basil-dev"
        with (folder / "labels.jsonl").open(encoding="utf-8") as handle:
            labels = [json.loads(line) for line in handle if line.strip()]
        rows = [json.loads((folder / "articles" / f"{r['id']}.json").read_text(encoding="utf-8")) for r in labels]
        mate = next(r for r, label in zip(rows[1:], labels[1:], strict=True) if label["event"] == labels[0]["event"])
    rest = [r for r in rows[1:] if r is not mate]
    # The lead article, then the others in a fixed shuffled order: one article about many topics,
    # as a long live blog or a press review reads.
    random.Random(15).shuffle(rest)
    texts = [r["text"] for r in [rows[0], *rest]]
    return texts, {"title": mate["title"], "text": mate["text"]}


def _near_identical(k: int) -> str:
    places = ["Lyon", "Lille", "Nantes", "Rennes", "Dijon", "Tours", "Brest", "Metz", "Caen", "Nice", "Pau"]
    return (
        f"Selon la préfecture, {120 + 7 * k} habitants de {places[k % len(places)]} ont été évacués "
        f"mardi après la crue, et {k % 9 + 2} écoles resteront fermées jusqu'à lundi."
    )


def build_article(kind: str, size: int, data: Path) -> dict[str, str]:
    """An article of `size` characters (cut at a paragraph, never above `size`) of the given kind."""
    if kind == "near-identical":
        # Paragraphs of three sentences, as a press release that repeats itself would have them.
        paragraphs = [" ".join(_near_identical(3 * k + j) for j in range(3)) for k in range(size // 100)]
        title = "Crue : des centaines d'habitants évacués"
    else:
        texts, _ = _source_texts(kind, data)
        paragraphs = [p.strip() for text in texts for p in text.split("\n") if len(p.split()) >= 8]
        title = paragraphs[0][:120]
    body: list[str] = []
    length = 0
    for paragraph in paragraphs:
        if length + len(paragraph) + 2 > size:
            break
        body.append(paragraph)
        length += len(paragraph) + 2
    return {"title": title, "text": "\n\n".join(body)}


def story_mate(kind: str, data: Path) -> dict[str, str]:
    """A short article of the long article's story (not part of it)."""
    if kind == "near-identical":
        text = " ".join(_near_identical(100_000 + k) for k in range(8))
        return {"title": "Crue : des habitants évacués", "text": text}
    return _source_texts(kind, data)[1]


def child(series: str, size: int, data: Path) -> dict[str, object]:
    """Start up as a server does, then score one article (with its story mate for "KIND+mate")."""
    import dataclasses
    import time

    from service.engine.embed import EmbeddingCache
    from service.engine.pipeline import load_resources, score_articles, warm_up

    kind, _, with_mate = series.partition("+")
    before_load = rss_mb()
    res = load_resources()
    res.embeddings.encode(["Phrase de mise en route du modèle."])
    warm_up()
    score_articles(["Le conseil a voté mardi. La mesure coûtera 12 millions d'euros, selon la mairie."], resources=res)
    article = build_article(kind, size, data)
    items = [article, story_mate(kind, data)] if with_mate else [article]
    embedding = _TimedEncoder(res.embeddings.model)
    fresh = dataclasses.replace(res, embeddings=EmbeddingCache(embedding))
    baseline = rss_mb()
    exact_peak = reset_peak()
    start = time.perf_counter()
    out = score_articles(items, resources=fresh)
    seconds = time.perf_counter() - start
    return {
        "series": series,
        "chars": len(article["text"]),
        "seconds": seconds,
        "embed_seconds": embedding.seconds,
        "sentences": embedding.texts,
        "load_mb": baseline - before_load,
        "baseline_mb": baseline,
        "peak_mb": peak_mb(),
        "exact_peak": exact_peak,
        "one_story": len({o["story_id"] for o in out}) == 1,
    }


class _TimedEncoder:
    """The embedder, timed: the sentence embedder's share of the time (linear in sentences)."""

    def __init__(self, model: object) -> None:
        self.model = model
        self.seconds = 0.0
        self.texts = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.model, name)

    def encode(self, texts: list[str], **kwargs: object) -> object:
        import time

        start = time.perf_counter()
        try:
            return self.model.encode(texts, **kwargs)  # type: ignore[attr-defined]
        finally:
            self.seconds += time.perf_counter() - start
            self.texts += len(texts)


def measure(series: str, size: int, data: Path) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", series, "--sizes", str(size), "--data", str(data)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        raise SystemExit(f"{series} {size}: the scoring process failed:\n{proc.stderr[-3000:]}")
    row: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    row["extra_mb"] = row["peak_mb"] - row["baseline_mb"]
    return row


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per size; the minimum is kept")
    parser.add_argument("--sizes", default="5000,25000,99000", help="characters; the last two are compared")
    parser.add_argument("--series", default=",".join(SERIES), help="articles: KIND or KIND+mate")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one measurement, in this process
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(child(args.child, sizes[0], args.data)))
        return 0
    print(
        f"machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; one article per process; "
        f"min over {args.repeat} run(s)"
    )
    print(f"{'article':>20} {'chars':>7} {'sentences':>9} {'seconds':>8} {'embedding':>9} {'extra peak RSS':>15}")
    failures = []
    for series in args.series.split(","):
        rows = []
        for size in sizes:
            runs = [measure(series, size, args.data) for _ in range(args.repeat)]
            best = {
                **runs[0],
                "seconds": min(r["seconds"] for r in runs),
                "embed_seconds": min(r["embed_seconds"] for r in runs),
                "extra_mb": min(r["extra_mb"] for r in runs),
            }
            rows.append(best)
            note = "" if best["exact_peak"] else " (peak not reset: includes start-up)"
            note += "" if best["one_story"] or "+" not in series else " (mate in another story)"
            print(
                f"{series:>20} {best['chars']:>7} {best['sentences']:>9} {best['seconds']:>8.2f} "
                f"{best['embed_seconds']:>9.2f} {best['extra_mb']:>12.0f} MB{note}",
                flush=True,
            )
        if len(rows) < 2:
            continue
        mid, big = rows[-2], rows[-1]
        ratio = big["seconds"] / max(mid["seconds"], 1e-9)
        rest = (big["seconds"] - big["embed_seconds"]) / max(mid["seconds"] - mid["embed_seconds"], 1e-9)
        print(
            f"{series:>20} ratio {big['chars']}/{mid['chars']} chars ({big['chars'] / mid['chars']:.1f}x): "
            f"time {ratio:.2f}x (at most {MAX_RATIO:.0f}x; {rest:.2f}x without embedding), "
            f"extra memory {big['extra_mb']:.0f}/{max(mid['extra_mb'], 1.0):.0f} MB"
        )
        if ratio > MAX_RATIO:
            failures.append(f"{series}: {ratio:.1f}x the time of {mid['chars']} characters")
        if big["seconds"] > MAX_SECONDS:
            failures.append(f"{series}: {big['seconds']:.1f} s (at most {MAX_SECONDS:.0f} s)")
        if big["extra_mb"] > MAX_EXTRA_MB:
            failures.append(f"{series}: {big['extra_mb']:.0f} MB of extra memory (at most {MAX_EXTRA_MB:.0f} MB)")
    for failure in failures:
        print(f"FAIL {failure}")
    print("acceptance: " + ("FAILED" if failures else "passed"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
