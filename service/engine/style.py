"""Reporting style: how an article is written, read in the outlet's own voice (outside quotations).

Signals that separate unreliable outlets' articles from professional reporting when there is
nothing to compare them with (issue 14). Each is measured on the writer's own words, never on
what a quoted person says. They are reported (`components.style`: a value and evidence spans
with their `kind`) and, for English, scored by the scorer's style term (`scorer.style_logit`,
`training/style_scorer.py`).

- `subjective_share`: share of the writer's claim sentences that read as opinion rather than
  reporting and name no source ("said", "according to"): a sentence classifier on the
  multilingual embeddings, trained on CheckThat! 2025 subjectivity (`training/subjectivity.py`,
  `models/subjectivity.md`); English only, the one language it was checked on;
- `anonymous_share`: sentences that lean on unnamed sources ("sources say", "some experts
  believe", "selon des sources");
- `headline_bait`: a headline in capitals, with an exclamation mark or a clickbait phrase (1), or
  asking a question (0.5); Horne & Adali (NECO 2017) found fake and satire titles carry far more
  capitalised words than real news;
- `exclamation_rate` and `reader_address_rate`: exclamation marks and reader address ("you",
  "we", "vous", "nous"; not "I", see `_ADDRESS`) in the writer's voice, per content sentence (x5,
  at most 1, as the other presentation rates);
- `anchored_share`: share of claim sentences anchored to a day ("on Wednesday", "hier", "le 12
  mars"): reporting of events says when they happened;
- `specific_claims`: how many claim sentences carry a figure, a date or a named person, place or
  body, up to `SPECIFIC_ENOUGH` (1.0): something a reader can check. Horne & Adali found real
  news bodies longer and denser in such detail than fake and satire.

Plain data in, plain data out: `style_signals(doc, subjective_p)` for one Document.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from . import spelling, values
from .records import Document, Sentence

# The classifier's decision threshold: trained with balanced class weights, 0.5 is where it
# trades subjective and objective errors evenly (macro-F1 on the CheckThat! dev split, in the card).
SUBJECTIVE_AT = 0.5
OPINION_LANGUAGES = ("en",)
# Which way each style value moves a reader's trust (the component's value counts the -1 ones).
FEATURE_SIGN = {
    "subjective_share": -1,
    "anonymous_share": -1,
    "headline_bait": -1,
    "exclamation_rate": -1,
    "reader_address_rate": -1,
    "anchored_share": 1,
    "specific_claims": 1,
}
SPECIFIC_ENOUGH = 30  # specific claim sentences for full credit (a long news report holds about 30)
# A headline is "in capitals" when at least two of its words of four letters or more, and at
# least half of them, are written in capitals: acronyms alone ("NATO leaders meet as COVID-19
# cases rise", "UPDATE 2-Oil prices rise as OPEC weighs cuts") are not shouting.
_CAPS_WORD = re.compile(r"\b[A-ZÀ-Þ][A-ZÀ-Þ'’-]{3,}\b")
_TITLE_WORD = re.compile(r"\b[^\W\d_][\w'’-]{3,}\b")
# Phrases of clickbait only: words that real headlines use too ("breaking", "exposed", "here's
# what we know", "révélations") are not on the list.
_BAIT = re.compile(
    r"\b(you won'?t believe|what happen(s|ed) next|will (shock|blow|amaze) you|shocking|"
    r"must (see|read|watch)|jaw-?dropping|the truth about|bombshell|"
    r"vous n'allez pas (le )?croire|incroyable|choquant|ce qu'il s'est passé ensuite|la vérité sur)\b",
    re.IGNORECASE,
)
# An exclamation mark that ends a clause, not one inside a brand ("Yahoo! shares jump").
_EXCLAMATION = re.compile(r"!+(?=\s*$|\s+[^a-zà-ÿ\s]|\s*[»”\"])")
_ANONYMOUS = re.compile(
    r"\b((an? |two |several |multiple )?(unnamed |anonymous )?sources? "
    r"(say|said|says|close to|familiar with|tell|told)|"
    r"(some|many) (experts|observers|critics|analysts) (say|believe|think|claim)|"
    r"it (is|was|has been) rumou?red|insiders? (say|said|claim)|"
    r"according to (unnamed|anonymous) |rumou?rs? (say|has it)|"
    r"(selon|d'après) (des|certaines|plusieurs) sources|de sources? (proches?|bien informées?|concordantes)|"
    r"(certains|des|plusieurs) (experts|observateurs|spécialistes) (estiment|pensent|affirment|craignent)|"
    r"on (dit|murmure|raconte) que|il se (dit|murmure|raconte) que|selon certains)\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january|february|march|april|may(?= \\d)|june|july|august|september|october|november|december|"
    "jan|feb|aug|sept?|oct|nov|dec|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
)
# A day: a weekday, "yesterday"/"hier", or a date with its month ("March 3", "3 mars", "le 12 mars").
_ANCHOR = re.compile(
    r"\b(" + "|".join([*values.WEEKDAY_INDEX, *values.RELATIVE_DAYS]) + r")\b|"
    rf"\b({_MONTHS})\.? \d{{1,2}}\b|\b\d{{1,2}}(er)? ({_MONTHS})\b",
    re.IGNORECASE,
)
_ADDRESS = {
    # Second person and first person plural only: an unquoted "I"/"je" in news is mostly a
    # statement or letter reproduced without quotation marks, not the writer speaking. Lower case,
    # or capitalised opening the sentence: "Our Lady of Lourdes", "Your Party" and "US" are names.
    "en": re.compile(r"\b(you|your|yours|yourself|we|our|ours|us)\b|^(You|Your|We|Our)\b"),
    "fr": re.compile(r"\b(vous|votre|vos|nous|notre|nos)\b|^(Vous|Votre|Vos|Nous|Notre|Nos)\b"),
}
# An interview's turns ("Q: ...", "A: ...", "Q. ...", "R : ...") are speech, not the writer's voice.
_INTERVIEW_TURN = re.compile(r"^(Q|A|R)\s?[.:]\s", re.MULTILINE)


def _span(sentence: Sentence, kind: str, reason: str) -> dict[str, Any]:
    return {"kind": kind, "start": sentence.start, "end": sentence.end, "text": sentence.text, "reason": reason}


def headline_bait(title: str | None) -> tuple[float, str]:
    """(value, what was found) for a headline: 1.0 in capitals, with "!" or a clickbait phrase;
    0.5 a question; 0.0 otherwise (or no headline)."""
    if not title:
        return 0.0, ""
    own = spelling.quoted_text(title)  # a quotation in the headline is someone else's words
    caps = _CAPS_WORD.findall(own)
    words = _TITLE_WORD.findall(own)
    if len(caps) >= 2 and len(caps) >= 0.5 * len(words):
        return 1.0, "headline in capitals"
    if _EXCLAMATION.search(own):
        return 1.0, "exclamation mark in the headline"
    match = _BAIT.search(own)
    if match:
        return 1.0, f"clickbait phrase in the headline (“{match.group(0)}”)"
    if own.rstrip().endswith("?"):
        return 0.5, "headline asks a question"
    return 0.0, ""


def subjective_probabilities(sentences: list[Sentence], vectors: np.ndarray, model: Any | None) -> list[float]:
    """P(opinion) for each sentence (rows of `vectors`, the multilingual sentence embeddings);
    0.0 for every sentence when no model is loaded."""
    if model is None or not len(sentences):
        return [0.0] * len(sentences)
    return [float(p) for p in model.predict_proba(np.asarray(vectors))[:, 1]]


def style_signals(doc: Document, subjective_p: dict[int, float], language_specific: bool) -> dict[str, Any]:
    """Style values, their evidence spans and what was found, for one article.

    `subjective_p`: sentence index -> P(opinion) for the article's claim sentences.
    `language_specific`: False for a language with no word lists here (then anonymous sourcing
    and reader address are 0, as the other word-list signals).
    Returns {"values": {feature: float}, "evidence": [span dicts with "kind"]}.
    """
    content = doc.content_sentences
    n_content = max(1, len(content))
    unquoted = spelling.quoted_text(doc.text)
    opening: dict[int, str] = {}  # paragraph -> its first sentence, to tell an interview's turns
    for s in doc.sentences:
        opening.setdefault(s.paragraph, s.text)
    # The headline is judged by `headline_bait`; the body's rates are over the body's sentences,
    # outside quotations and outside an interview's questions and answers.
    own = [
        (s, unquoted[s.start : s.end])
        for s in content
        if s.kind != "heading" and not _INTERVIEW_TURN.match(opening.get(s.paragraph, ""))
    ]
    claims = [s for s in content if s.kind == "claim"]
    evidence: list[dict[str, Any]] = []

    # Opinion only where the classifier was checked (English, CheckThat! dev): read through the
    # multilingual embeddings it called 16% of rpm2-fr-dev's claims opinion, many of them plain
    # reporting ("Le gouvernement a décidé d'injecter 10,5 milliards d'euros ...").
    opinion_checked = doc.language in OPINION_LANGUAGES
    # A sentence that names who says it ("The council said it would ...") is reported, not the
    # outlet's own opinion, whatever its wording.
    subjective = [
        s for s in claims if opinion_checked and not s.attributed and subjective_p.get(s.index, 0.0) >= SUBJECTIVE_AT
    ]
    evidence += [_span(s, "opinion", "Reads as opinion in the outlet's own voice.") for s in subjective]
    anonymous = [s for s, text in own if language_specific and _ANONYMOUS.search(text)]
    evidence += [_span(s, "anonymous_source", "Relies on unnamed sources.") for s in anonymous]
    exclaiming = [(s, len(_EXCLAMATION.findall(text))) for s, text in own]
    exclamations = sum(n for _, n in exclaiming)
    evidence += [_span(s, "exclamation", "Exclamation in the outlet's own voice.") for s, n in exclaiming if n]
    address = _ADDRESS.get(doc.language)
    addressing = [s for s, text in own if language_specific and address is not None and address.search(text.strip())]
    evidence += [_span(s, "reader_address", "Addresses the reader or speaks as “we”.") for s in addressing]
    bait, bait_reason = headline_bait(doc.title)
    if bait:
        evidence.append({"kind": "headline", "field": "title", "text": doc.title, "reason": bait_reason.capitalize()})
    anchored = [s for s in claims if _ANCHOR.search(s.text)]
    specific = [s for s in claims if s.figures or s.dates or s.names]

    return {
        "values": {
            "subjective_share": len(subjective) / max(1, len(claims)),
            "anonymous_share": len(anonymous) / n_content,
            "headline_bait": bait,
            "exclamation_rate": min(1.0, exclamations / n_content * 5),
            "reader_address_rate": min(1.0, len(addressing) / n_content * 5),
            "anchored_share": len(anchored) / max(1, len(claims)),
            "specific_claims": min(1.0, len(specific) / SPECIFIC_ENOUGH),
        },
        "evidence": sorted(evidence, key=lambda e: e.get("start", -1)),
    }
