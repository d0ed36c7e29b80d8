"""Normalize article text so offsets are stable: NFKC, spaces, quotes, blank lines.

The normalized text is what every later stage indexes into and what the score
object returns, so a client can highlight flagged spans with the offsets it gets.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# NFKC already folds U+00A0 and U+202F into spaces in most but not all cases
# (U+202F becomes U+0020 only through compatibility decomposition), so do it explicitly.
_SPACE_CHARS = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u3000\t"), " ")
_QUOTES = {
    ord("\u2018"): "'",
    ord("\u2019"): "'",
    ord("\u201a"): "'",
    ord("\u2032"): "'",
    ord("\u201c"): '"',
    ord("\u201d"): '"',
    ord("\u201e"): '"',
    ord("\u2033"): '"',
    ord("\u00ad"): None,  # soft hyphen
    ord("\ufeff"): None,
    # Zero-width and joiner characters, bidi marks and isolates: invisible, but a word joiner
    # inside "3\u2060000" would otherwise split one figure into two.
    **dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\u200e\u200f"), None),
    **dict.fromkeys(range(0x202A, 0x202F), None),
    **dict.fromkeys(range(0x2066, 0x206A), None),
}
_MULTI_SPACE = re.compile(r" {2,}")
_MANY_BLANKS = re.compile(r"\n{3,}")

LANGUAGE_SPECIFIC = ("fr", "en")
_COMBINING: dict[int, str | None] = dict.fromkeys(range(0x300, 0x370))
_COMBINING.update({ord("œ"): "oe", ord("æ"): "ae", ord("ß"): "ss", ord("ø"): "o", ord("ł"): "l", ord("đ"): "d"})


def fold(text: str) -> str:
    """Lower case without accents, for comparing words (much faster than a full transliteration)."""
    return unicodedata.normalize("NFKD", text.lower()).translate(_COMBINING)


# ftfy.fix_encoding is called only on text that shows a trace of UTF-8 decoded in a legacy
# encoding; skipping clean text saves about 0.5 ms per paragraph (ftfy weighs every character).
# The traces: a lead byte's character (Â-ô) before a continuation byte's (U+0080-U+00BF, or its
# Windows-1252 letter: € “ ” Š œ ...), as Latin-1 and Windows-1252 leave it, also twice over;
# "Ã " (the no-break space of "à" turned into a space, which ftfy repairs); MacRoman's lead
# characters (√ ¬ ƒ ≈ and "‚Ä"); and the box drawing that code pages 437 and 850 leave (├ ┬ ┼).
_MAYBE_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|\u00c3 |[\u221a\u00ac\u0192\u2248]\\S|\u201a\u00c4|[\u251c\u252c\u253c]"
)


def normalize_text(raw: str) -> str:
    """Repair mojibake (ftfy: "PÃ©nurie" -> "Pénurie", text decoded twice), NFKC, unify spaces
    and typographic quotes, drop invisible format characters, keep one blank line between paragraphs."""
    import ftfy

    text = ftfy.fix_encoding(raw) if _MAYBE_MOJIBAKE.search(raw) else raw
    text = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_SPACE_CHARS).translate(_QUOTES)
    # French typography puts a (narrow) space inside « »: keep exactly one.
    text = re.sub(r"«\s*", "« ", text)
    text = re.sub(r"\s*»", " »", text)
    lines = [_MULTI_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines).strip()
    return _MANY_BLANKS.sub("\n\n", text)


def load_language_identifier() -> None:
    """Load py3langid's model now (about 1 s; `detect_language` loads it on first use)."""
    _identifier()


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_LANGUAGE_SUBTAG = re.compile(r"[a-z]{2,3}")
# ISO 639-2 codes of the languages with word lists here, as some exports write them; the codes
# that name no language (undetermined, multiple, none, uncoded: ISO 639-2 special codes).
_THREE_LETTER = {"fra": "fr", "fre": "fr", "eng": "en"}
_NO_LANGUAGE = {"und", "mul", "zxx", "mis"}


def language_code(language: str | None) -> str | None:
    """The primary language subtag, lower case, of a BCP 47 tag or a POSIX locale as clients send
    them ("EN", "en-GB", "fr_FR", "fr_FR.UTF-8", "fra" -> "en", "en", "fr", "fr", "fr"); None for a
    value that names no language we can read ("", "French", "und", "x-klingon"), so that the
    language is detected from the text instead."""
    primary = re.split(r"[-_.@]", (language or "").strip().lower(), maxsplit=1)[0]
    if not _LANGUAGE_SUBTAG.fullmatch(primary) or primary in _NO_LANGUAGE:
        return None
    return _THREE_LETTER.get(primary, primary)


def detect_language(text: str) -> tuple[str, float]:
    """ISO 639-1 code and probability, from the body text (first 3,000 characters)."""
    sample = text[:3000]
    if len(re.findall(r"\w+", sample)) < 3:
        return "und", 0.0
    code, prob = _identifier().classify(sample)
    return str(code), float(prob)
