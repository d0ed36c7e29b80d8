"""normalize, segment, mentions and names: the rule-based stages on small inputs."""

from __future__ import annotations

from service.engine.mentions import find_figures, find_names, is_negative, own_voice, quoted_text
from service.engine.names import near_miss
from service.engine.normalize import detect_language, normalize_text
from service.engine.segment import segment, split_sentences


def test_normalize_spaces_quotes_and_nfkc() -> None:
    raw = "L\u2019accord\u00a0: \u00ab\u202fbonjour\u202f\u00bb \u201cyes\u201d ﬁn\r\n\r\n\r\nfin"
    assert normalize_text(raw) == 'L\'accord : « bonjour » "yes" fin\n\nfin'


def test_detect_language_french_english_other() -> None:
    assert detect_language("Le conseil municipal a voté le budget lundi soir après un long débat.")[0] == "fr"
    assert detect_language("The city council approved the budget on Monday after a long debate.")[0] == "en"
    assert detect_language("Der Stadtrat hat am Montag nach langer Debatte den Haushalt genehmigt.")[0] == "de"


def test_a_clients_locale_is_read_as_its_language_and_a_non_tag_is_detected() -> None:
    from service.engine.pipeline import prepare
    from service.engine.records import ArticleInput
    from service.engine.signals import presentation

    text = "Un rapprochement spectaculaire. Le conseil municipal a voté la mesure mardi soir."
    given = ["fr_FR", "FR", "fr-CA", "fr_FR.UTF-8", "French", "", "de-DE", "fra", "und"]
    docs = prepare([ArticleInput(text=text, language=code) for code in given])
    assert [d.language for d in docs] == ["fr", "fr", "fr", "fr", "fr", "fr", "de", "fr", "fr"]
    # A locale keeps the word lists on (the loaded-wording flag fires as for "fr")...
    assert [f.text for f in presentation(docs[0]).flags if f.type == "loaded_language"] == ["spectaculaire"]
    assert docs[0].notes == [] and docs[5].notes == []
    # ... a value that is no language tag is said to be ignored, and the text decides.
    assert docs[4].notes and "'French' names no language read here" in docs[4].notes[0]
    assert docs[8].notes and "'und' names no language" in docs[8].notes[0] and docs[7].notes == []
    assert any("language 'de'" in note for note in docs[6].notes)


def test_abbreviations_initials_and_french_quotes_do_not_split() -> None:
    block = (
        "« Aujourd'hui, un document est prêt. Il est fondamental », a déclaré M. Poutine à Pyongyang. "
        "MM. Poutine et Kim se sont vus. Mme Dupont a vu J. K. Rowling hier. Une autre phrase suit ici."
    )
    spans = split_sentences(block)
    sentences = [block[s:e] for s, e in spans]
    assert sentences == [
        "« Aujourd'hui, un document est prêt. Il est fondamental », a déclaré M. Poutine à Pyongyang.",
        "MM. Poutine et Kim se sont vus.",
        "Mme Dupont a vu J. K. Rowling hier.",
        "Une autre phrase suit ici.",
    ]


def test_sentence_kinds_and_offsets() -> None:
    text = normalize_text(
        "Un titre sans point\n\nLe maire a signé le texte le 3 mars. Pourquoi maintenant ?\n\n"
        "« C'est une victoire », a dit Anne Roy.\n\nPartager\n\n12 commentaires"
    )
    sentences = segment(text, set())
    kinds = [s.kind for s in sentences]
    assert kinds == ["heading", "claim", "question", "quote", "furniture", "furniture"]
    for s in sentences:
        assert text[s.start : s.end] == s.text


def test_names_figures_and_polarity() -> None:
    sentence = "Selon M. Iouri Ouchakov, Vladimir Poutine a offert à Kim Jong-un une deuxième Aurus."
    names = [m.text for m in find_names(sentence, 0, set())]
    assert names == ["Iouri Ouchakov", "Vladimir Poutine", "Kim Jong-un", "Aurus"]
    assert find_figures("environ 10 000 militaires et vingt-trois articles, en 2024") == ["10000", "23"]
    assert find_figures("les deux pays ont parlé deux heures") == ["2"]
    assert is_negative("Il nie fermement les allégations")
    assert not is_negative("La Russie n'excluait pas une coopération militaro-technique")
    assert is_negative("Le contenu n'a pas été révélé")


