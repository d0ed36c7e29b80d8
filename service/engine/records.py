"""Plain data passed from one pipeline stage to the next.

Each stage takes and returns these dataclasses; none of them holds behaviour
beyond trivial helpers, so stages stay independent and testable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

SENTENCE_KINDS = ("claim", "quote", "question", "heading", "furniture")
FLAG_TYPES = (
    "unsupported_claim",
    "generic_assertion",
    "misspelled_name",
    "furniture",
    "duplicate",
    "contradiction",
    "loaded_language",
    "translation_artefact",
    "spelling",
    "derivative",
)


@dataclass
class ArticleInput:
    """An article as it arrives, before any cleaning."""

    text: str | None = None
    html: str | None = None
    id: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    language: str | None = None
    input: str | None = None  # where it came from (a path), echoed in the output

    @classmethod
    def from_mapping(cls, data: dict[str, Any], input_label: str | None = None) -> ArticleInput:
        known = {k: data.get(k) for k in ("text", "html", "id", "title", "url", "source", "published_at", "language")}
        for key, value in known.items():
            if value is not None and not isinstance(value, str):
                known[key] = str(value)
        return cls(**known, input=input_label)


@dataclass
class Mention:
    """A person/organisation name found in a sentence; offsets into the normalized text."""

    text: str
    start: int
    end: int


@dataclass
class Sentence:
    index: int
    start: int
    end: int
    text: str
    kind: str
    paragraph: int
    names: list[Mention] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    hedged: bool = False
    attributed: bool = False
    negative: bool = False  # polarity of its own voice (quotations left out), double negations resolved
    own_voice: bool = True  # under a quarter of its letters inside quotation marks (`mentions.own_voice`)
    duplicate_of: int | None = None  # index of the earlier sentence it repeats
    furniture_reason: str | None = None
    # Check-worthy: a figure, a date, or a name beyond the names the whole story is about
    # (set by the story stage, which knows those names).
    check_worthy: bool = False


@dataclass
class Flag:
    type: str
    start: int
    end: int
    text: str
    reason: str
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reason": self.reason,
        }
        if self.suggestion is not None:
            out["suggestion"] = self.suggestion
        return out


@dataclass
class Document:
    """An article after extract -> normalize -> segment."""

    article_id: str
    text: str
    language: str
    sentences: list[Sentence]
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    input: str | None = None
    external_id: str | None = None
    extraction: str = "text"  # "text" | "html" | "json"
    notes: list[str] = field(default_factory=list)

    @property
    def content_sentences(self) -> list[Sentence]:
        """Sentences that make assertions (not furniture, not exact duplicates)."""
        return [s for s in self.sentences if s.kind != "furniture" and s.duplicate_of is None]


@dataclass
class Claim:
    """One sentence of one article, placed in a claim cluster of its story."""

    article_id: str
    sentence_index: int
    cluster_id: str
    status: str  # supported | unsupported | contradicted | insufficient_coverage
    supported_by: list[dict[str, str]] = field(default_factory=list)
    contradicted_by: list[dict[str, str]] = field(default_factory=list)
    # Other clusters it also belongs to: a sentence may state two claims ("the pact, called a
    # 'revolutionary document', provides for mutual assistance").
    also_in: list[str] = field(default_factory=list)


@dataclass
class StorySentences:
    """The embedded sentences of one story's articles, flattened in article order.

    Row k is `sentences[k]`, its unit vector `vectors[k]` (shape (n, dim), float32), the article
    it belongs to `owners[k]` (index into the story's documents) and its rank among that article's
    embedded sentences `positions[k]`; article a holds rows `starts[a]` to `starts[a + 1]`.
    """

    sentences: list[Sentence]
    vectors: np.ndarray
    owners: list[int]
    positions: list[int]
    starts: list[int]

    @classmethod
    def flatten(cls, embedded: list[list[Sentence]], vectors: list[np.ndarray], dim: int = 512) -> StorySentences:
        """From each article's embedded sentences and their vectors (one (n_a, dim) array per article)."""
        sentences = [s for per_article in embedded for s in per_article]
        return cls(
            sentences=sentences,
            vectors=np.vstack(vectors) if sentences else np.zeros((0, dim), dtype=np.float32),
            owners=[a for a, per_article in enumerate(embedded) for _ in per_article],
            positions=[k for per_article in embedded for k in range(len(per_article))],
            starts=[int(x) for x in np.cumsum([0] + [len(per_article) for per_article in embedded])],
        )

    def rows(self, article: int) -> range:
        """The rows of one article."""
        return range(self.starts[article], self.starts[article + 1])


class BestMatches:
    """Each sentence's most probable match in each other article of its story (the claims stage
    fills it; provenance reads it): arrays of shape (sentences, articles), -1 where no pair was scored.

    Built from the scored pairs (k x 2 rows of sentence indices) and their probabilities in
    O(k log k) time and O(sentences x articles) memory; ties go to the first sentence of the
    other article, as a scan of the pairs in order keeps it.
    """

    def __init__(self, pairs: np.ndarray, proba: np.ndarray, article_arr: np.ndarray) -> None:
        n = len(article_arr)
        self.articles: list[int] = np.unique(article_arr).tolist()
        self._column = {article: col for col, article in enumerate(self.articles)}
        self.top = np.full((n, len(self.articles)), -1.0)
        self.arg = np.zeros((n, len(self.articles)), dtype=np.int64)
        if not len(pairs):
            return
        rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
        others = np.concatenate([pairs[:, 1], pairs[:, 0]])
        p = np.concatenate([proba, proba]).astype(np.float64)
        cols = np.searchsorted(np.asarray(self.articles), np.asarray(article_arr)[others])
        # by row, then article, then probability (highest first), then the other sentence (first first)
        order = np.lexsort((others, -p, cols, rows))
        rows, cols, p, others = rows[order], cols[order], p[order], others[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        self.top[rows[first], cols[first]] = p[first]
        self.arg[rows[first], cols[first]] = others[first]

    def get(self, key: tuple[int, int], default: tuple[float, int]) -> tuple[float, int]:
        """(probability, row) of sentence `key[0]`'s best match in article `key[1]`, or `default`."""
        col = self._column.get(key[1])
        if col is None or self.top[key[0], col] < 0.0:
            return default
        return float(self.top[key[0], col]), int(self.arg[key[0], col])

    def rows_in(self, rows: range, article: int) -> list[tuple[float, int]]:
        """`get((i, article), (0.0, 0))` for each i of `rows`, at once."""
        col = self._column.get(article)
        if col is None:
            return [(0.0, 0)] * len(rows)
        found = self.top[rows.start : rows.stop, col] >= 0.0
        top = np.where(found, self.top[rows.start : rows.stop, col], 0.0).tolist()
        arg = np.where(found, self.arg[rows.start : rows.stop, col], 0).tolist()
        return list(zip(top, arg, strict=True))

    def at_least(self, floor: float) -> list[tuple[tuple[int, int], tuple[float, int]]]:
        """((row, article), (probability, row there)) for the best matches >= `floor`, sorted."""
        rows, cols = np.nonzero(self.top >= floor)
        return sorted(
            ((i, self.articles[c]), (float(self.top[i, c]), int(self.arg[i, c])))
            for i, c in zip(rows.tolist(), cols.tolist(), strict=True)
        )
