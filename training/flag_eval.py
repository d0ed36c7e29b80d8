"""Flags per professional article (issue 13), for `reliability eval`.

basil-dev and rpm2-fr-dev are professional news from established newsrooms, each scored as one
batch. Two figures per flag type:

- `flags_{corpus}_{type}_per_article`: every flag of that type / articles. For the accusations an
  edited, published text should not earn (`misspelled_name`, `translation_artefact`,
  `contradiction`, `derivative`) this is an upper bound on false flags; a reviewed sample of 54
  such articles in issue 13 found 0 of 12 misspelled-name and 0 of 27 artefact flags right.
- `false_flags_{corpus}_{type}_per_article`: the flags a reviewer did not find right / articles.
  How "false" is decided: every flag these sets earned with engine 0.14.0 was read against the
  article (and the other outlets of its story) and recorded in training/flag_review.json as
  `right` (the published text has the error the flag names, and its suggestion is right: "James
  Mchel" for "James Michel", "cesbanques" run together) or `false` ("Moammar", a regular
  transliteration; a suggestion that copies another outlet's slip; a name the reviewer could not
  confirm, "Fatna", "Elizabeth Meyer"). A flag not in the file, a new one after an engine change,
  counts as false until someone reviews it. A flag is keyed by its article and text, not its
  offset: the same slip flagged twice in one article ("James Mchel") shares one verdict. Kinds
  not reviewed (`generic_assertion`, `loaded_language`, `unsupported_claim`, `furniture`, ...)
  count every flag.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from service.engine.pipeline import ArticleAnalysis
from service.engine.records import FLAG_TYPES

REVIEW = Path(__file__).with_name("flag_review.json")


def review_key(corpus: str, article: str, kind: str, text: str) -> tuple[str, str, str, str]:
    """The key of one flag in flag_review.json: corpus, article id, type, sha1 of its text (12 hex)."""
    return corpus, article, kind, hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def reviewed_right(path: Path = REVIEW) -> set[tuple[str, str, str, str]]:
    """The keys of the flags a reviewer found right."""
    rows = json.loads(path.read_text(encoding="utf-8"))["reviewed"]
    return {(r["corpus"], r["article"], r["type"], r["sha1"]) for r in rows if r["verdict"] == "right"}


def flags_per_article(analyses: list[ArticleAnalysis], corpus: str) -> dict[str, float]:
    """`flags_{corpus}_{type}_per_article` and `false_flags_{corpus}_{type}_per_article` for every
    flag type (flags / articles, and flags not reviewed right / articles)."""
    right = reviewed_right()
    counts: Counter[str] = Counter()
    false: Counter[str] = Counter()
    for analysis in analyses:
        article = analysis.doc.input or analysis.doc.article_id
        for flag in analysis.signals.flags:
            counts[flag.type] += 1
            false[flag.type] += review_key(corpus, article, flag.type, flag.text) not in right
    n = max(1, len(analyses))
    return {
        **{f"flags_{corpus}_{kind}_per_article": round(counts[kind] / n, 4) for kind in FLAG_TYPES},
        **{f"false_flags_{corpus}_{kind}_per_article": round(false[kind] / n, 4) for kind in FLAG_TYPES},
    }
