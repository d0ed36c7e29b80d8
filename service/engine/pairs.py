"""The sentence pairs the claims stage scores, found in time and memory that grow with the pairs
themselves rather than with the square of the story's sentences (issue 15).

A story's claims compare sentences of different articles (`cross_article_pairs`) and, for
restatements, sentences of one article with the few of it that other outlets share
(`restatement_pairs`). Before issue 15 every pair of sentences of the story had a cosine, a
character n-gram cosine and a probability in (n, n) matrices, and every pair of one article
within the pre-filter was scored by the model: an article of 100,000 characters (a thousand
sentences and more) cost a million scored pairs and hundreds of megabytes.

Bit for bit: up to DENSE_LIMIT sentences a story keeps the one (n, n) product of its vectors
that it always had (BLAS computes `v @ v.T` by another route than blocks of it, and the last bit
of a cosine can move a probability); beyond, the cosines come from blocks of rows, so the
figures of such a story (thousands of sentences, beyond any single news article and its story
mates) may differ from the old ones in the last bit. Character n-gram cosines and probabilities
are the old values exactly, at any size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from . import budget

# Sentences of one story up to which the (n, n) cosine matrix is computed whole, as it always
# was: 2,048 sentences are 16 MB of float32, and a story of one article of 100,000 characters
# with its stored story mates stays under it; above, blocks of BLOCK_ROWS rows.
DENSE_LIMIT = 2048
BLOCK_ROWS = 256


class PairProbabilities:
    """Probability of each scored pair of sentences (symmetric; zero for a pair never scored): the
    values an (n, n) float32 matrix held, in memory that grows with the pairs."""

    def __init__(self, pairs: np.ndarray | None = None, proba: np.ndarray | None = None) -> None:
        self._rows: dict[int, dict[int, float]] = {}
        self._dense: np.ndarray | None = None
        if pairs is None or proba is None:
            return
        # Rounded to float32 as the matrix stored them, kept as Python floats (exact in float32).
        values = np.asarray(proba).astype(np.float32).tolist()
        for (i, j), p in zip(pairs.tolist(), values, strict=True):
            self._rows.setdefault(i, {})[j] = p
            self._rows.setdefault(j, {})[i] = p

    @classmethod
    def of(cls, proba: ProbaLike) -> PairProbabilities:
        """`proba` itself, or a dense (n, n) array (tests, training) behind the same interface."""
        if isinstance(proba, PairProbabilities):
            return proba
        wrapped = cls()
        wrapped._dense = np.asarray(proba)
        return wrapped

    def block(self, rows: Sequence[int], cols: Sequence[int]) -> np.ndarray:
        """The (len(rows), len(cols)) float32 block of the matrix, as `matrix[np.ix_(rows, cols)]`."""
        if self._dense is not None:
            return self._dense[np.ix_(rows, cols)]
        empty: dict[int, float] = {}
        values = [[found.get(j, 0.0) for j in cols] for found in (self._rows.get(i, empty) for i in rows)]
        return np.array(values, dtype=np.float32).reshape(len(rows), len(cols))


ProbaLike = np.ndarray | PairProbabilities


def cross_article_pairs(
    vectors: np.ndarray, articles: np.ndarray, prefilter: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Pairs (i, j), i < j, of sentences of different articles whose cosine is at least `prefilter`,
    in row-major order; their cosines; and the (n, n) cosine matrix when the story has at most
    DENSE_LIMIT sentences (None above: no product of an article's sentences with each other)."""
    n = len(articles)
    if n <= DENSE_LIMIT:
        cosine = vectors @ vectors.T
        different = articles[:, None] != articles[None, :]
        pairs = np.argwhere(np.triu(different & (cosine >= prefilter), k=1))
        return pairs, cosine[pairs[:, 0], pairs[:, 1]], cosine
    index = np.arange(n)
    found: list[tuple[np.ndarray, ...]] = []
    for article in np.unique(articles).tolist():
        rows = np.flatnonzero(articles == article)
        cols = np.flatnonzero((articles != article) & (index > rows[0]))
        if not len(cols):
            continue
        others = vectors[cols].T
        for start in range(0, len(rows), BLOCK_ROWS):
            budget.checkpoint("claims")
            block = rows[start : start + BLOCK_ROWS]
            block_cosine = vectors[block] @ others
            bi, bj = np.nonzero((block_cosine >= prefilter) & (cols[None, :] > block[:, None]))
            found.append((block[bi], cols[bj], block_cosine[bi, bj]))
    return _row_major(found)


