"""Name consistency: a name close to, but not the same as, the form independent sources use.

Spacing, hyphens, case, accents and known transliterations (Poutine/Putin) are not
errors; a near-miss of every word ("Jim Jung Un" for "Kim Jong-un") is, and the form
most independent sources use is suggested.

Never corrected, because they are other words, not misspelt names:
- inflections and demonyms of one stem: Republican/Republicans, America/American/Americans,
  Libya/Libyan, Texas/Texans, "Première"/"Premier", a possessive "Hutchinson's";
- acronyms (ABC News/NBC News: one letter is another organisation) and US party codes
  ("D-Va", "R-Iowa": another party, not a typo);
- regular transliteration conventions, French and English: "ben"/"bin"/"ibn", French
  "-ane"/"-ine" for "-an"/"-in" (Salmane/Salman), "gu" before e/i (Sergueï/Sergei), "dj"/"j", "ou"/"u",
  "kh"/"h", "ch"/"sh", "tch"/"ch", y/i, w/v, doubled letters, accents.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from . import budget, lexicon, spelling
from .mentions import name_key, name_tokens
from .records import Document, Flag

_TRANSLIT_RULES = [
    ("gue", "ge"),  # French "Sergueï" = "Sergei"
    ("gui", "gi"),
    ("dj", "j"),  # French "Djamel" = "Jamel"
    ("ou", "u"),
    ("kh", "h"),
    ("ch", "sh"),
    ("tch", "ch"),
    ("y", "i"),
    ("w", "v"),
    ("ck", "k"),
    ("ph", "f"),
]


@lru_cache(maxsize=1)
def _translit_groups() -> dict[str, str]:
    return {form: sorted(group)[0] for group in lexicon.TRANSLITERATIONS for form in group}


# Particles of Arabic names, written by French and English conventions alike ("ben Salmane", "bin Salman").
_PARTICLES = {"ben": "bn", "bin": "bn", "ibn": "bn"}
# Endings that make another word of the same stem: plurals, demonyms, feminines, possessives.
_INFLECTIONS = {"", "s", "es", "e", "n", "ns", "an", "ans", "ian", "ians", "ne", "nes", "x"}
_FEMININE_AFTER = ("ier", "ain", "ais", "ois", "ien", "en", "an", "in", "al", "el", "ol", "ud", "nd", "rd", "st")
_PARTY_CODE = re.compile(r"\(?[DRI]-[A-Z][A-Za-z.]*\)?")
_ACRONYM = re.compile(r"[A-Z]{2,5}")


@lru_cache(maxsize=65536)
def _phonetic(token: str) -> str:
    if token in _PARTICLES:
        return _PARTICLES[token]
    token = _translit_groups().get(token, token)
    for a, b in _TRANSLIT_RULES:
        token = token.replace(a, b)
    token = re.sub(r"(.)\1+", r"\1", token)  # doubled letters
    return re.sub(r"([ai])ne$", r"\1n", token)  # French "-ane", "-ine" for Arabic "-an", "-in" (Salmane)


_POSSESSIVE = re.compile(r"['’]s$")


def same_stem(a: str, b: str) -> bool:
    """One word inflected or derived from the other (republican/republicans, libya/libyan, texas/texans)."""
    a, b = _POSSESSIVE.sub("", a), _POSSESSIVE.sub("", b)
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    if n < 4 or a[n:] not in _INFLECTIONS or b[n:] not in _INFLECTIONS:
        return False
    # A French feminine "-e" only after an adjective or demonym ending (premier/première,
    # américain/américaine): an extra "e" on a surname (Whitcomb/Whitcombe) is a real slip.
    return "e" not in a[n:] + b[n:] or a[:n].endswith(_FEMININE_AFTER)


def never_corrected(mention: str, form: str) -> bool:
    """Party codes and acronyms are other entities when they differ, not misspellings."""
    if _PARTY_CODE.fullmatch(mention) or _PARTY_CODE.fullmatch(form):
        return True
    words_a, words_b = mention.split(), form.split()
    return any(
        _ACRONYM.fullmatch(a) and _ACRONYM.fullmatch(b) and a != b for a, b in zip(words_a, words_b, strict=False)
    )


def _token_near(a: str, b: str) -> tuple[bool, bool]:
    """(near, identical-as-variant) for one word of a name."""
    if a == b or _phonetic(a) == _phonetic(b) or same_stem(a, b):
        return True, True
    limit = 1 if max(len(a), len(b)) <= 5 else 2
    return OSA.distance(a, b) <= limit, False  # a swap of two letters is one slip


@lru_cache(maxsize=1 << 16)  # every mention is compared with every form of the story's other articles
def near_miss(mention: str, form: str) -> bool:
    """Every word of `mention` is within an edit or two of `form`'s, and some word really differs."""
    ta, tb = name_tokens(mention), name_tokens(form)
    if len(ta) != len(tb) or not ta:
        return False
    if len(ta) == 1 and (len(ta[0]) < 6 or OSA.distance(ta[0], tb[0]) > 1):
        return False  # one short word is too ambiguous to call a misspelling
    differs = False
    for a, b in zip(ta, tb, strict=True):
        near, same = _token_near(a, b)
        if not near:
            return False
        if not same:
            if a[0] != b[0] and len(a) <= 3 and len(ta) == 1:
                return False
            differs = True
    return differs and not never_corrected(mention, form)  # checked last: most pairs fail earlier


