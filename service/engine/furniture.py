"""Page furniture and duplicated paragraphs: found by line shape, listed vocabulary, a line
classifier and repetition.

Nothing is dropped: lines are classified so the segmenter can type them `furniture`
and the signals can flag them with the reason found here.

The listed vocabulary (`lexicon.FURNITURE_PATTERNS`) names the kinds seen so far; the line
classifier (`models/furniture_line.md`, `training/furniture_classifier.py`: character n-grams,
logistic regression) reads kinds that are not listed ("Skip twitter post",
"Page 2 of 3", "IMG_4821.JPG"). It judges only the lines whose shape leaves the question open
(`line_candidates`): never the headline, a single word, a question, speech, a list item, a label
with a figure, a credit line, a line ending in ":" or a line not written mostly in Latin letters.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from . import lexicon
from .char_ngrams import char_tfidf

_STRAY_NUMBER = re.compile(r"^[\d\s.,:/|-]+$")
_TERMINAL = (".", "!", "?", "»", '"', ":", ";", "…", ")")


_line_model: dict[str, Any] | None = None
_line_model_loaded = False
_line_model_lock = threading.Lock()


def use_line_model(bundle: dict[str, Any] | None) -> None:
    """Set the line classifier ({"pipeline": fitted, "threshold": P}) or None for rules alone;
    training sets the one it has just fitted, the service loads models/furniture_line.joblib."""
    global _line_model, _line_model_loaded
    with _line_model_lock:
        _line_model, _line_model_loaded = bundle, True


def warm_up() -> None:
    """Load the line classifier now (`classify_lines` loads it on first use)."""
    _loaded_line_model()


def _loaded_line_model() -> dict[str, Any] | None:
    global _line_model, _line_model_loaded
    if not _line_model_loaded:
        from .artifacts import load_artifact  # raises ModelArtifactError, as every model does

        with _line_model_lock:
            if not _line_model_loaded:
                _line_model = load_artifact("furniture_line")[0]
                _line_model_loaded = True
    return _line_model


def classify_lines(lines: list[str]) -> dict[int, str]:
    """Map line index -> furniture reason for the lines of one article (blank lines ignored)."""
    return classify_articles([lines])[0]


def classify_articles(articles: list[list[str]]) -> list[dict[int, str]]:
    """`classify_lines` for many articles, with one classifier call for all of them (each call
    costs about 2 ms whatever its size)."""
    reasons = [rule_reasons(lines) for lines in articles]
    bundle = _loaded_line_model()
    if bundle is None:
        return reasons
    judged = [(k, i) for k, lines in enumerate(articles) for i in line_candidates(lines, reasons[k])]
    if judged:
        p = line_probabilities(bundle["pipeline"], [articles[k][i].strip() for k, i in judged])
        for (k, i), prob in zip(judged, p, strict=True):
            if prob >= bundle["threshold"]:
                reasons[k][i] = "reads as page furniture (player, widget, credit, print or site text)"
    return reasons


def line_probabilities(pipeline: Any, lines: list[str]) -> np.ndarray:
    """`pipeline.predict_proba(lines)[:, 1]` (shape (len(lines),)), with the TF-IDF step done by
    `char_ngrams.char_tfidf`, which gives the vectorizer's own matrix from cached per-word n-grams:
    scikit-learn's `char_wb` transform generates every n-gram in Python and cost about 0.3 ms per
    line, 4% of end-to-end scoring (bench/bench_scoring.py)."""
    vectorizer, classifier = (step for _, step in pipeline.steps)
    return np.asarray(classifier.predict_proba(char_tfidf(vectorizer, lines))[:, 1])


def line_candidates(lines: list[str], reasons: dict[int, str]) -> list[int]:
    """Indexes of the lines the classifier judges: not blank, not already furniture by rule, not
    the headline, and not one of the lines whose shape says they belong to the article, which are
    left to the rules: a single word (a subheading such as "Background" or "Contexte"; the
    one-word furniture, "Menu", "Publicité", is listed), a question (an interview's), a line
    opening on a quotation mark or a dash (speech) or on a bullet (a list item), a label and a
    figure ("Contact : 06 12 34 56 78", "Budget : 45 M€", "Turnout: 62%": practical information
    and fact boxes), a line introducing what follows (":"), a credit line or a newsroom note
    ("Correction: ...", "Reporting by ...; Editing by ..."), and a line not written
    mostly in Latin letters (the classifier knows English and French: another script, or no letter
    at all, "* * *", would be judged on nothing), and a sentence that names its source ("Abonnez-vous
    à nos alertes, a exhorté la préfecture."). The headline is the first line of four words or
    more that the rules leave; a site name or masthead before it ("Ouest-France") is not judged
    either."""
    headline = next((i for i, line in enumerate(lines) if len(line.split()) >= 4 and i not in reasons), -1)
    return [
        i
        for i, line in enumerate(lines)
        if line.strip()
        and i > headline
        and i not in reasons
        and len(line.split()) >= 2
        and not line.rstrip().endswith((":", "?"))
        and not line.lstrip().startswith(_SPEECH_OR_ITEM)
        and not _LABELLED_FIGURE.match(line.strip())
        and not lexicon.CREDIT_RE.match(line.strip())
        and not lexicon.NEWSROOM_NOTE_RE.match(line.strip())
        and not _reported_sentence(line.strip(), line.split())
        and _mostly_latin(line)
    ]


_SPEECH_OR_ITEM = ("«", '"', "“", "'", "‘", "—", "–", "-", "·", "•", "*", "+", ">", "o ", "▪", "►", "→")
# A label of a few words, a colon, then a value with a figure.
_LABELLED_FIGURE = re.compile(r"^[^\W\d_](?:[^\W\d_]|['’ .-]){0,40}\s?:\s?.*\d")


def _mostly_latin(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if c < "\u0250") >= 0.8 * len(letters)


def rule_reasons(lines: list[str]) -> dict[int, str]:
    """`classify_lines` by the listed vocabulary and line shape alone (no classifier)."""
    reasons: dict[int, str] = {}
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return reasons
    last_long = max((i for i in content if len(lines[i].split()) >= 12), default=content[-1])
    for i in content:
        line = lines[i].strip()
        words = line.split()
        if _STRAY_NUMBER.match(line):
            reasons[i] = "stray number, not part of the article"
        elif lexicon.FURNITURE_RE.match(line) and not _reported_sentence(line, words):
            reasons[i] = "page furniture (navigation, teaser, sharing or subscription text)"
        elif lexicon.TEASER_RE.match(line) and not _reported_sentence(line, words):
            reasons[i] = "teaser for another article"
        elif i > last_long and len(words) <= 3 and not line.endswith(_TERMINAL[:3]):
            reasons[i] = "short line after the end of the article body"
    return reasons


def _reported_sentence(line: str, words: list[str]) -> bool:
    """A sentence of eight words or more whose last clause names its source ("Download the app to
    report potholes, the agency urged residents in a statement."; "…, a exhorté la préfecture."):
    reporting that opens on a furniture word, not furniture. A teaser's headline that reports
    ("Read more: Trump says he will not attend the debate.") has no such closing clause."""
    return len(words) >= 8 and bool(_CLOSING_ATTRIBUTION.search(line))


# A closing reporting clause after a comma (not an agency's name: "Copyright 2024 The Associated
# Press" is furniture).
_CLOSING_ATTRIBUTION = re.compile(
    r",[^,]{0,80}\b(said|says|told|urged|added|explained|according to|in a statement|selon|d'apr[èe]s|"
    r"a (d[ée]clar[ée]|indiqu[ée]|pr[ée]cis[ée]|annonc[ée]|expliqu[ée]|ajout[ée]|affirm[ée]|exhort[ée])|"
    r"a-t-(il|elle) (dit|d[ée]clar[ée]|ajout[ée]|pr[ée]cis[ée]))\b[^,]{0,80}[.»\"]$",
    re.IGNORECASE,
)


def headline_line(lines: list[str]) -> int:
    """Index of the line that heads the page: the first non-blank line that is not a short line of
    listed furniture (a pasted page may open on "Home | News | Politics" or "Accueil >
    Actualités"); a long line the vocabulary matches ("Photos : la tempête Ciarán frappe la
    Bretagne, …") is a headline. -1 when there is no line at all. Used for the title of an article
    sent without one and to tell whether a given title is already there (`extract._with_title`)."""
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return -1
    leading = rule_reasons([lines[i] for i in content[:_HEADLINE_WITHIN]])
    return next(
        (i for k, i in enumerate(content) if k not in leading or len(lines[i].split()) > _SHORT_FURNITURE),
        content[0],
    )


_HEADLINE_WITHIN = 10  # lines
_SHORT_FURNITURE = 10  # words


def duplicate_lines(lines: list[str], furniture: dict[int, str]) -> dict[int, int]:
    """Map line index -> index of the earlier line it repeats (exactly, or as a truncated caption '…')."""
    seen: dict[str, int] = {}
    truncated: list[tuple[str, int]] = []
    duplicates: dict[int, int] = {}
    for i, line in enumerate(lines):
        key = _key(line)
        if len(key) < 25:
            continue
        if key in seen:
            duplicates[i] = seen[key]
            continue
        for prefix, j in truncated:
            if key.startswith(prefix):
                duplicates[j] = i  # the truncated copy repeats the full one that follows
        if line.rstrip().endswith(("...", "…")):
            truncated.append((_key(line.rstrip().rstrip(".…")), i))
        seen.setdefault(key, i)
        # A teaser line ("Lire aussi X") followed by X: X is the repeat.
        if i in furniture and lexicon.TEASER_RE.match(line.strip()):
            teaser = _key(lexicon.TEASER_RE.sub("", line.strip()).lstrip(" :"))
            if len(teaser) >= 25:
                seen.setdefault(teaser, i)
    return duplicates


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", line.lower()).strip()


def source_boilerplate(
    lines_by_article: dict[str, tuple[str | None, list[str]]], min_articles: int = 3
) -> dict[str, set[str]]:
    """Per source, the lines (keys) that recur verbatim in `min_articles` or more of its articles: its template."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for source, lines in lines_by_article.values():
        if not source:
            continue
        counts[source].update({_key(line) for line in lines if 0 < len(line.split()) <= 25})
    return {
        source: {key for key, n in per_source.items() if n >= min_articles and key}
        for source, per_source in counts.items()
    }


def is_boilerplate(line: str, boilerplate: set[str]) -> bool:
    return _key(line) in boilerplate
