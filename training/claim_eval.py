"""Claim-cluster figures (issue 12), for `reliability eval`.

- rpm2-fr-dev scored as one batch, per story: the largest cluster's most sentences from one
  article, and the share of supported claims that every other article of the story backs
  (connected components of pairwise matches used to chain whole stories into one "claim");
- the seeds scored together: whether every sentence stating the mutual-assistance clause is in
  one cluster and supported, and whether the two-hour-talks sentences of 000 and 002 share one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from service.engine.extract import read_path
from service.engine.pipeline import ArticleAnalysis, Resources, analyze, prepare
from service.engine.records import ArticleInput

from .common import read_rpm2
from .flag_eval import flags_per_article

# The mutual-assistance clause as the five seeds word it ("assistance mutuelle", "aide mutuelle",
# "assistance réciproque", "clause d'assistance militaire ... en cas d'agression").
MUTUAL_ASSISTANCE = re.compile(r"(assistance|aide)\s+(mutuelle|réciproque|militaire)", re.I)
TWO_HOUR_TALKS = re.compile(r"deux heures", re.I)


def story_claim_figures(analyses: list[ArticleAnalysis]) -> dict[str, float]:
    """Largest cluster per article and the share of supported claims backed by all the others."""
    by_story: dict[str, list[ArticleAnalysis]] = defaultdict(list)
    for analysis in analyses:
        by_story[analysis.story_id].append(analysis)
    most_per_article, supported, backed_by_all, largest, in_largest = 0, 0, 0, 0, 0
    for members in by_story.values():
        clusters: dict[str, list[str]] = defaultdict(list)
        for analysis in members:
            for claim in analysis.claims.values():
                clusters[claim.cluster_id].append(analysis.doc.article_id)
                if claim.status == "supported":
                    supported += 1
                    backers = {s["article_id"] for s in claim.supported_by}
                    backed_by_all += len(members) > 2 and len(backers) >= len(members) - 1
        biggest = max(clusters.values(), key=len)
        if len(biggest) > largest:
            largest, in_largest = len(biggest), max(Counter(biggest).values())
        most_per_article = max(most_per_article, max(max(Counter(v).values()) for v in clusters.values()))
    return {
        "claims_rpm2_largest_cluster_sentences": largest,
        "claims_rpm2_largest_cluster_most_sentences_of_one_article": in_largest,
        "claims_rpm2_most_sentences_of_one_article_in_a_cluster": most_per_article,
        "claims_rpm2_supported": supported,
        "claims_rpm2_supported_backed_by_every_other_article": round(backed_by_all / max(1, supported), 4),
    }


def seed_claim_checks(analyses: list[ArticleAnalysis]) -> dict[str, bool]:
    clauses: list[tuple[str, set[str], str]] = []  # (seed, its clusters, status)
    talks: dict[str, set[str]] = defaultdict(set)
    for analysis in analyses:
        seed = Path(analysis.doc.input or "").name[:3]
        sentences = {s.index: s for s in analysis.doc.sentences}
        for index, claim in analysis.claims.items():
            text = sentences[index].text
            clusters = {claim.cluster_id, *claim.also_in}
            if MUTUAL_ASSISTANCE.search(text):
                clauses.append((seed, clusters, claim.status))
            if TWO_HOUR_TALKS.search(text):
                talks[seed] |= clusters
    shared = set.intersection(*(c for _, c, _ in clauses)) if clauses else set()
    return {
        "every seed's mutual-assistance sentences in one cluster": len({s for s, _, _ in clauses}) == 5
        and bool(shared),
        "every mutual-assistance sentence supported": bool(clauses) and all(s == "supported" for _, _, s in clauses),
        "000 and 002 two-hour talks in one cluster": bool(talks["000"] & talks["002"]),
    }


def claim_figures(data: Path, seeds: Path | None, res: Resources) -> dict[str, Any]:
    rows = read_rpm2(data)
    analyses = analyze(prepare([ArticleInput(text=r["text"], title=r["title"], input=r["doc_id"]) for r in rows]), res)
    figures: dict[str, Any] = {**story_claim_figures(analyses), **flags_per_article(analyses, "rpm2")}
    if seeds is not None and seeds.is_dir():
        docs = prepare([a for p in sorted(seeds.glob("0*.txt")) for a in read_path(p)])
        figures["seed_claim_checks"] = seed_claim_checks(analyze(docs, res))
    return figures