WORD_MIN_LETTERS = 5
# Four-letter words are read too: a given name that agrees ("Jeff", "Marc"), or a surname checked
# only when the rest of the name agrees ("Christian Nyer" for Noyer).
_NAME_WORD = re.compile(r"[A-ZÀ-Ý][A-Za-zÀ-ÿ]{3,}")


def role_words(mention: str) -> list[tuple[str, str]]:
    """(key, word) for the words of a name of four letters or more; the key is the folded word behind
    its role, "L:" for the last word and each part of a hyphenated last word (a surname, a place)
    and "F:" for the others (given names), so that a surname is only ever compared with surnames
    (Martinez is no slip for Martine). Whole words only: "McCarthy" is one word."""
    tokens = mention.split()
    last = _POSSESSIVE.sub("", tokens[-1]) if tokens else ""
    surname_parts = set(last.split("-"))
    return [
        (("L:" if word in surname_parts else "F:") + name_key(word), word)
        for token in tokens
        for word in _POSSESSIVE.sub("", token).split("-")
        if _NAME_WORD.fullmatch(word)
    ]


def _name_words(
    docs: list[Document], families: list[int]
) -> tuple[dict[int, dict[str, str]], dict[str, int], dict[int, set[str]]]:
    """The words of names (`role_words`): per family (key -> as written), how many articles write
    each, and each article's own set (keyed by `id(doc)`)."""
    by_family: dict[int, dict[str, str]] = defaultdict(dict)
    using: dict[str, int] = defaultdict(int)
    own: dict[int, set[str]] = {}
    for doc, family in zip(docs, families, strict=True):
        words: set[str] = set()
        for sentence in doc.sentences:
            if sentence.kind == "furniture":
                continue
            for mention in sentence.names:
                for key, word in role_words(mention.text):
                    words.add(key)
                    by_family[family].setdefault(key, word)
        own[id(doc)] = words
        for key in words:
            using[key] += 1
    return by_family, using, own


def _known_word(word: str, language: str) -> bool:
    return language in spelling.LANGUAGES and spelling.in_dictionary(word, language)


def _dictionary_prefers(form: str, word: str, language: str) -> bool:
    """Hunspell's dictionary (which lists common names: Manhattan, Jackson) knows `form`, not `word`."""
    if language not in spelling.LANGUAGES:
        return False
    return spelling.in_dictionary(form, language) and not spelling.in_dictionary(word, language)


def misspelled_word(
    mention: str,
    others: dict[str, str],
    own: set[str],
    using: dict[str, int],
    language: str = "",
    other_names: Collection[str] = (),
    other_prefixes: Collection[str] | None = None,
) -> str | None:
    """`mention` with one word corrected, when that word (five letters or more and not a dictionary
    word) is written by no other family but is one slip (an edit or a swap, the first letter kept;
    two from eight letters) from a word of five letters or more of the same role they write in
    more articles, or in as many when the dictionary knows theirs and not this one. A four-letter
    or dictionary-word surname, or a four-letter correction, counts only when the corrected name
    is itself one other families write (`other_names`, name keys): "Jeff Fake" for "Jeff Flake",
    "Christian Nyer" for "Christian Noyer"; never "Michael Cohen" for a "Gary Cohn". A regular
    variant (doubled letter, transliteration) only counts when the article itself also writes the
    other form (it is then inconsistent, not a convention); inflections and demonyms never count.
    None if no word qualifies. `other_prefixes` (`key_prefixes(others)`, computed once per article)
    spares the dictionary lookups of words no other family writes anything like."""
    if other_prefixes is None:
        other_prefixes = key_prefixes(others)
    words = role_words(mention)
    for key, word in words:
        if key in others or word.lower() in lexicon.CAPITALISED_STOPWORDS:
            continue
        if key[:3] not in other_prefixes:
            continue  # `_corrected` has no candidate (same role, same first letter) whatever the reading
        rest = [k for k, _ in words if k != key]
        rest_long = [k for k, w in words if k != key and len(w) >= WORD_MIN_LETTERS]
        if rest_long and not any(k in others for k in rest_long):
            continue  # "Éric Dupond-Moretti" is not "Nicolas Dupont-Aignan": the rest of the name must agree
        if _nearest(key, others, relaxed=True) is None:
            continue  # no candidate under either reading: spare the dictionary lookup below
        strict = len(word) >= WORD_MIN_LETTERS and not _known_word(word, language)
        name_agrees = key.startswith("L:") and bool(rest) and all(k in others for k in rest)
        # The strict reading first (five letters or more on both sides, as before); then, where the
        # rest of the name agrees, the relaxed one, which must give a name they write.
        readings = ([False] if strict else []) + ([True] if name_agrees else [])
        for relaxed in readings:
            corrected = _corrected(mention, key, word, others, own, using, language, relaxed)
            if corrected is not None and (not relaxed or name_key(_POSSESSIVE.sub("", corrected)) in other_names):
                return corrected
    return None


