"""Cut normalized text into typed sentences with character offsets.

Kinds: heading, furniture, quote, question, claim. Abbreviations (M., MM., Mme, Dr.),
initials and French quotes « » do not end a sentence.
"""

from __future__ import annotations

import re
from itertools import accumulate

from . import furniture, lexicon, mentions
from .records import Sentence

_ABBREVIATIONS = {a.lower() for a in lexicon.HONORIFICS} | {
    "etc",
    "cf",
    "p",
    "pp",
    "vol",
    "no",
    "n°",
    "art",
    "av",
    "bd",
    "env",
    "min",
    "max",
    "vs",
    "jan",
    "fév",
    "feb",
    "oct",
    "nov",
    "déc",
    "dec",
    "sept",
    "gen",
    "gén",
    "col",
    "lt",
    "sgt",
    "gov",
    "sen",
    "rep",
    "inc",
    "ltd",
    "co",
    "corp",
    "ste",
    "u.s",
    "e.g",
    "i.e",
    "approx",
    "dept",
    "ex",  # "p. ex."
    "rev",
    # Months, French and English ("14 janv. 2025", "Aug. 12").
    "janv",
    "févr",
    "fevr",
    "avr",
    "juil",
    "aug",
    "apr",
    "jun",
    "jul",
    "sep",
}
# US states as datelines write them ("SPRINGFIELD, Ill. —"): an abbreviation only after a comma.
_STATES = {
    "ala",
    "ariz",
    "ark",
    "calif",
    "colo",
    "conn",
    "del",
    "fla",
    "ga",
    "ill",
    "ind",
    "kan",
    "ky",
    "md",
    "mass",
    "mich",
    "minn",
    "miss",
    "mo",
    "mont",
    "neb",
    "nev",
    "okla",
    "ore",
    "pa",
    "tenn",
    "tex",
    "va",
    "vt",
    "wash",
    "wis",
    "wyo",
}
# After an initial ("J. K. Rowling"), these words start a new sentence instead ("catégorie B. Il sera").
_SENTENCE_STARTERS = {
    "il", "elle", "ils", "elles", "on", "nous", "ce", "cette", "ces", "cela", "mais", "selon",
    "he", "she", "it", "they", "we", "this", "these", "the", "but", "according",
}  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+[»\"')\]]*(?=\s+)")
_QUOTE_SPAN = re.compile(r"«[^»]{3,}»|\"[^\"]{8,}\"")
_TERMINAL = (".", "!", "?", "…", "»", '"', ")", ":", ";")


