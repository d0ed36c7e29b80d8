"""Judgement in context (issues 12 and 13): restated claims share their support, loaded wording
in the outlet's own voice and sense, generic flags only on assertions with nothing checkable,
and the cheap guards that keep the per-article cost down (mojibake pre-check, thread limits)."""

from __future__ import annotations

import re
from typing import Any

import threadpoolctl

from service.engine import generic, spelling, wording
from service.engine.normalize import _MAYBE_MOJIBAKE, normalize_text
from service.engine.pipeline import prepare
from service.engine.records import ArticleInput
from service.engine.signals import RATE_MIN_SENTENCES, presentation
from service.engine.threads import limited_threads

MUTUAL = re.compile(r"(assistance|aide)\s+(mutuelle|réciproque)|assistance militaire immédiate", re.I)


def test_every_seed_sentence_stating_mutual_assistance_is_supported(seed_results: dict[str, dict[str, Any]]) -> None:
    # 000 and 001 state the clause two or three times in other words; the later statements are
    # restatements of a corroborated sentence of their own article (claims.restatement_memberships).
    # Issue 12: each of them is also in the one cluster they all share (as its member or, for a
    # restatement or a sentence stating two claims, through `cluster_ids`). Not yet 001's
    # "déployer rapidement une aide militaire si l'un des deux pays est attaqué" (equivalence 0.23
    # with its own article's "aide mutuelle" sentence, under the 0.34 match threshold):
    # `reliability eval` reports it in seed_claim_checks.
    found, shared = [], None
    for key, result in seed_results.items():
        for claim in result["claims"]:
            if MUTUAL.search(claim["text"]):
                found.append(key)
                assert claim["status"] == "supported", (key, claim["text"])
                shared = set(claim["cluster_ids"]) if shared is None else shared & set(claim["cluster_ids"])
    assert set(found) == {"000", "001", "002", "003", "004"} and found.count("000") >= 3
    assert shared, "no claim cluster holds every mutual-assistance sentence of the seeds"


def _loaded(text: str) -> list[str]:
    return [text[a:b] for a, b in wording.loaded_matches(text, spelling.quoted_text(text))]


def test_loaded_wording_is_the_outlets_own_figurative_voice() -> None:
    assert _loaded("Dans un geste audacieux qui ébranle l'échiquier, un rapprochement spectaculaire.") == [
        "audacieux",
        "ébranle",
        "spectaculaire",
    ]
    assert _loaded("The senator's shocking U-turn. Un séisme politique secoue la majorité.") == ["shocking", "séisme"]


def test_quotations_and_literal_senses_are_not_loaded_wording() -> None:
    assert _loaded('Blumenthal called the report an "outrageous distortion" of his record.') == []
    assert _loaded("« C'est scandaleux et ça me révolte », dit-elle.") == []
    # British and headline quoting: single quotes, straight or typographic (normalized to straight).
    assert _loaded(normalize_text("The minister called the leak ‘outrageous’, and ‘a shocking betrayal’.")) == []
    assert _loaded("Senator: 'Outrageous Distortion' of my record") == []
    assert _loaded("The players' shocking U-turn, which they don't explain.") == ["shocking"]
    literal = (
        "Le séisme du Sichuan a fait 80 000 morts. Un trafic de stupéfiants démantelé. L'onde de choc "
        "de la faillite. Le scandale de la Société générale. Fire destroys bakery. The devastating floods. "
        "It has a chilling effect on speech. Police found an explosive device and des explosifs."
    )
    assert _loaded(literal) == []


def test_loaded_flags_and_rate_come_from_the_same_matches() -> None:
    neutral = " ".join(f"Le conseil municipal a voté la mesure numéro {k} mardi soir." for k in range(8))
    text = f"Un rapprochement spectaculaire. « Une honte scandaleuse », dit-il. {neutral}"
    [doc] = prepare([ArticleInput(text=text)])
    signals = presentation(doc)
    assert [f.text for f in signals.flags if f.type == "loaded_language"] == ["spectaculaire"]
    # One loaded word (the quoted one does not count) in ten content sentences, read as over
    # RATE_MIN_SENTENCES: one word in a short piece is not a pattern.
    assert len(doc.content_sentences) == 10
    assert signals.values["loaded_rate"] == 1 / RATE_MIN_SENTENCES * 5
    many = " ".join(f"Le conseil municipal a voté la mesure numéro {k} mardi soir." for k in range(24))
    longer = f"Un rapprochement spectaculaire. {many}"
    [doc] = prepare([ArticleInput(text=longer)])
    assert len(doc.content_sentences) == 25 > RATE_MIN_SENTENCES
    assert presentation(doc).values["loaded_rate"] == 1 / 25 * 5