def test_name_variants_are_not_misspellings_but_near_misses_are() -> None:
    assert not near_miss("Kim Jong Un", "Kim Jong-un")  # same key: never even compared, and no word differs
    assert not near_miss("Putin", "Poutine")
    assert not near_miss("Vladimir Putin", "Vladimir Poutine")
    assert not near_miss("Zelenskyy", "Zelensky")
    assert near_miss("Jim Jung Un", "Kim Jong-un")
    assert not near_miss("Marine Le Pen", "Jean-Marie Le Pen")
    assert not near_miss("Kim", "Jim")  # one short word is too ambiguous


def test_one_letter_off_surname_is_a_near_miss() -> None:
    assert near_miss("Eleanor Whitcomb", "Eleanor Whitcombe")
    assert near_miss("Hélène Desroziers", "Hélène Desrosiers")


def test_lines_repeated_across_one_sources_articles_are_furniture() -> None:
    from service.engine.pipeline import prepare
    from service.engine.records import ArticleInput

    template = "Notre sélection du jour pour nos lecteurs fidèles"
    articles = [
        ArticleInput(
            text=f"Titre {n}\n\nLe maire de Ville{n} a signé le texte {n} le 3 mars.\n\n{template}",
            source="exemple.fr",
            input=str(n),
        )
        for n in range(3)
    ]
    other = ArticleInput(
        text=f"Titre\n\nUn fait rapporté par un autre site le 4 mars.\n\n{template}", source="autre.fr"
    )
    docs = prepare([*articles, other])
    for doc in docs[:3]:
        (last,) = [s for s in doc.sentences if template in s.text]
        assert last.kind == "furniture" and "same source" in (last.furniture_reason or "")
    (line,) = [s for s in docs[3].sentences if template in s.text]
    assert line.kind != "furniture"  # one article of another source: no evidence of a template


def test_embedding_cache_embeds_each_text_once() -> None:
    from service.engine.embed import EmbeddingCache

    calls: list[int] = []

    class Model:
        def encode(self, texts, **_):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            import numpy as np

            return np.ones((len(texts), 512), dtype=np.float32)

    cache = EmbeddingCache(Model())
    cache.encode(["a", "b", "a"])
    vectors = cache.encode(["b", "c"])
    assert calls == [2, 1] and vectors.shape == (2, 512)
    assert cache.hits == 2 and cache.misses == 3


def test_inflections_acronyms_party_codes_and_transliterations_are_not_misspellings() -> None:
    """The kinds of false misspelled-name flags found on basil-dev (issue 13)."""
    assert not near_miss("Republicans", "Republican")
    assert not near_miss("House Republicans", "House Republican")
    assert not near_miss("American", "America")
    assert not near_miss("Libyan", "Libya")
    assert not near_miss("Texans", "Texas")
    assert not near_miss("Première", "Premier")
    assert not near_miss("ABC News", "NBC News")
    assert not near_miss("D-Va", "R-Va")
    assert not near_miss("Mohammed ben Salmane", "Mohammed bin Salman")
    assert not near_miss("Sergueï Lavrov", "Sergei Lavrov")
    assert not near_miss("Djamel Bouras", "Jamel Bouras")
    # ... while a real slip in a name stays one.
    assert near_miss("Lance Armsrong", "Lance Armstrong")
    assert near_miss("Michèle Allio-Marie", "Michèle Alliot-Marie")


def test_figures_are_values_in_words_digits_and_multipliers() -> None:
    from service.engine.mentions import find_figures
    from service.engine.normalize import normalize_text

    assert find_figures("a accueilli dix mille spectateurs") == find_figures("a réuni 10 000 spectateurs") == ["10000"]
    assert find_figures("1,5 million d'euros") == find_figures("1 500 000 euros") == ["1500000"]
    assert find_figures("Deux cents bénévoles") == find_figures("200 bénévoles") == ["200"]
    assert find_figures("$4.2 million") == ["4200000"]
    assert find_figures("ten thousand people") == ["10000"]
    assert find_figures("les deux pays") == [] and find_figures("les 3 pays") == []
    assert find_figures(normalize_text("3\u2060000 soldats")) == ["3000"]  # a word joiner is no separator


