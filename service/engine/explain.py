"""Assemble the score object of ARCHITECTURE.md from an analysed article and its prediction."""

from __future__ import annotations

from typing import Any

from .pipeline import ArticleAnalysis
from .signals import ADDED_COMPONENTS, COMPONENTS

# (text when the component raises the score, text when it lowers it); {n} counts its flags.
REASON_TEXT = {
    "corroboration": ("claims confirmed by independent sources", "claims rarely confirmed by independent sources"),
    "unsupported_claims": ("few unsupported claims", "{n} check-worthy claim(s) no independent source confirms"),
    "contradiction": ("no contradiction with other sources", "{n} claim(s) contradicted by other sources"),
    "generic_assertions": ("specific throughout", "{n} generic, uncheckable assertion(s)"),
    "name_consistency": ("names spelled as other sources spell them", "{n} misspelled name(s)"),
    "attribution": ("well attributed (quotes, named sources, agencies)", "weak attribution"),
    "presentation": ("clean page", "{n} presentation problem(s): {kinds}"),
    "derivative": ("original reporting", "rewrite of another article"),
    "style": ("written as dated, specific reporting", "{found}"),
}
# The text of a component that raises the score although some of its flags were found: "+1: clean
# page" beside a furniture flag reads as a contradiction.
RAISES_WITH_FLAGS = {
    "presentation": "fewer presentation problems than most pages: {kinds}",
    "generic_assertions": "mostly specific ({n} generic assertion(s) found)",
    "name_consistency": "names mostly spelled as other sources spell them ({n} misspelled)",
    "contradiction": "few contradictions with other sources ({n} found)",
}
# How a style reason names what it found, from the evidence spans' kinds (`style.style_signals`).
# Unnamed sources are evidence only: the style term does not read them (training/style_scorer.py).
STYLE_KINDS = {
    "opinion": "sentence(s) of opinion in the outlet's voice",
    "exclamation": "exclamation(s)",
    "reader_address": "sentence(s) addressing the reader",
}


def style_found(evidence: list[dict[str, Any]]) -> str:
    """What the style evidence holds, in words ("headline in capitals, 2 exclamation(s)"); a
    style that lowers the score with none of these has few specific, dated statements."""
    counts: dict[str, int] = {}
    parts = []
    for item in evidence:
        if item["kind"] == "headline":
            parts.append(item["reason"][0].lower() + item["reason"][1:])
        elif item["kind"] in STYLE_KINDS:
            counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    parts += [f"{n} {STYLE_KINDS[kind]}" for kind, n in counts.items()]
    return ", ".join(parts) or "few specific, dated statements"


FLAG_COMPONENT = {
    "unsupported_claim": "unsupported_claims",
    "contradiction": "contradiction",
    "generic_assertion": "generic_assertions",
    "misspelled_name": "name_consistency",
    "furniture": "presentation",
    "duplicate": "presentation",
    "translation_artefact": "presentation",
    "spelling": "presentation",
    "loaded_language": "presentation",
    "derivative": "derivative",
}


# How a presentation reason names what it found ("2 furniture line(s), 1 spelling slip(s)").
PRESENTATION_KINDS = {
    "furniture": "furniture line(s)",
    "duplicate": "duplicated paragraph(s)",
    "translation_artefact": "translation echo(es)",
    "spelling": "spelling slip(s)",
    "loaded_language": "loaded word(s)",
}


def reasons(analysis: ArticleAnalysis, contributions: dict[str, float], limit: int = 4) -> list[str]:
    """Plain-language reasons, strongest contribution first."""
    counts: dict[str, int] = {}
    kinds: dict[str, int] = {}
    seen_names: set[str] = set()
    for flag in analysis.signals.flags:
        component = FLAG_COMPONENT.get(flag.type)
        if flag.type == "misspelled_name":
            if flag.text in seen_names:
                continue  # one misspelled name, however often it is repeated
            seen_names.add(flag.text)
        if component:
            counts[component] = counts.get(component, 0) + 1
        if flag.type in PRESENTATION_KINDS:
            kinds[flag.type] = kinds.get(flag.type, 0) + 1
    out = []
    for component, points in sorted(contributions.items(), key=lambda kv: -abs(kv[1])):
        if abs(points) < 0.5:
            continue
        if component == "derivative" and (points > 0) == bool(analysis.derivative_of):
            continue  # a rewrite is reported by its flag; a small model wobble is no reason
        raises, lowers = REASON_TEXT[component]
        if counts.get(component, 0) and component in RAISES_WITH_FLAGS:
            raises = RAISES_WITH_FLAGS[component]
        found = ", ".join(f"{n} {PRESENTATION_KINDS[kind]}" for kind, n in kinds.items()) or "none flagged"
        text = (raises if points > 0 else lowers).format(
            n=counts.get(component, 0),
            kinds=found,
            found=style_found(analysis.signals.evidence.get("style", [])) if component == "style" else "",
        )
        shown = int(abs(points) + 0.5)  # half up: a 0.5-point reason reads "-1", never "-0"
        out.append(f"{'+' if points > 0 else '-'}{shown}: {text}")
        if len(out) == limit:
            break
    if analysis.signals.coverage == "insufficient_coverage":
        out.append("insufficient coverage: no independent article on this story to compare with")
    return out


def score_object(
    analysis: ArticleAnalysis, prediction: dict[str, Any], model_version: str, source: dict[str, Any] | None
) -> dict[str, Any]:
    doc = analysis.doc
    contributions = prediction["contributions"]
    components = {
        name: {
            "value": round(float(analysis.signals.component_values.get(name, 0.0)), 3),
            "contribution": contributions.get(name, 0.0),
            "evidence": analysis.signals.evidence.get(name, []),
        }
        for name in COMPONENTS + ADDED_COMPONENTS
    }
    claims = []
    for sentence in doc.sentences:
        claim = analysis.claims.get(sentence.index)
        if claim is None:
            continue
        claims.append(
            {
                "text": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "kind": sentence.kind,
                "cluster_id": claim.cluster_id,
                "cluster_ids": [claim.cluster_id, *claim.also_in],
                "status": claim.status,
                "supported_by": claim.supported_by,
                "check_worthy": sentence.check_worthy,
                "hedged": sentence.hedged,
            }
        )
    return {
        "article_id": doc.article_id,
        "id": doc.external_id,
        "input": doc.input,
        "title": doc.title,
        "url": doc.url,
        "language": doc.language,
        "score": prediction["score"],
        "label": prediction["label"],
        "confidence": prediction["confidence"],
        "model_version": model_version,
        "reasons": reasons(analysis, contributions),
        "components": components,
        "flags": [flag.to_dict() for flag in analysis.signals.flags],
        "claims": claims,
        "coverage": analysis.signals.coverage,
        "independent_sources": analysis.independent_sources,
        "derivative_of": analysis.derivative_of,
        "story_id": analysis.story_id,
        "source": source or {"domain": doc.source, "rating": None, "interval": None, "n_articles": 0},
        "notes": doc.notes,
        "text": doc.text,
    }
