"""Reporting style: how an article is written, read in the outlet's own voice (outside quotations).

Signals that separate unreliable outlets' articles from professional reporting when there is
nothing to compare them with (issue 14). Each is measured on the writer's own words, never on
what a quoted person says. They are reported (`components.style`: a value and evidence spans
with their `kind`) but not scored: trained on horne2017-random-dev's outlet labels they ranked
real above fake (cross-validated AUC 0.85-0.89) but labelled 4-14% of professional articles
(basil-dev, rpm2-fr-dev) mixed or unreliable, against 2% and 5% without them (CHANGELOG 0.12.0).

- `subjective_share`: share of the writer's claim sentences that read as opinion rather than
  reporting (a sentence classifier on the multilingual embeddings, trained on CheckThat! 2025
  subjectivity, `training/subjectivity.py`, `models/subjectivity.md`); English only, the one
  language it was checked on;
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
# Words of at least this many letters written in capitals make a headline "in capitals"; shorter
# ones are mostly acronyms (EU, FBI, GOP, NASA counts as one word of four and needs a second).
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
_CAPS_WORD = re.compile(r"\b[A-ZÀ-Þ][A-ZÀ-Þ'’-]{3,}\b")
_TITLE_WORD = re.compile(r"\b[^\W\d_][\w'’-]{3,}\b")
_BAIT = re.compile(
    r"\b(you won'?t believe|what happen(s|ed) next|here'?s (why|what|how)|will (shock|blow|amaze) you|"
    r"shocking|breaking|must (see|read|watch)|jaw-?dropping|the truth about|exposed|bombshell|"
    r"vous n'allez pas (le )?croire|incroyable|choquant|ce qu'il s'est passé ensuite|la vérité sur|"
    r"révélations?)\b",
    re.IGNORECASE,
)
_ANONYMOUS = re.compile(
    r"\b((an? |two |several |multiple )?(unnamed |anonymous )?sources? "
    r"(say|said|says|close to|familiar with|tell|told)|"
    r"(some|many) (experts|observers|critics|people|analysts) (say|believe|think|claim|fear)|"
    r"it (is|was|has been) (believed|rumou?red|said|reported|claimed)|insiders? (say|said|claim)|"
    r"according to (some|unnamed|anonymous) |rumou?rs? (say|has it)|"
    r"(selon|d'après) (des|certaines|plusieurs) sources|de sources? (proches?|bien informées?|concordantes)|"
    r"(certains|des|plusieurs) (experts|observateurs|spécialistes) (estiment|pensent|affirment|craignent)|"
    r"on (dit|murmure|raconte) que|il se (dit|murmure|raconte) que|selon certains)\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january|february|march|april|june|july|august|september|october|november|december|jan|feb|aug|sept?|oct|nov|dec|"
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
    # statement or letter reproduced without quotation marks, not the writer speaking.
    "en": re.compile(r"\b(?i:you|your|yours|yourself|we|our|ours)\b|\bus\b"),  # "US" is a country
    "fr": re.compile(r"\b(vous|votre|vos|nous|notre|nos)\b", re.IGNORECASE),
}


def _span(doc: Document, sentence: Sentence, kind: str, reason: str) -> dict[str, Any]:
    return {"kind": kind, "start": sentence.start, "end": sentence.end, "text": sentence.text, "reason": reason}


def headline_bait(title: str | None) -> tuple[float, str]:
    """(value, what was found) for a headline: 1.0 in capitals, with "!" or a clickbait phrase;
    0.5 a question; 0.0 otherwise (or no headline)."""
    if not title:
        return 0.0, ""
    caps = _CAPS_WORD.findall(title)
    words = _TITLE_WORD.findall(title)
    if len(caps) >= 2 and len(caps) >= 0.3 * max(1, len(words)):
        return 1.0, "headline in capitals"
    if "!" in title:
        return 1.0, "exclamation mark in the headline"
    match = _BAIT.search(title)
    if match:
        return 1.0, f"clickbait phrase in the headline (“{match.group(0)}”)"
    if title.rstrip().endswith("?"):
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
    Returns {"values": {feature: float}, "evidence": [span dicts with "kind"], "found": [str]}.
    """
    content = doc.content_sentences
    n_content = max(1, len(content))
    unquoted = spelling.quoted_text(doc.text)
    # The headline is judged by `headline_bait`; the body's rates are over the body's sentences.
    own = [(s, unquoted[s.start : s.end]) for s in content if s.kind != "heading"]
    claims = [s for s in content if s.kind == "claim"]
    evidence: list[dict[str, Any]] = []
    found: list[str] = []

    # Opinion only where the classifier was checked (English, CheckThat! dev): read through the
    # multilingual embeddings it called 16% of rpm2-fr-dev's claims opinion, many of them plain
    # reporting ("Le gouvernement a décidé d'injecter 10,5 milliards d'euros ...").
    opinion_checked = doc.language in OPINION_LANGUAGES
    subjective = [s for s in claims if opinion_checked and subjective_p.get(s.index, 0.0) >= SUBJECTIVE_AT]
    evidence += [_span(doc, s, "opinion", "Reads as opinion in the outlet's own voice.") for s in subjective]
    anonymous = [s for s, text in own if language_specific and _ANONYMOUS.search(text)]
    evidence += [_span(doc, s, "anonymous_source", "Relies on unnamed sources.") for s in anonymous]
    exclamations = sum(text.count("!") for _, text in own)
    evidence += [_span(doc, s, "exclamation", "Exclamation in the outlet's own voice.") for s, t in own if "!" in t]
    address = _ADDRESS.get(doc.language)
    addressing = [s for s, text in own if language_specific and address is not None and address.search(text)]
    evidence += [_span(doc, s, "reader_address", "Addresses the reader or speaks as “we”/“I”.") for s in addressing]
    bait, bait_reason = headline_bait(doc.title)
    if bait:
        evidence.append({"kind": "headline", "field": "title", "text": doc.title, "reason": bait_reason.capitalize()})
        found.append(bait_reason)
    anchored = [s for s in claims if _ANCHOR.search(s.text)]
    specific = [s for s in claims if s.figures or s.dates or s.names]

    for items, what in (
        (subjective, "sentence(s) of opinion in the outlet's voice"),
        (anonymous, "unnamed source(s)"),
        (addressing, "sentence(s) addressing the reader"),
    ):
        if items:
            found.append(f"{len(items)} {what}")
    if exclamations:
        found.append(f"{exclamations} exclamation mark(s)")
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
        "found": found,
    }
