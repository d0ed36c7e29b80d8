"""Issue 15: the cost of one article grows with its length, not its square; a time budget or a
cancelled request stops scoring and leaves nothing behind.

No test here reads a clock against a bound (bench/bench_long_article.py measures the time): the
cost is read from what grows with it, the pairs of sentences the equivalence model scores and
the memory the pair search allocates.
"""

from __future__ import annotations

import time
import tracemalloc
from typing import Any

import numpy as np
import pytest

from service.engine import budget
from service.errors import ScoringCancelled, TimeBudgetExceeded

ARTICLE = (
    "Le conseil municipal de Brive a voté la rénovation de la piscine Jean-Moulin. "
    "Les travaux coûteront 4 millions d'euros, selon le maire Frédéric Soulier, qui a annoncé une "
    "réouverture en septembre. L'opposition a dénoncé un chantier trop coûteux."
)


def near_identical(k: int) -> str:
    """One of many sentences that differ only in their figures: the adversarial long article."""
    return (
        f"Selon la préfecture, {120 + 7 * k} habitants ont été évacués mardi et {k % 9 + 2} écoles resteront fermées."
    )


def test_a_deadline_already_past_raises_and_returns_nothing(resources: Any) -> None:
    from service.engine.pipeline import score_articles

    with pytest.raises(TimeBudgetExceeded, match="time budget of 0.0 s"):
        score_articles([ARTICLE], resources=resources, deadline=time.monotonic() - 1.0)
    with pytest.raises(ScoringCancelled):
        score_articles([ARTICLE], resources=resources, cancelled=lambda: True)
    # Without a budget, or with a generous one, the same call scores.
    assert len(score_articles([ARTICLE], resources=resources, deadline=time.monotonic() + 600)) == 1


def test_an_inner_scope_never_extends_the_outer_deadline() -> None:
    with budget.scope(deadline=time.monotonic() + 600):
        with pytest.raises(TimeBudgetExceeded):
            with budget.scope(deadline=time.monotonic() - 1.0):
                pass
    with pytest.raises(TimeBudgetExceeded):
        with budget.scope(deadline=time.monotonic() - 1.0):
            with budget.scope(deadline=time.monotonic() + 600):
                pass
    budget.checkpoint()  # outside any scope: never raises


def test_a_request_cancelled_half_way_stores_nothing(resources: Any, tmp_path: Any, monkeypatch: Any) -> None:
    """Cancelled after the embedder ran (at a later stage's check), the store holds nothing; the
    same article then scores and stores as if nothing had happened."""
    from service.store.scoring_service import ScoringService

    service = ScoringService(
        {"database_url": f"sqlite:///{tmp_path}/store.db", "story_candidates": 50, "story_max_articles": 25},
        resources=resources,
    )
    monkeypatch.setattr(budget, "CANCEL_POLL_SECONDS", 0.0)  # ask the hook at every check
    stages: list[str] = []
    original_check = budget.Budget.check

    def recording_check(self: budget.Budget, stage: str = "") -> None:
        stages.append(stage)
        original_check(self, stage)

    monkeypatch.setattr(budget.Budget, "check", recording_check)
    article = {"text": ARTICLE, "source": "brive.example", "published_at": "2024-05-10"}
    with pytest.raises(ScoringCancelled, match="during claims"):
        with budget.scope(cancelled=lambda: "claims" in stages):
            service.score([article], persist=True)
    assert "embed" in stages  # it stopped well inside the work, not at the door
    assert service.store.count() == 0
    monkeypatch.undo()
    stored = service.score([article], persist=True)
    assert stored[0]["stored"] and service.store.count() == 1
    service.store.dispose()


class CountingModel:
    """The equivalence model, counting the pairs it scores."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.rows = 0

    def predict_proba(self, feats: np.ndarray) -> np.ndarray:
        self.rows += len(feats)
        return self.model.predict_proba(feats)


def scored_pairs(n_long: int, resources: Any) -> int:
    """Pairs the claims stage scores for a story of one article of `n_long` near-identical
    sentences and a short one of 8, all close in meaning (every pair passes the cosine filter)."""
    from service.engine.claims import cluster_story
    from service.engine.records import StorySentences
    from service.engine.segment import segment

    texts = [" ".join(near_identical(k) for k in range(n_long)), " ".join(near_identical(10_000 + k) for k in range(8))]
    embedded = [[s for s in segment(text, set()) if s.kind == "claim"] for text in texts]
    assert [len(e) for e in embedded] == [n_long, 8]
    rng = np.random.default_rng(15)
    base = rng.normal(size=512)
    vectors = []
    for sentences in embedded:
        v = base + 0.1 * rng.normal(size=(len(sentences), 512))
        vectors.append((v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32))
    counting = CountingModel(resources.equivalence["model"])
    equivalence = {**resources.equivalence, "model": counting}
    clusters = cluster_story(StorySentences.flatten(embedded, vectors), equivalence, resources.thresholds["claims"])
    assert clusters.matches  # the two articles do share claims: restatements are looked for
    return counting.rows


def test_the_claims_stage_scores_pairs_in_proportion_to_the_article(resources: Any) -> None:
    # Before issue 15 every pair of the long article within the cosine filter was scored:
    # n (n - 1) / 2 + 8 n, 80,000 pairs for 400 sentences and 320,000 for 800.
    small, large = scored_pairs(400, resources), scored_pairs(800, resources)
    assert large <= 40 * 800, large
    assert large <= 2.5 * small, (small, large)


def test_the_pair_search_of_a_long_story_holds_no_square_matrix() -> None:
    from service.engine.pairs import DENSE_LIMIT, cross_article_pairs, restatement_pairs

    n = DENSE_LIMIT + 1000
    articles = np.array([0] * (n - 8) + [1] * 8)
    rng = np.random.default_rng(15)
    vectors = rng.normal(size=(n, 512)).astype(np.float32) + 3.0
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    square = n * n * 4  # bytes of one (n, n) float32 matrix, as the old claims stage held several
    tracemalloc.start()
    try:
        pairs, cosines, dense = cross_article_pairs(vectors, articles, 0.25)
        anchors = np.zeros(n, dtype=bool)
        anchors[[5, 900, n - 3]] = True
        restate, restate_cosines = restatement_pairs(vectors, articles, anchors, 0.25, dense)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert dense is None and len(pairs) == (n - 8) * 8 and len(cosines) == len(pairs)
    assert np.all(pairs[:, 0] < pairs[:, 1]) and np.all(np.diff(pairs[:, 0] * n + pairs[:, 1]) > 0)  # row-major
    assert len(restate) == 2 * (n - 8) - 3 + 7 and len(restate_cosines) == len(restate)
    assert peak < square / 4, (peak, square)
