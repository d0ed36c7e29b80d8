"""Flags per professional article (issue 13), for `reliability eval`.

basil-dev and rpm2-fr-dev are professional news from established newsrooms, each scored as one
batch. Every `misspelled_name`, `translation_artefact`, `contradiction`, `derivative` flag there
is taken as false until a reviewed sample says otherwise (their texts were edited and published;
a reviewed sample of 54 such articles in issue 13 found 0 of 12 misspelled-name and 0 of 27
artefact flags right), so the rate of each is an upper bound on false flags per article. The
other kinds (`unsupported_claim`, `generic_assertion`, `furniture`, ...) are often right on such
news and are reported for tracking, not as error rates.
"""

from __future__ import annotations

from collections import Counter

from service.engine.pipeline import ArticleAnalysis
from service.engine.records import FLAG_TYPES


def flags_per_article(analyses: list[ArticleAnalysis], corpus: str) -> dict[str, float]:
    """`flags_{corpus}_{type}_per_article` for every flag type: flags of that type / articles."""
    counts: Counter[str] = Counter(flag.type for a in analyses for flag in a.signals.flags)
    n = max(1, len(analyses))
    return {f"flags_{corpus}_{kind}_per_article": round(counts[kind] / n, 4) for kind in FLAG_TYPES}
