"""Name consistency: a name close to, but not the same as, the form independent sources use.

Spacing, hyphens, case, accents and known transliterations (Poutine/Putin) are not
errors; a near-miss of every word ("Jim Jung Un" for "Kim Jong-un") is, and the form
most independent sources use is suggested.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from . import lexicon
from .mentions import name_key, name_tokens
from .records import Document, Flag

_TRANSLIT_RULES = [
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


@lru_cache(maxsize=65536)
def _phonetic(token: str) -> str:
    token = _translit_groups().get(token, token)
    for a, b in _TRANSLIT_RULES:
        token = token.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", token)  # doubled letters


def _token_near(a: str, b: str) -> tuple[bool, bool]:
    """(near, identical-as-variant) for one word of a name."""
    if a == b or _phonetic(a) == _phonetic(b):
        return True, True
    limit = 1 if max(len(a), len(b)) <= 5 else 2
    return Levenshtein.distance(a, b) <= limit, False


def near_miss(mention: str, form: str) -> bool:
    """Every word of `mention` is within an edit or two of `form`'s, and some word really differs."""
    ta, tb = name_tokens(mention), name_tokens(form)
    if len(ta) != len(tb) or not ta:
        return False
    if len(ta) == 1 and (len(ta[0]) < 6 or Levenshtein.distance(ta[0], tb[0]) > 1):
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
    return differs


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
    out: list[list[Flag]] = []
    for doc, family in zip(docs, families, strict=True):
        others: dict[str, tuple[str, set[int]]] = {}
        other_variants: set[str] = set()
        for other_family, forms in forms_by_family.items():
            if other_family == family:
                continue
            for key, form in forms.items():
                entry = others.setdefault(key, (form, set()))
                entry[1].add(other_family)
                other_variants.add(variant_key(form))
        flags: list[Flag] = []
        for sentence in doc.sentences:
            if sentence.kind == "furniture":
                continue
            for mention in sentence.names:
                key = name_key(mention.text)
                if key in others or variant_key(mention.text) in other_variants:
                    continue
                # The suggested form must be the commoner one: when two outlets disagree, the
                # spelling fewer articles use is the suspect, not the other way round.
                candidates = [
                    (len(fams), len(form), form)
                    for form, fams in others.values()
                    if near_miss(mention.text, form) and articles_using[name_key(form)] > articles_using[key]
                ]
                if not candidates:
                    continue
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
