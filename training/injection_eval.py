"""Recall on real errors injected into copies of professional news (issue 13), for `reliability eval`.

basil-dev and rpm2-fr-dev are scored once as they are; then, in every story the engine finds,
errors of these kinds are written into copies of its articles (one error per article, seeded,
kinds rotated over the articles of the story), the copies are scored as one batch again, and each
injection counts as found when a flag of the expected type lands on it:

- `name` -> `misspelled_name`: one occurrence of a person or place name that another article of
  the story also writes gets one typing slip (adjacent letters swapped, a letter dropped, doubled
  or replaced by another vowel), but never one that only doubles or undoubles a letter (a
  transliteration variant, `names.variant_key`, which the names stage must not flag); the
  suggestion must give the name back;
- `figure`, `weekday`, `negation` -> `contradiction`: in a sentence the clean run found
  `supported` by another outlet, a figure or a weekday that a sentence of another article in
  one of its claim clusters also gives (same value, same slot) is changed, or the main verb is
  negated;
- `spelling` -> `spelling`: a lower-case word of six letters or more gets one typing slip that
  makes a non-word (slips that make another word, "form" -> "from", need a grammar checker and
  are not injected).

The sets are never trained on; the injection code lives here, apart from the corruptions the
article model learns from (training/corruptions.py).
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from service.engine.names import variant_key
from service.engine.pipeline import ArticleAnalysis, Resources, analyze, prepare
from service.engine.records import ArticleInput, Sentence
from service.engine.spelling import frequency_list
from service.engine.story import day_number
from service.engine.values import day_values, figure_values

from .common import SEED, article_input, read_labelled_articles, rpm2_inputs

KINDS = ("name", "figure", "weekday", "negation", "spelling")
EXPECTED_FLAG = {
    "name": "misspelled_name",
    "figure": "contradiction",
    "weekday": "contradiction",
    "negation": "contradiction",
    "spelling": "spelling",
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}
_QUOTED = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"\n]*\"")
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[ ,.]\d{3})*(?![\w.,]?\d)")
_EN_AUX = re.compile(r"\b(is|was|are|were|will|has|have|had|can|could|would|should)\b(?! not\b)")
_FR_AUX = re.compile(
    r"(?<![y'’] )(?<![\w'’-])(est|était|sont|étaient|a|ont|avait|avaient|va|vont|sera|seront|peut|doit)\b(?!-)"
)
_VOWEL = "aeiouyéèêàâîôû"


@dataclass
class Injection:
    kind: str
    row: int  # index of the article in the set
    old_sentence: str
    new_sentence: str
    token_start: int  # the injected token's offsets inside new_sentence
    token_end: int
    expected_suggestion: str = ""


def typo(word: str, rng: random.Random) -> str:
    """One typing slip inside a word (first and last letters kept): swap, drop, double or revowel."""
    for _ in range(20):
        i = rng.randrange(1, len(word) - 2)
        op = rng.choice(("swap", "drop", "double", "vowel"))
        if op == "swap" and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "drop":
            out = word[:i] + word[i + 1 :]
        elif op == "double" and word[i] not in _VOWEL:
            out = word[: i + 1] + word[i] + word[i + 1 :]
        elif op == "vowel" and word[i] in "aeiou":
            out = word[:i] + rng.choice([v for v in "aeiou" if v != word[i]]) + word[i + 1 :]
        else:
            continue
        if out != word:
            return out
    return word


def _outside_quotes(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def _supported(analysis: ArticleAnalysis) -> list[Sentence]:
    return [
        s
        for s in analysis.doc.content_sentences
        if s.index in analysis.claims and analysis.claims[s.index].status == "supported" and s.kind == "claim"
    ]


def _edit(sentence: Sentence, start: int, end: int, new: str, kind: str, row: int, suggestion: str = "") -> Injection:
    text = sentence.text
    return Injection(kind, row, text, text[:start] + new + text[end:], start, start + len(new), suggestion)


def inject_name(analysis: ArticleAnalysis, story_names: set[str], row: int, rng: random.Random) -> Injection | None:
    doc = analysis.doc
    sites = []
    for s in doc.content_sentences:
        if s.kind != "claim":
            continue
        for m in s.names:
            last = m.text.split()[-1]
            if len(last) >= 5 and last.isalpha() and last[0].isupper() and last[1:].islower() and last in story_names:
                sites.append((s, m.end - s.start - len(last), m.end - s.start, last))
    if not sites:
        return None
    s, start, end, last = rng.choice(sites)
    slip = typo(last, rng)
    # A doubled or undoubled letter ("Mohamed"/"Mohammed", "Fllake") is a transliteration variant
    # the names stage must never flag (issue 13): not an error to inject. Other slips are drawn
    # from a generator of this name's own, so the story's draws (its other injections) stay as they were.
    retry = random.Random(f"{row}:{last}")
    for _ in range(10):
        if variant_key(slip) != variant_key(last):
            return _edit(s, start, end, slip, "name", row, last)
        slip = typo(last, retry)
    return None


def inject_figure(
    analysis: ArticleAnalysis, row: int, rng: random.Random, shared: Callable[[Sentence], set[str]]
) -> Injection | None:
    sites = []
    for s in _supported(analysis):
        for m in _NUMBER.finditer(_outside_quotes(s.text)):
            value = int(re.sub(r"\D", "", m.group(0)))
            if not 1900 <= value <= 2100 and value > 0 and str(value) in shared(s):
                sites.append((s, m, value))
    if not sites:
        return None
    s, m, value = rng.choice(sites)
    new = value + rng.choice((1, 2, 3)) if value < 20 else value * rng.choice((2, 3)) // 2 + 1
    return _edit(s, m.start(), m.end(), str(new), "figure", row)


def inject_weekday(
    analysis: ArticleAnalysis, row: int, rng: random.Random, shared: Callable[[Sentence], set[str]]
) -> Injection | None:
    days = WEEKDAYS.get(analysis.doc.language)
    if not days:
        return None
    pattern = re.compile(r"\b(" + "|".join(days) + r")\b", re.IGNORECASE)
    today = day_number(analysis.doc.published_at)
    sites = [
        (s, m)
        for s in _supported(analysis)
        for m in pattern.finditer(s.text)
        if {v.value or v.weekday for v in day_values(m.group(0), today)} & shared(s)
    ]
    if not sites:
        return None
    s, m = rng.choice(sites)
    index = [d.lower() for d in days].index(m.group(0).lower())
    new = days[(index + rng.randrange(1, 7)) % 7]
    new = new.capitalize() if m.group(0)[0].isupper() else new.lower()
    return _edit(s, m.start(), m.end(), new, "weekday", row)


def inject_negation(analysis: ArticleAnalysis, row: int, rng: random.Random) -> Injection | None:
    language = analysis.doc.language
    sites = []
    for s in _supported(analysis):
        if s.negative:
            continue
        plain = _outside_quotes(s.text)
        match = (_EN_AUX if language == "en" else _FR_AUX).search(plain) if language in ("en", "fr") else None
        if match:
            sites.append((s, match))
    if not sites:
        return None
    s, m = rng.choice(sites)
    verb = m.group(0)
    if language == "en":
        new = f"{verb} not"
    else:
        new = (f"n'{verb}" if verb[0] in _VOWEL else f"ne {verb}") + " pas"
    return _edit(s, m.start(), m.end(), new, "negation", row)


def inject_spelling(analysis: ArticleAnalysis, row: int, rng: random.Random) -> Injection | None:
    language = analysis.doc.language
    if language not in ("en", "fr"):
        return None
    checker = frequency_list(language)
    sites = [
        (s, m)
        for s in analysis.doc.content_sentences
        if s.kind == "claim"
        for m in re.finditer(r"(?<![\w'’-])[a-zà-öø-ÿ]{6,}(?![\w'’-])", _outside_quotes(s.text))
        if m.group(0) in checker
    ]
    rng.shuffle(sites)
    for s, m in sites[:10]:
        slip = typo(m.group(0), rng)
        if slip not in checker:  # a slip that makes another word is a grammar checker's job
            return _edit(s, m.start(), m.end(), slip, "spelling", row, m.group(0))
    return None


def _shared_values(clean: list[ArticleAnalysis], rows: list[int]) -> dict[tuple[int, int], set[str]]:
    """(row, sentence index) -> the figures and days that sentences of other articles in one of
    its claim clusters give (days as calendar days when dated, else as weekdays)."""
    members: dict[str, list[tuple[int, Sentence]]] = defaultdict(list)
    for i in rows:
        sentences = {s.index: s for s in clean[i].doc.sentences}
        for index, claim in clean[i].claims.items():
            for cluster in (claim.cluster_id, *claim.also_in):
                members[cluster].append((i, sentences[index]))
    out: dict[tuple[int, int], set[str]] = defaultdict(set)
    for group in members.values():
        for i, s in group:
            for j, other in group:
                if j != i:
                    today = day_number(clean[j].doc.published_at)
                    out[(i, s.index)] |= {v.value for v in figure_values(other.text)}
                    out[(i, s.index)] |= {v.value or v.weekday for v in day_values(other.text, today)}
    return out


@dataclass
class _Story:
    """One story's injection context: its rows, its seeded generator, the values its claims share."""

    clean: list[ArticleAnalysis]
    rows: list[int]
    rng: random.Random
    shared: dict[tuple[int, int], set[str]]
    names_by_row: dict[int, set[str]]

    def inject(self, kind: str, i: int) -> Injection | None:
        analysis, rng = self.clean[i], self.rng

        def shared(s: Sentence) -> set[str]:
            return self.shared.get((i, s.index), set())

        if kind == "name":
            others = set().union(*(self.names_by_row[j] for j in self.rows if j != i))
            return inject_name(analysis, others, i, rng)
        if kind == "figure":
            return inject_figure(analysis, i, rng, shared)
        if kind == "weekday":
            return inject_weekday(analysis, i, rng, shared)
        if kind == "negation":
            return inject_negation(analysis, i, rng)
        return inject_spelling(analysis, i, rng)


