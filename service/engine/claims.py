"""Claim clusters inside a story: sentences of different articles that assert the same thing.

Two sentences are one claim when the equivalence model (embedding cosine plus word,
name and figure agreement, trained on stsb-fr) says so AND their figures do not
disagree: "10 000 soldats" and "20 000 soldats" are never one claim. Pairs that are
close in meaning but disagree on a figure or on polarity are kept as contradictions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from scipy import sparse

from . import budget, lexicon
from .char_ngrams import char_tfidf
from .mentions import name_key
from .normalize import fold
from .pairs import PairProbabilities, ProbaLike, cross_article_pairs, pair_cosines, restatement_pairs
from .records import BestMatches, Claim, Document, Sentence, StorySentences
from .values import Value, sentence_values, value_conflict

MATCHES_PER_ARTICLE = 2
SAME_WORDS_CONTAINMENT = 0.6
_WORD_RE = re.compile(r"[a-z0-9]{3,}")
_QUOTED_RE = re.compile(r"«([^»]+)»|\"([^\"]+)\"")
# Set to a list by training/value_gate.py: every value conflict is recorded there with its gate
# features (texts, cosine, stem containment, probability of one claim, value here, value there).
VALUE_CONFLICT_LOG: list[tuple[str, str, float, float, float, str, str]] | None = None
DEFAULT_IDF = 8.0  # a stem unseen in training is rare


@dataclass
class SentenceKey:
    """What equivalence compares, computed once per sentence."""

    words: frozenset[str]
    figures: frozenset[str]
    names: frozenset[str]
    negative: bool
    stems: frozenset[str] = frozenset()
    quotes: tuple[frozenset[str], ...] = ()
    values: tuple[Value, ...] = ()
    own_voice: bool = True


@lru_cache(maxsize=262144)
def content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD_RE.findall(fold(text)) if w not in lexicon.FUNCTION_WORDS)


def stems_of(text: str) -> frozenset[str]:
    """Crude language-independent stems (first five letters): "échangé" and "échange" agree."""
    return frozenset(w[:5] for w in content_words(text))


def sentence_key(sentence: Sentence, publication_day: int | None = None) -> SentenceKey:
    words = frozenset(content_words(sentence.text))
    # Names are compared on their own (name agreement); left in the stems, the actors a whole
    # story is about would make every pair of its sentences look alike.
    name_stems = stems_of(" ".join(m.text for m in sentence.names))
    names = frozenset(name_key(m.text.split()[-1]) for m in sentence.names)
    quotes = tuple(frozenset(content_words(m.group(1) or m.group(2) or "")) for m in _QUOTED_RE.finditer(sentence.text))
    return SentenceKey(
        words,
        frozenset(sentence.figures),
        names,
        sentence.negative,
        stems_of(sentence.text) - name_stems,
        tuple(q for q in quotes if len(q) >= 2),
        sentence_values(sentence.text, publication_day),
        sentence.own_voice,
    )


def containment(ka: SentenceKey, kb: SentenceKey, idf: dict[str, float]) -> float:
    """IDF-weighted share of the shorter sentence's stems found in the other: a short claim inside a long one."""
    if not ka.stems or not kb.stems:
        return 0.0
    weight_a = sum(idf.get(w, DEFAULT_IDF) for w in ka.stems)
    weight_b = sum(idf.get(w, DEFAULT_IDF) for w in kb.stems)
    shared = sum(idf.get(w, DEFAULT_IDF) for w in ka.stems & kb.stems)
    return shared / min(weight_a, weight_b)


def shares_quotation(ka: SentenceKey, kb: SentenceKey) -> bool:
    """Both quote the same words (2+ content words and 60% of the shorter quotation, or 3+ and half): one statement."""
    for qa in ka.quotes:
        for qb in kb.quotes:
            shared = len(qa & qb)
            share = shared / min(len(qa), len(qb))
            if (shared >= 2 and share >= 0.6) or (shared >= 3 and share >= 0.5):
                return True
    return False


