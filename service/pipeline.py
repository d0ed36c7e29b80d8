"""The one scoring entry point: articles in, explained scores out.

extract -> normalize -> segment -> embed -> story -> claims -> provenance -> signals -> score.
The CLI, the batch runner and (later) the web layer are thin shells over `score_articles`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import claims as claims_stage
from . import furniture, generic, names, provenance, signals, story
from .artifacts import load_artifact, load_json, models_dir, read_card
from .embed import EmbeddingCache, load_embedder
from .errors import InputError, ModelArtifactError, NoArticlesError
from .extract import article_from_mapping, extract_body
from .mentions import lowercase_vocabulary
from .normalize import LANGUAGE_SPECIFIC, detect_language, normalize_text
from .records import ArticleInput, Claim, Document, Sentence
from .segment import segment

EMBEDDED_KINDS = ("claim", "quote", "heading", "question")
LANGUAGE_SPECIFIC_FEATURES = ("generic_share", "loaded_rate", "artefact_rate", "hedged_unsupported_share")


@dataclass
class Resources:
    """Models and thresholds one process loads once and shares across calls."""

    embeddings: EmbeddingCache
    equivalence: Any
    generic: Any | None
    scorer: Any | None
    thresholds: dict[str, Any]
    model_version: str = "untrained"


_resources: dict[str, Resources] = {}
_resources_lock = threading.Lock()


def load_resources(embedder: str | None = None, with_scorer: bool = True) -> Resources:
    key = f"{embedder}:{with_scorer}"
    with _resources_lock:
        if key not in _resources:
            thresholds = load_json("thresholds.json")
            equivalence, _ = load_artifact("claim_equivalence")
            generic_model, _ = load_artifact("generic_sentence")
            scorer, card = load_artifact("article_scorer") if with_scorer else (None, {})
            model = load_embedder(embedder)
            name = getattr(model, "reliability_name", embedder)
            trained_with = read_card("generic_sentence").get("embedder")
            if trained_with != name:
                raise ModelArtifactError(
                    f"the models in {models_dir()} were trained with the embedder '{trained_with}', not '{name}'; "
                    f"retrain with RELIABILITY_EMBEDDER={name} python -m training --out DIR and set "
                    "RELIABILITY_MODELS_DIR=DIR"
                )
            _resources[key] = Resources(
                embeddings=EmbeddingCache(model),
                equivalence=equivalence,
                generic=generic_model,
                scorer=scorer,
                thresholds=thresholds,
                model_version=card.get("model_version", "untrained"),
            )
        return _resources[key]


@dataclass
class ArticleAnalysis:
    doc: Document
    story_id: str
    signals: signals.ArticleSignals
    claims: dict[int, Claim] = field(default_factory=dict)
    independent_sources: int = 0
    derivative_of: dict[str, Any] | None = None
    # (matched share, order kept, shingle containment) against each other article of the story
    pair_evidence: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def content_id(normalized_text: str) -> str:
    """An article's id: the first 16 hex digits of the sha256 of its normalized text."""
    return hashlib.sha256(normalized_text.encode("utf-8")).hexdigest()[:16]


def article_id_of(article: ArticleInput) -> str:
    return content_id(normalize_text(extract_body(article)[0]))


@dataclass
class CorpusContext:
    """What segmentation learns from the whole corpus: its lower-case words and each source's template lines."""

    vocab: set[str]
    boilerplate: dict[str, set[str]]


def corpus_context(texts: list[str], sources: list[str | None]) -> CorpusContext:
    lines = {str(i): (source, text.split("\n")) for i, (text, source) in enumerate(zip(texts, sources, strict=True))}
    return CorpusContext(lowercase_vocabulary(texts), furniture.source_boilerplate(lines))


def prepare(articles: list[ArticleInput], context: CorpusContext | None = None) -> list[Document]:
    """extract -> normalize -> segment, with corpus-wide vocabulary and per-source boilerplate.

    `context` is computed from `articles` unless given (a batch computes it once for all its articles).
    """
    extracted = [extract_body(article) for article in articles]
    texts = [normalize_text(body) for body, _, _ in extracted]
    for text, (_, filled, _) in zip(texts, extracted, strict=True):
        if not text.strip():
            raise InputError(f"{filled.input or 'article'}: no text left after cleaning")
    if context is None:
        context = corpus_context(texts, [filled.source for _, filled, _ in extracted])
    vocab, boilerplate = context.vocab, context.boilerplate
    docs = []
    for text, (_, filled, kind) in zip(texts, extracted, strict=True):
        language = filled.language or detect_language(text)[0]
        doc = Document(
            article_id=content_id(text),
            text=text,
            language=language,
            sentences=segment(text, vocab, boilerplate.get(filled.source or "", set())),
            title=filled.title or text.split("\n", 1)[0][:300],
            url=filled.url,
            source=filled.source,
            published_at=filled.published_at,
            input=filled.input,
            external_id=filled.id,
            extraction=kind,
        )
        if language not in LANGUAGE_SPECIFIC:
            doc.notes.append(
                f"language '{language}': generic-assertion, loaded-wording, hedging and translation-artefact "
                "signals are switched off; embeddings are multilingual"
            )
        docs.append(doc)
    return docs