def plan(clean: list[ArticleAnalysis], seed: int = SEED) -> list[Injection]:
    """One injection per article at most; in each story, kinds rotated over its articles."""
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, analysis in enumerate(clean):
        by_story[analysis.story_id].append(i)
    injections: list[Injection] = []
    for n, (story_id, rows) in enumerate(sorted(by_story.items())):
        if len(rows) < 2:
            continue
        rng = random.Random(f"{seed}:{story_id}")
        shared = _shared_values(clean, rows)
        names_by_row = {i: {m.text.split()[-1] for s in clean[i].doc.content_sentences for m in s.names} for i in rows}
        story = _Story(clean, rows, rng, shared, names_by_row)
        free = list(rows)
        rng.shuffle(free)
        for k in range(len(KINDS)):
            kind = KINDS[(n + k) % len(KINDS)]
            for i in free:
                found = story.inject(kind, i)
                if found is not None:
                    injections.append(found)
                    free.remove(i)
                    break
    return injections


def apply(inputs: list[ArticleInput], injections: list[Injection]) -> tuple[list[ArticleInput], list[Injection]]:
    """The inputs with each injection written into its article's text (injections whose sentence
    cannot be found verbatim in the raw text are dropped)."""
    out = list(inputs)
    kept = []
    for inj in injections:
        text = out[inj.row].text or ""
        at = text.find(inj.old_sentence)
        if at < 0:
            continue
        out[inj.row] = replace(out[inj.row], text=text[:at] + inj.new_sentence + text[at + len(inj.old_sentence) :])
        kept.append(inj)
    return out, kept