def _incidence(sets: list[frozenset[str]], vocab: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for r, items in enumerate(sets):
        for item in sorted(items):  # set order varies per process; float sums must not
            rows.append(r)
            cols.append(vocab.setdefault(item, len(vocab)))
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(sets), max(1, len(vocab))))


def pair_feature_matrix(
    keys: list[SentenceKey],
    left: np.ndarray,
    right: np.ndarray,
    cosines: np.ndarray,
    char_cosines_: np.ndarray,
    idf: dict[str, float],
) -> np.ndarray:
    """FEATURE_NAMES for the pairs (keys[left[k]], keys[right[k]]), computed with sparse algebra."""
    columns = [np.asarray(cosines, dtype=np.float32), np.asarray(char_cosines_, dtype=np.float32)]
    overlaps = {}
    for attr in ("words", "figures", "names"):
        vocab: dict[str, int] = {}
        m = _incidence([getattr(k, attr) for k in keys], vocab)
        size = np.asarray(m.sum(axis=1)).ravel()
        inter = np.asarray(m[left].multiply(m[right]).sum(axis=1)).ravel()
        overlaps[attr] = (inter, size[left], size[right])
    inter, sa, sb = overlaps["words"]
    union = sa + sb - inter
    columns.append(np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))
    for attr in ("figures", "names"):
        inter, sa, sb = overlaps[attr]
        columns.append(((sa > 0) & (sb > 0) & (inter == 0)).astype(np.float32))  # conflict
        columns.append((inter > 0).astype(np.float32))  # agree
    stem_vocab: dict[str, int] = {}
    stems = _incidence([k.stems for k in keys], stem_vocab)
    weights = np.full(stems.shape[1], DEFAULT_IDF, dtype=np.float32)
    for stem, col in stem_vocab.items():
        weights[col] = idf.get(stem, DEFAULT_IDF)
    weight = stems @ weights
    shared = stems[left].multiply(stems[right]) @ weights
    smaller = np.minimum(weight[left], weight[right])
    columns.append(np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0))
    return np.column_stack(columns).astype(np.float32)


FEATURE_NAMES = [
    "cosine",
    "char_cosine",
    "word_jaccard",
    "figure_conflict",
    "figure_agree",
    "name_conflict",
    "name_agree",
    "stem_containment",
]


def value_conflicts(
    keys: list[SentenceKey],
    pairs: np.ndarray,
    feats: np.ndarray,
    equivalence: dict[str, object],
    min_containment: float,
) -> dict[int, tuple[float, Value, Value]]:
    """Pair index -> (probability the pair is one claim were its values the same, value here, value
    there), for the pairs of `pairs` (rows of `feats`) that give different values in one slot."""
    found: dict[int, tuple[Value, Value]] = {}
    # Stem containment first, over all pairs at once (a story has tens of thousands of pairs).
    for k in np.flatnonzero(feats[:, 7] >= min_containment).tolist():
        i, j = pairs[k]
        if keys[i].values and keys[j].values:
            conflict = value_conflict(keys[i].values, keys[j].values)
            if conflict:
                found[k] = conflict
    if not found:
        return {}
    rows = sorted(found)
    agreeing = feats[rows].copy()
    # The figure columns as if the figures agreed: same claim but for the value?
    has_figures = np.array([bool(keys[pairs[k][0]].figures and keys[pairs[k][1]].figures) for k in rows])
    agreeing[:, 3] = 0.0
    agreeing[:, 4] = np.where(has_figures, 1.0, agreeing[:, 4])
    p_same = equivalence["model"].predict_proba(agreeing)[:, 1]  # type: ignore[attr-defined]
    return {k: (float(p), *found[k]) for k, p in zip(rows, p_same, strict=True)}


def figures_disagree(ka: SentenceKey, kb: SentenceKey) -> bool:
    return bool(ka.figures and kb.figures and not (ka.figures & kb.figures))