def key_prefixes(others: Collection[str]) -> set[str]:
    """The role and first letter (`key[:3]`) of each word key: `_corrected` compares only within one."""
    return {key[:3] for key in others}


def _nearest(key: str, others: Collection[str], relaxed: bool) -> str | None:
    """The closest word key of the same role and first letter within one slip of `key` (two from ten
    characters), or None; four-letter words count only when `relaxed`. The candidates when
    `relaxed` include those when not, so None when relaxed means None under both readings."""
    limit = 1 if len(key) < 10 else 2
    choices = [k for k in others if k[:3] == key[:3] and (relaxed or len(k) - 2 >= WORD_MIN_LETTERS)]
    match = process.extractOne(key, choices, scorer=OSA.distance, score_cutoff=limit)
    return None if match is None else str(match[0])


def _corrected(
    mention: str, key: str, word: str, others: dict[str, str], own: set[str], using: dict[str, int], language: str,
    relaxed: bool,
) -> str | None:  # fmt: skip
    """`misspelled_word`'s correction of one word of `mention` (None if it has none); four-letter
    words of other outlets are candidates only when `relaxed`."""
    near = _nearest(key, others, relaxed)
    if near is None:
        return None
    if same_stem(key[2:], near[2:]) or using.get(near, 0) < using.get(key, 0):
        return None
    if using.get(near, 0) == using.get(key, 0) and not _dictionary_prefers(others[near], word, language):
        return None  # one outlet against one: only the dictionary can say which is the slip
    if _phonetic(key[2:]) == _phonetic(near[2:]) and near not in own:
        return None  # a convention the article keeps (Kadhafi/Kaddafi), not a slip
    return mention.replace(word, others[near], 1)


@lru_cache(maxsize=1 << 16)  # every article of a story reads every other family's forms
def variant_key(name: str) -> str:
    return "".join(_phonetic(t) for t in name_tokens(name))


def misspelled_name_flags(docs: list[Document], families: list[int]) -> list[list[Flag]]:
    """Flags per article: mentions no independent source writes, near a form they do write."""
    forms_by_family: dict[int, dict[str, str]] = defaultdict(dict)
    for doc, family in zip(docs, families, strict=True):
        for sentence in doc.sentences:
            if sentence.kind == "furniture":
                continue
            for mention in sentence.names:
                forms_by_family[family].setdefault(name_key(mention.text), mention.text)
    articles_using: dict[str, int] = defaultdict(int)  # name key -> how many articles write it
    for doc in docs:
        for key in {name_key(m.text) for s in doc.sentences if s.kind != "furniture" for m in s.names}:
            articles_using[key] += 1
    words_by_family, words_using, own_words = _name_words(docs, families)
    out: list[list[Flag]] = []
    for doc, family in zip(docs, families, strict=True):
        budget.checkpoint("names")
        others_words = {w: form for fam, words in words_by_family.items() if fam != family for w, form in words.items()}
        others: dict[str, tuple[str, set[int]]] = {}
        other_variants: set[str] = set()
        for other_family, forms in forms_by_family.items():
            if other_family == family:
                continue
            for key, form in forms.items():
                entry = others.setdefault(key, (form, set()))
                entry[1].add(other_family)
                other_variants.add(variant_key(form))
        other_names = {name_key(_POSSESSIVE.sub("", form)) for form, _ in others.values()}
        other_prefixes = key_prefixes(others_words)
        flags: list[Flag] = []
        for sentence in doc.sentences:
            if sentence.kind == "furniture":
                continue
            for mention in sentence.names:
                key = name_key(mention.text)
                if key in others:
                    continue
                # The suggested form must be the commoner one: when two outlets disagree, the
                # spelling fewer articles use is the suspect, not the other way round. A regular
                # variant of a form others use is left to the word check (inconsistency only).
                variant = variant_key(mention.text) in other_variants
                # (an `others` key is its form's name_key; the cheap count test goes before near_miss)
                candidates = [
                    (len(fams), len(form), form)
                    for other_key, (form, fams) in others.items()
                    if not variant
                    and articles_using[other_key] > articles_using[key]
                    and near_miss(mention.text, form)
                ]
                if not candidates:
                    word = misspelled_word(
                        mention.text,
                        others_words,
                        own_words[id(doc)],
                        words_using,
                        doc.language,
                        other_names,
                        other_prefixes,
                    )
                    if word is None:
                        continue
                    candidates = [(0, 0, word)]
                suggestion = max(candidates)[2]
                flags.append(
                    Flag(
                        type="misspelled_name",
                        start=mention.start,
                        end=mention.end,
                        text=mention.text,
                        reason=f"independent sources in this story write “{suggestion}”",
                        suggestion=suggestion,
                    )
                )
        out.append(flags)
    return out
