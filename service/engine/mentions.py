"""Find what makes a sentence checkable: names, figures, dates; and its hedging, attribution, polarity.

Rule-based on purpose: it runs on every sentence of every article at embedding speed,
in French and English, without a tagger model. Names are runs of capitalised words;
a sentence-initial capitalised word counts only if the corpus never writes it in lower case.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon
from .records import Mention

_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*"
_NAME_RE = re.compile(
    rf"(?<![\w'’-]){_WORD}(?:(?:\s+|-)(?:(?:{'|'.join(sorted(lexicon.NAME_CONNECTORS))})\s+)?{_WORD})*",
)
_TOKEN_RE = re.compile(r"[\w'’\-]+")
_NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ .,]\d{3})+|\d+)(?:[.,](\d+))?(?![\w])")
_YEAR_RE = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DATE_RE = re.compile(
    rf"\b(\d{{1,2}}(er)? (?:{lexicon.MONTHS})|(?:{lexicon.MONTHS}) \d{{1,2}}|(?:{lexicon.WEEKDAYS}))\b", re.IGNORECASE
)
_DETERMINER_BEFORE = re.compile(r"\b(les|des|ces|leurs|ses|nos|vos|the|both|these|those|all)\s+$", re.IGNORECASE)
_DETERMINER_REACH = 64  # characters before a number searched for a determiner and its spaces
# `_DATE_RE` needs a digit or a weekday: most sentences have neither, and the month alternation is
# slow to try at every word.
_DATE_HINT = re.compile(rf"\d|\b(?:{lexicon.WEEKDAYS})\b", re.IGNORECASE)
_ELISION = re.compile(r"^(?:[A-Za-z]|Qu|qu)['’]")
_NUMBER_WORD_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(w) for w in lexicon.NUMBER_WORDS), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def lowercase_vocabulary(texts: list[str]) -> set[str]:
    """Words the corpus writes in lower case somewhere: a capitalised one of them starting a sentence is no name."""
    vocab: set[str] = set()
    for text in texts:
        vocab.update(m.group(0) for m in re.finditer(r"\b[a-zà-öø-ÿ][\w'’-]*", text))
    return vocab


def find_names(sentence: str, offset: int, sentence_initial_vocab: set[str]) -> list[Mention]:
    """Runs of capitalised words, without honorifics or capitalised function words."""
    mentions: list[Mention] = []
    for match in _NAME_RE.finditer(sentence):
        start, end = match.start(), match.end()
        text = match.group(0)
        # Trim leading words that are not names: stopwords, honorifics, and words the corpus
        # writes in lower case (they are capitalised only because they start the sentence).
        while True:
            first = _TOKEN_RE.match(text)
            if not first:
                break
            word = first.group(0)
            bare = word.rstrip("'’").lower()
            at_start = sentence[:start].strip(" «\"'(—–-") == "" or sentence[:start].rstrip().endswith((":", "«", '"'))
            elided = _ELISION.match(word)
            if elided and word[elided.end() :].lower() == word[elided.end() :]:
                drop = True  # "C'est", "S'agissant": an elided function word before a common word
            else:
                drop = False
            drop = drop or (
                bare in lexicon.CAPITALISED_STOPWORDS
                or word.rstrip(".") in lexicon.HONORIFICS
                or (at_start and word.lower() in sentence_initial_vocab)
                or word.endswith(("'", "’"))
            )
            if not drop:
                break
            rest = text[first.end() :]
            stripped = rest.lstrip(" -")
            start += len(text) - len(stripped)
            text = stripped
            if not text:
                break
        if not text or not text[0].isupper():
            continue
        text = text.rstrip("-'’")
        end = start + len(text)
        if len(text) < 2 or text.isupper() and len(text) <= 1:
            continue
        mentions.append(Mention(text=text, start=offset + start, end=offset + end))
    return mentions


_MULTIPLIED_RE = re.compile(
    r"(?<![\w.,])(\d+)(?:[.,](\d{1,2}))?\s*(milliards?|millions?|billions?|trillions?|mille|thousand)\b", re.IGNORECASE
)
_MULTIPLIERS = {
    "mille": 10**3,
    "thousand": 10**3,
    "million": 10**6,
    "milliard": 10**9,
    "billion": 10**9,
    "trillion": 10**12,
}


def _multiplied(match: re.Match[str]) -> str:
    """ "1,5 million" -> "1500000", "40 milliards" -> "40000000000" (exact: no float rounding)."""
    whole, frac, word = match.group(1), match.group(2) or "", match.group(3).lower()
    factor = _MULTIPLIERS[word if word == "mille" else word.rstrip("s")]
    return str((int(whole) * 10 ** len(frac) + int(frac or 0)) * factor // 10 ** len(frac))


@lru_cache(maxsize=262144)
def numbers_as_digits(sentence: str) -> str:
    """Numbers written in words or with a multiplier rewritten in digits, French and English
    ("dix mille" -> "10000", "deux cents" -> "200", "1,5 million" -> "1500000"), with text2num's
    alpha2digit (small numbers alone, "deux heures", stay words: see NUMBER_WORDS)."""
    from text_to_num import alpha2digit

    text = _MULTIPLIED_RE.sub(_multiplied, sentence)
    for language in ("fr", "en"):
        text = alpha2digit(text, language)
    return text


def find_figures(sentence: str) -> list[str]:
    """Figures as canonical numbers ("10 000" and "dix mille" -> "10000", "vingt-trois" -> "23",
    "1,5 million" -> "1500000"); years are dates, not figures; a small number after a determiner
    ("les deux pays", "the 3 countries") names a group already known, not a figure."""
    text = numbers_as_digits(sentence)
    figures: list[str] = []
    for match in _NUMBER_RE.finditer(text):
        whole, frac = match.group(1), match.group(2)
        digits = re.sub(r"[ .,]", "", whole)
        if _YEAR_RE.fullmatch(digits) and not frac:
            continue
        if not frac and int(digits) <= 12 and _determiner_before(text, match.start()):
            continue
        figures.append(f"{int(digits)}.{frac}" if frac else str(int(digits)))
    for match in _NUMBER_WORD_RE.finditer(text):
        if _determiner_before(text, match.start()):
            continue
        figures.append(str(lexicon.NUMBER_WORDS[match.group(1).lower()]))
    return figures


def _determiner_before(text: str, at: int) -> bool:
    # Searched in a window ending at `at` (`\b` still sees the character before the window).
    return _DETERMINER_BEFORE.search(text, max(0, at - _DETERMINER_REACH), at) is not None


def find_dates(sentence: str) -> list[str]:
    if not _DATE_HINT.search(sentence):
        return []
    dates = [m.group(0).lower() for m in _DATE_RE.finditer(sentence)]
    dates += _YEAR_RE.findall(sentence)
    return dates


_OPENING, _CLOSING = "«“", "»”"
# An opening mark (or a straight quote, but not the inches of "5'11"" or "a 12" pipe"), the
# quotation up to a closing mark, a straight quote or the end of the paragraph, and the straight
# quote that closes it (else it would open the next).
_QUOTATION = re.compile(f'([{_OPENING}]|(?<!\\d)")([^{_CLOSING}"\n]*)("?)')
_NOT_OPENING = re.compile(f"[^{_OPENING}]")
# Single quotes ('...', and ‘...’, which `normalize` makes straight): British quoting and American
# headlines ("Boehner: '1-in-3 chance' Republicans could lose House"). The mark is also the
# apostrophe, so:
# - a quotation opens after a space, a bracket or a dash, before a word, a figure or a currency sign
#   (not "l'Etat", "don't", "the U.S.'s", "Yahoo!'s"), and not on an elision or a decade ("'em",
#   "'tis", "rock 'n' roll", "the '90s", "class of '89");
# - it closes on a mark after a non-space, before a non-letter, but not on a plural possessive
#   ("the players' union", "the allies' patience": an "s'" before a lower-case word), so those and
#   the apostrophes between letters ("don't") and of decades stay inside ('The players' union
#   won't accept it,' he said);
# - it closes within its paragraph, or else blanks nothing, except when it opens the paragraph: a
#   British quotation that goes on into the next paragraph leaves the first one unclosed, and
#   runs, like a double-quoted one, to its end.
_ELIDED_OR_DECADE = r"(?i:\d0s|\d\d|em|tis|twas|n|cause|til)\b"
_SINGLE_QUOTATION = re.compile(
    rf"(?<![^\s(\[{{—–-])'(?!{_ELIDED_OR_DECADE})(?=[\w£$€…\"(])"
    rf"(?:((?:[^'\n]|(?<=\w)'(?=\w)|(?<=s)'(?= [a-z])|(?<!\w)'(?={_ELIDED_OR_DECADE}))*?)"
    r"(?<=\S)'(?!\w)(?!(?<=s') [a-z])"
    r"|(?<=^')([^\n]*)|(?<=\n')([^\n]*))"
)
_NOT_SPACE = re.compile(r"\S")


# The segment, spelling, presentation and generic stages all read an article's quotations: one
# scan per text.
@lru_cache(maxsize=256)
def quoted_text(text: str) -> str:
    """`text` with every quotation blanked out (same length, offsets kept): « », “ ” and straight
    quotes, across sentences; a quotation left open runs to the end of its paragraph, as news
    writes a quote that goes on into the next paragraph. The marks themselves stay, and so does
    an opening mark inside a quotation (tests/test_spelling_and_values.py checks this against a per-character
    reading). Then single-quoted quotations (`_SINGLE_QUOTATION`), which run to the end of their
    paragraph only when they open it."""
    text = _QUOTATION.sub(lambda m: m.group(1) + _NOT_OPENING.sub(" ", m.group(2)) + m.group(3), text)
    return _SINGLE_QUOTATION.sub(_blank_single_quotation, text)


def _blank_single_quotation(match: re.Match[str]) -> str:
    if match.group(1) is not None:  # closed: both marks stay
        return "'" + _NOT_SPACE.sub(" ", match.group(1)) + "'"
    return "'" + _NOT_SPACE.sub(" ", match.group(0)[1:])  # open to the end of its paragraph


# A clause that says something else about one of the actors: "Le maire, qui n'était pas sur place,
# a annoncé..." denies nothing of what the sentence asserts; nor does a parenthesis.
_SIDE_CLAUSE = re.compile(
    r",\s*(?:qui|que|qu'|dont|où|lequel|laquelle|lesquels|lesquelles|which|who|whom|whose|where)\b[^,;]*(?:,|$)"
    r"|\([^()]*\)",
    re.IGNORECASE,
)
# Litotes: a negated verb of omission is an affirmation ("n'a pas manqué de saluer" = praised,
# "did not hesitate to" = did).
_LITOTE = re.compile(
    r"\b(?:ne|n')\s*(?:\w+\s+){0,2}?(?:pas|jamais|point)\s+(?:manqu|h[ée]sit|oubli|cach)\w*\s+(?:de|d'|à)"
    r"|\b(?:not|never|n't)\s+(?:fail|hesitate|forget)(?:ed|s)?\s+to\b",
    re.IGNORECASE,
)


# A clause of reason or concession gives the why or the despite of the assertion, and its own
# negation is not the assertion's: "n'était pas possible car elle n'est pas reconnue" denies. Inside
# a sentence it runs to its end; opening the sentence ("Because he was ill, the mayor did not
# sign"), to the first comma.
_CONJUNCTIONS = (
    r"parce qu(?:e|')|puisqu(?:e|')|bien qu(?:e|')|même si|alors qu(?:e|')|tandis qu(?:e|')|"
    r"because|although|even though|even if|whereas"
)
_REASON = re.compile(
    rf"^\W*(?:{_CONJUNCTIONS})\b[^,;]*,"
    # French "car" ("for") only before a subject, and never after a determiner: the English noun and
    # the French "le car" (coach) start no clause.
    r"|(?<!\ble )(?<!\bun )(?<!\bdu )(?<!\ben )(?<!\bce )(?<!\bthe )(?<!\ba )"
    r"\bcar(?=\s+(?:il|elle|ils|elles|c'|ce|cela|ça|le|la|les|l'|un|une|des|nous|vous|je|j'|leur|son|sa|ses|"
    r"cette|ces|personne|aucune?)\b)[^;]*"
    rf"|\b(?:{_CONJUNCTIONS})\b[^;]*",
    re.IGNORECASE,
)


def main_clause(sentence: str) -> str:
    """The sentence without its relative clauses, parentheses, clauses of reason or concession and
    litotes: what carries its polarity."""
    return _LITOTE.sub(" ", _REASON.sub(" ", _SIDE_CLAUSE.sub(",", sentence)))


def own_voice(sentence: str, unquoted: str, most: float = 0.25) -> bool:
    """True when less than `most` of the sentence's letters are inside quotation marks: what it
    asserts is the outlet's, not a speaker's ("« L'adoption n'est pas reconnue », a indiqué le
    procureur" asserts the quotation; `unquoted` is the sentence as `quoted_text` blanks it)."""
    letters = sum(c.isalpha() for c in sentence)
    return not letters or sum(c.isalpha() for c in unquoted) > (1 - most) * letters


def is_negative(sentence: str) -> bool:
    """Polarity of the main clause after resolving double negation: "n'excluait pas" is positive,
    "nie" negative; "qui n'était pas sur place" (a relative clause) and "n'a pas manqué de
    saluer" (a litote) leave a sentence positive."""
    clause = main_clause(sentence)
    count = len(lexicon.NEGATION_PARTICLE_RE.findall(clause)) + len(lexicon.NEGATIVE_VERB_RE.findall(clause))
    return count % 2 == 1


def is_hedged(sentence: str) -> bool:
    return bool(lexicon.HEDGE_RE.search(sentence))


def is_attributed(sentence: str) -> bool:
    return bool(lexicon.ATTRIBUTION_RE.search(sentence))


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """Comparison key: no accents, case, hyphens or spaces ("Kim Jong-un" == "kim jong un")."""
    from unidecode import unidecode

    return re.sub(r"[\s\-'’.]", "", unidecode(name).lower())


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    from unidecode import unidecode

    return tuple(t for t in re.split(r"[\s\-'’]+", unidecode(name).lower()) if t)