def analyze(docs: list[Document], res: Resources) -> list[ArticleAnalysis]:
    """embed -> story -> claims -> provenance -> signals, for a whole corpus at once."""
    embedded = [[s for s in doc.content_sentences if s.kind in EMBEDDED_KINDS] for doc in docs]
    flat = [s.text for sentences in embedded for s in sentences]
    all_vectors = res.embeddings.encode(flat) if flat else np.zeros((0, 512), dtype=np.float32)
    vectors: list[np.ndarray] = []
    pos = 0
    for sentences in embedded:
        vectors.append(all_vectors[pos : pos + len(sentences)])
        pos += len(sentences)

    th = res.thresholds
    article_vectors = np.stack([story.article_vector(v[: story.LEAD_SENTENCES]) for v in vectors])
    names_per_article = [story.article_names(doc) for doc in docs]
    similarity = story.story_similarity(article_vectors, names_per_article, th["story"]["name_weight"])
    labels = story.group_stories(similarity, th["story"]["threshold"])
    ids = story.story_ids(labels, [d.article_id for d in docs])

    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    results: list[ArticleAnalysis | None] = [None] * len(docs)
    for idx in members.values():
        story_docs = [docs[i] for i in idx]
        analyses = _analyze_story(story_docs, [embedded[i] for i in idx], [vectors[i] for i in idx], ids[idx[0]], res)
        for i, analysis in zip(idx, analyses, strict=True):
            results[i] = analysis
    return [r for r in results if r is not None]


def _analyze_story(
    docs: list[Document], embedded: list[list[Sentence]], vectors: list[np.ndarray], story_id: str, res: Resources
) -> list[ArticleAnalysis]:
    th = res.thresholds
    n = len(docs)
    # claims: matches of equivalent sentences across articles, then their connected components
    owners = [a for a in range(n) for _ in embedded[a]]
    position = [k for a in range(n) for k in range(len(embedded[a]))]
    flat_sentences = [s for a in range(n) for s in embedded[a]]
    flat_vectors = np.vstack(vectors) if flat_sentences else np.zeros((0, 512), dtype=np.float32)
    keys = [claims_stage.sentence_key(s) for s in flat_sentences]
    clusters = claims_stage.cluster_claims(
        flat_vectors,
        [s.text for s in flat_sentences],
        keys,
        owners,
        res.equivalence,
        th["claims"]["threshold"],
        th["claims"]["contradiction_cosine"],
        th["claims"].get("mutual_threshold", 1.0),
    )

    # provenance: who derives from whom, from each sentence's best counterpart in the other article
    derivations: list[provenance.Derivation] = []
    evidence: dict[tuple[int, int], tuple[float, float, float]] = {}
    starts = np.cumsum([0] + [len(e) for e in embedded])
    article_shingles = [provenance.shingles(d.text) for d in docs]
    for a in range(n):
        for b in range(a + 1, n):
            best_ab = [clusters.best.get((i, b), (0.0, 0)) for i in range(starts[a], starts[a + 1])]
            best_ba = [clusters.best.get((j, a), (0.0, 0)) for j in range(starts[b], starts[b + 1])]
            ev_ab = provenance.derivation_evidence(
                [(p, position[j]) for p, j in best_ab], article_shingles[a], article_shingles[b]
            )
            ev_ba = provenance.derivation_evidence(
                [(p, position[i]) for p, i in best_ba], article_shingles[b], article_shingles[a]
            )
            evidence[(a, b)], evidence[(b, a)] = ev_ab, ev_ba
            if not (provenance.is_derived(*ev_ab, th["provenance"]) or provenance.is_derived(*ev_ba, th["provenance"])):
                continue
            rank = [
                provenance.originality(
                    sum(1 for s in d.content_sentences if s.attributed), len(d.content_sentences), d.published_at
                )
                for d in (docs[a], docs[b])
            ]
            original, derived = (a, b) if rank[0] <= rank[1] else (b, a)
            share, order, shingles = ev_ba if derived == b else ev_ab
            derivations.append(provenance.Derivation(derived, original, share, order, shingles))
    family = provenance.families(n, derivations)
    derived_from = {d.derived: d for d in derivations}

    cluster_members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(clusters.labels):
        cluster_members[label].append(i)
    contradicted: dict[int, list[dict[str, str]]] = defaultdict(list)
    for i, j, reason in clusters.contradictions:
        for x, y in ((i, j), (j, i)):
            contradicted[x].append(
                {
                    "article_id": docs[owners[y]].article_id,
                    "source": docs[owners[y]].source or "",
                    "text": flat_sentences[y].text,
                    "reason": reason,
                }
            )

    # check-worthiness and generic probabilities, both relative to the names the story is about
    topic = generic.topic_names([d.content_sentences for d in docs])
    for sentence in flat_sentences:
        sentence.check_worthy = generic.is_specific(sentence, topic)
    # A sentence another outlet clearly also asserts is checkable: only those without such a match can be filler.
    strong = th["claims"]["threshold"]
    matched = {k for i, j, p in clusters.matches if p >= strong for k in (i, j)}
    generic_rows = [i for i, s in enumerate(flat_sentences) if s.kind in ("claim", "question") and i not in matched]
    generic_p: dict[int, dict[int, float]] = defaultdict(dict)  # article -> sentence index -> probability
    if generic_rows and res.generic is not None:
        feats = generic.feature_matrix(
            flat_vectors[generic_rows], [generic.cue_vector(flat_sentences[i], topic) for i in generic_rows]
        )
        proba = res.generic.predict_proba(feats)[:, 1]
        for i, p in zip(generic_rows, proba, strict=True):
            generic_p[owners[i]][flat_sentences[i].index] = float(p)

    name_flags = names.misspelled_name_flags(docs, family)
    out = []
    for a, doc in enumerate(docs):
        independent = len({family[b] for b in range(n) if family[b] != family[a]})
        claim_map: dict[int, Claim] = {}
        for i in range(starts[a], starts[a + 1]):
            sentence = flat_sentences[i]
            if sentence.kind not in ("claim", "quote"):
                continue
            label = clusters.labels[i]
            supporters: dict[str, dict[str, str]] = {}
            for j in cluster_members[label]:
                # A figure is confirmed only by a source that gives the same figure.
                if sentence.figures and not set(sentence.figures) & set(flat_sentences[j].figures):
                    continue
                if owners[j] != a and family[owners[j]] != family[a]:
                    other = docs[owners[j]]
                    supporters.setdefault(
                        other.article_id, {"article_id": other.article_id, "source": other.source or ""}
                    )
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
            )
        source_of: dict[str, Any] | None = None
        if a in derived_from:
            d = derived_from[a]
            src = docs[d.original]
            source_of = {
                "article_id": src.article_id,
                "source": src.source or "",
                "mean_match": round(d.matched_share, 3),
                "order": round(d.order, 3),
                "shingles": round(d.shingles, 3),
            }
        language_specific = doc.language in LANGUAGE_SPECIFIC
        parts = [
            signals.corroboration(doc, claim_map, independent),
            signals.contradiction(doc, claim_map),
            signals.generic_assertions(
                doc,
                generic_p[a] if language_specific else {},
                th["generic"]["threshold"],
            ),
            signals.name_consistency(name_flags[a]),
            signals.attribution(doc),
            signals.presentation(doc),
            signals.derivative(doc, source_of),
        ]
        merged = signals.merge(parts)
        if not language_specific:
            for feature in LANGUAGE_SPECIFIC_FEATURES:
                merged.values[feature] = 0.0
            merged.flags = [f for f in merged.flags if f.type not in ("loaded_language", "translation_artefact")]
        out.append(
            ArticleAnalysis(
                doc=doc,
                story_id=story_id,
                signals=merged,
                claims=claim_map,
                independent_sources=independent,
                derivative_of=source_of,
                pair_evidence={docs[b].article_id: evidence[(a, b)] for b in range(n) if b != a},
            )
        )
    return out


