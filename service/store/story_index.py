"""The story index: stored articles' lead vectors in memory, for nearest-story look-up.

Rebuilt from the store at start and kept in sync on writes (and, for instances sharing one
PostgreSQL, by reading rows added since the last sequence number it saw); the store stays the
single source of truth, and the index only *proposes* candidates: the story rule then compares
the full float32 vectors the store returns (`scoring_service`), so an approximate index can miss a
candidate but never change a decision about one it found.

Two regimes, by the number of stored vectors:
- below `exact_below` (50,000): exact cosine on a float32 matrix (2 KB per article, about 2 ms at
  50,000 on one core);
- from there on: a faiss inverted-file index with 8-bit scalar quantization (IVF-SQ8, 512 bytes
  per article plus its 8-byte id), trained on the stored vectors (2 * sqrt(n) lists),
  searched over `APPROXIMATE_NPROBE` lists, and retrained as the store quadruples.
  bench/bench_story_index.py measures recall@10 against exact search, latency and memory.

A look-up with a publication day and a window (the story rule's `window_days`) is restricted to the
stored articles within the window and the undated ones: only those can share its story. The
approximate index finds them with faiss ids that are day-major (day << 24 | serial), so the window
is two id ranges: faiss skips the other ids in the `WINDOW_NPROBE` lists it scans.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections import Counter
from typing import Any

import numpy as np

from service.engine import story

from .db import Store, unpack

WIDTH = 512
EXACT_BELOW = 50_000  # stored vectors under which look-ups are exact (and the matrix still small)
APPROXIMATE_NPROBE = 32  # IVF lists searched by an undated look-up (recall@10 >= 0.98 in the bench)
WINDOW_NPROBE = 64  # by a dated one: fewer of the vectors in those lists are in its window
REBUILD_GROWTH = 4  # retrain the IVF index when the store has grown this many times since the last training
LISTS_PER_SQRT = 2  # IVF lists: 2 * sqrt(n) (2,000 at a million: about 500 articles a list)
TRAIN_SAMPLE = 100_000  # most vectors the IVF quantizer is trained on
NO_DAY = -(10**9)  # an undated row in the exact regime's day array
FLUSH_EVERY = 10_000  # vectors added (a start-up sync) are indexed in chunks of this many: bounded memory
MIN_TRAIN = 256  # never train the approximate index on fewer vectors, whatever exact_below says
DAY_BITS = 24  # faiss id = day offset << DAY_BITS | serial within the day (16 million a day, or undated)


class StoryIndex:
    """Lead vectors of the stored articles, their names and publication days, for `search`.

    `exact_below` sets where the approximate index takes over (tests use a small one)."""

    def __init__(self, exact_below: int = EXACT_BELOW) -> None:
        self.exact_below = exact_below
        self._lock = threading.Lock()
        self._ids: list[str] = []
        self._names: list[set[str]] = []
        self._days: list[int | None] = []
        # Document frequency of each name over the live articles: the store's name IDF.
        self._name_frequency: Counter[str] = Counter()
        self._matrix = np.zeros((0, WIDTH), dtype=np.float32)
        self._day_array = np.zeros(0, dtype=np.int64)  # the days of the matrix's rows (NO_DAY: undated)
        self._pending: list[np.ndarray] = []
        self._position: dict[str, int] = {}
        self._deleted: set[str] = set()
        self._approximate: Any = None  # the faiss index, once the store reaches exact_below
        self._trained_on = 0
        self._faiss_ids: list[int] = []
        self._position_of_faiss: dict[int, int] = {}
        self._per_day: Counter[int] = Counter()
        self._base_day: int | None = None
        self.last_seq = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids) - len(self._deleted)

    @property
    def approximate(self) -> bool:
        """Whether look-ups go through the approximate index."""
        return self._approximate is not None

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
        day = story.day_number(published_at)
        if article_id in self._position:
            if article_id in self._deleted:
                # Re-posted after a delete: the same text, perhaps another date.
                position = self._position[article_id]
                self._deleted.discard(article_id)
                self._count_names(self._names[position], +1)
                if day != self._days[position]:
                    self._redate_locked(position, day, vector)
            return
        self._position[article_id] = len(self._ids)
        self._ids.append(article_id)
        self._names.append(names)
        self._days.append(day)
        self._faiss_ids.append(self._faiss_id(day))
        self._position_of_faiss[self._faiss_ids[-1]] = len(self._ids) - 1
        self._pending.append(np.asarray(vector, dtype=np.float32).reshape(1, WIDTH))
        self._count_names(names, +1)
        if len(self._pending) >= FLUSH_EVERY:
            self._flush_locked()

    def _redate_locked(self, position: int, day: int | None, vector: np.ndarray) -> None:
        self._flush_locked()  # the position is in the matrix or the approximate index
        self._days[position] = day
        old = self._faiss_ids[position]
        new = self._faiss_id(day)
        self._faiss_ids[position] = new
        del self._position_of_faiss[old]
        self._position_of_faiss[new] = position
        if self._approximate is None:
            self._day_array[position] = NO_DAY if day is None else day
        else:
            faiss = _faiss(threads=0)
            self._approximate.remove_ids(faiss.IDSelectorArray(np.asarray([old], dtype=np.int64)))
            row = np.asarray(vector, dtype=np.float32).reshape(1, WIDTH)
            self._approximate.add_with_ids(row, np.asarray([new], dtype=np.int64))

    def _faiss_id(self, day: int | None) -> int:
        """Day-major id: undated articles in the range of offset 0, dated ones by day from the first seen
        (days before it are clamped to offset 1: such an article is searched with its neighbours' window)."""
        if day is None:
            offset = 0
        else:
            if self._base_day is None:
                self._base_day = day - 100_000  # room for older days than the first one seen
            offset = max(1, day - self._base_day)
        serial = self._per_day[offset]
        if serial >= 1 << DAY_BITS:  # it would spill into the next day's ids
            raise OverflowError(f"story index: over {1 << DAY_BITS} articles filed under one day")
        self._per_day[offset] += 1
        return (offset << DAY_BITS) | serial

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

    def search(
        self, vector: np.ndarray, k: int, day: int | None = None, window: int | None = None
    ) -> list[tuple[str, float, set[str], int | None]]:
        """The k stored articles nearest by cosine: (article id, cosine, names, publication day or None).

        With a `day` (an ordinal, `story.day_number`) and a `window` (days), only articles published
        within `window` days of it, or undated, are searched. Cosines from the approximate index are
        those of the 8-bit vectors (within about 0.01 of the float32 ones)."""
        query = np.asarray(vector, dtype=np.float32).reshape(WIDTH)
        with self._lock:
            self._flush_locked()
            if not self._ids:
                return []
            wanted = k + len(self._deleted)
            if self._approximate is None:
                positions, cosines = self._exact_locked(query, wanted, day, window)
            else:
                positions, cosines = self._approximate_locked(query, wanted, day, window)
            found = [
                (self._ids[i], float(c), self._names[i], self._days[i])
                for i, c in zip(positions, cosines, strict=True)
                if self._ids[i] not in self._deleted
            ]
            return found[:k]

    def _flush_locked(self) -> None:
        """Move what was added since the last look-up into the matrix or the approximate index."""
        if not self._pending:
            return
        added = np.vstack(self._pending)
        self._pending = []
        first = len(self._ids) - len(added)
        if self._approximate is None:
            self._matrix = np.vstack([self._matrix, added])
            days = [NO_DAY if d is None else d for d in self._days[first:]]
            self._day_array = np.concatenate([self._day_array, np.asarray(days, dtype=np.int64)])
            if len(self._matrix) >= max(self.exact_below, MIN_TRAIN):
                self._train_locked(self._matrix)
                # the 8-bit codes replace the matrix: 512 bytes per article instead of 2 KB
                self._matrix = np.zeros((0, WIDTH), dtype=np.float32)
                self._day_array = np.zeros(0, dtype=np.int64)
            return
        _faiss(threads=0)
        self._approximate.add_with_ids(added, np.asarray(self._faiss_ids[first:], dtype=np.int64))
        if len(self._ids) >= REBUILD_GROWTH * self._trained_on:
            self._train_locked(self._reconstruct_locked())

    def _exact_locked(
        self, query: np.ndarray, wanted: int, day: int | None, window: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        cosine = self._matrix @ query
        if day is not None and window is not None:  # masked, not copied: the product is the cheap part
            days = self._day_array
            cosine = np.where((days == NO_DAY) | (np.abs(days - day) <= window), cosine, -np.inf)
        wanted = min(wanted, len(cosine))
        top = np.argpartition(-cosine, wanted - 1)[:wanted]
        top = top[np.argsort(-cosine[top], kind="stable")]
        top = top[np.isfinite(cosine[top])]  # outside the window
        return top, cosine[top]

    def _approximate_locked(
        self, query: np.ndarray, wanted: int, day: int | None, window: int | None
    ) -> tuple[np.ndarray, np.ndarray]:
        faiss = _faiss(threads=1)

        if day is not None and window is not None and self._base_day is not None:
            days = math.ceil(window)  # thresholds.json may give it as a float
            low = max(1, day - days - self._base_day)
            high = max(1, day + days - self._base_day)
            selector = faiss.IDSelectorOr(
                faiss.IDSelectorRange(0, 1 << DAY_BITS),  # undated
                faiss.IDSelectorRange(low << DAY_BITS, (high + 1) << DAY_BITS),
            )
            params = faiss.SearchParametersIVF(nprobe=WINDOW_NPROBE, sel=selector)
        else:
            params = faiss.SearchParametersIVF(nprobe=APPROXIMATE_NPROBE)
        cosines, ids = self._approximate.search(query.reshape(1, WIDTH), wanted, params=params)
        kept = ids[0] >= 0
        positions = np.asarray([self._position_of_faiss[int(i)] for i in ids[0][kept]], dtype=np.int64)
        return positions, cosines[0][kept]

    def _train_locked(self, vectors: np.ndarray) -> None:
        """(Re)build the IVF-SQ8 index over `vectors` (every indexed article, in position order)."""
        faiss = _faiss(threads=0)
        n = len(vectors)
        nlist = max(16, int(LISTS_PER_SQRT * math.sqrt(n)))
        quantizer = faiss.IndexFlatIP(WIDTH)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, WIDTH, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        sample = vectors if n <= TRAIN_SAMPLE else vectors[np.random.default_rng(0).choice(n, TRAIN_SAMPLE, False)]
        index.train(np.ascontiguousarray(sample))
        # A hash-table direct map: ids are day-major, not 0..n-1; the next retraining reconstructs from it.
        index.set_direct_map_type(faiss.DirectMap.Hashtable)
        index.add_with_ids(np.ascontiguousarray(vectors), np.asarray(self._faiss_ids[:n], dtype=np.int64))
        self._approximate = index
        self._trained_on = n

    def _reconstruct_locked(self) -> np.ndarray:
        """Every indexed vector as the index holds it (8-bit codes decoded), in position order."""
        ids = np.asarray(self._faiss_ids, dtype=np.int64)
        return np.asarray(self._approximate.reconstruct_batch(ids), dtype=np.float32)


def _faiss(threads: int) -> Any:
    """faiss (imported where the approximate index is used; its type stubs lag its Python API), set to
    `threads` OpenMP threads (0: one per core). A look-up takes one: the API's workers run look-ups
    side by side; training and adding take every core (a start-up sync of a million articles)."""
    import faiss

    faiss.omp_set_num_threads(threads or os.cpu_count() or 1)
    return faiss
