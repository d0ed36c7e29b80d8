"""Group articles into stories: a story is one event, told in a few days, by several outlets.

An article's vector is the mean of its title and lead sentence vectors (news puts the
event first; filler further down would dilute it). Two articles are about one story when
that cosine, mixed with the overlap of the names they mention (each name weighted by its
smoothed inverse document frequency raised to `idf_power`, so a name every article carries
counts less), clears a threshold; stories are average-linkage clusters of that similarity.

Time bounds a story: two dated articles further apart than `window_days` are never one story;
a pair where only one article is dated loses `undated_penalty` (its date is unknown, so an
undated article cannot bridge two events); a story whose dated articles still span more than
the window is split at its largest gaps. Articles without dates are grouped by content alone.
`group_articles` is the one rule the pipeline, the batch runner and the store (through the
pipeline, after `nearest_stored` picked the candidates with `pair_similarity`) all apply;
its parameters are chosen on basil-dev and rpm2-fr-dev (training/thresholds.py) and kept in
models/thresholds.json under "story".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np

from .mentions import name_key
from .records import Document

LEAD_SENTENCES = 6  # title + lead: chosen with the threshold on rpm2 (see training/thresholds.py)


def article_vector(sentence_vectors: np.ndarray) -> np.ndarray:
    if len(sentence_vectors) == 0:
        return np.zeros(sentence_vectors.shape[1] if sentence_vectors.ndim == 2 else 512, dtype=np.float32)
    mean = sentence_vectors.mean(axis=0)
    return mean / (np.linalg.norm(mean) + 1e-12)


def article_names(doc: Document) -> set[str]:
    """Name keys used in the article's content, multi-word names and their last word both counted."""
    keys: set[str] = set()
    for sentence in doc.content_sentences:
        for mention in sentence.names:
            keys.add(name_key(mention.text))
            keys.add(name_key(mention.text.split()[-1]))
    return {k for k in keys if len(k) >= 3}


# Similarity of two dated articles further apart than the window: far below any threshold. It
# weighs against a merge (group_stories caps the distance at 2), but average linkage can still
# join a far pair through many close ones; the span guard (split_long_stories) cuts those.
FAR_APART = -5.0


def day_number(published_at: str | None) -> int | None:
    """The publication day (proleptic Gregorian ordinal of the date as published) of an ISO 8601
    date or date-time (`datetime.fromisoformat`); None when absent or unreadable."""
    if not published_at:
        return None
    try:
        return datetime.fromisoformat(published_at.strip().replace("Z", "+00:00")).date().toordinal()
    except ValueError:
        try:
            return date.fromisoformat(published_at.strip()[:10]).toordinal()
        except ValueError:
            return None


def name_idf(document_frequency: Mapping[str, int], n_documents: int) -> dict[str, float]:
    """Smoothed inverse document frequency of each name: ln((1 + n) / (1 + df)) + 1 (scikit-learn's
    `smooth_idf`): 1 for a name every document carries, more for rarer ones."""
    return {name: math.log((1 + n_documents) / (1 + df)) + 1.0 for name, df in document_frequency.items()}


def corpus_name_idf(names: list[set[str]]) -> dict[str, float]:
    """`name_idf` over a corpus of name sets (a batch, or the small corpus the store scores)."""
    frequency: dict[str, int] = {}
    for found in names:
        for name in found:
            frequency[name] = frequency.get(name, 0) + 1
    return name_idf(frequency, len(names))


def story_similarity(
    vectors: np.ndarray,
    names: list[set[str]],
    name_weight: float,
    days: list[int | None] | None = None,
    window_days: float | None = None,
    undated_penalty: float = 0.0,
    idf: Mapping[str, float] | None = None,
    idf_power: float = 0.0,
) -> np.ndarray:
    """Pairwise story similarity, shape (n, n): (1 - name_weight) * cosine + name_weight * weighted
    name Jaccard, with the time rule of the module docstring when `days` and `window_days` are given."""
    cosine = np.clip(vectors @ vectors.T, -1.0, 1.0)
    jaccard = name_jaccard(names, idf if idf_power else None, idf_power)
    similarity = (1 - name_weight) * cosine + name_weight * jaccard
    if days is not None and window_days is not None:
        dated = np.array([d is not None for d in days])
        day = np.array([d if d is not None else 0 for d in days], dtype=np.float64)
        far = dated[:, None] & dated[None, :] & (np.abs(day[:, None] - day[None, :]) > window_days)
        similarity = np.where(far, FAR_APART, similarity)
        one_dated = dated[:, None] ^ dated[None, :]
        similarity = np.where(one_dated, similarity - undated_penalty, similarity)
    return similarity