def restatement_pairs(
    vectors: np.ndarray, articles: np.ndarray, anchors: np.ndarray, prefilter: float, cosine: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, of sentences of one article with cosine at least `prefilter` where i or j
    is an anchor (`anchors`: a boolean per sentence), in row-major order, and their cosines (from
    `cosine` when given, the matrix of `cross_article_pairs`)."""
    found: list[tuple[np.ndarray, ...]] = []
    for article in np.unique(articles[anchors]).tolist():
        rows = np.flatnonzero(articles == article)
        anchored = rows[anchors[rows]]
        for start in range(0, len(anchored), BLOCK_ROWS):
            budget.checkpoint("claims")
            block = anchored[start : start + BLOCK_ROWS]
            block_cosine = cosine[np.ix_(block, rows)] if cosine is not None else vectors[block] @ vectors[rows].T
            bi, bj = np.nonzero(block_cosine >= prefilter)
            x, y = block[bi], rows[bj]
            distinct = x != y
            x, y, values = x[distinct], y[distinct], block_cosine[bi, bj][distinct]
            # Each pair once, as (smaller, larger); the matrix is symmetric, and beyond it the value
            # computed from the smaller sentence's row is the one kept (`_row_major`).
            found.append((np.minimum(x, y), np.maximum(x, y), values, x > y))
    return _row_major(found)[:2]


def _row_major(
    found: list[tuple[np.ndarray, ...]],
) -> tuple[np.ndarray, np.ndarray, None]:
    """Concatenated (i, j, cosine[, swapped]) blocks as sorted distinct pairs (k, 2) and their cosines."""
    if not found:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.float32), None
    i = np.concatenate([f[0] for f in found]).astype(np.int64)
    j = np.concatenate([f[1] for f in found]).astype(np.int64)
    values = np.concatenate([f[2] for f in found])
    swapped = np.concatenate([f[3] for f in found]) if len(found[0]) > 3 else np.zeros(len(i), dtype=bool)
    order = np.lexsort((swapped, j, i))
    i, j, values = i[order], j[order], values[order]
    first = np.ones(len(i), dtype=bool)
    first[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    return np.column_stack([i[first], j[first]]), values[first], None


def pair_cosines(tfidf: sparse.csr_matrix, pairs: np.ndarray, rows_per_block: int = 64) -> np.ndarray:
    """Cosine of the rows of `tfidf` (L2-normalised) for each pair (i, j): the entries [i, j] of
    `tfidf @ tfidf.T`, bit for bit (scipy sums row i's products in row i's own order, whatever the
    other rows), computed for blocks of left rows against only the right rows they are paired with."""
    out = np.empty(len(pairs), dtype=np.float32)
    if not len(pairs):
        return out
    order = np.argsort(pairs[:, 0], kind="stable")
    left, right = pairs[order, 0], pairs[order, 1]
    starts = np.flatnonzero(np.r_[True, left[1:] != left[:-1]])  # first pair of each left row
    bounds = np.r_[starts[::rows_per_block], len(left)]
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        budget.checkpoint("claims")
        rows, row_at = np.unique(left[a:b], return_inverse=True)
        cols, col_at = np.unique(right[a:b], return_inverse=True)
        block = np.asarray((tfidf[rows] @ tfidf[cols].T).todense(), dtype=np.float32)
        out[order[a:b]] = block[row_at, col_at]
    return out