def connected_labels(n: int, edges: list[tuple[int, int]]) -> list[int]:
    """Connected-component label of each of n nodes."""
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return []
    rows = [i for i, _ in edges]
    cols = [j for _, j in edges]
    graph = sparse.coo_matrix((np.ones(len(edges)), (rows, cols)), shape=(n, n))
    return [int(label) for label in connected_components(graph, directed=False)[1]]


@dataclass
class ClaimClusters:
    labels: list[int]  # cluster label per candidate sentence
    matches: list[tuple[int, int, float]]  # equivalent pairs across articles (i, j, probability)
    # best equivalence probability of sentence i in each other article: (i, article) -> (probability, j)
    best: BestMatches
    # (candidate i, candidate j, kind "values" | "polarity", what i says, what j says)
    contradictions: list[tuple[int, int, str, str, str]]
    # row -> the labels of the other clusters it also belongs to (`secondary_memberships`)
    also_in: dict[int, list[int]] = field(default_factory=dict)

    @cached_property
    def members(self) -> dict[int, list[int]]:
        """Cluster label -> its rows, in row order."""
        members: dict[int, list[int]] = defaultdict(list)
        for i, label in enumerate(self.labels):
            members[label].append(i)
        return members

    @cached_property
    def matched(self) -> dict[int, list[int]]:
        """Row -> the rows it matches directly (pairwise verified), in row order."""
        matched: dict[int, list[int]] = defaultdict(list)
        for i, j, _ in self.matches:
            matched[i].append(j)
            matched[j].append(i)
        return {i: sorted(rows) for i, rows in matched.items()}


def average_linkage(
    proba: ProbaLike,
    articles: np.ndarray,
    edges: list[tuple[float, int, int]],
    linkage: float,
    most_per_article: int,
) -> list[int]:
    """Claim clusters grown along `edges` (probability, i, j), most probable first.

    Two clusters merge when an edge joins them, the merged cluster holds at most
    `most_per_article` sentences of any one article, and the mean equivalence probability
    over their cross-article pairs (`proba`, zero where a pair was not scored) is at least
    `linkage` (average linkage, Sokal & Michener 1958). Unlike connected components, a
    chain of pairwise matches A~B, B~C does not put A and C together unless A and C are
    close on average too. Returns a label per sentence (the smallest row of its cluster).
    `proba` is an (n, n) array or the story's `PairProbabilities`.
    """
    n = len(articles)
    proba = PairProbabilities.of(proba)
    label = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    for k, (_p, i, j) in enumerate(sorted(edges, key=lambda e: (-e[0], e[1], e[2]))):
        if k % 1024 == 0:
            budget.checkpoint("claims")
        a, b = label[i], label[j]
        if a == b:
            continue
        ma, mb = members[a], members[b]
        merged_articles = articles[ma + mb]
        if np.bincount(merged_articles).max() > most_per_article:
            continue
        cross = articles[ma][:, None] != articles[mb][None, :]
        if float(proba.block(ma, mb)[cross].mean()) < linkage:
            continue
        keep, gone = min(a, b), max(a, b)
        members[keep] = sorted(ma + mb)
        for k in members.pop(gone):
            label[k] = keep
    return label


def secondary_memberships(
    proba: ProbaLike, articles: np.ndarray, clusters: ClaimClusters, linkage: float, most_per_article: int
) -> dict[int, list[int]]:
    """Row -> labels of the other clusters it also belongs to.

    A partition gives each sentence one claim, but a sentence may state two ("the pact, called
    a 'revolutionary document', provides for mutual assistance"). A sentence also belongs to a
    cluster it matches directly when it is, on average, as close to that cluster's members as
    `average_linkage` asks of a merge and its article does not already have `most_per_article`
    sentences there. Secondary members do not change the clusters themselves.
    """
    labels, members = clusters.labels, clusters.members
    proba = PairProbabilities.of(proba)
    also: dict[int, list[int]] = defaultdict(list)
    for k, (i, j, _) in enumerate(sorted(clusters.matches)):
        if k % 1024 == 0:
            budget.checkpoint("claims")
        for x, y in ((i, j), (j, i)):
            target = labels[y]
            if target == labels[x] or target in also[x]:
                continue
            rows = members[target]
            if int(np.sum(articles[rows] == articles[x])) >= most_per_article:
                continue
            cross = [r for r in rows if articles[r] != articles[x]]
            if cross and float(proba.block([x], cross)[0].mean()) >= linkage:
                also[x].append(target)
    return {row: sorted(found) for row, found in also.items() if found}


