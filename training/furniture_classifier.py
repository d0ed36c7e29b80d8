"""Furniture line classifier: one line of a pasted page -> P(page furniture) (issue 13).

The listed vocabulary (`service.engine.lexicon.FURNITURE_PATTERNS`) only knows the kinds seen so
far; this model reads lines of kinds it does not list. Model: a logistic regression (balanced
class weights) on character 2-5-grams of the lower-cased line (TF-IDF, within word bounds, so
"Partager", "Share", "IMG_", "@handle" and "°C" all count). Features of the line's shape
(length, sentence ending, capitals, separators) were tried and left out: they made every short
subheading ("Imprécisions", "LES FAITS") look like a menu item, and lowered the recall below.

Data, none of it from the seeds or from the test bank:
- furniture (label 1): `training/furniture_bank_design.json` (27 kinds, English and French,
  written for this by a helper who had not seen the product's vocabulary) and the furniture lines
  of the article model's corruptions (`corruptions.FURNITURE_LINES_FR`);
- article text (label 0): the headlines and paragraphs of rpm2-fr-dev's topics 1-8 (French news),
  horne2017-random-dev's headlines (its bodies are scraped pages that still hold furniture),
  CheckThat! 2025 subjectivity train sentences (English news) and STS-B fr train sentences (short
  plain French sentences), and `training/furniture_article_lines.json`: article lines that look
  like furniture (subheadings, datelines, scores; apps, polls or cookies as the subject of the
  reporting), written for this by a helper.

Threshold (precision first): the lowest of `THRESHOLD_GRID` at which the classifier, on the lines
it judges (`furniture.line_candidates`), flags at most `MOST_FLAGS_PER_ARTICLE` lines per article
of basil-dev and rpm2-fr-dev, professional news with almost no furniture; issue 13's ceiling is
0.02 false furniture per article, and every flag is counted false here.
C: the one of `C_GRID` whose model recalls most furniture of kinds it never saw at that threshold:
out-of-fold over five folds that each hold out whole kinds of the design bank (`by_C` in the
card). Recall on kinds of another writer is measured by `training/furniture_eval.py` with the
test bank, never read while building this.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline

from service.engine import furniture
from service.engine.normalize import normalize_text

from .common import read_labelled_articles, read_rpm2, read_stsb, read_subjectivity
from .corruptions import FURNITURE_LINES_FR

C_GRID = (1.0, 3.0, 10.0, 30.0)
THRESHOLD_GRID = tuple(round(0.5 + 0.01 * k, 2) for k in range(50))  # 0.50 ... 0.99
MOST_FLAGS_PER_ARTICLE = 0.01
HELD_OUT_TOPICS = {9, 10}  # rpm2 topics kept out of the training rows, as generic_classifier does
DESIGN_BANK = Path(__file__).with_name("furniture_bank_design.json")
ARTICLE_LINES = Path(__file__).with_name("furniture_article_lines.json")


def _lines(text: str | None) -> list[str]:
    return [line for line in normalize_text(text or "").split("\n") if line.strip()]


def _model(c: float) -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True),
        LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=0),
    )


def training_rows(data: Path, seed: int) -> tuple[list[str], np.ndarray, list[str], dict[str, int]]:
    """(lines, labels, groups, sizes): a furniture line's group is its kind, so that folds by group
    hold out whole kinds; article lines fall in five seeded groups."""
    negatives: list[str] = []
    sizes: dict[str, int] = {}
    before = 0
    for row in read_rpm2(data):
        if row["topic"] not in HELD_OUT_TOPICS:
            negatives += _lines(row["title"]) + _lines(row["text"])
    sizes["rpm2_lines"] = len(negatives) - before
    before = len(negatives)
    for row in read_labelled_articles(data / "horne2017-random-dev"):
        negatives += _lines(row.get("title"))
    sizes["horne_headlines"] = len(negatives) - before
    before = len(negatives)
    negatives += [normalize_text(s) for s, _ in read_subjectivity(data / "checkthat-subjectivity-en" / "train_en.tsv")]
    sizes["checkthat_sentences"] = len(negatives) - before
    before = len(negatives)
    negatives += sorted({normalize_text(p[0]) for p in read_stsb(data / "stsb-fr" / "stsb-fr-train.csv")})
    sizes["stsb_fr_sentences"] = len(negatives) - before
    before = len(negatives)
    hard = json.loads(ARTICLE_LINES.read_text(encoding="utf-8"))["kinds"]
    negatives += [normalize_text(line) for lines in hard.values() for line in lines]
    sizes["article_lines_like_furniture"] = len(negatives) - before
    kinds = json.loads(DESIGN_BANK.read_text(encoding="utf-8"))["kinds"]
    positives = [normalize_text(line) for lines in kinds.values() for line in lines]
    groups = [kind for kind, lines in kinds.items() for _ in lines]
    listed = [normalize_text(line.format(n=12, title="Le titre d'un autre article")) for line in FURNITURE_LINES_FR]
    positives += listed
    groups += ["corruptions"] * len(listed)
    sizes["furniture_lines"] = len(positives)
    rng = np.random.RandomState(seed)
    groups = [f"article_lines_{rng.randint(5)}" for _ in negatives] + groups
    return negatives + positives, np.array([0] * len(negatives) + [1] * len(positives)), groups, sizes


def professional_candidates(data: Path) -> tuple[list[str], int]:
    """The lines the classifier would judge in basil-dev and rpm2-fr-dev, and the article count."""
    texts = [(r.get("title"), r["text"]) for r in read_labelled_articles(data / "basil-dev")]
    texts += [(r["title"], r["text"]) for r in read_rpm2(data)]
    out: list[str] = []
    for title, text in texts:
        lines = _lines(title) + _lines(text)
        out += [lines[i] for i in furniture.line_candidates(lines, furniture.rule_reasons(lines))]
    return out, len(texts)


def _threshold(p: np.ndarray, n_articles: int) -> tuple[float, dict[float, float]]:
    """The lowest threshold of the grid within the professional ceiling (1.0: none is)."""
    per_article = {t: round(float(np.sum(p >= t)) / n_articles, 4) for t in THRESHOLD_GRID}
    ok = [t for t in THRESHOLD_GRID if per_article[t] <= MOST_FLAGS_PER_ARTICLE]
    return min(ok, default=1.0), per_article


def build(data: Path, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit; returns ({"pipeline", "threshold"}, metrics for the card)."""
    x, y, groups, sizes = training_rows(data, seed)
    lines, n_articles = professional_candidates(data)
    folds = GroupKFold(n_splits=5)
    by_c: dict[float, dict[str, float]] = {}
    for c in C_GRID:
        oof = np.zeros(len(y))
        for train, test in folds.split(x, y, groups):
            fold_model = _model(c).fit([x[i] for i in train], y[train])
            oof[test] = fold_model.predict_proba([x[i] for i in test])[:, 1]
        threshold, _ = _threshold(_model(c).fit(x, y).predict_proba(lines)[:, 1], n_articles)
        by_c[c] = {
            "threshold": threshold,
            "recall_unseen_kinds": round(float(np.mean(oof[y == 1] >= threshold)), 4),
            "average_precision_unseen_kinds": round(float(average_precision_score(y, oof)), 4),
        }
    best = max(C_GRID, key=lambda c: (by_c[c]["recall_unseen_kinds"], -c))
    pipeline = _model(best).fit(x, y)
    p = pipeline.predict_proba(lines)[:, 1]
    threshold, per_article = _threshold(p, n_articles)
    flagged = sorted(line for line, prob in zip(lines, p, strict=True) if prob >= threshold)
    return {"pipeline": pipeline, "threshold": threshold}, {
        "C": best,
        "threshold": threshold,
        "by_C": {str(c): v for c, v in by_c.items()},
        "professional_flags_per_article_by_threshold": {
            str(t): v for t, v in per_article.items() if round(100 * t) % 5 == 0
        },
        "professional_lines_flagged_at_threshold": flagged,
        "n_professional_articles": n_articles,
        "n_professional_lines_judged": len(lines),
        **{f"n_{k}": v for k, v in sizes.items()},
    }
