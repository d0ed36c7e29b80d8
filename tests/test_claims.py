"""Claim equivalence combines the embedding with figures: 10 000 and 20 000 soldiers are two claims."""

from __future__ import annotations

from typing import Any

import numpy as np

from service.engine.claims import cluster_claims, sentence_key
from service.engine.mentions import find_figures, find_names, is_negative
from service.engine.records import Sentence


def _sentence(text: str) -> Sentence:
    s = Sentence(index=0, start=0, end=len(text), text=text, kind="claim", paragraph=0)
    s.names, s.figures, s.negative = find_names(text, 0, set()), find_figures(text), is_negative(text)
    return s


def _cluster(texts: list[str], resources: Any) -> Any:
    sentences = [_sentence(t) for t in texts]
    vectors = resources.embeddings.encode(texts)
    th = resources.thresholds["claims"]
    return cluster_claims(
        vectors,
        texts,
        [sentence_key(s) for s in sentences],
        list(range(len(texts))),
        resources.equivalence,
        th["threshold"],
        th["contradiction_cosine"],
    )


def test_paraphrases_join_and_different_figures_do_not(resources: Any) -> None:
    texts = [
        "Environ 10 000 soldats nord-coréens ont rejoint le front ukrainien, selon Séoul.",
        "Selon Séoul, quelque 10 000 militaires nord-coréens ont rejoint le front en Ukraine.",
        "Environ 20 000 soldats nord-coréens ont rejoint le front ukrainien, selon Séoul.",
    ]
    result = _cluster(texts, resources)
    assert result.labels[0] == result.labels[1]
    assert result.labels[2] != result.labels[0]
    # The two soldier counts are one slot ("soldats") with two values: a contradiction naming both.
    assert any(
        {i, j} == {0, 2} and kind == "values" and {here, there} == {"10 000 soldats", "20 000 soldats"}
        for i, j, kind, here, there in result.contradictions
    ), result.contradictions


def test_unrelated_sentences_stay_apart(resources: Any) -> None:
    texts = [
        "Le conseil municipal de Lyon a voté mardi un budget de 12 millions d'euros pour les écoles.",
        "Le Tour de France partira de Lille en juillet, a annoncé l'organisateur.",
    ]
    result = _cluster(texts, resources)
    assert result.labels[0] != result.labels[1]
    assert np.all(np.isfinite(resources.embeddings.encode(texts)))


def test_pair_features_are_the_documented_ones() -> None:
    from service.engine.claims import FEATURE_NAMES, pair_feature_matrix

    texts = [
        "Environ 10 000 soldats nord-coréens ont rejoint le front, selon Séoul.",
        "Selon Séoul, 20 000 militaires nord-coréens sont au front.",
        "Le maire de Lyon, Jean Dupont, a voté le budget.",
    ]
    keys = [sentence_key(_sentence(t)) for t in texts]
    left, right = np.array([0, 0]), np.array([1, 2])
    feats = pair_feature_matrix(keys, left, right, np.array([0.9, 0.1]), np.array([0.5, 0.2]), {})
    row = dict(zip(FEATURE_NAMES, feats[0], strict=True))
    assert row["cosine"] == np.float32(0.9) and row["char_cosine"] == np.float32(0.5)
    assert row["figure_conflict"] == 1 and row["figure_agree"] == 0
    assert row["name_agree"] == 1  # both name Séoul
    assert 0 < row["word_jaccard"] < 1 and 0 < row["stem_containment"] <= 1
    other = dict(zip(FEATURE_NAMES, feats[1], strict=True))
    assert other["name_conflict"] == 1 and other["figure_conflict"] == 0


def test_average_linkage_does_not_chain_what_connected_components_would() -> None:
    """A~B and B~C are matches, A and C are not close: two claims, not one (the issue 12 chain)."""
    from service.engine.claims import average_linkage, connected_labels

    proba = np.array([[0, 0.9, 0.01], [0.9, 0, 0.8], [0.01, 0.8, 0]], dtype=np.float32)
    articles = np.array([0, 1, 2])
    edges = [(0.9, 0, 1), (0.8, 1, 2)]
    assert len(set(connected_labels(3, [(i, j) for _, i, j in edges]))) == 1
    labels = average_linkage(proba, articles, edges, linkage=0.5, most_per_article=2)
    assert labels[0] == labels[1] and labels[2] != labels[0]
    # Close on average, the three are one claim.
    proba[0, 2] = proba[2, 0] = 0.6
    assert len(set(average_linkage(proba, articles, edges, linkage=0.5, most_per_article=2))) == 1