def restatement_memberships(
    same_article_proba: dict[tuple[int, int], float],
    keys: list[SentenceKey],
    articles: np.ndarray,
    threshold: float,
    clusters: ClaimClusters,
) -> dict[int, list[int]]:
    """Row -> the clusters it joins as a restatement of a sentence of its own article.

    An article often states a claim twice, in other words ("Cet accord inclut une assistance
    mutuelle en cas d'agression" ... "Il prévoit notamment une assistance mutuelle en cas
    d'agression"); the cap of `most_per_article` sentences per cluster, or wording that no other
    outlet shares, leaves the second statement outside the cluster that corroborates the first.
    A sentence joins (as a secondary member) every cluster with other articles' sentences that
    a sentence of its own article is in, when the equivalence model calls the two sentences one
    claim at the match `threshold` (`same_article_proba`: (i, j) -> probability, i < j, scored
    with the cross-article pairs after the same cosine pre-filter) and their figures agree.
    Clusters themselves do not change. Read on rpm2-fr-dev: 281 such joins over 200 articles;
    of 40 read by hand, about 6 in 10 restate the same claim (below probability 0.5 about
    half), so a restatement lends support but never removes any.
    """
    labels, members = clusters.labels, clusters.members
    shared = {label for label, rows in members.items() if len({int(articles[r]) for r in rows}) > 1}
    joins: dict[int, set[int]] = defaultdict(set)
    for (i, j), p in same_article_proba.items():
        if p < threshold or labels[i] == labels[j] or figures_disagree(keys[i], keys[j]):
            continue
        for x, y in ((i, j), (j, i)):
            if labels[x] in shared:
                joins[y].add(labels[x])
    return {row: sorted(found) for row, found in joins.items()}


