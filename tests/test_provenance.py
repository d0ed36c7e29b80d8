"""Provenance (service/engine/provenance.py): a rewrite is close in meaning, order and wording AND brings
almost nothing of its own; independent newsrooms share facts but each adds its own specifics."""

from __future__ import annotations

from service.engine import provenance
from service.engine.pipeline import prepare
from service.engine.records import ArticleInput

THRESHOLDS = {"mean_match": 0.3, "order": 0.3, "containment": 0.1, "copy_containment": 0.3, "novelty": 0.35}


def doc(text: str) -> object:
    return prepare([ArticleInput(text=text, input="x")])[0]


def test_specifics_are_names_figures_and_quotations() -> None:
    found = provenance.specifics(
        doc(  # type: ignore[arg-type]
            "Le maire Frédéric Soulier a annoncé 4 millions d'euros de travaux. "
            "« Nous rouvrirons la piscine en septembre », a-t-il déclaré."
        )
    )
    kinds = {kind for kind, _ in found}
    assert kinds == {"n", "f", "q"}, found


def test_novelty_is_the_share_of_own_specifics() -> None:
    a = {("n", "soulier"), ("f", "4000000"), ("q", "nous rouvrirons la piscine")}
    assert provenance.novelty(a, a) == 0.0
    assert provenance.novelty(a, {("n", "soulier")}) == 2 / 3
    assert provenance.novelty(set(), a) == 1.0


def test_close_articles_with_specifics_of_their_own_are_not_rewrites() -> None:
    close = (0.6, 0.7, 0.2)
    assert provenance.is_derived(*close, 0.2, THRESHOLDS)
    assert not provenance.is_derived(*close, 0.5, THRESHOLDS)  # an independent report of the same facts
    # a near copy is derived only if it adds nothing of its own either
    copy = (0.2, 0.1, 0.6)
    assert provenance.is_derived(*copy, 0.1, THRESHOLDS)
    assert not provenance.is_derived(*copy, 0.6, THRESHOLDS)
    # thresholds from before novelty existed keep their old meaning
    old = {k: v for k, v in THRESHOLDS.items() if k != "novelty"}
    assert provenance.is_derived(*close, 0.9, old)