def name_jaccard(names: list[set[str]], idf: Mapping[str, float] | None = None, idf_power: float = 0.0) -> np.ndarray:
    """Pairwise (weighted) Jaccard similarity of name sets, 1 on the diagonal, as sparse products: a
    batch has thousands. With `idf`, a name weighs idf ** idf_power (names missing from it weigh 1)."""
    from scipy.sparse import csr_matrix

    n = len(names)
    vocabulary = {name: k for k, name in enumerate(sorted(set().union(*names)))} if names else {}
    rows = [i for i, found in enumerate(names) for _ in found]
    cols = [vocabulary[name] for found in names for name in found]
    shape = (n, max(1, len(vocabulary)))
    present = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
    if idf is None:
        weighted = present
    else:
        weights = [float(idf.get(name, 1.0)) ** idf_power for found in names for name in found]
        weighted = csr_matrix((weights, (rows, cols)), shape=shape)
    inter = (weighted @ present.T).toarray()
    sizes = np.asarray(weighted.sum(axis=1), dtype=np.float64).ravel()
    union = sizes[:, None] + sizes[None, :] - inter
    jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0).astype(np.float32)
    np.fill_diagonal(jaccard, 1.0)
    return jaccard


def pair_similarity(
    cosine: float,
    names: tuple[set[str], set[str]],
    days: tuple[int | None, int | None],
    thresholds: Mapping[str, Any],
    idf: Mapping[str, float] | None = None,
) -> float:
    """The story similarity of one pair of articles whose cosine is known, under `thresholds`: the
    formula of `story_similarity` on scalars (the store scores dozens of candidates per article;
    tests/test_story_rule.py checks that the two agree)."""
    power = float(thresholds.get("idf_power", 0.0))
    weight = thresholds["name_weight"]

    def mass(found: set[str]) -> float:
        return sum(float(idf.get(n, 1.0)) ** power for n in found) if idf is not None and power else float(len(found))

    a, b = names
    inter = mass(a & b)
    union = mass(a) + mass(b) - inter
    similarity = (1 - weight) * min(1.0, max(-1.0, cosine)) + weight * (inter / union if union > 0 else 0.0)
    window = thresholds.get("window_days")
    if window is not None:
        if days[0] is not None and days[1] is not None:
            if abs(days[0] - days[1]) > window:
                return FAR_APART
        elif (days[0] is None) != (days[1] is None):
            similarity -= float(thresholds.get("undated_penalty", 0.0))
    return float(similarity)


def group_articles(
    vectors: np.ndarray,
    names: list[set[str]],
    published_at: list[str | None],
    thresholds: Mapping[str, Any],
    idf: Mapping[str, float] | None = None,
) -> list[int]:
    """Story label per article: the story rule with `thresholds` (the "story" section of
    thresholds.json: name_weight, threshold, and optionally window_days, undated_penalty,
    idf_power). `idf` defaults to the names' own corpus."""
    days = [day_number(p) for p in published_at]
    window = thresholds.get("window_days")
    power = float(thresholds.get("idf_power", 0.0))
    similarity = story_similarity(
        vectors,
        names,
        thresholds["name_weight"],
        days,
        window,
        float(thresholds.get("undated_penalty", 0.0)),
        (idf if idf is not None else corpus_name_idf(names)) if power else None,
        power,
    )
    labels = group_stories(similarity, thresholds["threshold"])
    return labels if window is None else split_long_stories(labels, days, float(window))


def split_long_stories(labels: list[int], days: list[int | None], window_days: float) -> list[int]:
    """The span guard: a story whose dated articles span more than `window_days` is cut at its
    largest gap between consecutive dates, again until every part fits; undated articles stay
    with the part of the story's earliest article."""
    out = list(labels)
    next_label = max(labels, default=-1) + 1
    pending = sorted(set(labels))
    while pending:
        label = pending.pop()
        members = [i for i, x in enumerate(out) if x == label]
        dated: list[tuple[int, int]] = sorted((d, i) for i in members if (d := days[i]) is not None)
        if len(dated) < 2 or dated[-1][0] - dated[0][0] <= window_days:
            continue
        gaps = [(dated[k + 1][0] - dated[k][0], k) for k in range(len(dated) - 1)]
        _, cut = max(gaps, key=lambda g: (g[0], -g[1]))
        for _, i in dated[cut + 1 :]:
            out[i] = next_label
        pending += [label, next_label]
        next_label += 1
    return out


def group_stories(similarity: np.ndarray, threshold: float) -> list[int]:
    """Average-linkage clusters whose mean pairwise similarity is at least `threshold`."""
    n = len(similarity)
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, t=1.0 - threshold, criterion="distance")
    return [int(label) - 1 for label in labels]


def story_ids(labels: list[int], article_ids: list[str]) -> list[str]:
    """Stable ids: a story is named after the smallest article id it holds."""
    first: dict[int, str] = {}
    for label, article_id in zip(labels, article_ids, strict=True):
        if label not in first or article_id < first[label]:
            first[label] = article_id
    return ["s-" + first[label][:12] for label in labels]
