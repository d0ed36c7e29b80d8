"""Group articles into stories: average-linkage clustering of article vectors and shared names.

An article's vector is the mean of its title and lead sentence vectors (news puts the
event first; filler further down would dilute it); two articles are
about one story when that cosine, mixed with the overlap of the names they mention,
clears a threshold chosen on rpm2-fr-dev (see models/thresholds.json).
"""

from __future__ import annotations

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


def story_similarity(vectors: np.ndarray, names: list[set[str]], name_weight: float) -> np.ndarray:
    cosine = np.clip(vectors @ vectors.T, -1.0, 1.0)
    jaccard = name_jaccard(names)
    return (1 - name_weight) * cosine + name_weight * jaccard


def name_jaccard(names: list[set[str]]) -> np.ndarray:
    """Pairwise Jaccard similarity of name sets (1 on the diagonal), as sparse products: a batch has thousands."""
    from scipy.sparse import csr_matrix

    n = len(names)
    vocabulary = {name: k for k, name in enumerate(sorted(set().union(*names)))} if names else {}
    rows = [i for i, found in enumerate(names) for _ in found]
    cols = [vocabulary[name] for found in names for name in found]
    matrix = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, max(1, len(vocabulary))))
    inter = (matrix @ matrix.T).toarray()
    sizes = np.array([len(found) for found in names], dtype=np.float64)
    union = sizes[:, None] + sizes[None, :] - inter
    jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0).astype(np.float32)
    np.fill_diagonal(jaccard, 1.0)
    return jaccard


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