def test_polarity_is_the_main_clauses() -> None:
    assert not is_negative("Le maire, qui n'était pas sur place mardi, a annoncé la fermeture de l'école.")
    assert not is_negative("Le préfet n'a pas manqué de saluer le travail des pompiers.")
    assert not is_negative("The mayor did not hesitate to praise the firefighters.")
    assert is_negative("Le préfet n'a pas salué le travail des pompiers.")
    # A clause of reason has its own polarity: "n'était pas possible car elle n'est pas reconnue" denies
    # (and the English noun "car" starts no clause).
    assert is_negative("La piste de l'adoption n'était pas possible car elle n'est pas reconnue en Algérie.")
    assert is_negative("The car was not insured.")
    # ... and so has one that opens the sentence, up to its comma.
    assert is_negative("Because he was ill, the mayor did not sign the bill.")
    assert is_negative("Bien qu'il soit présent, il n'a pas signé le texte.")
    assert is_negative("Le car des supporters n'a pas pu partir.")  # the French noun: no clause
    # Two ways of writing one denial agree; idioms that affirm, nouns and "mais pas seulement" deny nothing.
    assert is_negative("Elle a perdu l'enfant sans oser déclarer sa disparition.")
    assert is_negative("La loi instaurait un droit au laisser mourir mais pas à l'euthanasie active.")
    assert is_negative("He left without saying a word.")
    for affirmed in (
        "Il a accepté sans hésiter.",
        "Il a été libéré sans autre précision.",
        "The plant closed without warning.",
        "The talks went on without Beijing's approval.",
        "Des dégâts matériels, mais pas seulement.",
    ):
        assert not is_negative(affirmed), affirmed


def test_a_quotation_is_the_speakers_voice() -> None:
    quoted = "\"L'adoption n'est pas reconnue en Algérie\", a indiqué hier le procureur."
    assert not own_voice(quoted, quoted_text(quoted))
    attributed = 'Le procureur a estimé que la piste de l\'adoption était "impossible" dans cette affaire.'
    assert own_voice(attributed, quoted_text(attributed))
    british = "'Adoption is not recognised in Algeria,' the prosecutor said yesterday."  # ‘...’ once normalized
    assert not own_voice(british, quoted_text(british))
    # In segment: polarity is read outside quotations, and a mostly quoted sentence is not the outlet's.
    [sentence] = segment(quoted, set())
    assert not sentence.own_voice and not sentence.negative


def test_newsroom_notes_are_neither_claims_nor_furniture() -> None:
    # A correction, an editor's note, a wire's production credits and its standards line are the
    # newsroom's own accountability text: typed like a credit line, they cost nothing.
    notes = [
        "Correction: An earlier version of this article misstated the vote. It was 7-2, not 6-3.",
        "Editor's note: This story has been updated with comments from the governor.",
        "Reporting by Tom Hale; Editing by Sarah Kent",
        "Our Standards: The Thomson Trust Principles.",
        "Rectificatif : une version précédente de cet article indiquait par erreur 45 victimes.",
        "NDLR : cet entretien a été relu par l'intéressé.",
    ]
    body = "The Bank of Aberlowe kept its main rate at 4.5 percent on Thursday, its governor said."
    text = normalize_text("\n\n".join(["Central bank holds rates at 4.5 percent", body, *notes]))
    kinds = {s.text: s.kind for s in segment(text, set())}
    assert kinds[body] == "claim"
    for note in notes:
        assert kinds[normalize_text(note)] == "heading", note
    # ... nor are the unlabelled or bracketed forms of a correction and an editor's note.
    for note in (
        "An earlier version of this article misstated the vote. It was 7 to 2, not 6 to 3. We regret the error.",
        "[Editor's note: We have updated this story with the final count.]",
        "Clarification (Nov. 21): The vote was held on Tuesday, not Wednesday.",
        "Cet article a été modifié le 3 décembre pour corriger le nom du maire.",
    ):
        assert _kinds_of_last_paragraph(body, note) == {"heading"}, note
    # Reporting that opens on a credit's or a note's words stays a claim, every sentence of it; so
    # does an update in a live blog, and "correction" inside a sentence.
    for line in (
        "Research by the Institute for Fiscal Studies found that taxes rose. The Treasury disputed it.",
        "Reporting by ProPublica and The Texas Tribune found that the agency failed to inspect 40 sites.",
        "Editing by hand is no longer needed, the company said.",
        "Correction officers said the inmate escaped through a laundry truck on Friday.",
        "Update: police say two men were arrested near the station on Friday.",
        "The correction to the budget was approved on Friday by the full council.",
    ):
        assert _kinds_of_last_paragraph(body, line) == {"claim"}, line


def _kinds_of_last_paragraph(body: str, paragraph: str) -> set[str]:
    """The sentence kinds of `paragraph` after a headline and `body`."""
    text = normalize_text(f"Headline of the story here\n\n{body}\n\n{paragraph}")
    start = text.rindex("\n") + 1
    return {s.kind for s in segment(text, set()) if s.start >= start}
