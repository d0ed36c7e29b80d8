"""The founding seed articles must be judged the way a careful editor judges them (seeds/README.md)."""

from __future__ import annotations

from typing import Any

from service.engine.records import FLAG_TYPES, SENTENCE_KINDS
from tests.conftest import claim_containing, sentence_flags


def test_ranking_002_highest_003_004_lowest(seed_results: dict[str, dict[str, Any]]) -> None:
    scores = {k: r["score"] for k, r in seed_results.items()}
    ranked = sorted(scores, key=scores.get, reverse=True)  # type: ignore[arg-type]
    assert ranked[0] == "002", scores
    assert set(ranked[-2:]) == {"003", "004"}, scores


def test_004_misspelled_leader_name_flagged_with_suggestion(seed_results: dict[str, dict[str, Any]]) -> None:
    flags = sentence_flags(seed_results["004"], "misspelled_name")
    jim = [f for f in flags if f["text"] == "Jim Jung Un"]
    assert jim, flags
    assert all(f["suggestion"] in ("Kim Jong-un", "Kim Jong Un") for f in jim)
    text = seed_results["004"]["text"]
    assert all(text[f["start"] : f["end"]] == "Jim Jung Un" for f in jim)


def test_no_misspelled_flag_on_correct_spellings(seed_results: dict[str, dict[str, Any]]) -> None:
    for key, result in seed_results.items():
        for flag in sentence_flags(result, "misspelled_name"):
            lowered = flag["text"].lower()
            assert "kim jong" not in lowered, (key, flag)
            assert "poutine" not in lowered and "vladimir" not in lowered, (key, flag)


def test_003_generic_filler_flagged(seed_results: dict[str, dict[str, Any]]) -> None:
    result = seed_results["003"]
    paragraphs = [p for p in result["text"].split("\n") if p.strip()]
    tail_start = result["text"].index(paragraphs[-2])
    generic = [f for f in sentence_flags(result, "generic_assertion") if f["start"] >= tail_start]
    assert len(generic) >= 4, [f["text"] for f in generic]


def test_002_direct_quotes_never_generic(seed_results: dict[str, dict[str, Any]]) -> None:
    result = seed_results["002"]
    for flag in sentence_flags(result, "generic_assertion"):
        assert "«" not in flag["text"] and '"' not in flag["text"], flag


def test_furniture_flagged_and_not_claims(seed_results: dict[str, dict[str, Any]]) -> None:
    expectations = {
        "002": ["Le Monde Application", "Télécharger l'application", "Réutiliser ce contenu", "Source link", "2823"],
        "001": ["Aller au contenu", "Lire aussi:", "commentaires", "Dernier"],
    }
    for key, lines in expectations.items():
        result = seed_results[key]
        furniture = {f["text"] for f in sentence_flags(result, "furniture")}
        claim_texts = {c["text"] for c in result["claims"]}
        for line in lines:
            assert line in furniture, (key, line, furniture)
            assert line not in claim_texts
    footer = [f["text"] for f in sentence_flags(seed_results["002"], "furniture")]
    assert any(t.startswith("Lire aussi : Article réservé à nos abonnés") for t in footer)


def test_001_repeated_caption_and_lead_flagged_duplicate(seed_results: dict[str, dict[str, Any]]) -> None:
    duplicates = [f["text"] for f in sentence_flags(seed_results["001"], "duplicate")]
    assert any(t.startswith("L'accord de défense conclu entre Kim et Poutine") for t in duplicates), duplicates
    assert any(t.startswith("Le président russe Vladimir Poutine et le dirigeant nord-coréen") for t in duplicates)


def test_004_ten_thousand_soldiers_unsupported(seed_results: dict[str, dict[str, Any]]) -> None:
    claim = claim_containing(seed_results["004"], "10 000 militaires nord-coréens")
    assert claim["status"] == "unsupported", claim
    assert claim["hedged"] is True


def _cluster_of(result: dict[str, Any], fragments: tuple[str, ...]) -> set[str]:
    return {cid for c in result["claims"] if any(f in c["text"] for f in fragments) for cid in c["cluster_ids"]}


def test_shared_claims_fall_in_one_cluster(seed_results: dict[str, dict[str, Any]]) -> None:
    groups = {
        "mutual assistance": {
            "000": ("assistance mutuelle en cas d'agression", "assistance réciproque"),
            "001": ("l'assistance mutuelle en cas d'attaque", "aide mutuelle"),
            "002": ("assistance mutuelle en cas d'agression",),
            "003": ("assistance mutuelle en cas d'agression",),
            "004": ("clause d'assistance militaire immédiate",),
        },
        "revolutionary document": {
            "000": ("document véritablement révolutionnaire",),
            "002": ("document véritablement révolutionnaire",),
            "003": ("document véritablement révolutionnaire",),
            "004": ("document révolutionnaire",),
        },
        "UN sanctions": {"000": ("sanctions de l'ONU",), "002": ("sanctions de l'ONU",)},
        "gifts": {"000": ("échange de cadeaux", "échanges de cadeaux"), "002": ("avaient échangé des cadeaux",)},
        "two-hour talks": {"000": ("pendant environ deux heures",), "002": ("ont duré environ deux heures",)},
    }
    for name, per_seed in groups.items():
        shared = None
        for key, fragments in per_seed.items():
            clusters = _cluster_of(seed_results[key], fragments)
            assert clusters, (name, key)
            shared = clusters if shared is None else shared & clusters
        assert shared, f"{name}: no claim cluster holds a sentence of every seed"


def test_000_is_derivative_of_002_and_not_independently_supported(seed_results: dict[str, dict[str, Any]]) -> None:
    result = seed_results["000"]
    assert result["derivative_of"] and result["derivative_of"]["article_id"] == seed_results["002"]["article_id"]
    assert sentence_flags(result, "derivative")
    original = seed_results["002"]["article_id"]
    for claim in result["claims"]:
        supporters = {s["article_id"] for s in claim["supported_by"]}
        assert original not in supporters, claim
        if claim["status"] == "supported":
            assert supporters - {original}


def test_seeds_form_one_story(seed_results: dict[str, dict[str, Any]]) -> None:
    assert len({r["story_id"] for r in seed_results.values()}) == 1


def test_offsets_index_the_returned_text(seed_results: dict[str, dict[str, Any]]) -> None:
    for result in seed_results.values():
        for item in result["flags"] + result["claims"]:
            assert result["text"][item["start"] : item["end"]] == item["text"]


def test_score_contract_fields(seed_results: dict[str, dict[str, Any]]) -> None:
    for result in seed_results.values():
        assert 0 <= result["score"] <= 100
        assert result["label"] in ("reliable", "mixed", "unreliable")
        assert 0 <= result["confidence"] <= 1
        assert len(result["article_id"]) == 16
        for flag in result["flags"]:
            assert {"type", "start", "end", "text", "reason"} <= set(flag)
            assert flag["type"] in FLAG_TYPES
        for claim in result["claims"]:
            assert {"text", "cluster_id", "status", "supported_by"} <= set(claim)
            assert claim["kind"] in SENTENCE_KINDS
            assert claim["status"] in ("supported", "unsupported", "contradicted", "insufficient_coverage")
        for component in result["components"].values():
            assert {"value", "contribution", "evidence"} <= set(component)
