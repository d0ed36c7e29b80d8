"""Article signals: one function per signal, each returning values and the spans behind them.

Input is one article inside its analysed story (claims with statuses, families,
contradictions, generic probabilities); output is plain numbers for the scorer and
flags with offsets for the reader.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from . import lexicon, spelling, style, wording
from .records import Claim, Document, Flag, Sentence

# Feature order is the scorer's contract; `COMPONENT_OF` groups them for explanations.
FEATURES = [
    "corroborated_share",
    "independent_sources",
    "unsupported_share",
    "hedged_unsupported_share",
    "contradiction_share",
    "generic_share",
    "misspelled_names",
    "attributed_share",
    "agency",
    "furniture_share",
    "duplicate_share",
    "artefact_rate",
    "loaded_rate",
    "derivative",
]
COMPONENT_OF = {
    "corroborated_share": "corroboration",
    "independent_sources": "corroboration",
    "unsupported_share": "unsupported_claims",
    "hedged_unsupported_share": "unsupported_claims",
    "contradiction_share": "contradiction",
    "generic_share": "generic_assertions",
    "misspelled_names": "name_consistency",
    "attributed_share": "attribution",
    "agency": "attribution",
    "furniture_share": "presentation",
    "duplicate_share": "presentation",
    "artefact_rate": "presentation",
    "loaded_rate": "presentation",
    "derivative": "derivative",
}
COMPONENTS = list(dict.fromkeys(COMPONENT_OF.values()))
# Components outside the base model's features: reporting style (`style.py`) is scored by the
# scorer's additive style term (`scorer.style_logit`, issue 14), its contribution exact.
ADDED_COMPONENTS = ["style"]
# The direction an editor expects each signal to push the score (+1 up, -1 down, 0 either):
# the scorer is constrained to it and learns only how far.
FEATURE_DIRECTION = {
    "corroborated_share": 1,
    "independent_sources": 0,
    "unsupported_share": -1,
    "hedged_unsupported_share": -1,
    "contradiction_share": -1,
    "generic_share": -1,
    "misspelled_names": -1,
    "attributed_share": 1,
    "agency": 1,
    "furniture_share": -1,
    "duplicate_share": -1,
    "artefact_rate": -1,
    "loaded_rate": -1,
    "derivative": -1,
}

# The median number of content sentences of the articles the scorer is trained on (rpm2-fr-dev,
# 19; basil-dev 24.5, horne2017-random-dev 19): echo, slip and loaded-word rates of shorter
# articles are read as if over this many, so one slip in a short report weighs what it weighs
# in a typical one.
RATE_MIN_SENTENCES = 19

_TOKEN = re.compile(r"[\wÀ-ÿ'-]+")


@dataclass
class ArticleSignals:
    values: dict[str, float]
    flags: list[Flag] = field(default_factory=list)
    evidence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    component_values: dict[str, float] = field(default_factory=dict)
    coverage: str = "ok"  # "ok" | "insufficient_coverage"


def _span(doc: Document, sentence: Sentence) -> dict[str, Any]:
    return {"start": sentence.start, "end": sentence.end, "text": sentence.text}


def claim_sentences(doc: Document) -> list[Sentence]:
    """The sentences whose support is judged: assertions and quotes, not headings or furniture."""
    return [s for s in doc.content_sentences if s.kind in ("claim", "quote")]


def corroboration(doc: Document, claims: dict[int, Claim], independent_sources: int) -> ArticleSignals:
    judged = [s for s in claim_sentences(doc) if s.check_worthy and s.index in claims]
    supported = [s for s in judged if claims[s.index].status == "supported"]
    unsupported = [s for s in judged if claims[s.index].status == "unsupported"]
    decided = len(supported) + len(unsupported)
    insufficient = independent_sources == 0
    share = len(supported) / decided if decided and not insufficient else 0.5
    result = ArticleSignals(
        values={"corroborated_share": share, "independent_sources": math.log1p(independent_sources)},
        coverage="insufficient_coverage" if insufficient else "ok",
    )
    result.evidence["corroboration"] = [
        {**_span(doc, s), "supported_by": claims[s.index].supported_by} for s in supported
    ]
    result.component_values["corroboration"] = share
    n_claims = max(1, len(claim_sentences(doc)))
    hedged = [s for s in unsupported if s.hedged]
    result.values["unsupported_share"] = 0.0 if insufficient else len(unsupported) / n_claims
    result.values["hedged_unsupported_share"] = 0.0 if insufficient else len(hedged) / n_claims
    result.component_values["unsupported_claims"] = result.values["unsupported_share"]
    if not insufficient:
        for s in unsupported:
            hedge = " It is hedged (reported as rumour or unconfirmed)." if s.hedged else ""
            result.flags.append(
                Flag(
                    "unsupported_claim",
                    s.start,
                    s.end,
                    s.text,
                    f"Check-worthy claim that no independent source in this story confirms.{hedge}",
                )
            )
    result.evidence["unsupported_claims"] = [{**_span(doc, s), "hedged": s.hedged} for s in unsupported]
    return result


def _outlet(entry: dict[str, Any]) -> str:
    title = (entry.get("title") or "")[:80]
    return entry.get("source") or (f"“{title}”" if title else "another article of this story")


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def contradiction_reason(contradicted_by: list[dict[str, Any]]) -> str:
    """What was compared with what: "“Tuesday” here; “Wednesday” in foxnews.com and nytimes.com
    (“…”)", or "Denies what nytimes.com asserts (“…”)"; the first disagreement, its outlets grouped."""
    first = contradicted_by[0]
    same = [
        e
        for e in contradicted_by
        if (e["kind"], e["here"], e["there"]) == (first["kind"], first["here"], first["there"])
    ]
    outlets = _and(list(dict.fromkeys(_outlet(e) for e in same)))
    quoted = f"(“{first['text'][:120]}”)"
    if first["kind"] == "values":
        return f"“{first['here']}” here; “{first['there']}” in {outlets} {quoted}"
    plural = len(dict.fromkeys(_outlet(e) for e in same)) > 1
    verb = {"asserts": "assert", "denies": "deny"}.get(first["there"], first["there"]) if plural else first["there"]
    return f"{first['here'].capitalize()} what {outlets} {verb} {quoted}"


