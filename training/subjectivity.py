"""Sentence subjectivity: does a sentence state an opinion rather than report? (issue 14)

Data: CLEF 2025 CheckThat! task 1, English news sentences labelled SUBJ / OBJ (train 830, dev 462;
CC BY-NC-SA 4.0). Model: a logistic regression on the multilingual sentence embeddings (the
service's embedder, so it reads French through the same space), balanced class weights (the
train split is 36% SUBJ, dev 52%), so 0.5 is the decision threshold (`style.SUBJECTIVE_AT`).
The regularisation C is chosen by macro-F1 over five stratified folds of the train split only;
the dev split is scored once, for the card. French has no labelled split here: the card reports
the share of rpm2-fr-dev claim sentences (professional news) the model calls opinion.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from .common import read_subjectivity

C_GRID = (0.1, 0.3, 1.0, 3.0)


def _model(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=0)


def build(data: Path, emb: Any, french_sentences: list[str], seed: int) -> tuple[LogisticRegression, dict[str, Any]]:
    """Fit on CheckThat! train (C by 5-fold macro-F1 on train); metrics on its dev split.

    `french_sentences`: rpm2-fr-dev claim sentences, for the share called opinion (no labels).
    Returns (fitted classifier over embedding rows, metrics for the card).
    """
    train = read_subjectivity(data / "checkthat-subjectivity-en" / "train_en.tsv")
    dev = read_subjectivity(data / "checkthat-subjectivity-en" / "dev_en.tsv")
    x_train = np.asarray(emb.encode([s for s, _ in train]))
    y_train = np.asarray([y for _, y in train])
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    by_c = {}
    for c in C_GRID:
        predicted = cross_val_predict(_model(c), x_train, y_train, cv=folds)
        by_c[c] = round(float(f1_score(y_train, predicted, average="macro")), 4)
    best = max(C_GRID, key=lambda c: (by_c[c], -c))  # ties: the stronger regularisation
    model = _model(best).fit(x_train, y_train)
    x_dev = np.asarray(emb.encode([s for s, _ in dev]))
    y_dev = np.asarray([y for _, y in dev])
    dev_pred = model.predict(x_dev)
    french = model.predict(np.asarray(emb.encode(french_sentences))) if french_sentences else np.zeros(0)
    return model, {
        "C": best,
        "macro_f1_train_cross_validated_by_C": {str(c): f for c, f in by_c.items()},
        "macro_f1_dev": round(float(f1_score(y_dev, dev_pred, average="macro")), 4),
        "accuracy_dev": round(float(accuracy_score(y_dev, dev_pred)), 4),
        "n_train": len(train),
        "n_dev": len(dev),
        "share_subjective_dev_gold": round(float(y_dev.mean()), 4),
        "share_subjective_rpm2_claims": round(float(french.mean()), 4) if len(french) else None,
        "n_rpm2_claims": len(french_sentences),
    }
