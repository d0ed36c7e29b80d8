"""Features of the generic-assertion classifier: sentence embedding plus specificity cues.

A sentence is generic when it asserts nothing checkable of its own. The cues count
what would make it checkable (names beyond the story's topic names, figures, dates,
quotes, attribution); the embedding carries the stock phrasing. Training
(training/generic_classifier.py) and scoring both call `cue_vector`, so they agree.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

import numpy as np

from . import lexicon, spelling
from .mentions import name_key
from .records import Document, Sentence, StorySentences

CUE_NAMES = [
    "novel_names",
    "topic_names",
    "figures",
    "dates",
    "quote",
    "attributed",
    "hedged",
    "stock_phrase",
    "log_words",
    "question",
]


def cue_vector(sentence: Sentence, topic_names: set[str]) -> list[float]:
    keys = [name_key(m.text) for m in sentence.names]
    last_words = [name_key(m.text.split()[-1]) for m in sentence.names]
    topic = sum(1 for k, w in zip(keys, last_words, strict=True) if k in topic_names or w in topic_names)
    words = len(sentence.text.split())
    return [
        float(min(len(keys) - topic, 3)),
        float(min(topic, 3)),
        float(min(len(sentence.figures), 3)),
        float(min(len(sentence.dates), 3)),
        float(sentence.kind == "quote"),
        float(sentence.attributed),
        float(sentence.hedged),
        float(bool(lexicon.STOCK_PHRASE_RE.search(sentence.text))),
        math.log1p(words),
        float(sentence.kind == "question"),
    ]


def is_specific(sentence: Sentence, topic_names: set[str]) -> bool:
    """Has a figure, a date, or a name the story is not about: something another source can confirm."""
    if sentence.figures or sentence.dates:
        return True
    return any(
        name_key(m.text) not in topic_names and name_key(m.text.split()[-1]) not in topic_names for m in sentence.names
    )


# A sentence cut after an abbreviation ("Among the candidates are Reps.", "... chairman, Mr.") or
# starting in lower case is a fragment of a wrong split, not an assertion to judge.
_FRAGMENT_END = re.compile(r"\b(Mr|Mrs|Ms|Dr|Rep|Reps|Sen|Sens|Gov|Gen|Lt|Col|St|Rev|Jr|Sr|M|Mme|Mgr|Me|Pr)\.$")
_CONNECTORS = {"de", "du", "des", "la", "le", "les", "of", "the", "and", "et", "d'", "von", "van"}
# English "He"/"She" opening a sentence is a person acting; French "Il"/"Elle" are as often an
# agreement or a country, so they are not read as people.
_PERSON_PRONOUN = re.compile(r"(He|She)\b")
_HONORIFIC_NAME = re.compile(r"\b(Mr|Mrs|Ms|Dr|Rep|Sen|Gov|President|Président|M|Mme|Mgr|Me|Pr)\.?\s+[A-ZÀ-Þ][\w'’-]+")


def person_words(docs: list[Document]) -> set[str]:
    """Surnames the story introduces as people: the last word of a two- or three-word name
    without connectors ("Dave Brat", "Vladimir Poutine"; not "Corée du Nord"). Without a
    person/place tagger for English, places and bodies written the same way ("North Korea",
    "White House") count too: the rule errs toward not flagging."""
    found: set[str] = set()
    for doc in docs:
        for sentence in doc.content_sentences:
            for mention in sentence.names:
                words = mention.text.split()
                if 2 <= len(words) <= 3 and not _CONNECTORS & {w.lower() for w in words}:
                    found.add(name_key(words[-1]))
    return found


def is_fragment(sentence: Sentence) -> bool:
    text = sentence.text.strip()
    return bool(_FRAGMENT_END.search(text)) or (text[:1].islower())


def has_checkable_predicate(sentence: Sentence, people: set[str]) -> bool:
    """A figure, a date, a quotation or an attribution ("X said"), or an action by a named
    person ("Mr. Etheridge faces a challenge", "Pilon added that ..."): something a reader can
    check, even when the story is about that person (issue 13). A country of one word or with
    a connector as subject ("la Corée du Nord et la Russie restent déterminées") is not enough;
    a two-word place is read as a person (`person_words`)."""
    if sentence.figures or sentence.dates or sentence.kind == "quote" or sentence.attributed:
        return True
    if _HONORIFIC_NAME.search(sentence.text) or _PERSON_PRONOUN.match(sentence.text):
        return True
    return any(name_key(m.text.split()[-1]) in people for m in sentence.names)


def reported_speech(sentence: Sentence, text: str, unquoted: str) -> bool:
    """Half or more of the sentence is inside a quotation that may span sentences (`unquoted`
    is `text` with quotations blanked): what someone said, which is checkable as said."""
    span = text[sentence.start : sentence.end]
    letters = sum(1 for c in span if not c.isspace())
    blanked = sum(1 for a, b in zip(span, unquoted[sentence.start : sentence.end], strict=True) if a != b)
    return letters > 0 and blanked >= 0.5 * letters


def topic_names(sentences_by_article: list[list[Sentence]]) -> set[str]:
    """Names the story is about: used by at least 30% of its articles (or 3 times by a lone article)."""
    counts: dict[str, int] = {}
    for sentences in sentences_by_article:
        seen: set[str] = set()
        mentions_in_article: dict[str, int] = {}
        for sentence in sentences:
            for mention in sentence.names:
                for key in (name_key(mention.text), name_key(mention.text.split()[-1])):
                    seen.add(key)
                    mentions_in_article[key] = mentions_in_article.get(key, 0) + 1
        for key in seen:
            counts[key] = counts.get(key, 0) + 1
        if len(sentences_by_article) == 1:
            return {k for k, n in mentions_in_article.items() if n >= 3}
    needed = max(2, math.ceil(0.3 * len(sentences_by_article)))
    return {k for k, n in counts.items() if n >= needed}


def feature_matrix(vectors: np.ndarray, cues: list[list[float]]) -> np.ndarray:
    return np.hstack([vectors.astype(np.float32), np.asarray(cues, dtype=np.float32).reshape(len(cues), -1)])


def story_generic_probabilities(
    docs: list[Document],
    flat: StorySentences,
    matches: list[tuple[int, int, float]],
    model: Any | None,
    strong_match: float,
) -> dict[int, dict[int, float]]:
    """Article -> sentence index -> probability that the sentence is a generic assertion.

    Marks each sentence's `check_worthy` relative to the names the story is about. Only claim
    and question sentences that no other outlet clearly also asserts (no claim match with
    probability >= `strong_match`: a sentence another outlet repeats is checkable), that are
    not fragments of a wrong split (`is_fragment`) and that have no checkable predicate
    (`has_checkable_predicate`) are candidates.
    `model` is the fitted generic-sentence classifier (None: no probabilities).
    """
    topic = topic_names([d.content_sentences for d in docs])
    for sentence in flat.sentences:
        sentence.check_worthy = is_specific(sentence, topic)
    matched = {k for i, j, p in matches if p >= strong_match for k in (i, j)}
    people = person_words(docs)
    unquoted = [spelling.quoted_text(doc.text) for doc in docs]
    # An interviewer's question is a paragraph of its own ("Comment limiter ce fichage ?"); a
    # rhetorical question closes a paragraph of the writer's own text.
    paragraph_sizes = [Counter(s.paragraph for s in doc.sentences) for doc in docs]
    rows = [
        i
        for i, s in enumerate(flat.sentences)
        if s.kind in ("claim", "question")
        and i not in matched
        and not is_fragment(s)
        and not has_checkable_predicate(s, people)
        and not reported_speech(s, docs[flat.owners[i]].text, unquoted[flat.owners[i]])
        and not (s.kind == "question" and paragraph_sizes[flat.owners[i]][s.paragraph] == 1)
    ]
    probabilities: dict[int, dict[int, float]] = defaultdict(dict)
    if rows and model is not None:
        feats = feature_matrix(flat.vectors[rows], [cue_vector(flat.sentences[i], topic) for i in rows])
        for i, p in zip(rows, model.predict_proba(feats)[:, 1], strict=True):
            probabilities[flat.owners[i]][flat.sentences[i].index] = float(p)
    return probabilities