def cluster_claims(
    vectors: np.ndarray,
    texts: list[str],
    keys: list[SentenceKey],
    articles: list[int],
    equivalence: dict[str, object],
    threshold: float,
    contradiction_cosine: float,
    mutual_threshold: float = 1.0,
    linkage: float | None = None,
    most_per_article: int = MATCHES_PER_ARTICLE,
    prefilter_cosine: float = 0.25,
    value_cosine: float = 0.6,
    value_containment: float = 0.4,
    value_threshold: float = 0.6,
) -> ClaimClusters:
    """Claims: sentences of different articles that assert the same thing (`average_linkage`).

    Pairs of sentences of different articles are scored by the equivalence model (after a
    cheap cosine pre-filter). A pair is a match at `threshold`; at the lower
    `mutual_threshold`, i and j also match when j is i's closest sentence in j's article and
    i is among j's MATCHES_PER_ARTICLE closest in i's article (a sentence may state two
    claims). Matches are the edges along which clusters grow; `linkage` (default
    `threshold`) is the mean probability two clusters need to merge.

    Contradictions: a pair about the same thing that gives different values in one slot
    (`values.value_conflict`): were its values the same, the equivalence model would call it one
    claim with probability >= `value_threshold` (and cosine >= `value_cosine`, stem containment
    >= `value_containment`); or
    a pair of the same words (cosine >= `contradiction_cosine`, containment >=
    SAME_WORDS_CONTAINMENT) where one main clause denies what the other asserts.
    """
    n = len(keys)
    contradictions: list[tuple[int, int, str, str, str]] = []
    matches: list[tuple[int, int, float]] = []
    best = BestMatches(np.zeros((0, 2), dtype=np.int64), np.zeros(0), np.asarray(articles, dtype=np.int64))
    near: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    article_arr = np.asarray(articles, dtype=np.int64)
    # The probabilities of the kept pairs, zero elsewhere: what an (n, n) matrix held, in memory
    # that grows with the pairs (a long article has thousands of sentences).
    proba_pairs = PairProbabilities()
    candidate = np.zeros((0, 2), dtype=np.int64)
    cosine: np.ndarray | None = None
    tfidf: sparse.csr_matrix | None = None
    if n:
        # Only pairs that could matter are scored by the model: cheap pre-filter on cosine.
        candidate, candidate_cosine, cosine = cross_article_pairs(vectors, article_arr, prefilter_cosine)
        if len(candidate):
            budget.checkpoint("claims")
            tfidf = char_tfidf(equivalence["vectorizer"], texts)
            idf: dict[str, float] = equivalence["idf"]  # type: ignore[assignment]
            left, right = candidate[:, 0], candidate[:, 1]
            feats = pair_feature_matrix(keys, left, right, candidate_cosine, pair_cosines(tfidf, candidate), idf)
            proba = equivalence["model"].predict_proba(feats)[:, 1]  # type: ignore[attr-defined]
            budget.checkpoint("claims")
            conflicts = value_conflicts(keys, candidate, feats, equivalence, value_containment)
            # Vectorised over the candidate pairs (a story has tens of thousands): which pairs
            # count (not a value contradiction, no figure conflict), and their probability.
            keep = feats[:, 3] == 0.0  # figure_conflict: both give figures and none agrees
            found: list[tuple[int, tuple[int, int, str, str, str]]] = []
            for k, (p_same, va, vb) in conflicts.items():
                i, j = int(candidate[k][0]), int(candidate[k][1])
                if VALUE_CONFLICT_LOG is not None:
                    VALUE_CONFLICT_LOG.append(
                        (texts[i], texts[j], float(feats[k, 0]), float(feats[k, 7]), p_same, va.surface, vb.surface)
                    )
                if p_same >= value_threshold and feats[k, 0] >= value_cosine:
                    found.append((k, (i, j, "values", va.surface, vb.surface)))
                    keep[k] = False
            proba = proba.astype(np.float64)  # exact copies of the float32 probabilities, and of `threshold`
            quoted = np.array([bool(key.quotes) for key in keys])
            for q in np.flatnonzero(keep & quoted[candidate[:, 0]] & quoted[candidate[:, 1]]).tolist():
                if shares_quotation(keys[candidate[q][0]], keys[candidate[q][1]]):
                    proba[q] = max(proba[q], threshold)  # the same quotation is the same statement, however framed
            kept, p_kept = candidate[keep], proba[keep]
            proba_pairs = PairProbabilities(kept, p_kept)
            best = BestMatches(kept, p_kept, article_arr)
            # Thresholds compared in float32, as the model's float32 probabilities always were
            # (the mutual-match scan below compares the stored best matches in float64, as before).
            p32 = p_kept.astype(np.float32)
            strong = p32 >= np.float32(mutual_threshold)
            for (i, j), p in zip(kept[strong].tolist(), p_kept[strong].tolist(), strict=True):
                near[(i, articles[j])].append((p, j))
                near[(j, articles[i])].append((p, i))
            feats_kept, kept_at = feats[keep], np.flatnonzero(keep)
            for m in np.flatnonzero(p32 >= np.float32(threshold)).tolist():
                i, j = int(kept[m][0]), int(kept[m][1])
                f = feats_kept[m]
                # A polarity flip only counts between sentences made of the same words: long
                # sentences that share a topic often differ in negations that are not the claim.
                # And only in the outlets' own voices: two transcriptions of one quotation differ
                # in a "don't" that is the speaker's, not a disagreement between newsrooms.
                if (
                    keys[i].own_voice
                    and keys[j].own_voice
                    and keys[i].negative != keys[j].negative
                    and f[0] >= contradiction_cosine
                    and f[7] >= SAME_WORDS_CONTAINMENT
                ):
                    says = ("denies", "asserts") if keys[i].negative else ("asserts", "denies")
                    found.append((int(kept_at[m]), (i, j, "polarity", *says)))
                matches.append((i, j, float(p_kept[m])))
            contradictions = [c for _, c in sorted(found, key=lambda item: item[0])]
            # Mutual matches: j is i's closest in j's article, and i is among j's closest in i's.
            top = {k: {j for _, j in sorted(pairs, reverse=True)[:MATCHES_PER_ARTICLE]} for k, pairs in near.items()}
            matched_pairs = {(i, j) for i, j, _ in matches} | {(j, i) for i, j, _ in matches}
            for (i, _other), (p, j) in best.at_least(mutual_threshold):
                if (i, j) in matched_pairs:
                    continue
                if i in top.get((j, articles[i]), set()):
                    matches.append((i, j, p))
                    matched_pairs |= {(i, j), (j, i)}
    budget.checkpoint("claims")
    edges = [(p, i, j) for i, j, p in matches]
    merge_at = threshold if linkage is None else linkage
    labels = average_linkage(proba_pairs, article_arr, edges, merge_at, most_per_article)
    clusters = ClaimClusters(labels=labels, matches=matches, best=best, contradictions=contradictions)
    also = secondary_memberships(proba_pairs, article_arr, clusters, merge_at, most_per_article)
    if tfidf is not None:
        restated = _restatements(
            vectors, keys, article_arr, clusters, equivalence, threshold, prefilter_cosine, cosine, tfidf
        )
        for row, joined in restated.items():
            also[row] = sorted(set(also.get(row, [])) | set(joined))
    clusters.also_in = also
    return clusters