def test_warm_up_loads_the_language_identifier_and_the_dictionaries() -> None:
    from service.engine import normalize, pipeline

    pipeline.warm_up()
    assert normalize._identifier.cache_info().currsize == 1
    assert spelling.hunspell.cache_info().currsize == len(spelling.LANGUAGES)


def _sentences(text: str) -> list[Any]:
    [doc] = prepare([ArticleInput(text=text)])
    return [s for s in doc.content_sentences if s.kind in ("claim", "question")]


def test_checkable_predicates_are_never_generic_candidates() -> None:
    text = (
        "Dave Brat won the primary.\n\n"
        "Mr. Etheridge faces a re-election challenge from a conservative.\n\n"
        "He cast his decision as a way to keep his options open.\n\n"
        "Brat credited volunteers for the upset.\n\n"
        "Tradition dictates that parties out of power do what they can.\n\n"
        "La Corée du Nord et la Russie restent déterminées à poursuivre leur coopération."
    )
    [doc] = prepare([ArticleInput(text=text)])
    people = generic.person_words([doc])
    checkable = {s.text[:12]: generic.has_checkable_predicate(s, people) for s in _sentences(text)}
    assert checkable == {
        "Dave Brat wo": True,
        "Mr. Etheridg": True,
        "He cast his ": True,
        "Brat credite": True,
        "Tradition di": False,
        "La Corée du ": False,  # countries as subjects are not enough (seed 003's filler)
    }


def test_fragments_and_reported_speech_are_not_assertions_of_the_outlet() -> None:
    text = 'Among the potential candidates are Reps.\n\n"I intend to move forward on both bills. It is time," he said.'
    [doc] = prepare([ArticleInput(text=text)])
    unquoted = spelling.quoted_text(doc.text)
    by_start = {s.text[:10]: s for s in doc.content_sentences}
    assert generic.is_fragment(by_start["Among the "])
    speech = [s for s in doc.content_sentences if s.text.startswith(('"I intend', "I intend"))]
    assert speech and generic.reported_speech(speech[0], doc.text, unquoted)
    assert not generic.reported_speech(by_start["Among the "], doc.text, unquoted)


def test_mojibake_is_repaired_and_clean_text_skips_the_repair() -> None:
    for word in ("été", "Noël", "œuvre", "l’État", "São Paulo", "Zürich", "naïve", "“quoted”", "€5", "déjà"):
        for codec in ("latin-1", "cp1252", "mac_roman", "cp437"):
            try:
                garbled = word.encode("utf-8").decode(codec)
            except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: nothing to repair from
                continue
            assert _MAYBE_MOJIBAKE.search(garbled), (word, codec, garbled)
            if codec in ("latin-1", "cp1252"):  # ftfy cannot undo every code page: only assert the trace
                assert normalize_text(garbled) == normalize_text(word), (word, codec)
    # "à" whose no-break space became a space on the way
    assert normalize_text("voilÃ  tout".replace("\u00a0", " ")) == "voilà tout"
    assert normalize_text("d√©j√† vu") == "déjà vu"  # MacRoman
    for clean in ("Ça va à Paris, État, Élysée, déjà.", "The naïve café in Zürich.", "Plain ASCII text."):
        assert not _MAYBE_MOJIBAKE.search(clean)


def test_limited_threads_caps_every_native_pool_and_restores_it() -> None:
    import numpy  # noqa: F401  (loads a BLAS library)

    before = {p["filepath"]: p["num_threads"] for p in threadpoolctl.threadpool_info()}
    with limited_threads(1):
        assert all(p["num_threads"] == 1 for p in threadpoolctl.threadpool_info())
    after = {p["filepath"]: p["num_threads"] for p in threadpoolctl.threadpool_info()}
    assert after == before
