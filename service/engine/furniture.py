"""Page furniture and duplicated paragraphs: found by line shape, listed vocabulary and repetition.

Nothing is dropped: lines are classified so the segmenter can type them `furniture`
and the signals can flag them with the reason found here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from . import lexicon

_STRAY_NUMBER = re.compile(r"^[\d\s.,:/|-]+$")
_TERMINAL = (".", "!", "?", "»", '"', ":", ";", "…", ")")


def classify_lines(lines: list[str]) -> dict[int, str]:
    """Map line index -> furniture reason for the lines of one article (blank lines ignored)."""
    reasons: dict[int, str] = {}
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return reasons
    last_long = max((i for i in content if len(lines[i].split()) >= 12), default=content[-1])
    for i in content:
        line = lines[i].strip()
        words = line.split()
        if _STRAY_NUMBER.match(line):
            reasons[i] = "stray number, not part of the article"
        elif lexicon.FURNITURE_RE.match(line):
            reasons[i] = "page furniture (navigation, teaser, sharing or subscription text)"
        elif lexicon.TEASER_RE.match(line):
            reasons[i] = "teaser for another article"
        elif i > last_long and len(words) <= 3 and not line.endswith(_TERMINAL[:3]):
            reasons[i] = "short line after the end of the article body"
    return reasons


def duplicate_lines(lines: list[str], furniture: dict[int, str]) -> dict[int, int]:
    """Map line index -> index of the earlier line it repeats (exactly, or as a truncated caption '…')."""
    seen: dict[str, int] = {}
    truncated: list[tuple[str, int]] = []
    duplicates: dict[int, int] = {}
    for i, line in enumerate(lines):
        key = _key(line)
        if len(key) < 25:
            continue
        if key in seen:
            duplicates[i] = seen[key]
            continue
        for prefix, j in truncated:
            if key.startswith(prefix):
                duplicates[j] = i  # the truncated copy repeats the full one that follows
        if line.rstrip().endswith(("...", "…")):
            truncated.append((_key(line.rstrip().rstrip(".…")), i))
        seen.setdefault(key, i)
        # A teaser line ("Lire aussi X") followed by X: X is the repeat.
        if i in furniture and lexicon.TEASER_RE.match(line.strip()):
            teaser = _key(lexicon.TEASER_RE.sub("", line.strip()).lstrip(" :"))
            if len(teaser) >= 25:
                seen.setdefault(teaser, i)
    return duplicates


def _key(line: str) -> str:
    return re.sub(r"\W+", " ", line.lower()).strip()


def source_boilerplate(
    lines_by_article: dict[str, tuple[str | None, list[str]]], min_articles: int = 3
) -> dict[str, set[str]]:
    """Per source, the lines (keys) that recur verbatim in `min_articles` or more of its articles: its template."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for source, lines in lines_by_article.values():
        if not source:
            continue
        counts[source].update({_key(line) for line in lines if 0 < len(line.split()) <= 25})
    return {
        source: {key for key, n in per_source.items() if n >= min_articles and key}
        for source, per_source in counts.items()
    }


def is_boilerplate(line: str, boilerplate: set[str]) -> bool:
    return _key(line) in boilerplate