def contradiction(doc: Document, claims: dict[int, Claim]) -> ArticleSignals:
    flags = []
    for s in claim_sentences(doc):
        claim = claims.get(s.index)
        if claim and claim.contradicted_by:
            flags.append(Flag("contradiction", s.start, s.end, s.text, contradiction_reason(claim.contradicted_by)))
    share = len(flags) / max(1, len(claim_sentences(doc)))
    return ArticleSignals(
        values={"contradiction_share": share},
        flags=flags,
        evidence={"contradiction": [f.to_dict() for f in flags]},
        component_values={"contradiction": share},
    )


def generic_assertions(doc: Document, generic_probability: dict[int, float], threshold: float) -> ArticleSignals:
    candidates = [s for s in doc.content_sentences if s.kind in ("claim", "question")]
    flags = [
        Flag(
            "generic_assertion",
            s.start,
            s.end,
            s.text,
            f"Asserts nothing checkable (generic-assertion probability {generic_probability[s.index]:.2f}).",
        )
        for s in candidates
        if generic_probability.get(s.index, 0.0) >= threshold
    ]
    share = len(flags) / max(1, len(candidates))
    return ArticleSignals(
        values={"generic_share": share},
        flags=flags,
        evidence={"generic_assertions": [f.to_dict() for f in flags]},
        component_values={"generic_assertions": share},
    )


def name_consistency(name_flags: list[Flag]) -> ArticleSignals:
    distinct = {f.text for f in name_flags}
    return ArticleSignals(
        values={"misspelled_names": float(min(len(distinct), 3))},
        flags=list(name_flags),
        evidence={"name_consistency": [f.to_dict() for f in name_flags]},
        component_values={"name_consistency": float(len(distinct))},
    )


def attribution(doc: Document) -> ArticleSignals:
    judged = claim_sentences(doc)
    attributed = [s for s in judged if s.attributed]
    share = len(attributed) / max(1, len(judged))
    agency = float(bool(lexicon.AGENCY_RE.search(doc.text)))
    return ArticleSignals(
        values={"attributed_share": share, "agency": agency},
        evidence={"attribution": [_span(doc, s) for s in attributed]},
        component_values={"attribution": share},
    )