def found(injection: Injection, analysis: ArticleAnalysis) -> tuple[bool, bool]:
    """(flagged, right suggestion) for one injection in its article's new analysis."""
    at = analysis.doc.text.find(injection.new_sentence)
    if at < 0:
        return False, False
    if EXPECTED_FLAG[injection.kind] == "contradiction":
        start, end = at, at + len(injection.new_sentence)
    else:
        start, end = at + injection.token_start, at + injection.token_end
    hits = [
        f for f in analysis.signals.flags if f.type == EXPECTED_FLAG[injection.kind] and f.start < end and start < f.end
    ]
    right = (
        any(injection.expected_suggestion.lower() in (f.suggestion or "").lower() for f in hits)
        if injection.expected_suggestion
        else bool(hits)
    )
    return bool(hits), right


def injection_figures(name: str, inputs: list[ArticleInput], res: Resources, seed: int = SEED) -> dict[str, Any]:
    """`injected_{name}_{kind}_recall` (and `_n`, and `_suggestion` for names) over one seeded round."""
    clean = analyze(prepare(inputs), res)
    injected_inputs, injections = apply(inputs, plan(clean, seed))
    analyses = analyze(prepare(injected_inputs), res)
    hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    for inj in injections:
        hits[inj.kind].append(found(inj, analyses[inj.row]))
    figures: dict[str, Any] = {}
    for kind in KINDS:
        results = hits.get(kind, [])
        figures[f"injected_{name}_{kind}_n"] = len(results)
        figures[f"injected_{name}_{kind}_recall"] = round(sum(f for f, _ in results) / max(1, len(results)), 4)
        if kind == "name":
            figures[f"injected_{name}_name_suggestion"] = round(sum(r for _, r in results) / max(1, len(results)), 4)
    return figures


def injected_figures(data: Path, res: Resources) -> dict[str, Any]:
    """`injection_figures` on basil-dev and rpm2-fr-dev (each scored as one batch)."""
    basil = [article_input(r) for r in read_labelled_articles(data / "basil-dev")]
    rpm2 = rpm2_inputs(data)
    return {**injection_figures("basil", basil, res), **injection_figures("rpm2", rpm2, res)}
