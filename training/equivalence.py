"""Claim-equivalence model and threshold, from French STS-B (stsb-fr).

Features per pair (service.engine.claims.FEATURE_NAMES): embedding cosine, character
n-gram TF-IDF cosine, content-word Jaccard, figure and name agreement, and the
IDF-weighted share of the shorter sentence's stems found in the other. A logistic
regression predicts "asserts the same thing" on the train split, where that means
gold >= 3 ("roughly equivalent"): news outlets rarely word a fact the same way, and
a sentence that carries the same main assertion is what corroboration needs. The
decision threshold maximises F1 on the dev split.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from service.engine import claims as claims_stage
from service.engine.embed import EmbeddingCache
from service.engine.mentions import find_figures, find_names, is_negative
from service.engine.records import Sentence

from .common import DiskEmbeddings, read_stsb

SAME_CLAIM_GOLD = 3.0
# Mutual best matches between two articles need less: sharing the important details (gold >= 2)
# is enough when each sentence is the other's closest in the other article.
MUTUAL_MATCH_GOLD = 2.0


def _sentence(text: str) -> Sentence:
    s = Sentence(index=0, start=0, end=len(text), text=text, kind="claim", paragraph=0)
    s.names = find_names(text, 0, set())
    s.figures = find_figures(text)
    s.negative = is_negative(text)
    return s


def stem_idf(texts: list[str]) -> dict[str, float]:
    """Smoothed inverse document frequency of stems over training sentences."""
    from collections import Counter

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(claims_stage.stems_of(text))
    n = len(texts)
    return {stem: round(float(np.log((1 + n) / (1 + df)) + 1), 4) for stem, df in sorted(counts.items()) if df >= 2}


def pair_matrix(
    pairs: list[tuple[str, str, float]], emb: EmbeddingCache, vectorizer: TfidfVectorizer, idf: dict[str, float]
) -> np.ndarray:
    a = emb.encode([p[0] for p in pairs])
    b = emb.encode([p[1] for p in pairs])
    cos = np.sum(a * b, axis=1)
    xa = vectorizer.transform([p[0] for p in pairs])
    xb = vectorizer.transform([p[1] for p in pairs])
    chars = np.asarray(xa.multiply(xb).sum(axis=1)).ravel()
    keys = [claims_stage.sentence_key(_sentence(t)) for pair in pairs for t in pair[:2]]
    left = np.arange(0, len(keys), 2)
    return claims_stage.pair_feature_matrix(keys, left, left + 1, cos, chars, idf)


def train(
    train_pairs: list[tuple[str, str, float]],
    dev_pairs: list[tuple[str, str, float]],
    extra_texts: list[str],
    emb: DiskEmbeddings,
) -> tuple[dict[str, Any], dict[str, Any]]:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)
    corpus = [s for p in train_pairs for s in p[:2]] + extra_texts
    vectorizer.fit(corpus)
    idf = stem_idf(corpus)
    x_train = pair_matrix(train_pairs, emb, vectorizer, idf)
    x_dev = pair_matrix(dev_pairs, emb, vectorizer, idf)
    gold_train = np.asarray([p[2] for p in train_pairs])
    gold_dev = np.asarray([p[2] for p in dev_pairs])
    model = LogisticRegression(C=1.0, max_iter=3000, random_state=0)
    model.fit(x_train, (gold_train >= SAME_CLAIM_GOLD).astype(int))
    p_dev = model.predict_proba(x_dev)[:, 1]
    y_dev = gold_dev >= SAME_CLAIM_GOLD
    grid = np.round(np.arange(0.1, 0.9, 0.01), 2)
    f1s = [f1_score(y_dev, p_dev >= t) for t in grid]
    cos_grid = np.round(np.arange(0.3, 0.95, 0.01), 2)
    cos_f1 = [f1_score(y_dev, x_dev[:, 0] >= t) for t in cos_grid]
    metrics = {
        "same_claim_gold": SAME_CLAIM_GOLD,
        "spearman_dev_cosine": round(float(spearmanr(x_dev[:, 0], gold_dev).statistic) * 100, 2),
        "spearman_dev_char_cosine": round(float(spearmanr(x_dev[:, 1], gold_dev).statistic) * 100, 2),
        "spearman_dev_equivalence": round(float(spearmanr(p_dev, gold_dev).statistic) * 100, 2),
        "f1_dev_equivalence": round(float(max(f1s)), 4),
        "f1_dev_cosine_alone": round(float(max(cos_f1)), 4),
        "cosine_alone_threshold": float(cos_grid[int(np.argmax(cos_f1))]),
        "threshold": float(grid[int(np.argmax(f1s))]),
        "mutual_match_gold": MUTUAL_MATCH_GOLD,
        "mutual_threshold": float(
            grid[int(np.argmax([f1_score(gold_dev >= MUTUAL_MATCH_GOLD, p_dev >= t) for t in grid]))]
        ),
        "n_train": len(train_pairs),
        "n_dev": len(dev_pairs),
        "coefficients": dict(
            zip(claims_stage.FEATURE_NAMES, [round(float(c), 4) for c in model.coef_[0]], strict=True)
        ),
    }
    return {"vectorizer": vectorizer, "idf": idf, "model": model}, metrics


def build(data: Path, emb: DiskEmbeddings, extra_texts: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    return train(
        read_stsb(data / "stsb-fr" / "stsb-fr-train.csv"),
        read_stsb(data / "stsb-fr" / "stsb-fr-dev.csv"),
        extra_texts,
        emb,
    )