def presentation(doc: Document, spelling_flags: list[Flag] | None = None) -> ArticleSignals:
    """Furniture, duplicates, machine-translation echoes, spelling slips (`spelling.spelling_flags`)
    and loaded wording. `artefact_rate` counts echoes and slips together: both are editing defects."""
    flags: list[Flag] = list(spelling_flags or [])
    sentences = doc.sentences
    by_index = {s.index: s for s in sentences}
    for s in sentences:
        if s.kind == "furniture":
            flags.append(
                Flag("furniture", s.start, s.end, s.text, (s.furniture_reason or "page furniture").capitalize())
            )
        elif s.duplicate_of is not None:
            original = by_index.get(s.duplicate_of)
            where = f" (first at offset {original.start})" if original else ""
            flags.append(Flag("duplicate", s.start, s.end, s.text, f"Repeats a paragraph of this article{where}."))
    artefacts = len(spelling_flags or [])
    unquoted = spelling.quoted_text(doc.text)
    loaded_spans = [
        (s.start + start, s.start + end)
        for s in doc.content_sentences
        for start, end in wording.loaded_matches(doc.text[s.start : s.end], unquoted[s.start : s.end])
    ]
    for start, end in loaded_spans:
        flags.append(
            Flag(
                "loaded_language",
                start,
                end,
                doc.text[start:end],
                f"“{doc.text[start:end]}”: sensational wording in the outlet's own voice (not in a quotation, "
                "not in a literal sense).",
            )
        )
    loaded = len(loaded_spans)
    for s in doc.content_sentences:
        for start, end, word in repeated_words(s.text):
            artefacts += 1
            flags.append(
                Flag(
                    "translation_artefact",
                    s.start + start,
                    s.start + end,
                    s.text[start:end],
                    f"“{word}” is repeated within a few words, a typical machine-translation artefact.",
                )
            )
    n = max(1, len(sentences))
    # Rates over at least RATE_MIN_SENTENCES: one word in a short piece is not a pattern.
    n_content = max(RATE_MIN_SENTENCES, len(doc.content_sentences))
    values = {
        "furniture_share": sum(1 for s in sentences if s.kind == "furniture") / n,
        "duplicate_share": sum(1 for s in sentences if s.duplicate_of is not None) / n,
        "artefact_rate": min(1.0, artefacts / n_content * 5),
        "loaded_rate": min(1.0, loaded / n_content * 5),
    }
    return ArticleSignals(
        values=values,
        flags=flags,
        evidence={"presentation": [f.to_dict() for f in flags]},
        component_values={"presentation": 1.0 - min(1.0, sum(values.values()))},
    )


# Words that join a word to itself in ordinary idioms ("year after year", "time to time", "side
# by side", "over and over", "année après année", "coup sur coup", "face à face").
_IDIOM_LINKS = {
    "after", "and", "or", "by", "to", "upon", "for", "over", "in", "on", "against", "about",
    "après", "et", "ou", "à", "par", "pour", "sur", "contre", "en", "de",
}  # fmt: skip
_PRONOUNS = {"they", "them", "their", "there", "these", "those", "this", "that", "what", "which", "nous", "vous"}
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"")


def repeated_words(text: str) -> list[tuple[int, int, str]]:
    """A machine-translation echo: a lower-case content word on both sides of one other content
    word, with nothing else between ("maintenant protège maintenant").

    Not an artefact: idioms that join a word to itself ("year after year", "main dans la main",
    "de 9 heures à 19 heures"), lists and rhetorical repetition ("someone new, someone
    conservative", "this country, but this country": there is punctuation or more than one word
    between), names, figures, and anything inside a quotation (speech repeats itself).
    """
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    tokens = [(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text)]
    found = []
    for (start, _, word), (_, _, middle), (third, end, again) in zip(tokens, tokens[1:], tokens[2:], strict=False):
        lower, link = word.lower(), middle.lower()
        if again.lower() != lower or not (word.islower() and middle.islower()) or len(word) < 4:
            continue
        if (
            lower in _PRONOUNS
            or lower in lexicon.FUNCTION_WORDS
            or link in lexicon.FUNCTION_WORDS
            or link in _IDIOM_LINKS
        ):
            continue
        if not re.fullmatch(r"\s+[\w'’-]+\s+", text[start + len(word) : third]):
            continue  # punctuation between: a list or an apposition
        if any(a <= start < b for a, b in quoted):
            continue
        found.append((start, end, lower))
    return found


