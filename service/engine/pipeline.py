"""The one scoring entry point: articles in, explained scores out.

extract -> normalize -> segment -> embed -> story -> claims -> provenance -> signals -> score.
The CLI, the batch runner and (later) the web layer are thin shells over `score_articles`.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from service.errors import InputError, ModelArtifactError, NoArticlesError

from . import budget, furniture, generic, names, provenance, signals, spelling, story, style
from . import claims as claims_stage
from .artifacts import load_artifact, load_json, models_dir, read_card
from .embed import EmbeddingCache, load_embedder
from .extract import article_from_mapping, extract_body
from .mentions import lowercase_vocabulary
from .normalize import LANGUAGE_SPECIFIC, detect_language, language_code, load_language_identifier, normalize_text
from .records import ArticleInput, Claim, Document, Sentence, StorySentences
from .segment import segment

EMBEDDED_KINDS = ("claim", "quote", "heading", "question")


@dataclass
class Resources:
    """Models and thresholds one process loads once and shares across calls."""

    embeddings: EmbeddingCache
    equivalence: Any
    generic: Any | None
    scorer: Any | None
    thresholds: dict[str, Any]
    model_version: str = "untrained"
    subjectivity: Any | None = None  # sentence -> P(opinion) (`style.subjective_probabilities`)
    style_scorer: Any | None = None  # the scorer's style term (`scorer.style_logit`)


_resources: dict[str, Resources] = {}
_resources_lock = threading.Lock()


def load_resources(embedder: str | None = None, with_scorer: bool = True) -> Resources:
    key = f"{embedder}:{with_scorer}"
    with _resources_lock:
        if key not in _resources:
            thresholds = load_json("thresholds.json")
            equivalence, _ = load_artifact("claim_equivalence")
            generic_model, _ = load_artifact("generic_sentence")
            subjectivity_model, _ = load_artifact("subjectivity")
            style_scorer, _ = load_artifact("style_scorer") if with_scorer else (None, {})
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
                subjectivity=subjectivity_model,
                style_scorer=style_scorer,
            )
            gc.freeze()  # long-lived: spared the garbage collector's full collections (spelling.hunspell)
        return _resources[key]


def warm_up() -> None:
    """Load what `load_resources` leaves to first use: the language identifier, the furniture line
    classifier and the spelling dictionaries (about 6 s and 300 MB together; a server does it at
    start, so the first request pays nothing; a batch worker loads only the languages its stories
    need, on first use)."""
    load_language_identifier()
    spelling.warm_up()
    furniture.warm_up()


@dataclass
class ArticleAnalysis:
    doc: Document
    story_id: str
    signals: signals.ArticleSignals
    claims: dict[int, Claim] = field(default_factory=dict)
    independent_sources: int = 0
    derivative_of: dict[str, Any] | None = None
    # (matched share, order kept, shingle containment, novelty) against each other article of the story
    pair_evidence: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)


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


def prepare(
    articles: list[ArticleInput],
    context: CorpusContext | None = None,
    *,
    deadline: float | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Document]:
    """extract -> normalize -> segment, with corpus-wide vocabulary and per-source boilerplate.

    `context` is computed from `articles` unless given (a batch computes it once for all its articles).
    `deadline` (a time.monotonic() instant) and `cancelled` bound the work (`budget.scope`).
    """
    with budget.scope(deadline, cancelled):
        return _prepare(articles, context)


def _title_line(text: str) -> str:
    """The title of an article sent without one: its headline line (`furniture.headline_line`: not
    a pasted menu or breadcrumb), at most 300 characters."""
    lines = text.split("\n")
    return lines[max(0, furniture.headline_line(lines))].strip()[:300]


def _prepare(articles: list[ArticleInput], context: CorpusContext | None) -> list[Document]:
    extracted = []
    for article in articles:
        budget.checkpoint("extract")
        extracted.append(extract_body(article))
    texts = [normalize_text(body) for body, _, _ in extracted]
    for text, (_, filled, _) in zip(texts, extracted, strict=True):
        if not text.strip():
            raise InputError(f"{filled.input or 'article'}: no text left after cleaning")
    if context is None:
        context = corpus_context(texts, [filled.source for _, filled, _ in extracted])
    vocab, boilerplate = context.vocab, context.boilerplate
    docs = []
    line_furniture = furniture.classify_articles([text.split("\n") for text in texts])
    for text, (_, filled, kind), furniture_reasons in zip(texts, extracted, line_furniture, strict=True):
        budget.checkpoint("segment")
        # Clients send regional tags ("en-GB"; on the CLI and in the batch also locales such as
        # "fr_FR"): every word list is keyed by the primary subtag.
        given = language_code(filled.language)
        language = given or detect_language(text)[0]
        doc = Document(
            article_id=content_id(text),
            text=text,
            language=language,
            sentences=segment(text, vocab, boilerplate.get(filled.source or "", set()), furniture_reasons),
            title=filled.title or _title_line(text),
            url=filled.url,
            source=filled.source,
            published_at=filled.published_at,
            input=filled.input,
            external_id=filled.id,
            extraction=kind,
        )
        if filled.language and filled.language.strip() and given is None:
            doc.notes.append(
                f"language {filled.language.strip()[:40]!r} names no language read here (give a tag such as "
                f"'fr' or 'en-GB'); detected '{language}' from the text"
            )
        if language not in LANGUAGE_SPECIFIC:
            doc.notes.append(
                f"language '{language}': generic-assertion, loaded-wording, hedging, translation-artefact and spelling "
                "signals are switched off; embeddings are multilingual"
            )
        docs.append(doc)
    return docs


def analyze(
    docs: list[Document],
    res: Resources,
    name_idf: Mapping[str, float] | None = None,
    *,
    deadline: float | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[ArticleAnalysis]:
    """embed -> story -> claims -> provenance -> signals, for a whole corpus at once.

    `name_idf` weighs names in the story rule (default: the IDF of `docs` themselves; the store
    passes its own, so an article is grouped as it would be in a batch of everything stored).
    `deadline` (a time.monotonic() instant) and `cancelled` bound the work (`budget.scope`).
    """
    with budget.scope(deadline, cancelled):
        return _analyze(docs, res, name_idf)


def _analyze(docs: list[Document], res: Resources, name_idf: Mapping[str, float] | None) -> list[ArticleAnalysis]:
    budget.checkpoint("embed")
    embedded = [[s for s in doc.content_sentences if s.kind in EMBEDDED_KINDS] for doc in docs]
    flat = [s.text for sentences in embedded for s in sentences]
    all_vectors = res.embeddings.encode(flat) if flat else np.zeros((0, 512), dtype=np.float32)
    vectors: list[np.ndarray] = []
    pos = 0
    for sentences in embedded:
        vectors.append(all_vectors[pos : pos + len(sentences)])
        pos += len(sentences)

    budget.checkpoint("story")
    th = res.thresholds
    article_vectors = np.stack([story.article_vector(v[: story.LEAD_SENTENCES]) for v in vectors])
    names_per_article = [story.article_names(doc) for doc in docs]
    dates = [doc.published_at for doc in docs]
    labels = story.group_articles(article_vectors, names_per_article, dates, th["story"], name_idf)
    ids = story.story_ids(labels, [d.article_id for d in docs])

    members: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    results: list[ArticleAnalysis | None] = [None] * len(docs)
    for idx in members.values():
        budget.checkpoint("claims")
        story_docs = [docs[i] for i in idx]
        analyses = _analyze_story(story_docs, [embedded[i] for i in idx], [vectors[i] for i in idx], ids[idx[0]], res)
        for i, analysis in zip(idx, analyses, strict=True):
            results[i] = analysis
    return [r for r in results if r is not None]


def _analyze_story(
    docs: list[Document], embedded: list[list[Sentence]], vectors: list[np.ndarray], story_id: str, res: Resources
) -> list[ArticleAnalysis]:
    """claims -> provenance -> signals for one story's articles, one function per stage."""
    th = res.thresholds
    flat = StorySentences.flatten(embedded, vectors)
    days = [story.day_number(doc.published_at) for doc in docs]
    clusters = claims_stage.cluster_story(flat, res.equivalence, th["claims"], days)
    budget.checkpoint("provenance")
    origin = provenance.story_provenance(docs, flat, clusters, th["provenance"])
    contradicted = claims_stage.contradictions_by_sentence(docs, flat, clusters)
    strong_match = th["claims"]["threshold"]
    budget.checkpoint("generic assertions")
    generic_p = generic.story_generic_probabilities(docs, flat, clusters.matches, res.generic, strong_match)
    budget.checkpoint("names")
    name_flags = names.misspelled_name_flags(docs, origin.family)
    budget.checkpoint("spelling")
    slips = spelling.spelling_flags(docs)
    budget.checkpoint("style")
    # Opinion is read only in the languages its classifier was checked on: no call for the others.
    claim_rows = [
        i
        for i, s in enumerate(flat.sentences)
        if s.kind == "claim" and docs[flat.owners[i]].language in style.OPINION_LANGUAGES
    ]
    subjective_p: dict[int, dict[int, float]] = defaultdict(dict)
    claim_sentences = [flat.sentences[i] for i in claim_rows]
    opinion = style.subjective_probabilities(claim_sentences, flat.vectors[claim_rows], res.subjectivity)
    for i, p in zip(claim_rows, opinion, strict=True):
        subjective_p[flat.owners[i]][flat.sentences[i].index] = p
    out = []
    for a, doc in enumerate(docs):
        budget.checkpoint("signals")
        claim_map = claims_stage.claim_statuses(a, docs, flat, clusters, contradicted, origin.family, story_id)
        original = provenance.source_of(a, docs, origin)
        independent = origin.independent_sources(a)
        merged = signals.article_signals(
            doc,
            claim_map,
            independent,
            generic_p[a],
            th["generic"]["threshold"],
            name_flags[a],
            original,
            doc.language in LANGUAGE_SPECIFIC,
            slips[a],
            subjective_p[a],
        )
        evidence = {docs[b].article_id: origin.evidence[(a, b)] for b in range(len(docs)) if b != a}
        out.append(ArticleAnalysis(doc, story_id, merged, claim_map, independent, original, evidence))
    return out