def _restatements(
    vectors: np.ndarray,
    keys: list[SentenceKey],
    article_arr: np.ndarray,
    clusters: ClaimClusters,
    equivalence: dict[str, object],
    threshold: float,
    prefilter_cosine: float,
    cosine: np.ndarray | None,
    tfidf: sparse.csr_matrix,
) -> dict[int, list[int]]:
    """`restatement_memberships` over the pairs of one article that can join anything: those where
    one sentence is in a claim other articles share. Scoring every pair of an article (as before
    issue 15) grew with the square of its length; the pairs left out could never join a cluster."""
    budget.checkpoint("claims")
    shared = {label for label, rows in clusters.members.items() if len({int(article_arr[r]) for r in rows}) > 1}
    in_shared = np.array([label in shared for label in clusters.labels], dtype=bool)
    restate, restate_cosine = restatement_pairs(vectors, article_arr, in_shared, prefilter_cosine, cosine)
    if not len(restate):
        return {}
    idf: dict[str, float] = equivalence["idf"]  # type: ignore[assignment]
    feats = pair_feature_matrix(keys, restate[:, 0], restate[:, 1], restate_cosine, pair_cosines(tfidf, restate), idf)
    p_restate = equivalence["model"].predict_proba(feats)[:, 1]  # type: ignore[attr-defined]
    same_article_proba = {(i, j): float(p) for (i, j), p in zip(restate.tolist(), p_restate, strict=True)}
    return restatement_memberships(same_article_proba, keys, article_arr, threshold, clusters)


