"""The story rule (service/engine/story.py): time window, undated articles, the span guard, name IDF,
and the same rule through the pipeline and through the store's candidate look-up."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from service.engine import story

RULE = {"name_weight": 0.5, "threshold": 0.3, "window_days": 2, "undated_penalty": 0.0, "idf_power": 0.0}


def unit(*values: float) -> np.ndarray:
    vector = np.zeros(512, dtype=np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


@pytest.mark.parametrize(
    ("published_at", "expected"),
    [
        ("2014-03-02", 735294),
        ("2014-03-02T23:30:00-05:00", 735294),
        ("2014-03-02T10:00:00Z", 735294),
        ("2014-03-02 10:00", 735294),
        ("", None),
        (None, None),
        ("last Tuesday", None),
    ],
)
def test_day_number_reads_iso_dates_and_times(published_at: str | None, expected: int | None) -> None:
    assert story.day_number(published_at) == expected


def test_the_same_event_words_far_apart_in_time_are_two_stories() -> None:
    vectors = np.stack([unit(1, 0.1), unit(1, 0.12), unit(1, 0.11)])
    names = [{"obama", "congress"}] * 3
    close = story.group_articles(vectors, names, ["2013-10-01", "2013-10-02", "2013-10-02"], RULE)
    assert len(set(close)) == 1
    apart = story.group_articles(vectors, names, ["2013-10-01", "2013-10-02", "2013-10-20"], RULE)
    assert apart[0] == apart[1] != apart[2]
    # without a window (models trained before it) time is not looked at
    no_window = {k: v for k, v in RULE.items() if k != "window_days"}
    assert len(set(story.group_articles(vectors, names, ["2013-10-01", "2013-10-02", "2013-10-20"], no_window))) == 1


def test_undated_articles_join_by_content_and_the_penalty_holds_them_back() -> None:
    vectors = np.stack([unit(1, 0.1), unit(1, 0.12), unit(0.3, 1)])
    names = [{"santorum"}, {"santorum"}, {"boehner"}]
    labels = story.group_articles(vectors, names, ["2012-02-19", None, None], RULE)
    assert labels[0] == labels[1] != labels[2]
    strict = {**RULE, "undated_penalty": 2.0}
    labels = story.group_articles(vectors, names, ["2012-02-19", None, None], strict)
    assert labels[0] != labels[1]


def test_span_guard_cuts_a_chained_story_at_its_largest_gaps() -> None:
    days = [100, 101, 102, 103, 110, 111, None]
    labels = story.split_long_stories([0] * 7, days, 2)
    parts: dict[int, list[int | None]] = {}
    for label, day in zip(labels, days, strict=True):
        parts.setdefault(label, []).append(day)
    spans = [max(d for d in p if d is not None) - min(d for d in p if d is not None) for p in parts.values()]
    assert max(spans) <= 2
    assert labels[-1] == labels[0]  # the undated article stays with the earliest part
    assert labels[4] == labels[5] != labels[3]


def test_a_name_every_article_carries_weighs_less_with_idf() -> None:
    names = [{"obama", "senate", "keystone"}, {"obama", "senate", "keystone"}, {"obama", "syria"}, {"obama"}]
    idf = story.corpus_name_idf(names)
    assert idf["obama"] == pytest.approx(1.0)
    assert idf["syria"] > idf["keystone"] > idf["obama"]
    plain = story.name_jaccard(names)
    weighted = story.name_jaccard(names, idf, 1.0)
    # two articles sharing only the ubiquitous name look less alike once names are weighted
    assert plain[2, 3] == pytest.approx(0.5)
    assert weighted[2, 3] < plain[2, 3]
    assert weighted[0, 2] < plain[0, 2]
    assert weighted[0, 1] == pytest.approx(1.0)
    # idf_power 0 is plain Jaccard
    assert np.allclose(story.name_jaccard(names, idf, 0.0), plain)


def test_pair_similarity_is_the_matrix_rule() -> None:
    vectors = np.stack([unit(1, 0.3), unit(1, 0.5)])
    names = [{"kerry", "geneva"}, {"kerry"}]
    for dates in (["2013-11-23", "2013-11-24"], ["2013-11-23", "2013-12-24"], ["2013-11-23", None]):
        days = [story.day_number(d) for d in dates]
        rule = {**RULE, "undated_penalty": 0.05, "idf_power": 1.0}
        idf = story.corpus_name_idf(names)
        matrix = story.story_similarity(vectors, names, 0.5, days, 2, 0.05, idf, 1.0)
        cosine = float(vectors[0] @ vectors[1])
        assert story.pair_similarity(cosine, (names[0], names[1]), (days[0], days[1]), rule, idf) == pytest.approx(
            float(matrix[0, 1]), abs=1e-6
        )


def test_the_pipeline_groups_with_the_story_rule(resources: Any) -> None:
    from service.engine.pipeline import analyze, prepare
    from service.engine.records import ArticleInput

    body = (
        "Le conseil municipal de Brive a voté mardi la rénovation de la piscine Jean-Moulin. "
        "Les travaux coûteront 4 millions d'euros, selon le maire Frédéric Soulier."
    )
    articles = [
        ArticleInput(text=body, source="a.example", published_at="2024-05-14", input="a"),
        ArticleInput(text=body.replace("mardi", "hier"), source="b.example", published_at="2024-05-15", input="b"),
        ArticleInput(text=body.replace("mardi", "en mai"), source="c.example", published_at="2024-06-20", input="c"),
    ]
    analyses = analyze(prepare(articles), resources)
    stories = {a.doc.input: a.story_id for a in analyses}
    assert stories["a"] == stories["b"] != stories["c"]


def test_the_store_proposes_candidates_inside_the_window_only() -> None:
    from service.store.scoring_service import nearest_stored
    from service.store.story_index import StoryIndex

    index = StoryIndex()
    lead, names = unit(1, 0.2), {"keystone", "pipeline"}
    index.add("october", lead, names, "2013-10-01T09:00:00-04:00")
    index.add("december", lead, names, "2013-12-01")
    index.add("undated", lead, names, None)
    found = nearest_stored(index, [lead], [names], ["2013-10-02"], RULE, k=10, cap=10, exclude=set())
    assert set(found) == {"october", "undated"}
    assert index.name_frequency() == {"keystone": 3, "pipeline": 3}
    index.remove("undated")
    assert index.name_frequency() == {"keystone": 2, "pipeline": 2}
    assert index.name_idf()["keystone"] == pytest.approx(1.0)


def test_a_stored_story_never_grows_beyond_the_window(resources: Any, tmp_path: Any) -> None:
    from service.store.scoring_service import ScoringService

    service = ScoringService(
        {"database_url": f"sqlite:///{tmp_path}/store.db", "story_candidates": 50, "story_max_articles": 25},
        resources=resources,
    )
    body = (
        "Le conseil municipal de Brive a voté la rénovation de la piscine Jean-Moulin. "
        "Les travaux coûteront 4 millions d'euros, selon le maire Frédéric Soulier, qui a annoncé une "
        "réouverture en septembre. L'opposition a dénoncé un chantier trop coûteux."
    )
    stories = {}
    for day in range(10, 17):  # a week of follow-ups, one a day, the window is two days
        article = {"text": f"{body} Suivi du {day} mai.", "source": f"o{day}.example", "published_at": f"2024-05-{day}"}
        stories[day] = service.score([article], persist=True)[0]["story_id"]
    window = resources.thresholds["story"]["window_days"]
    assert stories[10] == stories[11]  # the same event
    assert stories[16] != stories[10]
    for story_id in set(stories.values()):
        days = [story.day_number(p) for p in service.store.story_published_at(story_id)]
        assert max(days) - min(days) <= window, (story_id, days)  # type: ignore[operator]
    service.store.dispose()