def lead_vector(doc: Document, embeddings: EmbeddingCache) -> np.ndarray:
    """The article vector the story rule compares (story.article_vector of its first LEAD_SENTENCES
    embedded sentences), shape (512,), unit length (zeros for an article with none)."""
    texts = [s.text for s in doc.content_sentences if s.kind in EMBEDDED_KINDS][: story.LEAD_SENTENCES]
    return story.article_vector(embeddings.encode(texts) if texts else np.zeros((0, 512), dtype=np.float32))


def feature_row(analysis: ArticleAnalysis) -> list[float]:
    return [float(analysis.signals.values[name]) for name in signals.FEATURES]


def style_row(analysis: ArticleAnalysis) -> list[float]:
    return [float(analysis.signals.values[name]) for name in style.FEATURE_SIGN]


def predict_analyses(analyses: list[ArticleAnalysis], res: Resources) -> list[dict[str, Any]]:
    """The score stage for analysed articles: `scorer.predict` with the style term."""
    from .scorer import predict

    rows = np.array([feature_row(a) for a in analyses], dtype=np.float64).reshape(len(analyses), -1)
    return predict(
        res.scorer,
        rows,
        [a.independent_sources for a in analyses],
        res.style_scorer,
        np.array([style_row(a) for a in analyses], dtype=np.float64).reshape(len(analyses), -1),
        [a.doc.language for a in analyses],
    )


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
    items: list[Any],
    embedder: str | None = None,
    resources: Resources | None = None,
    *,
    deadline: float | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[dict[str, Any]]:
    """Score articles together as one corpus; one score object (ARCHITECTURE.md contract) per article.

    `deadline`, a time.monotonic() instant, and `cancelled`, a hook that returns True once the
    result is no longer wanted (its client went away), bound the work: checked between stages and
    inside the loops that grow with the input, they raise TimeBudgetExceeded or ScoringCancelled
    and nothing is returned (`budget.scope`).
    """
    with budget.scope(deadline, cancelled):
        return _score_articles(items, embedder, resources)


def _score_articles(items: list[Any], embedder: str | None, resources: Resources | None) -> list[dict[str, Any]]:
    from .explain import score_object

    articles = to_articles(items)
    if not articles:
        raise NoArticlesError("no articles to score")
    res = resources or load_resources(embedder)
    docs = prepare(articles)
    analyses = analyze(docs, res)
    budget.checkpoint("score")
    predictions = predict_analyses(analyses, res)
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