def cluster_story(
    flat: StorySentences,
    equivalence: dict[str, object],
    thresholds: dict[str, float],
    publication_days: list[int | None] | None = None,
) -> ClaimClusters:
    """The claims stage for one story: `cluster_claims` over its flattened sentences.

    `thresholds` is the `claims` section of thresholds.json (`threshold`, `contradiction_cosine`,
    optional `mutual_threshold`, `value_cosine`, `value_containment`); `publication_days` (per
    article, `story.day_number`) resolve weekdays to days.
    """
    days = publication_days or []
    return cluster_claims(
        flat.vectors,
        [s.text for s in flat.sentences],
        [sentence_key(s, days[o] if o < len(days) else None) for s, o in zip(flat.sentences, flat.owners, strict=True)],
        flat.owners,
        equivalence,
        thresholds["threshold"],
        thresholds["contradiction_cosine"],
        thresholds.get("mutual_threshold", 1.0),
        thresholds.get("linkage"),
        int(thresholds.get("most_per_article", MATCHES_PER_ARTICLE)),
        value_cosine=thresholds.get("value_cosine", 0.6),
        value_containment=thresholds.get("value_containment", 0.4),
        value_threshold=thresholds.get("value_threshold", 0.6),
    )


def contradictions_by_sentence(
    docs: list[Document], flat: StorySentences, clusters: ClaimClusters
) -> dict[int, list[dict[str, str]]]:
    """Row -> the sentences of other articles that contradict it (article_id, source, text, and
    `here` / `there`: what each side says, "“47 arrests”" / "“71 arrests”" or "asserts" / "denies")."""
    contradicted: dict[int, list[dict[str, str]]] = defaultdict(list)
    for i, j, kind, says_i, says_j in clusters.contradictions:
        for x, y, here, there in ((i, j, says_i, says_j), (j, i, says_j, says_i)):
            other = docs[flat.owners[y]]
            contradicted[x].append(
                {
                    "article_id": other.article_id,
                    "source": other.source or "",
                    "title": other.title or "",
                    "text": flat.sentences[y].text,
                    "kind": kind,
                    "here": here,
                    "there": there,
                }
            )
    return contradicted


def claim_statuses(
    article: int,
    docs: list[Document],
    flat: StorySentences,
    clusters: ClaimClusters,
    contradicted: dict[int, list[dict[str, str]]],
    family: list[int],
    story_id: str,
) -> dict[int, Claim]:
    """Sentence index -> Claim, for the claim and quote sentences of one article of the story.

    Support comes from the sentence's claim clusters (its own and those it also belongs to)
    and from its direct matches (a sentence left out of a cluster because its article already
    has MATCHES_PER_ARTICLE sentences there is still confirmed by what it matches); it counts
    other families only (a rewrite never confirms its source), and a figure is confirmed only
    by a source that gives the same figure. A claim is `contradicted` when any other article
    contradicts it, else `supported`, else `insufficient_coverage` when the story
    has no independent family, else `unsupported`.
    """
    doc = docs[article]
    independent = len({f for f in family if f != family[article]})
    claim_map: dict[int, Claim] = {}
    for i in flat.rows(article):
        sentence = flat.sentences[i]
        if sentence.kind not in ("claim", "quote"):
            continue
        label = clusters.labels[i]
        also = clusters.also_in.get(i, [])
        rows = {j for cluster in [label, *also] for j in clusters.members[cluster]}
        supporters: dict[str, dict[str, str]] = {}
        for j in sorted(rows | set(clusters.matched.get(i, []))):
            if sentence.figures and not set(sentence.figures) & set(flat.sentences[j].figures):
                continue
            owner = flat.owners[j]
            if owner != article and family[owner] != family[article]:
                other = docs[owner]
                supporters.setdefault(other.article_id, {"article_id": other.article_id, "source": other.source or ""})
        if contradicted.get(i):
            status = "contradicted"
        elif supporters:
            status = "supported"
        elif independent == 0:
            status = "insufficient_coverage"
        else:
            status = "unsupported"
        claim_map[sentence.index] = Claim(
            article_id=doc.article_id,
            sentence_index=sentence.index,
            cluster_id=f"{story_id}-c{label}",
            status=status,
            supported_by=list(supporters.values()),
            contradicted_by=contradicted.get(i, []),
            also_in=[f"{story_id}-c{other}" for other in also],
        )
    return claim_map