def split_sentences(block: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences inside one paragraph."""
    spans: list[tuple[int, int]] = []
    start = 0
    depth = 0
    last = 0
    for match in _BOUNDARY.finditer(block):
        pos = match.end()
        segment = block[last:pos]
        depth += segment.count("«") - segment.count("»")
        last = pos
        if depth > 0 and pos - start < 600:
            continue  # still inside a « » quotation
        before = block[start : match.start()]
        token = re.search(r"([\w.°'-]+)$", before)
        word = token.group(1) if token else ""
        if match.group(0).startswith(".") and len(match.group(0).rstrip("»\"')]")) == 1:
            if word.lower().rstrip(".") in _ABBREVIATIONS or word.lower() in _ABBREVIATIONS:
                continue
            if word.lower() in _STATES and re.search(r",\s*\w+$", before):
                continue
            following = re.match(r"[\w']+", block[pos:].lstrip())
            starts_sentence = following is not None and following.group(0).lower() in _SENTENCE_STARTERS
            if len(word) == 1 and word.isupper() and not starts_sentence:
                continue  # an initial: "J. K. Rowling"
            if re.fullmatch(r"(?:[A-Za-z]\.-?)+[A-Za-z]?", word) and not starts_sentence:
                continue  # "U.S." style, hyphenated initials "J.-M."
        rest = block[pos:].lstrip()
        if rest and not (rest[0].isupper() or rest[0].isdigit() or rest[0] in "«\"'(—–-["):
            continue
        spans.append((start, pos))
        start = pos
        while start < len(block) and block[start].isspace():
            start += 1
    if start < len(block):
        spans.append((start, len(block)))
    return [(s, e) for s, e in spans if block[s:e].strip()]


def segment(
    text: str,
    sentence_initial_vocab: set[str],
    boilerplate: set[str] | None = None,
    furniture_reasons: dict[int, str] | None = None,
) -> list[Sentence]:
    """Typed sentences of a normalized article; each paragraph is a line of `text`.

    `furniture_reasons`: `furniture.classify_lines` of `text`'s lines when the caller has them
    (a batch classifies all its articles' lines at once); computed here otherwise."""
    lines = text.split("\n")
    furniture_reasons = dict(furniture.classify_lines(lines) if furniture_reasons is None else furniture_reasons)
    if boilerplate:
        for i, line in enumerate(lines):
            if i not in furniture_reasons and line.strip() and furniture.is_boilerplate(line, boilerplate):
                furniture_reasons[i] = "repeated in other articles of the same source (site template)"
    duplicate_of_line = furniture.duplicate_lines(lines, furniture_reasons)
    first_content = next((i for i, line in enumerate(lines) if line.strip()), -1)

    unquoted = mentions.quoted_text(text)  # polarity is read in the outlet's own voice
    sentences: list[Sentence] = []
    first_sentence_of_line: dict[int, int] = {}
    offset = 0
    paragraph = -1
    for i, line in enumerate(lines):
        line_start = offset
        offset += len(line) + 1
        if not line.strip():
            continue
        paragraph += 1
        words = line.split()
        is_heading_line = (
            (i == first_content and len(words) <= 30 and not line.rstrip().endswith("."))
            or (len(words) <= 14 and not line.rstrip().endswith(_TERMINAL))
            or (len(words) <= 14 and _is_quoted_heading(line))
            or bool(lexicon.CREDIT_RE.match(line.strip()))
            or bool(lexicon.NEWSROOM_NOTE_RE.match(line.strip()))
        )
        spans = [(0, len(line))] if i in furniture_reasons or is_heading_line else split_sentences(line)
        first_sentence_of_line[i] = len(sentences)
        for s, e in spans:
            sent_text = line[s:e]
            start = line_start + s
            kind = _kind(sent_text, i in furniture_reasons, is_heading_line)
            sentence = Sentence(
                index=len(sentences),
                start=start,
                end=line_start + e,
                text=sent_text,
                kind=kind,
                paragraph=paragraph,
                furniture_reason=furniture_reasons.get(i),
            )
            if kind != "furniture":
                sentence.names = mentions.find_names(sent_text, start, sentence_initial_vocab)
                sentence.figures = mentions.find_figures(sent_text)
                sentence.dates = mentions.find_dates(sent_text)
                sentence.hedged = mentions.is_hedged(sent_text)
                sentence.attributed = mentions.is_attributed(sent_text) or kind == "quote"
                own = unquoted[start : line_start + e]
                sentence.own_voice = mentions.own_voice(sent_text, own)
                sentence.negative = mentions.is_negative(own)
            sentences.append(sentence)
    # Offset just past each line (its newline included), summed once: summing the lines before each
    # repeated paragraph again grew with the square of an article that repeats many (issue 15).
    line_ends = list(accumulate(len(line) + 1 for line in lines))
    for line_index, original_line in duplicate_of_line.items():
        # A repeated paragraph repeats each of its sentences; point at the first sentence of the original.
        if line_index in first_sentence_of_line and original_line in first_sentence_of_line:
            target = first_sentence_of_line[original_line]
            for k in range(first_sentence_of_line[line_index], len(sentences)):
                if sentences[k].start >= line_ends[line_index]:
                    break
                sentences[k].duplicate_of = target
    return sentences


def _is_quoted_heading(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("«", '"')) and stripped.endswith(("»", '"')) and "," not in stripped


def _kind(text: str, is_furniture: bool, is_heading: bool) -> str:
    if is_furniture:
        return "furniture"
    if is_heading:
        return "heading"
    if text.rstrip().endswith("?"):
        return "question"
    if _QUOTE_SPAN.search(text):
        return "quote"
    return "claim"
