"""Which articles derive from which: same claims in the same order, shared wording, nothing of its own.

Support is counted per independent family (a connected group of derived articles),
never per article: a rewrite does not confirm its own source. Newsrooms that cover one event
share names, quotes and facts without copying each other, and each brings specifics of its
own (other names, figures, quotations); a rewrite brings almost none, so a derivation also
needs low `novelty`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .claims import ClaimClusters, connected_labels
from .dates import chronological_key
from .mentions import name_key
from .normalize import fold
from .records import Document, StorySentences

# The same order of the same sentences is evidence of copying only over enough sentences: five in
# order by chance is 1 in 120, three 1 in 6. Short reports of one event (three sentences with the
# same facts, names and figures) are otherwise indistinguishable from rewrites, and a false
# `derivative` flag is an accusation: shorter articles are never called rewrites.
MIN_SENTENCES = 5
# A quotation long enough to be someone's words rather than a quoted title or term.
_QUOTATION = re.compile(r"«([^»]{12,})»|\"([^\"\n]{12,})\"")


@dataclass
class Derivation:
    derived: int  # article position in the story
    original: int
    matched_share: float  # mean probability that a sentence of the derived article has a counterpart
    order: float  # share of its sentences whose counterparts keep the original's order
    shingles: float  # share of the derived article's word 4-grams found in the original
    novelty: float = 1.0  # share of the derived article's specifics the original lacks


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


def specifics(doc: Document) -> set[tuple[str, str]]:
    """What an article brings that a reader could check: its names (name keys of 3+ letters),
    figures and quotations (12+ characters), as ("n" | "f" | "q", value) pairs."""
    found: set[tuple[str, str]] = set()
    for sentence in doc.content_sentences:
        found |= {("n", key) for m in sentence.names if len(key := name_key(m.text)) >= 3}
        found |= {("f", str(figure)) for figure in sentence.figures}
    for a, b in _QUOTATION.findall(doc.text):
        found.add(("q", " ".join(re.findall(r"\w+", fold(a or b)))[:60]))
    return found


def novelty(specifics_a: set[tuple[str, str]], specifics_b: set[tuple[str, str]]) -> float:
    """Share of article a's specifics that article b lacks (1.0 when a has none)."""
    return len(specifics_a - specifics_b) / len(specifics_a) if specifics_a else 1.0


def derivation_evidence(
    best: list[tuple[float, int]],
    shingles_a: set[tuple[str, ...]],
    shingles_b: set[tuple[str, ...]],
    specifics_a: set[tuple[str, str]] | None = None,
    specifics_b: set[tuple[str, str]] | None = None,
    order_floor: float = 0.1,
) -> tuple[float, float, float, float]:
    """(mean match, order kept, shingle containment, novelty) of article a against article b.

    `best` holds, for each sentence of a, the probability that its closest sentence of b
    says the same thing and that sentence's position in b (0.0 where none is close).
    A rewrite keeps a close counterpart for most sentences, in the original's order, and adds
    few names, figures or quotations of its own (novelty 1.0 when specifics are not given).
    """
    own = novelty(specifics_a, specifics_b or set()) if specifics_a is not None else 1.0
    if not best:
        return 0.0, 0.0, 0.0, own
    mean_match = sum(p for p, _ in best) / len(best)
    ordered = [j for p, j in best if p >= order_floor]
    order = _longest_increasing(ordered) / len(best) if ordered else 0.0
    containment = len(shingles_a & shingles_b) / len(shingles_a) if shingles_a else 0.0
    return mean_match, order, containment, own


def is_derived(mean_match: float, order: float, containment: float, own: float, thresholds: dict[str, float]) -> bool:
    """A rewrite is unusually close in meaning, order AND wording at once, a copy shares long runs of
    words, and either way it brings almost nothing of its own (novelty at most `thresholds["novelty"]`).

    Independent reports of one event are often close on one of the three (the same facts,
    told in the usual order), rarely on all of them, and each names people, figures or quotes
    the other does not. (Thresholds without "novelty", from models trained before it, skip that test.)
    """
    rewrite = (
        mean_match >= thresholds["mean_match"]
        and order >= thresholds["order"]
        and containment >= thresholds["containment"]
    )
    close = rewrite or containment >= thresholds["copy_containment"]
    return close and own <= thresholds.get("novelty", 1.0)


