"""Signals -> calibrated 0-100 score, label, confidence and per-component contributions.

The model is the trained artifact `models/article_scorer.joblib` (a dict holding a
calibrated scikit-learn classifier, its feature order and the baseline feature
values of a typical training article). Contributions are "what the score would
lose or gain if this component looked like a typical article's": the score minus
the score with that component's features reset to the baseline. They need not add up
to the score minus the typical article's score (`baseline_score`): the model is not
additive, and components interact.

Reporting style (`style.py`) is scored apart, as an additive term on the log-odds (issue 14):
`logit(p) = logit(p_base) + clip(weight * (d(style) - offset), +-STYLE_TERM_CAP)`, where d is a
sign-constrained logistic regression trained on horne2017-random-dev's outlet labels, `offset` its value on the typical
real-outlet article (so that one scores as the base model says) and `weight` the largest that
keeps the English professional articles (basil-dev) within the quality gate's mixed and unreliable
ceilings (`models/style_scorer.joblib`, `training/style_scorer.py`). It applies to the languages
it was learned on (`STYLE_LANGUAGES`); elsewhere the term is 0. Its contribution is exact: the
score minus the score without the term.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .normalize import language_code
from .signals import COMPONENT_OF, COMPONENTS, FEATURES
from .style import FEATURE_SIGN
from .threads import limited_threads

LABELS = (("reliable", 65.0), ("mixed", 40.0), ("unreliable", 0.0))
# Components judged against other outlets' articles. An article with no independent article in its
# story (coverage "insufficient_coverage") has nothing to be judged on there: it is scored as if
# they were a typical article's (the baseline), so they neither cost nor earn it points (issue 14),
# and it is scored on what it contains (attribution, specificity, presentation, derivation).
CROSS_SOURCE_COMPONENTS = ("corroboration", "unsupported_claims", "contradiction", "name_consistency")


def neutral_when_alone(rows: np.ndarray, baseline: np.ndarray, alone: np.ndarray) -> np.ndarray:
    """`rows` (articles x FEATURES) with the CROSS_SOURCE_COMPONENTS features of the `alone` rows
    (boolean, per row) set to `baseline` (per feature); a copy. Training applies it as scoring does."""
    cols = np.array([i for i, f in enumerate(FEATURES) if COMPONENT_OF[f] in CROSS_SOURCE_COMPONENTS])
    out = np.array(rows, dtype=np.float64, copy=True)
    out[np.ix_(np.asarray(alone, dtype=bool), cols)] = np.asarray(baseline, dtype=np.float64)[cols]
    return out


def label_for(score: float) -> str:
    return next(name for name, floor in LABELS if score >= floor)


STYLE_LANGUAGES = ("en",)
# The most the style term moves the log-odds, either way: style alone can take the typical clean
# article (84, `baseline_score`) down to about 55 (mixed), never to unreliable (style is not fact).
STYLE_TERM_CAP = 1.5


def style_logit(style_bundle: dict[str, Any] | None, style_rows: np.ndarray, applies: np.ndarray) -> np.ndarray:
    """The style term added to each article's log-odds (0 where it does not apply or no model).

    `style_rows`: articles x `style.FEATURE_SIGN` (all style values, in that order). Each value
    the model reads is clipped to the range its training data spanned (`style_bundle["low"]`,
    `["high"]`: no extrapolation), and the term to +-STYLE_TERM_CAP."""
    out = np.zeros(len(style_rows))
    if style_bundle is None or not np.any(applies):
        return out
    if not set(style_bundle["features"]) <= set(FEATURE_SIGN):
        from service.errors import ModelArtifactError

        raise ModelArtifactError("style_scorer was trained on other features; retrain with `python -m training`")
    cols = [list(FEATURE_SIGN).index(f) for f in style_bundle["features"]]
    x = np.clip(np.asarray(style_rows, dtype=np.float64)[applies][:, cols], style_bundle["low"], style_bundle["high"])
    with limited_threads(1, user_api="openmp"):
        d = style_bundle["model"].decision_function(x)
    out[applies] = np.clip(style_bundle["weight"] * (d - style_bundle["offset"]), -STYLE_TERM_CAP, STYLE_TERM_CAP)
    return out


def add_to_logit(p: np.ndarray, term: np.ndarray) -> np.ndarray:
    """Probabilities `p` with `term` added to their log-odds (elementwise); where the term is 0,
    `p` exactly (no round trip through the logit)."""
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.where(term == 0, p, 1.0 / (1.0 + np.exp(-(np.log(q / (1 - q)) + term))))


def predict(
    bundle: dict[str, Any] | None,
    rows: np.ndarray,
    independent_sources: list[int],
    style_bundle: dict[str, Any] | None = None,
    style_rows: np.ndarray | None = None,
    languages: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Scores for `rows` (articles x FEATURES): probability, 0-100 score, label, confidence and
    per-component contributions in points. With `style_bundle`, `style_rows` (articles x
    `style_bundle["features"]`) and `languages`, the style term is added (module docstring)."""
    if bundle is None:
        return [
            {"probability": 0.5, "score": 50.0, "label": "mixed", "confidence": 0.0, "contributions": {}}
            for _ in range(len(rows))
        ]
    if list(bundle["features"]) != FEATURES:
        from service.errors import ModelArtifactError

        raise ModelArtifactError("article_scorer was trained on other features; retrain with `python -m training`")
    model = bundle["model"]
    baseline = np.asarray(bundle["baseline"], dtype=np.float64)
    rows = neutral_when_alone(rows, baseline, np.asarray(independent_sources) == 0)
    # One predict_proba call for the rows and every "component reset to baseline" copy of them:
    # gradient boosting's per-call (OpenMP) overhead dominates at a few rows, so calls are what count.
    stacked = [rows]
    for component in COMPONENTS:
        cols = [i for i, f in enumerate(FEATURES) if COMPONENT_OF[f] == component]
        reset = rows.copy()
        reset[:, cols] = baseline[cols]
        stacked.append(reset)
    with limited_threads(1, user_api="openmp"):  # a few dozen rows: threads cost more than they save
        all_proba = model.predict_proba(np.vstack(stacked))[:, 1]
    n = len(rows)
    term = np.zeros(n)
    if style_bundle is not None and style_rows is not None and languages is not None:
        applies = np.isin([language_code(x) or "" for x in languages], STYLE_LANGUAGES)
        term = style_logit(style_bundle, style_rows, applies)
    base_proba = all_proba[:n]  # the base model's own probability
    all_proba = add_to_logit(all_proba, np.tile(term, len(stacked)))
    proba = all_proba[:n]
    contributions: list[dict[str, float]] = [{} for _ in range(n)]
    for c, component in enumerate(COMPONENTS, start=1):
        without = all_proba[c * n : (c + 1) * n]
        for k in range(n):
            contributions[k][component] = round(100.0 * float(proba[k] - without[k]), 1)
    if style_bundle is not None:  # exact on the rounded scores: the score minus the base model's
        for k in range(n):
            shown, base_shown = round(100.0 * float(proba[k]), 1), round(100.0 * float(base_proba[k]), 1)
            contributions[k]["style"] = round(shown - base_shown, 1)
    out = []
    for k, p in enumerate(proba):
        score = round(100.0 * float(p), 1)
        coverage = min(1.0, (independent_sources[k] + 1) / 4.0)
        confidence = float(np.clip(0.5 * coverage + 0.5 * abs(2 * p - 1), 0.05, 0.99))
        out.append(
            {
                "probability": float(p),
                "score": score,
                "label": label_for(score),
                "confidence": round(confidence, 2),
                "contributions": contributions[k],
            }
        )
    return out


def source_rating(domain: str, probabilities: list[float], prior: tuple[float, float] = (2.0, 2.0)) -> dict[str, Any]:
    """Beta posterior over the outlet's article reliability: mean and 90% interval, narrowing with articles."""
    from scipy.stats import beta

    a = prior[0] + float(sum(probabilities))
    b = prior[1] + float(sum(1 - p for p in probabilities))
    lo, hi = beta.ppf([0.05, 0.95], a, b)
    return {
        "domain": domain,
        "rating": round(100 * a / (a + b), 1),
        "interval": [round(100 * float(lo), 1), round(100 * float(hi), 1)],
        "n_articles": len(probabilities),
    }
