"""Character n-gram TF-IDF of sentences, for the claims stage's `char_cosine` feature.

The claim-equivalence model was trained with scikit-learn's
`TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)`. Its `transform`
generates every n-gram of every word of every sentence in Python, which made it the costliest
step of scoring after the embedder. `char_tfidf` gives the same matrix, bit for bit
(tests/test_claims.py compares them), from per-word n-gram counts cached across
calls: `char_wb` n-grams never cross a word boundary, so a sentence's counts are the sum of its
words' counts, and news repeats its words.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import numpy as np
from scipy import sparse

_WHITE_SPACES = re.compile(r"\s\s+")  # as scikit-learn's `_VectorizerMixin._white_spaces`
_MAX_CACHED_WORDS = 200_000
# vectorizer -> word -> the vocabulary columns of its n-grams, one per occurrence (weak keys: a new
# vectorizer never inherits a freed one's columns)
_word_columns: weakref.WeakKeyDictionary[Any, dict[str, list[int]]] = weakref.WeakKeyDictionary()


def _columns_of(word: str, vocabulary: dict[str, int], min_n: int, max_n: int) -> list[int]:
    """In-vocabulary columns of the n-grams of one word, as `_char_wb_ngrams` generates them."""
    padded = f" {word} "
    columns = []
    for n in range(min_n, max_n + 1):
        if len(padded) < n:  # a short word counts once, whole, at the first n (scikit-learn's rule)
            if n == min_n:
                column = vocabulary.get(padded)
                if column is not None:
                    columns.append(column)
            break
        for i in range(len(padded) - n + 1):
            column = vocabulary.get(padded[i : i + n])
            if column is not None:
                columns.append(column)
    return columns


def char_tfidf(vectorizer: Any, texts: list[str]) -> sparse.csr_matrix:
    """`vectorizer.transform(texts)` for a fitted `char_wb` TfidfVectorizer that lowercases:
    shape (len(texts), vocabulary size), float32, rows L2-normalised."""
    vocabulary: dict[str, int] = vectorizer.vocabulary_
    min_n, max_n = vectorizer.ngram_range
    cache = _word_columns.setdefault(vectorizer, {})
    if len(cache) > _MAX_CACHED_WORDS:
        cache.clear()
    rows: list[int] = []
    columns: list[int] = []
    for row, text in enumerate(texts):
        for word in _WHITE_SPACES.sub(" ", text.lower()).split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = _columns_of(word, vocabulary, min_n, max_n)
            columns.extend(found)
            rows.extend([row] * len(found))
    counts = sparse.csr_matrix(
        (
            np.ones(len(columns), dtype=np.float32),
            (np.asarray(rows, dtype=np.int32), np.asarray(columns, dtype=np.int32)),
        ),
        shape=(len(texts), len(vocabulary)),
        dtype=vectorizer.dtype,
    )
    counts.sum_duplicates()  # sorts each row's columns, as scikit-learn's `X.sort_indices()`
    return vectorizer._tfidf.transform(counts, copy=False)


def char_cosines(vectorizer: Any, texts_a: list[str], texts_b: list[str] | None = None) -> np.ndarray:
    """Cosine of character n-gram TF-IDF vectors (rows a x rows b), dense float32."""
    xa = char_tfidf(vectorizer, texts_a)
    xb = xa if texts_b is None else char_tfidf(vectorizer, texts_b)
    return np.asarray((xa @ xb.T).todense(), dtype=np.float32)
