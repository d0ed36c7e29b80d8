"""The bundled examples: an English story judged like the French seeds, and unrelated articles kept apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from service.engine.extract import read_path
from service.engine.pipeline import score_articles
from tests.conftest import EXAMPLES, claim_containing, sentence_flags


@pytest.fixture(scope="module")
def example_results(resources: Any) -> dict[str, dict[str, Any]]:
    articles = [a for p in sorted(EXAMPLES.iterdir()) if p.suffix in (".json", ".txt", ".html") for a in read_path(p)]
    return {Path(r["input"]).stem: r for r in score_articles(articles, resources=resources)}


def test_english_weak_outlet_scores_lowest(example_results: dict[str, dict[str, Any]]) -> None:
    english = {k: r["score"] for k, r in example_results.items() if k.startswith("en_")}
    assert min(english, key=english.get) == "en_buzzheadlines", english  # type: ignore[arg-type]
    strong = min(english["en_wexmouthherald"], english["en_channelgazette"])
    assert strong > english["en_buzzheadlines"] + 20, english


def test_english_misspelled_name_flagged_with_correct_form(example_results: dict[str, dict[str, Any]]) -> None:
    flags = sentence_flags(example_results["en_buzzheadlines"], "misspelled_name")
    assert any(f["text"] == "Eleanor Whitcomb" and f["suggestion"] == "Eleanor Whitcombe" for f in flags), flags
    for key, result in example_results.items():
        if key != "en_buzzheadlines":
            assert not [f for f in sentence_flags(result, "misspelled_name") if "Whitcombe" in f["text"]], key


def test_english_unsupported_figure(example_results: dict[str, dict[str, Any]]) -> None:
    claim = claim_containing(example_results["en_buzzheadlines"], "£650 million")
    assert claim["status"] == "unsupported" and claim["hedged"]


def test_english_generic_filler_flagged(example_results: dict[str, dict[str, Any]]) -> None:
    generic = [f["text"] for f in sentence_flags(example_results["en_buzzheadlines"], "generic_assertion")]
    assert any(t.startswith("This decision marks a significant milestone") for t in generic), generic
    assert any(t.startswith("In conclusion, it is clear") for t in generic), generic


def test_english_derivative_detected(example_results: dict[str, dict[str, Any]]) -> None:
    derived = example_results["en_dailynewsroundup"]["derivative_of"]
    original = example_results["en_wexmouthherald"]
    assert derived and derived["article_id"] == original["article_id"]
    assert example_results["en_channelgazette"]["derivative_of"] is None
    # the flag names the original as a reader knows it: its outlet and title, not an internal id
    (flag,) = [f for f in example_results["en_dailynewsroundup"]["flags"] if f["type"] == "derivative"]
    assert derived["title"] == original["title"] and original["title"][:40] in flag["reason"]
    assert derived["source"] and derived["source"] in flag["reason"]
    assert original["article_id"] not in flag["reason"]
    # being a rewrite never raises its own score (the scorer holds `derivative` to direction -1)
    assert example_results["en_dailynewsroundup"]["components"]["derivative"]["contribution"] <= 0.0


def test_french_example_story(example_results: dict[str, dict[str, Any]]) -> None:
    french = {k: r["score"] for k, r in example_results.items() if k.startswith("fr_")}
    assert min(french, key=french.get) == "fr_buzzactu", french  # type: ignore[arg-type]
    flags = sentence_flags(example_results["fr_buzzactu"], "misspelled_name")
    assert any(f["suggestion"] == "Hélène Desrosiers" for f in flags), flags


def test_stories_are_separated(example_results: dict[str, dict[str, Any]]) -> None:
    story = {k: r["story_id"] for k, r in example_results.items()}
    assert len({v for k, v in story.items() if k.startswith("en_")}) == 1
    assert len({v for k, v in story.items() if k.startswith("fr_")}) == 1
    assert story["en_wexmouthherald"] != story["fr_regionseco"]
    assert story["unrelated_en"] not in (story["en_wexmouthherald"], story["fr_regionseco"])
    assert story["unrelated_fr"] not in (story["en_wexmouthherald"], story["fr_regionseco"])


def test_unrelated_article_scored_with_seeds_lands_elsewhere(seed_paths: list[Path], resources: Any) -> None:
    articles = [a for p in seed_paths for a in read_path(p)] + read_path(EXAMPLES / "unrelated_fr.txt")
    results = score_articles(articles, resources=resources)
    seed_stories = {r["story_id"] for r in results[:5]}
    assert len(seed_stories) == 1
    assert results[5]["story_id"] not in seed_stories
    assert results[5]["coverage"] == "insufficient_coverage"
    assert all(c["status"] == "insufficient_coverage" for c in results[5]["claims"])