def feature_row(analysis: ArticleAnalysis) -> list[float]:
    return [float(analysis.signals.values[name]) for name in signals.FEATURES]


def to_articles(items: list[Any]) -> list[ArticleInput]:
    articles = []
    for n, item in enumerate(items):
        if isinstance(item, ArticleInput):
            articles.append(item)
        elif isinstance(item, dict):
            articles.append(article_from_mapping(item, item.get("input") or f"article[{n}]"))
        elif isinstance(item, str):
            if not item.strip():
                raise InputError(f"article[{n}]: empty input")
            articles.append(ArticleInput(text=item, input=f"article[{n}]"))
        else:
            raise InputError(f"article[{n}]: expected text, a mapping or ArticleInput, got {type(item).__name__}")
    return articles


def score_articles(
    items: list[Any], embedder: str | None = None, resources: Resources | None = None
) -> list[dict[str, Any]]:
    """Score articles together as one corpus; one score object (ARCHITECTURE.md contract) per article."""
    from .report import score_object
    from .scorer import predict

    articles = to_articles(items)
    if not articles:
        raise NoArticlesError("no articles to score")
    res = resources or load_resources(embedder)
    docs = prepare(articles)
    analyses = analyze(docs, res)
    rows = np.array([feature_row(a) for a in analyses], dtype=np.float64)
    predictions = predict(res.scorer, rows, [a.independent_sources for a in analyses])
    source_ratings = _source_ratings(analyses, predictions)
    return [
        score_object(analysis, prediction, res.model_version, source_ratings.get(analysis.doc.source or ""))
        for analysis, prediction in zip(analyses, predictions, strict=True)
    ]


def _source_ratings(analyses: list[ArticleAnalysis], predictions: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from .scorer import source_rating

    by_source: dict[str, list[float]] = defaultdict(list)
    for analysis, prediction in zip(analyses, predictions, strict=True):
        if analysis.doc.source:
            by_source[analysis.doc.source].append(prediction["probability"])
    return {source: source_rating(source, probs) for source, probs in by_source.items()}
