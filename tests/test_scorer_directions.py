"""The article scorer keeps every signal to the direction an editor expects (training/article_scorer.py)."""

from __future__ import annotations

import numpy as np

from service.engine.artifacts import read_card
from service.engine.signals import FEATURE_DIRECTION, FEATURES
from training.article_scorer import linear_coefficients, sign_constrained_logistic


def test_a_signal_fitted_against_its_direction_is_left_out_of_the_linear_model() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    wrong = FEATURES.index("derivative")  # direction -1: more derivation must never raise the score
    right = FEATURES.index("attributed_share")  # direction +1
    logit = 1.5 * x[:, right] + 2.0 * x[:, wrong]
    y = (logit + rng.normal(scale=0.5, size=400) > 0).astype(int)
    linear, left_out = sign_constrained_logistic(x, y)
    assert "derivative" in left_out
    coefficients = linear_coefficients(linear)
    assert coefficients["derivative"] == 0.0 and coefficients["attributed_share"] > 0
    assert all(FEATURE_DIRECTION[f] * c >= 0 for f, c in coefficients.items())


def test_the_bundled_scorer_follows_every_direction() -> None:
    metrics = read_card("article_scorer")["metrics"]
    assert all(FEATURE_DIRECTION[f] * c >= 0 for f, c in metrics["linear_coefficients"].items())
    assert metrics["monotonic_constraints_of_trees"] == FEATURE_DIRECTION
