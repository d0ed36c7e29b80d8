"""Story figures on real multi-outlet news (issue 12), for `reliability eval`.

- basil-dev as one batch: ARI of the story rule against the event, the widest story in days,
  how many stories it finds for the 50 events, and how many articles are called a rewrite
  (`derivative`) though the three outlets are separate newsrooms;
- basil-dev ingested through the store one article at a time in date order (ScoringService,
  as `POST /v1/articles` does, on a temporary SQLite file): ARI of the stored story ids;
- one batch of basil-dev + rpm2-fr-dev + horne2017-random-dev + the seeds + the bundled
  examples: the largest drop of basil's and rpm2's ARI from their ARI alone, whether the five
  seeds form one story of their own, and how many stories mix English and French articles.

Each grouping is `story.group_articles` on lead vectors (the batch runner's rule); the store
figure goes through `ScoringService.score`, candidates and all.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import adjusted_rand_score

from service.engine import story
from service.engine.extract import read_path
from service.engine.pipeline import Resources, analyze, lead_vector, prepare
from service.engine.records import ArticleInput, Document

from .common import article_input, read_labelled_articles, read_rpm2
from .flag_eval import flags_per_article

EXAMPLES = Path(__file__).resolve().parent.parent / "service" / "examples"


def lead_vectors(docs: list[Document], res: Resources) -> np.ndarray:
    """One unit vector per article, as the store and the batch compare them (`pipeline.lead_vector`)."""
    return np.stack([lead_vector(doc, res.embeddings) for doc in docs])


def group(docs: list[Document], vectors: np.ndarray, res: Resources) -> list[int]:
    names = [story.article_names(d) for d in docs]
    return story.group_articles(vectors, names, [d.published_at for d in docs], res.thresholds["story"])


def widest_story_days(labels: list[int], docs: list[Document]) -> int:
    days: dict[int, list[int]] = {}
    for label, doc in zip(labels, docs, strict=True):
        day = story.day_number(doc.published_at)
        if day is not None:
            days.setdefault(label, []).append(day)
    return max((max(d) - min(d) for d in days.values()), default=0)


def basil_batch_figures(data: Path, res: Resources) -> tuple[dict[str, float], list[dict[str, Any]]]:
    rows = read_labelled_articles(data / "basil-dev")
    docs = prepare([article_input(r) for r in rows])
    labels = group(docs, lead_vectors(docs, res), res)
    # The whole analysis, as `reliability batch` runs it: three independent newsrooms per event,
    # so every `derivative` flag here is a false accusation.
    analyses = analyze(docs, res)
    derived = sum(1 for analysis in analyses if analysis.derivative_of)
    return {
        **flags_per_article(analyses, "basil"),
        "story_ari_basil_batch": round(float(adjusted_rand_score([r["event"] for r in rows], labels)), 4),
        "story_basil_widest_story_days": widest_story_days(labels, docs),
        "story_basil_stories_for_50_events": len(set(labels)),
        "provenance_basil_derivative_flags": derived,
    }, rows


def basil_store_ari(rows: list[dict[str, Any]], res: Resources) -> float:
    """ARI of the story ids the store gives basil-dev ingested one article at a time, oldest first."""
    from service.store.scoring_service import ScoringService

    ordered = sorted(rows, key=lambda r: (r.get("published_at") or "", r["id"]))
    with tempfile.TemporaryDirectory(prefix="basil-store-") as tmp:
        settings = {
            "database_url": f"sqlite:///{tmp}/store.db",
            "story_candidates": 50,
            "story_max_articles": 25,
            "max_article_chars": 0,
        }
        service = ScoringService(settings, resources=res)
        story_of = {}
        for row in ordered:
            result = service.score([article_input(row)], persist=True)[0]
            story_of[row["id"]] = result["article_id"]
        stored = {a: service.store.get(a) for a in story_of.values()}
        labels = [stored[story_of[r["id"]]]["story_id"] for r in ordered]  # type: ignore[index]
        service.store.dispose()
    return round(float(adjusted_rand_score([r["event"] for r in ordered], labels)), 4)


def mixed_batch_figures(
    data: Path, seeds: Path | None, res: Resources, basil_rows: list[dict[str, Any]]
) -> dict[str, Any]:
    rpm2 = read_rpm2(data)
    horne = read_labelled_articles(data / "horne2017-random-dev")
    parts: dict[str, list[ArticleInput]] = {
        "basil": [article_input(r) for r in basil_rows],
        "rpm2": [ArticleInput(text=r["text"], title=r["title"], input=r["doc_id"]) for r in rpm2],
        "horne": [article_input(r) for r in horne],
        "seeds": [a for p in sorted(seeds.glob("0*.txt")) for a in read_path(p)] if seeds and seeds.is_dir() else [],
        "examples": [
            a
            for p in sorted(EXAMPLES.iterdir())
            if p.suffix != ".md" and not p.name.endswith(".meta.json")
            for a in read_path(p)
        ],
    }
    gold = {"basil": [r["event"] for r in basil_rows], "rpm2": [r["topic"] for r in rpm2]}
    docs = {name: prepare(articles) for name, articles in parts.items() if articles}
    vectors = {name: lead_vectors(d, res) for name, d in docs.items()}
    alone = {name: adjusted_rand_score(gold[name], group(docs[name], vectors[name], res)) for name in gold}
    all_docs = [d for name in docs for d in docs[name]]
    labels = group(all_docs, np.vstack([vectors[name] for name in docs]), res)
    position, together, seeds_alone_one = 0, {}, False
    for name in docs:
        part = labels[position : position + len(docs[name])]
        if name in gold:
            together[name] = adjusted_rand_score(gold[name], part)
        if name == "seeds":
            seed_labels = set(part)
            others = set(labels[:position]) | set(labels[position + len(part) :])
            seeds_alone_one = len(seed_labels) == 1 and not (seed_labels & others)
        position += len(docs[name])
    languages: dict[int, set[str]] = {}
    for label, doc in zip(labels, all_docs, strict=True):
        languages.setdefault(label, set()).add(doc.language)
    figures = {
        "story_mixed_batch_largest_ari_drop": round(float(max(alone[n] - together[n] for n in gold)), 4),
        "story_mixed_batch_stories_mixing_en_fr": sum(1 for found in languages.values() if {"en", "fr"} <= found),
    }
    if "seeds" in docs:
        figures["story_mixed_batch_seeds_one_story"] = int(seeds_alone_one)
    return figures


def story_figures_real(data: Path, seeds: Path | None, res: Resources) -> dict[str, Any]:
    figures, basil_rows = basil_batch_figures(data, res)
    figures["story_ari_basil_store_in_date_order"] = basil_store_ari(basil_rows, res)
    figures.update(mixed_batch_figures(data, seeds, res, basil_rows))
    return figures