def originality(
    attributed: int, n_sentences: int, published_at: str | None
) -> tuple[tuple[bool, datetime], float, float]:
    """Sort key: the earlier article, then the one that attributes more, then the longer one, is the original.

    Earlier by instant, never by string ("2024-05-01T10:00:00+02:00" is before "2024-05-01T09:30:00Z");
    an undated or unreadably dated article comes after every dated one."""
    return (chronological_key(published_at), -float(attributed), -float(n_sentences))


def families(n_articles: int, derivations: list[Derivation]) -> list[int]:
    """Family label per article: connected components of derivation links."""
    return connected_labels(n_articles, [(d.derived, d.original) for d in derivations])


@dataclass
class StoryProvenance:
    """Who derives from whom in one story (article indices into the story's documents)."""

    family: list[int]  # independent family label per article
    derived_from: dict[int, Derivation]  # derived article -> its derivation
    # (matched share, order kept, shingle containment, novelty) of article a against article b, every a != b
    evidence: dict[tuple[int, int], tuple[float, float, float, float]]

    def independent_sources(self, article: int) -> int:
        """How many families other than the article's own report the story."""
        return len({f for f in self.family if f != self.family[article]})


def story_provenance(
    docs: list[Document], flat: StorySentences, clusters: ClaimClusters, thresholds: dict[str, float]
) -> StoryProvenance:
    """The provenance stage: derivation evidence for every ordered pair of articles, then families.

    Evidence of a against b comes from each sentence's best counterpart in the other article
    (`clusters.best`). When `is_derived` holds either way, the article `originality` ranks first
    is the original; articles of fewer than MIN_SENTENCES embedded sentences are never derived.
    `thresholds` is the `provenance` section of thresholds.json.
    """
    n = len(docs)
    derivations: list[Derivation] = []
    evidence: dict[tuple[int, int], tuple[float, float, float, float]] = {}
    article_shingles = [shingles(d.text) for d in docs]
    article_specifics = [specifics(d) for d in docs]
    for a in range(n):
        for b in range(a + 1, n):
            best_ab = clusters.best.rows_in(flat.rows(a), b)
            best_ba = clusters.best.rows_in(flat.rows(b), a)
            ev_ab = derivation_evidence(
                [(p, flat.positions[j]) for p, j in best_ab],
                article_shingles[a],
                article_shingles[b],
                article_specifics[a],
                article_specifics[b],
            )
            ev_ba = derivation_evidence(
                [(p, flat.positions[i]) for p, i in best_ba],
                article_shingles[b],
                article_shingles[a],
                article_specifics[b],
                article_specifics[a],
            )
            evidence[(a, b)], evidence[(b, a)] = ev_ab, ev_ba
            if min(len(best_ab), len(best_ba)) < MIN_SENTENCES:
                continue
            if not (is_derived(*ev_ab, thresholds) or is_derived(*ev_ba, thresholds)):
                continue
            rank = [
                originality(
                    sum(1 for s in d.content_sentences if s.attributed), len(d.content_sentences), d.published_at
                )
                for d in (docs[a], docs[b])
            ]
            original, derived = (a, b) if rank[0] <= rank[1] else (b, a)
            share, order, shared, own = ev_ba if derived == b else ev_ab
            derivations.append(Derivation(derived, original, share, order, shared, own))
    return StoryProvenance(families(n, derivations), {d.derived: d for d in derivations}, evidence)


def source_of(article: int, docs: list[Document], provenance: StoryProvenance) -> dict[str, Any] | None:
    """The original an article derives from (article_id, source, title and the evidence), or None."""
    d = provenance.derived_from.get(article)
    if d is None:
        return None
    src = docs[d.original]
    return {
        "article_id": src.article_id,
        "source": src.source or "",
        "title": src.title or "",
        "mean_match": round(d.matched_share, 3),
        "order": round(d.order, 3),
        "shingles": round(d.shingles, 3),
        "novelty": round(d.novelty, 3),
    }