def _original_name(original: dict[str, Any]) -> str:
    """How a reader knows the original: its outlet and title ("an article of this batch" if neither is known)."""
    title = (original.get("title") or "").strip()
    title = f"“{title[:120]}{'…' if len(title) > 120 else ''}”" if title else ""
    source = original.get("source") or ""
    if title and source:
        return f"{title} ({source})"
    return title or source or "another article of this story"


def derivative(doc: Document, original: dict[str, Any] | None) -> ArticleSignals:
    flags = []
    if original:
        first = next(iter(doc.content_sentences), None)
        start, end, text = (first.start, first.end, first.text) if first else (0, 0, "")
        flags.append(
            Flag(
                "derivative",
                start,
                end,
                text,
                f"Rewrite of {_original_name(original)}: its sentences have counterparts there "
                f"(mean match {original['mean_match']:.2f}), {original['order']:.0%} of them in the same order, "
                f"{original['shingles']:.0%} of its word 4-grams are the original's, and only "
                f"{original.get('novelty', 1.0):.0%} of its names, figures and quotations are its own; "
                "it does not count as independent support.",
            )
        )
    return ArticleSignals(
        values={"derivative": float(bool(original))},
        flags=flags,
        evidence={"derivative": [original] if original else []},
        component_values={"derivative": float(bool(original))},
    )


def reporting_style(doc: Document, subjective_p: dict[int, float], language_specific: bool) -> ArticleSignals:
    """Opinion, unnamed sources, headline bait, exclamations, reader address and day anchors in
    the writer's own voice (`style.style_signals`); evidence spans carry their `kind`."""
    found = style.style_signals(doc, subjective_p, language_specific)
    bad = sum(v for k, v in found["values"].items() if style.FEATURE_SIGN[k] < 0)
    return ArticleSignals(
        values=found["values"],
        evidence={"style": found["evidence"]},
        component_values={"style": max(0.0, 1.0 - bad)},
    )


def merge(parts: list[ArticleSignals]) -> ArticleSignals:
    out = ArticleSignals(values={})
    for part in parts:
        out.values.update(part.values)
        out.flags.extend(part.flags)
        out.evidence.update(part.evidence)
        out.component_values.update(part.component_values)
        if part.coverage != "ok":
            out.coverage = part.coverage
    out.flags.sort(key=lambda f: (f.start, f.end, f.type))
    return out


# Features computed from French or English word lists: zero for other languages.
LANGUAGE_SPECIFIC_FEATURES = (
    "generic_share",
    "loaded_rate",
    "artefact_rate",
    "hedged_unsupported_share",
)
LANGUAGE_SPECIFIC_FLAGS = ("loaded_language", "translation_artefact")


def article_signals(
    doc: Document,
    claims: dict[int, Claim],
    independent_sources: int,
    generic_probability: dict[int, float],
    generic_threshold: float,
    name_flags: list[Flag],
    original: dict[str, Any] | None,
    language_specific: bool,
    spelling_flags: list[Flag] | None = None,
    subjective_p: dict[int, float] | None = None,
) -> ArticleSignals:
    """The signals stage for one article: every signal, merged; word-list signals off for other languages."""
    merged = merge(
        [
            corroboration(doc, claims, independent_sources),
            contradiction(doc, claims),
            generic_assertions(doc, generic_probability if language_specific else {}, generic_threshold),
            name_consistency(name_flags),
            attribution(doc),
            presentation(doc, spelling_flags),
            derivative(doc, original),
            reporting_style(doc, subjective_p or {}, language_specific),
        ]
    )
    if not language_specific:
        for feature in LANGUAGE_SPECIFIC_FEATURES:
            merged.values[feature] = 0.0
        merged.flags = [f for f in merged.flags if f.type not in LANGUAGE_SPECIFIC_FLAGS]
    return merged
