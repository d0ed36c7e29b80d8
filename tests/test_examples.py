"""The bundled examples: an English story judged like the French seeds, and unrelated articles kept apart."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from service.cli import read_articles
from service.engine.extract import DEFAULT_MAX_BYTES, read_path
from service.engine.pipeline import score_articles
from tests.conftest import EXAMPLES, claim_containing, sentence_flags


@pytest.fixture(scope="module")
def example_results(resources: Any) -> dict[str, dict[str, Any]]:
    # read as `reliability score` (so `make demo`) reads them: sidecars give the .txt files their outlet
    paths = sorted(EXAMPLES.iterdir())
    articles = [a for p in paths if p.suffix in (".json", ".txt", ".html") for a in read_articles(p, DEFAULT_MAX_BYTES)]
    return {Path(r["input"]).stem: r for r in score_articles(articles, resources=resources)}


# The two multi-outlet stories and the two careful / fair / sloppy trios (examples README).
TRIOS = {
    "en": ("en_fire_dunsleighchronicle", "en_fire_northvalestar", "en_fire_newsblitz24"),
    "fr": ("fr_gymnase_reveilducher", "fr_gymnase_valdeloireinfo", "fr_gymnase_chocinfos"),
}


def story_of(stem: str) -> str:
    """Which example story a file belongs to: its trio prefix, else its language prefix."""
    return next((p for p in ("en_fire_", "fr_gymnase_") if stem.startswith(p)), stem[:3])


def test_english_weak_outlet_scores_lowest(example_results: dict[str, dict[str, Any]]) -> None:
    english = {k: r["score"] for k, r in example_results.items() if story_of(k) == "en_"}
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
    french = {k: r["score"] for k, r in example_results.items() if story_of(k) == "fr_"}
    assert min(french, key=french.get) == "fr_buzzactu", french  # type: ignore[arg-type]
    flags = sentence_flags(example_results["fr_buzzactu"], "misspelled_name")
    assert any(f["suggestion"] == "Hélène Desrosiers" for f in flags), flags


def test_stories_are_separated(example_results: dict[str, dict[str, Any]]) -> None:
    story = {k: r["story_id"] for k, r in example_results.items()}
    ids = {}
    for prefix in ("en_", "fr_", "en_fire_", "fr_gymnase_"):
        (ids[prefix],) = {v for k, v in story.items() if story_of(k) == prefix}  # each story is one story...
    assert len(set(ids.values())) == 4  # ...and the four are four
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


def _readme_rows() -> dict[str, list[str]]:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([\w.]+)` \|(.*)$", readme.split("## Files", 1)[1].split("\n## ", 1)[0], re.MULTILINE)
    return {Path(name).stem: cells.split(" | ") for name, cells in rows}


def test_readme_outlets_are_the_sources_scored(example_results: dict[str, dict[str, Any]]) -> None:
    """The README's outlet column names, in backticks, the source each example is scored with."""
    rows = _readme_rows()
    assert set(rows) == set(example_results)
    for stem, cells in rows.items():
        outlet = cells[0].strip()
        named = None if outlet.startswith("—") else re.search(r"`([^`]+)`", outlet).group(1)  # type: ignore[union-attr]
        assert example_results[stem]["source"]["domain"] == named, (stem, outlet)
    # every French story file has its outlet (from its sidecar), not only the English JSON ones
    assert all(r["source"]["domain"] for k, r in example_results.items() if k.startswith(("fr_", "en_")))


def test_readme_says_how_the_reuters_credit_line_is_scored(example_results: dict[str, dict[str, Any]]) -> None:
    credit = "(Reporting by Claire Hendry; Editing by Tom Ashcroft)"
    flagged = any(
        f["type"] == "unsupported_claim" and f["text"] == credit for f in example_results["en_channelgazette"]["flags"]
    )
    said = "flags it `unsupported_claim`" in " ".join(_readme_rows()["en_channelgazette"])
    assert said == flagged, "service/examples/README.md says otherwise of the Gazette's credit line"


def test_readme_gives_the_order_the_scorer_gives(example_results: dict[str, dict[str, Any]]) -> None:
    """`a ≈ b > c`: a and b within a point of each other, both above c."""
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^Order the scorer gives .*highest first[^:]*:(.*)$", readme, re.MULTILINE)
    assert len(lines) == 4, lines
    for line in lines:
        groups = [re.findall(r"`([\w.]+)`", group) for group in line.split(" > ")]
        scores = [[example_results[Path(name).stem]["score"] for name in group] for group in groups]
        for group, values in zip(groups, scores, strict=True):
            assert max(values) - min(values) <= 1.0, (group, values)
        for higher, lower in zip(scores, scores[1:], strict=False):
            assert min(higher) > max(lower), (line, scores)
        story = {story_of(Path(name).stem) for group in groups for name in group}
        assert len(story) == 1 and sum(map(len, groups)) == sum(1 for k in example_results if story_of(k) in story)


@pytest.mark.parametrize("language", sorted(TRIOS))
def test_careful_fair_sloppy_trio(example_results: dict[str, dict[str, Any]], language: str) -> None:
    """Issue 14: three reports of one local event: careful >= 75 > ... > sloppy, sloppy <= 40, in
    that order."""
    careful, fair, sloppy = (example_results[stem] for stem in TRIOS[language])
    assert careful["score"] >= 75, careful["reasons"]
    assert sloppy["score"] <= 40, sloppy["reasons"]
    assert careful["score"] > fair["score"] > sloppy["score"] + 30, [r["score"] for r in (careful, fair, sloppy)]
    assert sloppy["label"] == "unreliable" and careful["label"] == "reliable"
    # what the sloppy report does wrong is named: its misspelled name, with the form the others use
    suggestions = {f.get("suggestion") for f in sloppy["flags"] if f["type"] == "misspelled_name"}
    assert suggestions & {"Graham Pettifer", "Pettifer", "Sandrine Bouvarel", "Bouvarel"}, sloppy["flags"]
    # and its style is shown: the headline in capitals, its unnamed sources, its exclamations;
    # it costs points in English, the language the style term was learned on, and none in French
    kinds = {e["kind"] for e in sloppy["components"]["style"]["evidence"]}
    assert {"headline", "anonymous_source", "exclamation"} <= kinds, kinds
    contribution = sloppy["components"]["style"]["contribution"]
    assert contribution < 0 if language == "en" else contribution == 0.0, contribution
