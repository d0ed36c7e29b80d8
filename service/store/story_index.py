"""The story index: stored articles' lead vectors in memory, for nearest-story look-up.

Rebuilt from the store at start and kept in sync on writes (and, for instances sharing
one PostgreSQL, by reading rows added since the last sequence number it saw); the store
stays the single source of truth. Exact search on a normalized matrix: at 20,000 stored
articles one query is a 20,000 x 512 product, about a millisecond, so an approximate
index (faiss, usearch) would add a dependency without a measurable gain at this scale.
"""

from __future__ import annotations

import json
import threading
from collections import Counter

import numpy as np

from service.engine import story

from .db import Store, unpack

WIDTH = 512


class StoryIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._names: list[set[str]] = []
        self._days: list[int | None] = []
        # Document frequency of each name over the live articles: the store's name IDF.
        self._name_frequency: Counter[str] = Counter()
        self._matrix = np.zeros((0, WIDTH), dtype=np.float32)
        self._pending: list[np.ndarray] = []
        self._position: dict[str, int] = {}
        self._deleted: set[str] = set()
        self.last_seq = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids) - len(self._deleted)

    def sync(self, store: Store) -> int:
        """Add rows the store holds beyond the last one seen; returns how many were added."""
        rows = store.vectors_since(self.last_seq)
        with self._lock:
            for seq, article_id, vector, names, published_at in rows:
                self._add_locked(article_id, unpack(vector)[0], set(json.loads(names)), published_at)
                self.last_seq = max(self.last_seq, seq)
        return len(rows)

    def add(self, article_id: str, vector: np.ndarray, names: set[str], published_at: str | None = None) -> None:
        with self._lock:
            self._add_locked(article_id, vector, names, published_at)

    def _add_locked(self, article_id: str, vector: np.ndarray, names: set[str], published_at: str | None) -> None:
        if article_id in self._position:
            if article_id in self._deleted:
                # Re-posted after a delete: the same text, perhaps another date.
                position = self._position[article_id]
                self._deleted.discard(article_id)
                self._days[position] = story.day_number(published_at)
                self._count_names(self._names[position], +1)
            return
        self._position[article_id] = len(self._ids)
        self._ids.append(article_id)
        self._names.append(names)
        self._days.append(story.day_number(published_at))
        self._pending.append(np.asarray(vector, dtype=np.float32).reshape(1, WIDTH))
        self._count_names(names, +1)

    def _count_names(self, names: set[str], step: int) -> None:
        self._name_frequency.update({name: step for name in names})

    def remove(self, article_id: str) -> None:
        with self._lock:
            if article_id in self._position and article_id not in self._deleted:
                self._deleted.add(article_id)
                self._count_names(self._names[self._position[article_id]], -1)

    def name_frequency(self) -> dict[str, int]:
        """How many live stored articles carry each name."""
        with self._lock:
            return {n: c for n, c in self._name_frequency.items() if c > 0}

    def name_idf(self) -> dict[str, float]:
        """The smoothed IDF of each name over the stored articles (`story.name_idf`)."""
        return story.name_idf(self.name_frequency(), len(self))

    def search(self, vector: np.ndarray, k: int) -> list[tuple[str, float, set[str], int | None]]:
        """The k stored articles nearest by cosine: (article id, cosine, names, publication day or None)."""
        with self._lock:
            if self._pending:
                self._matrix = np.vstack([self._matrix, *self._pending])
                self._pending = []
            if not self._ids:
                return []
            cosine = self._matrix @ np.asarray(vector, dtype=np.float32)
            wanted = min(k + len(self._deleted), len(cosine))
            top = np.argpartition(-cosine, wanted - 1)[:wanted]
            top = top[np.argsort(-cosine[top], kind="stable")]
            found = [
                (self._ids[i], float(cosine[i]), self._names[i], self._days[i])
                for i in top
                if self._ids[i] not in self._deleted
            ]
            return found[:k]
