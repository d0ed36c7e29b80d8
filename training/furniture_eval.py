"""Recall on page furniture of kinds not in the vocabulary (issue 13), for `reliability eval`.

Each basil-dev and rpm2-fr-dev article (professional news, almost free of furniture as
published) gets a copy with two furniture lines written in as paragraphs of their own at seeded
paragraph boundaries (top, between paragraphs or bottom, where pasted pages carry them), lines
drawn in turn from the kinds of a bank. Each copy is segmented alone, as a pasted article is
(no other article of its source to reveal a site template), and an injected line counts as found
when every sentence the segmenter makes of it is typed `furniture` (the type the `furniture` flag
reads).

Two banks of one-line furniture (English and French, about 25 kinds each, ~150 lines), each
written for this evaluation by a different person who had not seen `lexicon.FURNITURE_PATTERNS`
or the rules of `service/engine/furniture.py`:
- `furniture_bank_design.json`: read while writing the structural rules of
  `furniture.classify_lines`; its recall is in sample;
- `furniture_bank_test.json`: never read while writing them; its recall is the figure the quality
  gate holds (issue 13 asks >= 0.8 on kinds not in the vocabulary).

The same copies give the precision side: `furniture_false_per_article` counts the article's own
paragraphs' sentences typed `furniture` per article (issue 13 asks <= 0.02 on body sentences).
"""

from __future__ import annotations

import difflib
import json
import random
from pathlib import Path
from typing import Any

from service.engine.normalize import normalize_text
from service.engine.pipeline import prepare
from service.engine.records import ArticleInput

from .common import SEED, article_input, read_labelled_articles, rpm2_inputs

BANKS = {
    "design": Path(__file__).with_name("furniture_bank_design.json"),
    "test": Path(__file__).with_name("furniture_bank_test.json"),
}
LINES_PER_ARTICLE = 2


def read_bank(path: Path) -> list[tuple[str, str]]:
    """(kind, line) pairs of a bank, kinds interleaved so that consecutive draws differ in kind."""
    kinds: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))["kinds"]
    rows: list[tuple[str, str]] = []
    for i in range(max(len(lines) for lines in kinds.values())):
        rows += [(kind, lines[i]) for kind, lines in sorted(kinds.items()) if i < len(lines)]
    return rows


def inject(text: str, lines: list[str], rng: random.Random) -> str:
    """`text` with each of `lines` as a paragraph of its own at a random paragraph boundary."""
    separator = "\n\n" if "\n\n" in text else "\n"
    paragraphs = [p for p in text.split(separator) if p.strip()]
    for line in lines:
        paragraphs.insert(rng.randint(0, len(paragraphs)), line)
    return separator.join(paragraphs)


def _paragraph_of(line: str, paragraphs: list[str]) -> int:
    """Index of the paragraph that is `line` (normalized alone, a line may differ by a space or
    a quotation mark from the same line normalized within its article)."""
    if line in paragraphs:
        return paragraphs.index(line)
    return max(range(len(paragraphs)), key=lambda k: difflib.SequenceMatcher(None, line, paragraphs[k]).ratio())


def bank_recall(articles: list[ArticleInput], bank: list[tuple[str, str]], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    found = total = false = 0
    missed: dict[str, int] = {}
    draw = 0
    for article in articles:
        picked = [bank[(draw + k) % len(bank)] for k in range(LINES_PER_ARTICLE)]
        draw += LINES_PER_ARTICLE
        text = inject(article.text or "", [line for _, line in picked], rng)
        doc = prepare([ArticleInput(text=text, title=article.title, language=article.language)])[0]
        by_paragraph: dict[int, list[str]] = {}
        for s in doc.sentences:
            by_paragraph.setdefault(s.paragraph, []).append(s.kind)
        # The segmenter numbers the non-blank lines of the normalized text as paragraphs.
        paragraphs = [line.strip() for line in doc.text.split("\n") if line.strip()]
        where = [_paragraph_of(normalize_text(line).strip(), paragraphs) for _, line in picked]
        injected = set(where)
        false += sum(
            1 for s in doc.sentences if s.kind == "furniture" and s.paragraph not in injected and s.paragraph >= 0
        )
        for (kind, _), paragraph in zip(picked, where, strict=True):
            total += 1
            kinds = by_paragraph.get(paragraph, [])
            if kinds and all(k == "furniture" for k in kinds):
                found += 1
            else:
                missed[kind] = missed.get(kind, 0) + 1
    return {
        "recall": round(found / max(1, total), 4),
        "injected": total,
        "false_per_article": round(false / max(1, len(articles)), 4),
        "missed_by_kind": dict(sorted(missed.items(), key=lambda kv: -kv[1])),
    }


def furniture_figures(data: Path) -> dict[str, Any]:
    """Recall of each bank's lines injected into basil-dev and rpm2-fr-dev, and false furniture."""
    articles = [article_input(r) for r in read_labelled_articles(data / "basil-dev")] + rpm2_inputs(data)
    out: dict[str, Any] = {}
    for name, path in BANKS.items():
        result = bank_recall(articles, read_bank(path), SEED)
        out[f"injected_furniture_recall_{name}_bank"] = result["recall"]
        out[f"injected_furniture_{name}_bank_missed_by_kind"] = result["missed_by_kind"]
        if name == "test":
            out["furniture_false_per_article"] = result["false_per_article"]
            out["injected_furniture_lines_test_bank"] = result["injected"]
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(furniture_figures(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")), indent=1))
