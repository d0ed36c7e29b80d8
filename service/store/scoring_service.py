"""Scoring against the store: the one entry point the REST service (and `batch --db`) call.

A new article is embedded, its story mates are looked up in the story index, read back
from the store with their sentence vectors (so they are not embedded again), and the
whole small corpus goes through the pipeline. New articles are then stored, and the
scores of story mates that the new article corroborates or contradicts are refreshed
in the same transaction.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from service.engine import story
from service.engine.explain import score_object
from service.engine.extract import as_plain_text
from service.engine.pipeline import (
    EMBEDDED_KINDS,
    ArticleAnalysis,
    Resources,
    analyze,
    lead_vector,
    load_resources,
    predict_analyses,
    prepare,
    to_articles,
    warm_up,
)
from service.engine.records import ArticleInput, Document
from service.engine.scorer import source_rating
from service.errors import NoArticlesError, StoreUnavailableError, TooLargeError

from .db import Store, now, pack, unpack
from .story_index import EXACT_BELOW, StoryIndex

# Average linkage can join an article to a story through its other members, so stored
# candidates are kept a little below the story threshold; the pipeline makes the final call.
CANDIDATE_MARGIN = 0.05
logger = logging.getLogger(__name__)


def _no_op(stage: str, seconds: float) -> None:
    return None


class ScoringService:
    """Models, store and story index of one process; thread-safe."""

    def __init__(
        self,
        settings: dict[str, Any],
        resources: Resources | None = None,
        store: Store | None = None,
        observe: Callable[[str, float], None] = _no_op,
    ) -> None:
        self.settings = settings
        self.resources = resources or load_resources(settings.get("embedder"))
        # The language identifier and spelling dictionaries load at start, not on an editor's first request.
        warm_up()
        self.store = store or Store(settings["database_url"])
        self.index = StoryIndex(settings.get("story_index_exact_below", EXACT_BELOW))
        self.observe = observe
        self._store_ready = False
        try:
            self.ensure_store()
        except StoreUnavailableError as exc:
            # Start anyway: /readyz reports the store down and scoring answers 503 until it is back.
            logger.error("%s; will retry on the next request", exc)

    def ensure_store(self) -> None:
        """Migrate the schema and load the story index, once the store can be reached."""
        if not self._store_ready:
            self.store.migrate()
            self.index.sync(self.store)
            self._store_ready = True

    # -- scoring ----------------------------------------------------------------------

    def score(self, items: list[Any], persist: bool = False) -> list[dict[str, Any]]:
        """Score new articles together and against their stored story mates; store them if asked."""
        started = time.perf_counter()
        extracted = [as_plain_text(article) for article in to_articles(items)]
        if not extracted:
            raise NoArticlesError("no articles to score")
        self._check_sizes(extracted)
        articles = [plain for plain, _ in extracted]
        new_docs = prepare(articles)
        self._lap("prepare", started)

        t = time.perf_counter()
        leads = [lead_vector(doc, self.resources.embeddings) for doc in new_docs]
        self._lap("embed", t)

        t = time.perf_counter()
        self.ensure_store()
        self.index.sync(self.store)
        new_ids = {doc.article_id for doc in new_docs}
        candidates = self._candidates(new_docs, leads, exclude=new_ids)
        rows = self.store.get_many(candidates)
        self._prime(rows)
        self._lap("lookup", t)

        t = time.perf_counter()
        stored_inputs = [input_of(row) for row in rows]
        docs = prepare(articles + stored_inputs)
        # Names weigh by their IDF over the store (and these new articles), as in a batch of everything.
        idf = self._name_idf(new_docs) if self.resources.thresholds["story"].get("idf_power") else None
        analyses = analyze(docs, self.resources, idf)
        predictions = predict_analyses(analyses, self.resources)
        self._lap("analyze", t)

        n_new = len(articles)
        _adopt_stored_story_ids(analyses, rows, n_new)
        self._bound_in_time(analyses[:n_new], {row["story_id"] for row in rows})
        ratings = self._source_ratings(analyses, predictions)
        model_version = self.resources.model_version
        results = [
            score_object(a, p, model_version, ratings.get(a.doc.source or ""))
            for a, p in zip(analyses, predictions, strict=True)
        ]

        if persist:
            t = time.perf_counter()
            new_rows = [self._row(analyses[k], predictions[k], results[k], leads[k]) for k in range(n_new)]
            rescored = [
                _rescored_row(analyses[k], predictions[k], results[k])
                for k in range(n_new, len(analyses))
                if analyses[k].story_id in {a.story_id for a in analyses[:n_new]}
            ]
            inserted = self.store.save(new_rows, rescored)
            for row, was_new in zip(new_rows, inserted, strict=True):
                if was_new:
                    vector, names = unpack(row["vector"])[0], set(json.loads(row["names"]))
                    self.index.add(row["article_id"], vector, names, row["published_at"])
            for result, was_new in zip(results, inserted, strict=False):
                result["stored"] = True
                result["created"] = was_new
            self._lap("store", t)
        self._lap("total", started)
        return results[:n_new]

    def _bound_in_time(self, new: list[ArticleAnalysis], stored_story_ids: set[str]) -> None:
        """The span guard of `story.group_articles` over the stored members a new article did not see:
        a new article that would stretch a stored story beyond the window opens a story of its own
        (rolling coverage becomes a chain of stories, never one that grows without bound)."""
        window = self.resources.thresholds["story"].get("window_days")
        if window is None:
            return
        moved: dict[str, str] = {}
        for analysis in new:
            day = story.day_number(analysis.doc.published_at)
            if analysis.story_id not in stored_story_ids or day is None:
                continue
            stored = self.store.story_published_at(analysis.story_id)
            days = [d for when in stored if (d := story.day_number(when)) is not None] + [day]
            if max(days) - min(days) > window:
                analysis.story_id = moved.setdefault(analysis.story_id, "s-" + analysis.doc.article_id[:12])

    def _name_idf(self, new_docs: list[Document]) -> dict[str, float]:
        frequency = Counter(self.index.name_frequency())
        for doc in new_docs:
            frequency.update(story.article_names(doc))
        return story.name_idf(frequency, len(self.index) + len(new_docs))

    def _lap(self, stage: str, since: float) -> None:
        self.observe(stage, time.perf_counter() - since)

    def _check_sizes(self, extracted: list[tuple[ArticleInput, str]]) -> None:
        cap = int(self.settings.get("max_article_chars") or 0)
        if not cap:
            return
        for article, kind in extracted:
            size = len(article.text or "")
            if size > cap:
                field = f"{article.input or 'article'}.{'html' if kind == 'html' else 'text'}"
                error = TooLargeError(f"{field}: {size:,} characters after extraction, over the {cap:,} limit")
                error.field = field  # type: ignore[attr-defined]
                raise error

    def _prime(self, rows: list[dict[str, Any]]) -> None:
        """Put stored articles' sentence vectors in the embedding cache: they are not embedded again."""
        for row in rows:
            keys = json.loads(row["sentence_keys"])
            if keys:
                self.resources.embeddings.prime(keys, unpack(row["sentence_vectors"]))

    def _candidates(self, docs: list[Document], leads: list[np.ndarray], exclude: set[str]) -> list[str]:
        return nearest_stored(
            self.index,
            leads,
            [story.article_names(doc) for doc in docs],
            [doc.published_at for doc in docs],
            self.resources.thresholds["story"],
            int(self.settings.get("story_candidates") or 50),
            int(self.settings.get("story_max_articles") or 25),
            exclude,
        )

    def _source_ratings(
        self, analyses: list[ArticleAnalysis], predictions: list[dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        current: dict[str, dict[str, float]] = defaultdict(dict)
        for analysis, prediction in zip(analyses, predictions, strict=True):
            if analysis.doc.source:
                current[analysis.doc.source][analysis.doc.article_id] = prediction["probability"]
        ratings = {}
        for source, fresh in current.items():
            stored = {a: p for a, _, p in self.store.source_history(source)}
            stored.update(fresh)
            ratings[source] = source_rating(source, list(stored.values()))
        return ratings

    def _row(
        self, analysis: ArticleAnalysis, prediction: dict[str, Any], result: dict[str, Any], lead: np.ndarray
    ) -> dict[str, Any]:
        doc = analysis.doc
        texts = [s.text for s in doc.content_sentences if s.kind in EMBEDDED_KINDS]
        vectors = self.resources.embeddings.encode(texts) if texts else np.zeros((0, 512), dtype=np.float32)
        stamp = now()
        return {
            "article_id": doc.article_id,
            "external_id": doc.external_id,
            "input": doc.input,
            "source": doc.source,
            "url": doc.url,
            "title": doc.title,
            "published_at": doc.published_at,
            "language": doc.language,
            "text": doc.text,
            "vector": pack(lead.reshape(1, -1)),
            "names": json.dumps(sorted(story.article_names(doc)), ensure_ascii=False),
            "sentence_keys": json.dumps([self.resources.embeddings.key(t) for t in texts]),
            "sentence_vectors": pack(vectors),
            "created_at": stamp,
            **_rescored_row(analysis, prediction, result, stamp),
        }

    # -- reading back -----------------------------------------------------------------

    def stored_score(self, article_id: str) -> dict[str, Any] | None:
        row = self.store.get(article_id)
        if row is None:
            return None
        result = json.loads(row["result"])
        result["text"] = row["text"]
        result["scored_at"] = row["scored_at"].isoformat() if row["scored_at"] else None
        return dict(result)

    def story(self, story_id: str) -> dict[str, Any] | None:
        """A stored story: its articles and claim clusters, with the sources that support each claim."""
        cap = int(self.settings.get("story_max_articles") or 25)
        ids = self.store.story_article_ids(story_id, cap * 2)
        if not ids:
            return None
        rows = self.store.get_many(ids)
        self._prime(rows)
        docs = prepare([input_of(row) for row in rows])
        analyses = analyze(docs, self.resources)
        clusters: dict[str, dict[str, Any]] = {}
        for analysis in analyses:
            by_index = {s.index: s for s in analysis.doc.sentences}
            for index, claim in analysis.claims.items():
                for cluster_id in (claim.cluster_id, *claim.also_in):
                    entry = clusters.setdefault(
                        cluster_id, {"cluster_id": cluster_id, "text": by_index[index].text, "claims": []}
                    )
                    entry["claims"].append(
                        {
                            "article_id": analysis.doc.article_id,
                            "source": analysis.doc.source or "",
                            "text": by_index[index].text,
                            "status": claim.status,
                        }
                    )
        out_clusters = []
        for entry in clusters.values():
            sources = sorted({c["source"] for c in entry["claims"] if c["source"]})
            entry["sources"] = sources
            entry["n_articles"] = len({c["article_id"] for c in entry["claims"]})
            entry["n_claims"] = len(entry["claims"])
            out_clusters.append(entry)
        out_clusters.sort(key=lambda e: (-e["n_articles"], e["cluster_id"]))
        return {
            "story_id": story_id,
            "articles": [
                {
                    "article_id": row["article_id"],
                    "title": row["title"],
                    "source": row["source"],
                    "url": row["url"],
                    "published_at": row["published_at"],
                    "score": row["score"],
                    "label": row["label"],
                }
                for row in rows
            ],
            "claims": out_clusters,
            "largest_cluster": max((entry["n_claims"] for entry in out_clusters), default=0),
        }

    def source(self, domain: str) -> dict[str, Any] | None:
        """An outlet's rating over its stored articles, with its month-by-month history."""
        history = self.store.source_history(domain)
        if not history:
            return None
        out = source_rating(domain, [p for _, _, p in history])
        months: dict[str, list[float]] = {}
        so_far: list[float] = []
        for _, created_at, probability in history:
            so_far.append(probability)
            months[created_at.strftime("%Y-%m")] = list(so_far)
        out["history"] = [
            {"period": period, **{k: v for k, v in source_rating(domain, probs).items() if k != "domain"}}
            for period, probs in months.items()
        ]
        return out


def nearest_stored(
    index: StoryIndex,
    leads: list[np.ndarray],
    names_list: list[set[str]],
    published_at: list[str | None],
    thresholds: dict[str, Any],
    k: int,
    cap: int,
    exclude: set[str],
) -> list[str]:
    """Stored articles that may share a story with these: cosine top-k (for a dated article, among the
    stored articles within the story window and the undated ones), then the story similarity
    (`story.pair_similarity`: names weighted by the store's IDF, the time window) above the threshold
    less a margin."""
    floor = thresholds["threshold"] - CANDIDATE_MARGIN
    idf = index.name_idf() if thresholds.get("idf_power") else None
    chosen: dict[str, float] = {}
    for lead, names, when in zip(leads, names_list, published_at, strict=True):
        day = story.day_number(when)
        scored = []
        # Dated: only stored articles within the story window (or undated) can share its story.
        window = thresholds.get("window_days") if day is not None else None
        for article_id, cosine, other, other_day in index.search(lead, k, day, window):
            if article_id in exclude:
                continue
            similarity = story.pair_similarity(cosine, (names, other), (day, other_day), thresholds, idf)
            if similarity >= floor:
                scored.append((similarity, article_id))
        for similarity, article_id in sorted(scored, reverse=True)[:cap]:
            chosen[article_id] = max(similarity, chosen.get(article_id, -1.0))
    return sorted(chosen, key=lambda a: (-chosen[a], a))


def input_of(row: dict[str, Any]) -> ArticleInput:
    """A stored row as an article to score again (its text is already normalized)."""
    return ArticleInput(
        text=row["text"],
        id=row["external_id"],
        title=row["title"],
        url=row["url"],
        source=row["source"],
        published_at=row["published_at"],
        language=row["language"],
        input=row["input"],
    )


def _rescored_row(
    analysis: ArticleAnalysis, prediction: dict[str, Any], result: dict[str, Any], stamp: Any = None
) -> dict[str, Any]:
    stored = {k: v for k, v in result.items() if k not in ("text", "stored", "created")}
    return {
        "article_id": analysis.doc.article_id,
        "story_id": analysis.story_id,
        "score": prediction["score"],
        "probability": prediction["probability"],
        "label": prediction["label"],
        "model_version": result["model_version"],
        "result": json.dumps(stored, ensure_ascii=False),
        "scored_at": stamp or now(),
    }


def _adopt_stored_story_ids(analyses: list[ArticleAnalysis], rows: list[dict[str, Any]], n_new: int) -> None:
    """A story keeps the id it was stored under; only a story of new articles alone gets a new id."""
    stored_story = {row["article_id"]: row["story_id"] for row in rows}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for analysis in analyses[n_new:]:
        previous = stored_story.get(analysis.doc.article_id)
        if previous:
            votes[analysis.story_id][previous] += 1
    for analysis in analyses:
        if votes.get(analysis.story_id):
            analysis.story_id = votes[analysis.story_id].most_common(1)[0][0]
