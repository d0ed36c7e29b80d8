"""The story index: exact below its threshold, approximate (faiss IVF-SQ8) above it; a dated look-up
searches only the story window and the undated articles; deletes, re-posts and retraining."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from service.store.story_index import WIDTH, StoryIndex

FIRST_DAY = date(2024, 1, 1).toordinal()


def archive(n: int, seed: int = 0) -> tuple[np.ndarray, list[int | None]]:
    """n unit vectors in stories of 4 (cosine about 0.7 within a story) and topics of 100 stories
    (about 0.3), as news is; each story on one day of a year; one article in ten undated."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((n // 400 + 1, WIDTH)).astype(np.float32)
    story_topic = np.arange(n // 4 + 1) // 100
    stories = 0.6 * topics[story_topic] + 0.8 * rng.standard_normal((n // 4 + 1, WIDTH)).astype(np.float32)
    story_of = np.arange(n) // 4
    vectors = stories[story_of] + 0.65 * rng.standard_normal((n, WIDTH)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    story_day = rng.integers(0, 365, size=len(stories))
    days = [None if rng.random() < 0.1 else FIRST_DAY + int(story_day[s]) for s in story_of]
    return vectors, days


def filled(vectors: np.ndarray, days: list[int | None], exact_below: int) -> StoryIndex:
    index = StoryIndex(exact_below=exact_below)
    for i, (vector, day) in enumerate(zip(vectors, days, strict=True)):
        index.add(f"a{i}", vector, {f"n{i}"}, None if day is None else date.fromordinal(day).isoformat())
    return index


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[str]:
    cosine = vectors @ query
    if allowed is not None:
        cosine = np.where(allowed, cosine, -np.inf)
    return [f"a{i}" for i in np.argsort(-cosine, kind="stable")[:k] if np.isfinite(cosine[i])]


def in_window(days: list[int | None], day: int, window: int) -> np.ndarray:
    return np.array([d is None or abs(d - day) <= window for d in days])


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, list[int | None]]:
    return archive(6000)


@pytest.mark.parametrize("exact_below", [50_000, 1000], ids=["exact", "approximate"])
def test_look_ups_find_the_nearest_and_keep_to_the_window(
    data: tuple[np.ndarray, list[int | None]], exact_below: int
) -> None:
    vectors, days = data
    index = filled(vectors, days, exact_below)
    rng = np.random.default_rng(1)
    recalls, window_recalls = [], []
    for i in rng.choice(len(vectors), 60, replace=False):
        query = vectors[i] + 0.3 * rng.standard_normal(WIDTH).astype(np.float32) / np.sqrt(WIDTH)
        query /= np.linalg.norm(query)
        found = index.search(query, 10)
        assert [c for _, c, _, _ in found] == sorted((c for _, c, _, _ in found), reverse=True)
        recalls.append(len(set(exact_top(vectors, query, 10)) & {a for a, *_ in found}) / 10)
        day = days[i] if days[i] is not None else FIRST_DAY + 100
        dated = index.search(query, 10, day, 2)
        allowed = in_window(days, day, 2)
        assert all(d is None or abs(d - day) <= 2 for _, _, _, d in dated)
        expected = exact_top(vectors, query, 10, allowed)
        window_recalls.append(len(set(expected) & {a for a, *_ in dated}) / max(1, len(expected)))
    assert index.approximate is (exact_below < len(vectors))
    floor = 1.0 if exact_below > len(vectors) else 0.95
    assert np.mean(recalls) >= floor and np.mean(window_recalls) >= floor, (recalls, window_recalls)


def test_the_approximate_index_replaces_the_matrix_and_retrains_as_the_store_grows(
    data: tuple[np.ndarray, list[int | None]],
) -> None:
    vectors, days = data
    index = filled(vectors[:1000], days[:1000], exact_below=1000)
    index.search(vectors[0], 1)
    assert index.approximate and index._trained_on == 1000 and len(index._matrix) == 0
    for i in range(1000, len(vectors)):
        day = days[i]
        index.add(f"a{i}", vectors[i], set(), None if day is None else date.fromordinal(day).isoformat())
    index.search(vectors[0], 1)
    assert index._trained_on == len(vectors)  # retrained on everything once the store had grown fourfold
    assert index.search(vectors[5000], 1)[0][0] == "a5000"
    assert len(index) == len(vectors)


@pytest.mark.parametrize("exact_below", [50_000, 1000], ids=["exact", "approximate"])
def test_removed_articles_are_not_found_and_a_repost_takes_its_new_date(
    data: tuple[np.ndarray, list[int | None]], exact_below: int
) -> None:
    vectors, days = data
    index = filled(vectors[:2000], days[:2000], exact_below)
    target = next(i for i in range(2000) if days[i] is not None)
    old_day = days[target]
    assert old_day is not None
    assert index.search(vectors[target], 1, old_day, 2)[0][0] == f"a{target}"
    index.remove(f"a{target}")
    assert f"a{target}" not in {a for a, *_ in index.search(vectors[target], 5)}
    new_day = old_day + 30
    index.add(f"a{target}", vectors[target], set(), date.fromordinal(new_day).isoformat())
    assert index.search(vectors[target], 1, new_day, 2)[0][:1] == (f"a{target}",)
    assert f"a{target}" not in {a for a, *_ in index.search(vectors[target], 10, old_day, 2)}
    assert len(index) == 2000
