"""Does the score rank what a reader cares about? (issue 14), for `reliability eval`.

Outlet labels are the data sets' own, not ours: horne2017-random-dev's "real", "fake" and
"satire" outlets (Business Insider's "most trusted" list and Zimdars' 2016 list), and
basil-dev's three outlets per event, which raters such as NewsGuard and Media Bias/Fact Check
rate for factual reporting nytimes.com above foxnews.com. The base scorer is trained on neither;
the style term (`training/style_scorer.py`) is fitted on horne and its weight chosen on the
professional shares of basil and rpm2, so the horne figures here are in sample: the out-of-fold
ones are `judgement_horne_cross_validated_*`, from the style term's card.

- `judgement_horne_{batch,alone}_auc_real_vs_{fake,satire}`: ROC AUC of the score, real articles
  against fake (or satire) ones, the set scored as one batch and each article alone;
  `judgement_horne_batch_mean_{real,fake,satire}`: mean scores.
- `judgement_basil_p_nyt_above_fox`: over basil's events, the share where the nytimes.com article
  scores above the foxnews.com one (ties count half).
- `judgement_professional_{unreliable,mixed}_share`: the share of basil-dev and rpm2-fr-dev
  articles (professional news, each set scored as one batch) labelled so.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from service.engine.pipeline import Resources, score_articles

from .common import article_input, read_labelled_articles, rpm2_inputs


def _auc(scores: list[float], labels: list[str], positive: str, negative: str) -> float:
    pairs = [(s, label == positive) for s, label in zip(scores, labels, strict=True) if label in (positive, negative)]
    return round(float(roc_auc_score([p for _, p in pairs], [s for s, _ in pairs])), 4)


def horne_figures(data: Path, res: Resources) -> dict[str, Any]:
    rows = read_labelled_articles(data / "horne2017-random-dev")
    inputs = [article_input(r) for r in rows]
    labels = [r["label"] for r in rows]
    batch = [r["score"] for r in score_articles(inputs, resources=res)]
    alone = [score_articles([a], resources=res)[0]["score"] for a in inputs]
    out: dict[str, Any] = {}
    for name, scores in (("batch", batch), ("alone", alone)):
        out[f"judgement_horne_{name}_auc_real_vs_fake"] = _auc(scores, labels, "real", "fake")
        out[f"judgement_horne_{name}_auc_real_vs_satire"] = _auc(scores, labels, "real", "satire")
    for label in ("real", "fake", "satire"):
        mean = np.mean([s for s, lab in zip(batch, labels, strict=True) if lab == label])
        out[f"judgement_horne_batch_mean_{label}"] = round(float(mean), 1)
    return out


def professional_figures(data: Path, res: Resources) -> dict[str, Any]:
    basil_rows = read_labelled_articles(data / "basil-dev")
    basil = score_articles([article_input(r) for r in basil_rows], resources=res)
    rpm2 = score_articles(rpm2_inputs(data), resources=res)
    by_event: dict[str, dict[str, float]] = defaultdict(dict)
    for row, result in zip(basil_rows, basil, strict=True):
        by_event[row["event"]][row["outlet"]] = result["score"]
    duels = [
        1.0 if e["nyt"] > e["fox"] else 0.5 if e["nyt"] == e["fox"] else 0.0
        for e in by_event.values()
        if "nyt" in e and "fox" in e
    ]
    labels = [r["label"] for r in basil + rpm2]
    return {
        "judgement_basil_p_nyt_above_fox": round(sum(duels) / max(1, len(duels)), 4),
        "judgement_professional_unreliable_share": round(labels.count("unreliable") / len(labels), 4),
        "judgement_professional_mixed_share": round(labels.count("mixed") / len(labels), 4),
    }


def judgement_figures(data: Path, res: Resources) -> dict[str, Any]:
    return {**horne_figures(data, res), **professional_figures(data, res)}
