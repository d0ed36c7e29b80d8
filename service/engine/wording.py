"""Loaded wording, judged in context (issue 13): the outlet's own voice and the word's sense.

`lexicon.LOADED_RE` lists words that can be sensational ("audacieux", "ébranle", "shocking").
A match is loaded wording only when:

- it is in the outlet's own voice: not inside a quotation (`spelling.quoted_text`: « », “ ”,
  straight double quotes and single quotes, ‘ ’ or straight, told from apostrophes),
  since reported speech ("an “outrageous distortion”", said the candidate) is news, not tone;
- it is not used in a literal or technical sense, read from the words around it: an earthquake
  ("le séisme du Sichuan"; a figurative "séisme politique" stays loaded), narcotics ("trafic de
  stupéfiants"), a noun after a determiner ("l'onde de choc", "le scandale de la Société
  générale", "des explosifs"), explosives as objects ("explosive device", "engin explosif"),
  a physical cause ("Fire destroys bakery", "devastating floods"), a legal term ("chilling
  effect"). Precision first: a French noun after a determiner ("c'est un scandale", "l'effet
  d'une bombe") and a "séisme" without a figurative adjective (politique, électoral, financier,
  boursier, médiatique, diplomatique) are read as literal, so some figurative uses are missed.

Measured with `lexicon.LOADED_RE` alone and with these checks (flags per article): basil-dev
0.127 -> 0.047 (0.053 before single quotes were read as quotations, 0.16.0), rpm2-fr-dev
0.165 -> 0.070 (professional news: the issue's ceiling is 0.1); horne2017-random-dev real
0.040 -> 0.013, fake 0.267 -> 0.160, satire 0.133 -> 0.120, so the checks remove wording in
quotes and literal senses and keep what sets fake news apart. Requiring two such words per
article would bring rpm2 to 0.03 but leave one fake article of 75 flagged, so it is not done.
"""

from __future__ import annotations

import re

from . import lexicon

_WINDOW = 40  # characters read on each side of a match for its sense

_DETERMINER_BEFORE = re.compile(r"\b(le|la|les|l'|un|une|des|du|de|d'|au|aux|ce|cet|cette|ces|son|sa|ses)\s*$", re.I)
_PHYSICAL = (
    r"\b(fire|flames?|blaze|wildfire|storm|floods?|flooding|hurricane|tornado|quake|earthquake|tsunami|"
    r"bomb|bombs|bombing|explosion|blast|missiles?|shelling|airstrikes?|drought|famine|incendie|"
    r"inondations?|tempête|ouragan|bombardements?|explosion)\b"
)
# (word pattern, pattern on the text before the match, pattern on the text after it): a sense
# in which the word is literal or technical.
_LITERAL_SENSES: list[tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None]] = [
    (
        re.compile(r"s[ée]isme", re.I),
        None,
        re.compile(r"^(?!\s+(politique|[ée]lectoral|financier|boursier|m[ée]diatique|diplomatique))", re.I),
    ),
    (re.compile(r"stup[ée]fiants", re.I), None, None),
    (re.compile(r"stup[ée]fiant", re.I), re.compile(r"(anti-|\bde\s+|\bdes\s+)$", re.I), None),
    (re.compile(r"choc|scandale|bombe|explosifs?", re.I), _DETERMINER_BEFORE, None),
    (re.compile(r"explosi(f|ve)s?", re.I), re.compile(r"\b(engins?|ceintures?|colis|mati[èe]res?)\s+$", re.I), None),
    (
        re.compile(r"explosive", re.I),
        None,
        re.compile(r"^\s+(devices?|materials?|belts?|vests?|charges?|ordnance)\b", re.I),
    ),
    (
        re.compile(r"destroys?|devastat\w*|d[ée]vastat\w*", re.I),
        re.compile(_PHYSICAL + r"\W+(\w+\W+){0,2}$", re.I),
        None,
    ),
    (re.compile(r"devastating|d[ée]vastat\w*", re.I), None, re.compile(r"^\s+(\w+\s+)?" + _PHYSICAL, re.I)),
    (re.compile(r"chilling", re.I), None, re.compile(r"^\s+effects?\b", re.I)),
]


def literal_sense(text: str, start: int, end: int) -> bool:
    """Whether the loaded-word match text[start:end] is used in a literal or technical sense."""
    word = text[start:end]
    before = text[max(0, start - _WINDOW) : start]
    after = text[end : end + _WINDOW]
    for word_re, before_re, after_re in _LITERAL_SENSES:
        if not word_re.fullmatch(word):
            continue
        if (before_re is None or before_re.search(before)) and (after_re is None or after_re.search(after)):
            return True
    return False


def loaded_matches(text: str, quoted: str) -> list[tuple[int, int]]:
    """(start, end) of each loaded-wording match of `text` in the outlet's own voice and a
    loaded sense; `quoted` is `text` with its quotations blanked (`spelling.quoted_text`)."""
    found = []
    for match in lexicon.LOADED_RE.finditer(text):
        start, end = match.span()
        if quoted[start:end] != text[start:end]:
            continue  # inside a quotation
        if literal_sense(text, start, end):
            continue
        found.append((start, end))
    return found