def test_no_claim_cluster_takes_more_than_its_share_of_one_article() -> None:
    from service.engine.claims import average_linkage

    articles = np.array([0, 0, 0, 1])
    proba = np.full((4, 4), 0.9, dtype=np.float32)
    edges = [(0.9, k, 3) for k in range(3)]
    labels = average_linkage(proba, articles, edges, linkage=0.5, most_per_article=2)
    assert sum(label == labels[3] for label in labels) == 3  # two of article 0 and the one of article 1


def test_char_tfidf_is_the_vectorizers_own_matrix_bit_for_bit(resources: Any) -> None:
    # char_ngrams.char_tfidf replaces TfidfVectorizer.transform for speed; the claim-equivalence
    # model was trained on the latter, so any difference (a scikit-learn upgrade) must fail here.
    from service.engine.char_ngrams import char_tfidf

    vectorizer = resources.equivalence["vectorizer"]
    texts = [
        "Le Sénat a adopté le texte par 212 voix contre 120, mardi 14 janvier.",
        "The House passed the bill 232-196 on Wednesday; Rep. O'Neill voted no.",
        "a",
        "",
        "  x \t y\n\n z  ",
        "L'été\u00a0à Paris — « oui », dit-elle.",
        "ÉTÉ Ünïcode ŒUVRE straße 東京",
        "Le Sénat a adopté le texte par 212 voix contre 120, mardi 14 janvier.",  # cached words
    ]
    mine, theirs = char_tfidf(vectorizer, texts), vectorizer.transform(texts)
    assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
    assert np.array_equal(mine.indptr, theirs.indptr)
    assert np.array_equal(mine.indices, theirs.indices)
    assert np.array_equal(mine.data, theirs.data)


def test_best_matches_keep_the_first_of_equal_probabilities_as_a_scan_would() -> None:
    from service.engine.records import BestMatches

    rng = np.random.default_rng(0)
    for articles in (np.array([0, 0, 1, 1, 1, 2, 2, 3]), np.array([5, 0, 2, 2, 0, 5, 9, 9]), np.array([4, 4, 4])):
        n = len(articles)
        pairs = np.array(
            [(i, j) for i in range(n) for j in range(i + 1, n) if articles[i] != articles[j] and rng.random() < 0.7],
            dtype=np.int64,
        ).reshape(-1, 2)
        proba = rng.choice([0.0, 0.2, 0.5, 0.5, 0.9], size=len(pairs))  # ties and zeros on purpose
        best = BestMatches(pairs, proba, articles)
        scan: dict[tuple[int, int], tuple[float, int]] = {}
        for (i, j), p in zip(pairs.tolist(), proba.tolist(), strict=True):
            for x, y in ((i, j), (j, i)):
                if scan.get((x, int(articles[y])), (-1.0, 0))[0] < p:
                    scan[(x, int(articles[y]))] = (p, y)
        for x in range(n):
            for article in (*np.unique(articles).tolist(), 7):
                assert best.get((x, article), (0.0, 0)) == scan.get((x, article), (0.0, 0))
            assert best.rows_in(range(x, x + 1), int(articles[0])) == [scan.get((x, int(articles[0])), (0.0, 0))]
        assert best.at_least(0.5) == sorted(item for item in scan.items() if item[1][0] >= 0.5)
    empty = BestMatches(np.zeros((0, 2), dtype=np.int64), np.zeros(0), np.array([0, 1]))
    assert empty.get((0, 1), (0.0, 0)) == (0.0, 0) and empty.at_least(0.0) == []


def test_a_polarity_flip_counts_in_the_outlets_own_voice_only(resources: Any) -> None:
    """The same words asserted and denied by two outlets are a contradiction; two transcriptions of
    one quotation that differ in a "not" are the speaker's words, not a disagreement (polarity read
    outside quotations and the own-voice rule of `claims.cluster_claims` each ensure it: the test
    fails only without both)."""
    from service.engine.segment import segment

    def cluster(texts: list[str]) -> Any:
        sentences = [segment(t, set())[0] for t in texts]
        th = resources.thresholds["claims"]
        return cluster_claims(
            resources.embeddings.encode(texts),
            texts,
            [sentence_key(s) for s in sentences],
            [0, 1],
            resources.equivalence,
            th["threshold"],
            th["contradiction_cosine"],
        )

    own = cluster(
        [
            "The governor did not sign the budget bill on Friday evening in the state capital.",
            "The governor signed the budget bill on Friday evening in the state capital.",
        ]
    )
    assert [kind for _, _, kind, _, _ in own.contradictions] == ["polarity"], own.contradictions
    quoted = cluster(
        [
            '"The governor did not sign the budget bill on Friday evening in the state capital," he said.',
            '"The governor signed the budget bill on Friday evening in the state capital," he said.',
        ]
    )
    assert quoted.contradictions == [], quoted.contradictions
