"""Figures and days as values in their slot, and the value conflicts between two sentences.

A contradiction between outlets is two sentences about the same thing that give a different value
in the same slot: "47 arrests" / "71 arrests", "June 28" / "June 29", "voted Tuesday" / "voted
Wednesday". A slot is the content words next to a figure ("arrests", "june", "mccarthy"); days
are one slot ("when"). Figures are read as values first (`mentions.numbers_as_digits`: "dix mille"
= "10 000", "1,5 million" = "1 500 000"). Weekdays and "yesterday"/"hier", "today", "tomorrow"
are resolved to a calendar day against the article's `published_at` (a weekday is its last
occurrence on or before the publication day, or its next one when the sentence speaks of the
future: "will vote Thursday", "jeudi prochain"), so "Tuesday" in a Wednesday paper and
"yesterday" in the same paper agree. Days are compared only when both articles are dated
(undated articles of a running story report different days' events in the same words).

This is day arithmetic on ordinals, not date parsing: full dates ("June 28") are compared as
figures whose slot shares a word other than the month (`MONTH_WORDS`: a story's facts share their
month), years are left out (a year differs between outlets mostly by
referring to different events).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon
from .mentions import _NUMBER_RE, _YEAR_RE, numbers_as_digits
from .normalize import fold

WEEKDAY_INDEX = {
    day: i % 7
    for i, day in enumerate(
        "monday tuesday wednesday thursday friday saturday sunday "
        "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
    )
}
RELATIVE_DAYS = {"yesterday": -1, "hier": -1, "today": 0, "aujourd'hui": 0, "tonight": 0, "tomorrow": 1, "demain": 1}
_DAY_RE = re.compile(r"\b(" + "|".join(list(WEEKDAY_INDEX) + list(RELATIVE_DAYS)) + r")\b", re.IGNORECASE)
# The future: an auxiliary or "scheduled" before the weekday in its clause, or "next X", "X prochain".
_FUTURE_RE = re.compile(
    r"\b(will|'ll|is to|are to|plans? to|scheduled|upcoming|va|vont|doit|doivent|devra|devront|sera|seront|"
    r"pr[ée]vue?s?|\w+(?:era|eront|ira|iront))\b"
)
_NEXT_RE = re.compile(r"\b(next|this coming)\s+$", re.IGNORECASE)
_PROCHAIN_RE = re.compile(r"^\s+prochaine?\b", re.IGNORECASE)
_LAST_RE = re.compile(r"\b(last|past)\s+$|^\s+derni(er|[èe]re)\b", re.IGNORECASE)
_WORD_RE = re.compile(r"[a-z][a-z'-]+")
_WHEN = frozenset({"when"})
# Units are shared by many different facts ("17 milliards d'euros" lost, "10,5 milliards d'euros"
# injected): a slot needs a shared word that is not one of them.
UNIT_WORDS = frozenset(
    "euros euro dollars dollar livres pounds francs yuans yens percent cent pour pourcent personnes people persons "
    "ans years year jours days day heures hours hour minutes mois months month semaines weeks week fois times "
    "points kilometres km metres tonnes tons habitants residents membres members decades decennies siecles "
    "centuries".split()
)
# A month is a slot shared by every fact of a story that happened in it ("trouvé le 5 août" /
# "appris mercredi 20 août"): like a unit, it cannot be the only word two figures have in common
# ("the June 28 special election" / "the June 25 special election" still share "special").
MONTH_WORDS = frozenset(
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre janv fevr avr juil "
    "january february march april june july august september october november december "
    "may jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
CONTEXT_WORDS = 1  # content words taken on each side of a figure


@dataclass(frozen=True)
class Value:
    """One value of a sentence: `kind` "figure" (canonical number) or "day" (ordinal, or "weekday:N")."""

    kind: str
    value: str
    surface: str  # as written, with its slot word ("47 arrests", "Tuesday")
    context: frozenset[str]
    weekday: str = ""  # a day's weekday ("weekday:1" = Tuesday)
    unit: str = ""  # the content word right after a figure ("arrests", "years")


# Around a number: a clock time, a range, a decimal or an abbreviated multiplier that the number
# pattern cut ("10:30", "8h30", "40-60", "1.2bn", "3.5m"): not a figure to compare on its own.
_NOT_A_FIGURE = re.compile(r"\d[:h]\d|\d ?[-–] ?\d|\d[.,]\d+[a-z]|\d(bn|m|k|tn)\b|^[.,]\d|\d[.,]$")


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 2) : match.end() + 3]


def _content_words(text: str) -> list[str]:
    words = (re.split(r"['’]", w)[-1] for w in _WORD_RE.findall(fold(text)))  # "d'euros" -> "euros"
    return [w for w in words if w not in lexicon.FUNCTION_WORDS and len(w) > 2]


def figure_values(sentence: str) -> list[Value]:
    """Each figure with the content word on each side of it, the window stopping at the next figure
    ("12 morts et 45 blessés": "45" is not in the "morts" slot). Years, clock times ("10:30",
    "8h30"), ranges ("40-60") and abbreviated amounts ("$1.2bn") are left out."""
    text = numbers_as_digits(sentence)
    matches = [m for m in _NUMBER_RE.finditer(text) if not _NOT_A_FIGURE.search(_around(text, m))]
    out = []
    for k, match in enumerate(matches):
        whole, frac = match.group(1), match.group(2)
        digits = re.sub(r"[ .,]", "", whole)
        if _YEAR_RE.fullmatch(digits) and not frac:
            continue
        previous_end = matches[k - 1].end() if k else 0
        next_start = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        before = _content_words(text[max(previous_end, match.start() - 60) : match.start()])[-CONTEXT_WORDS:]
        after = _content_words(text[match.end() : min(next_start, match.end() + 60)])[:CONTEXT_WORDS]
        value = f"{int(digits)}.{frac}" if frac else str(int(digits))
        unit = text[match.end() : match.end() + 30].split()[:1]
        written = match.group(0)
        if written not in sentence and len(digits) > 4:  # rewritten from words or a multiplier
            written = f"{int(digits):,}".replace(",", " ") + (f".{frac}" if frac else "")
        surface = " ".join([written, *unit]).strip(" ,.;:")
        out.append(Value("figure", value, surface, frozenset(before + after), unit=after[0] if after else ""))
    return out


def day_values(sentence: str, publication_day: int | None) -> list[Value]:
    """Weekdays and relative days, resolved to a day ordinal when the publication day is known."""
    out = []
    for match in _DAY_RE.finditer(sentence):
        word = match.group(0).lower()
        clause = re.split(r"[,;:]", sentence[: match.start()])[-1]
        before, after = sentence[max(0, match.start() - 15) : match.start()], sentence[match.end() : match.end() + 12]
        future = bool(_NEXT_RE.search(before) or _PROCHAIN_RE.search(after) or _FUTURE_RE.search(clause))
        if _LAST_RE.search(before) or _LAST_RE.search(after):
            future = False
        if word in RELATIVE_DAYS:
            if publication_day is None:
                continue
            day = publication_day + RELATIVE_DAYS[word]
            out.append(Value("day", str(day), match.group(0), _WHEN, f"weekday:{(day - 1) % 7}"))
            continue
        weekday = f"weekday:{WEEKDAY_INDEX[word]}"
        if publication_day is None:
            out.append(Value("day", "", match.group(0), _WHEN, weekday))
            continue
        # date.fromordinal(n).weekday() == (n - 1) % 7 (Monday = 0)
        offset = (WEEKDAY_INDEX[word] - (publication_day - 1) % 7) % 7
        if future:
            day = publication_day + (offset or 7 if _NEXT_RE.search(before) or _PROCHAIN_RE.search(after) else offset)
        elif offset or _LAST_RE.search(before) or _LAST_RE.search(after):
            day = publication_day + offset - 7
        else:
            day = publication_day
        out.append(Value("day", str(day), match.group(0), _WHEN, weekday))
    return out


def sentence_values(sentence: str, publication_day: int | None) -> tuple[Value, ...]:
    return tuple(figure_values(sentence) + day_values(sentence, publication_day))


def _significant(value: str) -> int:
    digits = value.replace(".", "").lstrip("0").rstrip("0")
    return max(1, len(digits))


def rounds_to(x: str, y: str) -> bool:
    """True when `x` rounded to `y`'s significant digits is `y`: "4900000000" rounds to "5000000000",
    "4.91" to "4.9" (a round figure reported by another outlet is no disagreement)."""
    try:
        fx, fy = float(x), float(y)
    except ValueError:
        return False
    if fy == 0:
        return fx == 0
    return float(f"{fx:.{_significant(y)}g}") == fy


def _agree(kind: str, a: str, b: str) -> bool:
    if kind == "day":
        # The same weekday is agreement whatever week each side resolved it to, and days a week or
        # more apart are two events, not two accounts of one.
        return a == b or (int(a) - int(b)) % 7 == 0 or abs(int(a) - int(b)) >= 7
    return a == b or rounds_to(a, b) or rounds_to(b, a)


def _other_units(a: Value, b: Value) -> bool:
    """Two figures followed by different words ("three decades" / "30 years", "45 blessés" / "3
    disparus") are not one value to compare."""
    return bool(a.unit and b.unit and a.unit != b.unit)


def value_conflict(a: tuple[Value, ...], b: tuple[Value, ...]) -> tuple[Value, Value] | None:
    """The first slot both sentences fill with different values, where neither value appears in the
    other sentence at all (a value both give is agreement, whatever else differs; so is a figure
    that rounds to the other's: "près de 5 milliards" / "4,9 milliards"); None if none."""
    days_a = [v for v in a if v.kind == "day"]
    days_b = [v for v in b if v.kind == "day"]
    # Days compare as calendar days, so only when both sides are dated: undated articles of a
    # running story report different days' events with the same words.
    dated = all(v.value for v in days_a + days_b)
    for kind in ("figure", "day") if dated else ("figure",):
        values_a = {v.value for v in a if v.kind == kind}
        values_b = {v.value for v in b if v.kind == kind}
        for va in a:
            if va.kind != kind or any(_agree(kind, va.value, other) for other in values_b):
                continue
            for vb in b:
                if (
                    vb.kind == kind
                    and not any(_agree(kind, vb.value, other) for other in values_a)
                    and (va.context & vb.context) - UNIT_WORDS - MONTH_WORDS
                    and not _other_units(va, vb)
                ):
                    return va, vb
    return None
