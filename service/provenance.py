"""Which articles derive from which: same claims in the same order and shared wording.

Support is counted per independent family (a connected group of derived articles),
never per article: a rewrite does not confirm its own source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .claims import connected_labels
from .normalize import fold


@dataclass
class Derivation:
    derived: int  # article position in the story
    original: int
    matched_share: float  # mean probability that a sentence of the derived article has a counterpart
    order: float  # share of its sentences whose counterparts keep the original's order
    shingles: float  # share of the derived article's word 4-grams found in the original


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """Word n-grams of the text, accents and case folded (computed once per article)."""
    words = re.findall(r"\w+", fold(text))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _longest_increasing(seq: list[int]) -> int:
    import bisect

    tails: list[int] = []
    for x in seq:
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


def derivation_evidence(
    best: list[tuple[float, int]],
    shingles_a: set[tuple[str, ...]],
    shingles_b: set[tuple[str, ...]],
    order_floor: float = 0.1,
) -> tuple[float, float, float]:
    """(mean match, order kept, shingle containment) of article a against article b.

    `best` holds, for each sentence of a, the probability that its closest sentence of b
    says the same thing and that sentence's position in b (0.0 where none is close).
    A rewrite keeps a close counterpart for most sentences, in the original's order.
    """
    if not best:
        return 0.0, 0.0, 0.0
    mean_match = sum(p for p, _ in best) / len(best)
    ordered = [j for p, j in best if p >= order_floor]
    order = _longest_increasing(ordered) / len(best) if ordered else 0.0
    containment = len(shingles_a & shingles_b) / len(shingles_a) if shingles_a else 0.0
    return mean_match, order, containment


def is_derived(mean_match: float, order: float, containment: float, thresholds: dict[str, float]) -> bool:
    """A rewrite is unusually close in meaning, order AND wording at once; a copy shares long runs of words.

    Independent reports of one event are often close on one of the three (the same facts,
    told in the usual order), rarely on all of them.
    """
    rewrite = (
        mean_match >= thresholds["mean_match"]
        and order >= thresholds["order"]
        and containment >= thresholds["containment"]
    )
    return rewrite or containment >= thresholds["copy_containment"]


def originality(attributed: int, n_sentences: int, published_at: str | None) -> tuple[str, float, float]:
    """Sort key: the earlier article, then the one that attributes more, then the longer one, is the original."""
    return (published_at or "9999", -float(attributed), -float(n_sentences))


def families(n_articles: int, derivations: list[Derivation]) -> list[int]:
    """Family label per article: connected components of derivation links."""
    return connected_labels(n_articles, [(d.derived, d.original) for d in derivations])
