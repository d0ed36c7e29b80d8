"""The field cases of ../shared/cases (one test per case): each folder scored as one corpus, as
its README says a careful editor expects. The kind is fixed, not the input: more cases of each
kind are held back and checked from outside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES


def score_folder(folder: str, pattern: str, resources: Any) -> dict[str, dict[str, Any]]:
    from service.engine.extract import read_path
    from service.engine.pipeline import score_articles

    paths = sorted((CASES / folder).glob(pattern))
    assert paths, f"no {pattern} in {CASES / folder}"
    results = score_articles([a for p in paths for a in read_path(p)], resources=resources)
    return {Path(r["input"]).name: r for r in results}


def flags_of(result: dict[str, Any], flag_type: str) -> list[str]:
    return [f["text"] for f in result["flags"] if f["type"] == flag_type]


def test_idiomatic_repetition_is_not_a_translation_artefact(resources: Any) -> None:
    results = score_folder("idiomatic-repetition", "*.txt", resources)
    assert len(results) == 2
    for name, result in results.items():
        assert flags_of(result, "translation_artefact") == [], name


@pytest.mark.parametrize("pattern", ["*.txt", "*.json"])
def test_transliterated_names_are_not_misspellings(pattern: str, resources: Any) -> None:
    results = score_folder("transliterated-names", pattern, resources)
    assert len(results) == 3
    for name, result in results.items():
        assert flags_of(result, "misspelled_name") == [], name
    scores = [r["score"] for r in results.values()]
    assert max(scores) - min(scores) <= 5, scores  # the three outlets treated alike


def test_numbers_in_words_and_digits_corroborate(resources: Any) -> None:
    """ "dix mille" = "10 000", "1,5 million" = "1 500 000", "deux cents" = "200"."""
    results = score_folder("numbers-in-words-and-digits", "*.txt", resources)
    assert len(results) == 3
    for name, result in results.items():
        assert flags_of(result, "contradiction") == [], name
        assert result["claims"] and all(c["status"] == "supported" for c in result["claims"]), (name, result["claims"])


def test_negation_that_is_not_denial_contradicts_nothing(resources: Any) -> None:
    """A "ne ... pas" in a relative clause and a litote ("n'a pas manqué de saluer") deny nothing."""
    results = score_folder("negation-that-is-not-denial", "*.txt", resources)
    assert len(results) == 3
    for name, result in results.items():
        assert flags_of(result, "contradiction") == [], name
        assert all(c["status"] != "contradicted" for c in result["claims"]), name


def test_abbreviations_and_initials_do_not_cut_sentences(resources: Any) -> None:
    results = score_folder("abbreviations-and-initials", "*.txt", resources)
    texts = [c["text"] for r in results.values() for c in r["claims"]]
    for whole in ("J.-M. Portal", "p. ex. Yssingeaux", "14 janv. 2025", "Aug. 12 after", "Rev. Thomas Mwangi"):
        assert any(whole in t for t in texts), (whole, texts)
    # ... but "catégorie B." ends its sentence.
    assert "Le projet de médiathèque passe en catégorie B." in texts
    assert "Il sera financé à 40 % par le département." in texts
    # No flag lands on a fragment: every flagged span is a whole sentence or inside one.
    for result in results.values():
        for flag in result["flags"]:
            if flag["type"] in ("generic_assertion", "unsupported_claim"):
                assert flag["text"] in texts, flag


@pytest.mark.parametrize("pattern", ["*.html", "*.txt"])
def test_paywall_caption_and_cookie_lines_are_furniture_not_claims(pattern: str, resources: Any) -> None:
    results = score_folder("paywall-caption-furniture", pattern, resources)
    (result,) = results.values()
    claims = " ".join(c["text"] for c in result["claims"])
    for line in ("Il vous reste 70 %", "Déjà abonné", "Écouter cet article", "cookies", "Photo Estuaire Hebdo"):
        assert line not in claims, line
    furniture = " ".join(flags_of(result, "furniture"))
    for line in ("Il vous reste 70 %", "Déjà abonné", "Écouter cet article"):
        assert line in furniture, (line, furniture)
    if pattern == "*.txt":  # the HTML extractor already drops the banner, the caption and the aside
        for line in ("cookies", "Photo Estuaire Hebdo", "Sur le même sujet"):
            assert line in furniture, (line, furniture)


def test_declared_latin1_is_decoded_and_mojibake_repaired(resources: Any) -> None:
    results = score_folder("declared-latin1-and-mojibake", "*.*", resources)
    for name, result in results.items():
        assert "Ã" not in result["text"] and "Ã" not in result["title"], name
    assert "Pénurie de médecins à Guéret" in results["page_latin1.html"]["text"]
    assert results["mojibake.txt"]["text"] == results["clean.txt"]["text"]
