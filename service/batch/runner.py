"""`reliability batch`: score a folder or a JSONL export in parallel, resumably.

1. read: every article file (recursively), with sidecar `NAME.meta.json` metadata; HTML is
   extracted once; the source falls back to the URL's domain, then to the file's folder name.
2. embed: articles are segmented in chunks across worker processes, then each distinct sentence
   is embedded once, in fixed batches (sorted by sentence hash, so a vector's last bits never
   depend on the worker count or on an interruption); each chunk and batch is committed to the
   state file (OUT.state.db) in one transaction.
3. stories: formed across the whole batch (and the store's stored articles with --db).
4. score: stories are the unit of parallel scoring; each story's results are committed in one
   transaction, so a batch killed at any moment and rerun with --resume scores every article
   exactly once and gives the same results as an uninterrupted run.
5. write: OUT.jsonl (one line per input record, in input order), optional CSV and HTML report.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle  # the state file's prepared Documents: written and read by this program only (trust it as OUT)
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from service.engine import story
from service.engine.extract import ARTICLE_SUFFIXES
from service.engine.pipeline import EMBEDDED_KINDS, CorpusContext, corpus_context
from service.engine.records import ArticleInput
from service.engine.threads import limited_threads
from service.errors import NoArticlesError, ReliabilityError, UsageError

from .files import read_records, write_jsonl, write_outputs
from .lifeline import die_with

EMBED_CHUNK = 32  # articles per segmentation task
SENTENCE_BATCH = 256  # distinct sentences per embedding task: fixed, so vectors never depend on the worker count
STATE_FORMAT = 2  # bumped when the state file's tables change (with the version: `_versions`)
MAX_STORY_UNIT = 30  # a larger story is scored in slices of this many articles (claims are quadratic)


@dataclass
class BatchOutcome:
    records: int
    articles: int
    errors: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    resumed_stories: int = 0


# -- the state file -------------------------------------------------------------------

STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segmented (
    article_id TEXT PRIMARY KEY, keys TEXT NOT NULL, texts TEXT NOT NULL, names TEXT NOT NULL, document BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sentences (key TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (
    article_id TEXT PRIMARY KEY, keys TEXT NOT NULL, vectors BLOB NOT NULL, lead BLOB NOT NULL, names TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (article_id TEXT PRIMARY KEY, unit TEXT NOT NULL, result TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS units (unit TEXT PRIMARY KEY);
"""


def open_state(path: Path, fingerprint: str, resume: bool) -> sqlite3.Connection:
    if not resume:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.executescript(STATE_SCHEMA)
    row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
    elif row[0] != fingerprint:
        raise UsageError(
            f"{path}: the inputs, options, version or models changed since that run; run again without --resume"
        )
    return conn


def _transaction(conn: sqlite3.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for sql, params in statements:
            conn.execute(sql, params)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


# -- worker processes -----------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(state_path: str, embedder: str | None, batch_pid: int) -> None:
    die_with(batch_pid)  # first: a worker never outlives its batch, even a batch killed while it loads
    # One embedder thread per worker: --workers N uses N cores, and vectors do not depend on N.
    from service.engine.pipeline import load_resources

    previous = os.environ.get("RELIABILITY_EMBED_THREADS")
    os.environ["RELIABILITY_EMBED_THREADS"] = "1"
    try:
        _worker["resources"] = load_resources(embedder)
    finally:  # the inline pool runs in the caller's process: leave its environment as it was
        if previous is None:
            os.environ.pop("RELIABILITY_EMBED_THREADS", None)
        else:
            os.environ["RELIABILITY_EMBED_THREADS"] = previous
    _worker["state"] = state_path


def _ready() -> bool:
    return True


def _segment_chunk(
    context: CorpusContext, articles: list[tuple[str, ArticleInput]]
) -> list[tuple[str, str, str, str, bytes]]:
    """(article id, sentence keys, sentence texts, names, pickled Document) of each article: what is
    to be embedded, and the prepared article the scoring phase reads back instead of preparing it again."""
    from service.engine.pipeline import prepare

    with limited_threads(1):  # one core per worker: --workers N means N cores
        docs = prepare([a for _, a in articles], context)
    out = []
    key = _worker["resources"].embeddings.key
    for (article_id, _), doc in zip(articles, docs, strict=True):
        texts = [s.text for s in doc.content_sentences if s.kind in EMBEDDED_KINDS]
        names = json.dumps(sorted(story.article_names(doc)), ensure_ascii=False)
        keys = json.dumps([key(t) for t in texts])
        out.append((article_id, keys, json.dumps(texts, ensure_ascii=False), names, pickle.dumps(doc, protocol=5)))
    return out


def _embed_sentences(texts: list[str]) -> bytes:
    """Vectors of one fixed batch of distinct sentences (the same batch in every run: reproducible bits)."""
    model = _worker["resources"].embeddings.model
    with limited_threads(1):
        vectors = model.encode(
            texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


def _score_unit(
    context: CorpusContext, unit: str, articles: list[tuple[str, ArticleInput]]
) -> list[tuple[str, dict[str, Any]]]:
    """Score one story (or slice of one) as a corpus; returns (article id, score object) pairs."""
    with limited_threads(1):
        return _score_unit_here(context, unit, articles)


def _score_unit_here(
    context: CorpusContext, unit: str, articles: list[tuple[str, ArticleInput]]
) -> list[tuple[str, dict[str, Any]]]:
    from service.engine.explain import score_object
    from service.engine.pipeline import analyze, predict_analyses, prepare

    res = _worker["resources"]
    res.embeddings.clear()  # this story's stored vectors only, whatever the worker scored before
    ids = [a for a, _ in articles]
    with sqlite3.connect(_worker["state"]) as conn:
        marks = ",".join("?" * len(ids))
        for keys, blob in conn.execute(f"SELECT keys, vectors FROM vectors WHERE article_id IN ({marks})", ids):
            keys = json.loads(keys)
            if keys:
                res.embeddings.prime(keys, np.frombuffer(blob, dtype=np.float32).reshape(len(keys), -1))
        # Prepared in the segmentation phase with the same context (a state file this run wrote);
        # stored mates (--db) were not, and are prepared here.
        segmented = dict(conn.execute(f"SELECT article_id, document FROM segmented WHERE article_id IN ({marks})", ids))
    missing = [(a, article) for a, article in articles if a not in segmented]
    prepared = dict(zip((a for a, _ in missing), prepare([article for _, article in missing], context), strict=True))
    docs = [pickle.loads(segmented[a]) if a in segmented else prepared[a] for a in ids]
    analyses = analyze(docs, res)
    for analysis in analyses:
        analysis.story_id = unit  # the batch's story, not the sub-grouping of this slice
    predictions = predict_analyses(analyses, res)
    return [
        (analysis.doc.article_id, score_object(analysis, prediction, res.model_version, None))
        for analysis, prediction in zip(analyses, predictions, strict=True)
    ]


class _Deferred:
    """A task of the inline pool: run when its result is asked for, so results are committed one by one."""

    def __init__(self, fn: Any, args: tuple[Any, ...]) -> None:
        self.fn, self.args = fn, args

    def result(self) -> Any:
        return self.fn(*self.args)


class InlinePool:
    """The pool interface in this process, for --workers 1 (same code path, no pickling)."""

    def __init__(self, initializer: Any, initargs: tuple[Any, ...]) -> None:
        initializer(*initargs)

    def submit(self, fn: Any, *args: Any) -> _Deferred:
        return _Deferred(fn, args)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        return None


# -- progress -------------------------------------------------------------------------


class Progress:
    """A tqdm bar (units/s, ETA) on a terminal; a plain log line every 10 s otherwise.

    `unit` is what `total` counts: articles while segmenting and scoring, sentences while embedding."""

    def __init__(self, total: int, label: str, unit: str = "article") -> None:
        self.total, self.label, self.done, self.unit = total, label, 0, unit
        self.started = self.last_line = time.monotonic()
        self.bar: Any = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=label, unit=unit, file=sys.stderr)

    def update(self, n: int) -> None:
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self.last_line >= 10 or self.done == self.total:
            rate = self.done / max(now - self.started, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0.0
            print(
                f"reliability: {self.label}: {self.done}/{self.total} {self.unit}s, {rate:.1f} {self.unit}s/s, "
                f"ETA {eta:.0f} s",
                file=sys.stderr,
                flush=True,
            )
            self.last_line = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- the run --------------------------------------------------------------------------


def run_batch(
    target: Path,
    out: Path,
    *,
    workers: int = 1,
    resume: bool = False,
    max_bytes: int,
    embedder: str | None = None,
    errors_path: Path | None = None,
    csv_path: Path | None = None,
    report_path: Path | None = None,
    database_url: str | None = None,
) -> BatchOutcome:
    started = time.monotonic()
    state_path = out.with_name(out.name + ".state.db")
    pool: Any
    initargs = (str(state_path), embedder, os.getpid())
    if workers > 1:
        # spawn, not fork: a clean interpreter per worker, whatever threads this process runs.
        pool = ProcessPoolExecutor(workers, multiprocessing.get_context("spawn"), _init_worker, initargs)
        for _ in range(workers):
            pool.submit(_ready)  # start the workers now: they load the models while the files are read
    else:
        pool = InlinePool(_init_worker, initargs)
    try:
        return _run(pool, target, out, state_path, started, workers, resume, max_bytes, embedder, errors_path,
                    csv_path, report_path, database_url)  # fmt: skip
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run(
    pool: Any,
    target: Path,
    out: Path,
    state_path: Path,
    started: float,
    workers: int,
    resume: bool,
    max_bytes: int,
    embedder: str | None,
    errors_path: Path | None,
    csv_path: Path | None,
    report_path: Path | None,
    database_url: str | None,
) -> BatchOutcome:
    records, errors = read_records(target, max_bytes)
    errors_path = errors_path or out.with_suffix(".errors.jsonl")
    write_jsonl(errors_path, errors)
    for error in errors:
        print(f"reliability: skipped {error['reason']}", file=sys.stderr)
    if not records:
        raise NoArticlesError(f"{target}: no readable article ({', '.join(ARTICLE_SUFFIXES)}) found")

    articles: dict[str, ArticleInput] = {}
    for record in records:
        articles.setdefault(record.article_id, record.article)
    ordered = sorted(articles)
    texts = [articles[a].text or "" for a in ordered]
    context = corpus_context(texts, [articles[a].source for a in ordered])
    fingerprint = hashlib.sha256(
        json.dumps([ordered, embedder or "", database_url or "", MAX_STORY_UNIT, SENTENCE_BATCH, *_versions()]).encode()
    ).hexdigest()
    state = open_state(state_path, fingerprint, resume)
    _phase("read", started)
    t = time.monotonic()
    _embed_all(pool, state, context, articles, ordered)
    _phase("embedding", t)
    t = time.monotonic()
    stored = _stored_mates(database_url, state, articles, ordered) if database_url else []
    units = _story_units(state, ordered + stored, {a: articles[a].published_at for a in ordered + stored})
    _phase(f"{len(units)} stories", t)
    t = time.monotonic()
    resumed = _score_all(pool, state, context, articles, units)
    _phase("scoring", t)

    results = _results_with_ratings(state, ordered)
    write_outputs(records, results, out, csv_path)
    if report_path is not None:
        from .html_report import write_report

        summary = {"workers": workers, "seconds": round(time.monotonic() - started, 1), "input": str(target)}
        write_report([results[a] for a in ordered], report_path, errors=errors, summary=summary)
    if database_url:
        _store(database_url, state, articles, results, embedder)
    state.close()
    return BatchOutcome(len(records), len(ordered), errors, time.monotonic() - started, resumed)


def _versions() -> list[str]:
    """What a resumed run must share with the run that wrote the state: its tables' format, the
    package that prepared the pickled articles, and the models that scored the stories done
    (the sha256 of thresholds.json and of the model artifacts)."""
    from service import __version__
    from service.engine.artifacts import models_dir

    models = hashlib.sha256()
    for name in (
        "thresholds.json",
        "article_scorer.joblib",
        "claim_equivalence.joblib",
        "generic_sentence.joblib",
        "subjectivity.joblib",
        "style_scorer.joblib",
    ):
        path = models_dir() / name
        models.update(path.read_bytes() if path.exists() else b"")
    return [str(STATE_FORMAT), __version__, models.hexdigest()]


def _phase(name: str, since: float) -> None:
    print(f"reliability: {name} done in {time.monotonic() - since:.1f} s", file=sys.stderr, flush=True)


def _embed_all(
    pool: Any, state: sqlite3.Connection, context: CorpusContext, articles: dict[str, ArticleInput], ordered: list[str]
) -> None:
    """Segment every article, embed each distinct sentence once, then assemble each article's vectors."""
    done = {row[0] for row in state.execute("SELECT article_id FROM segmented")}
    chunks = [ordered[i : i + EMBED_CHUNK] for i in range(0, len(ordered), EMBED_CHUNK)]
    todo = [c for c in chunks if not set(c) <= done]
    progress = Progress(sum(len(c) for c in todo), "segmenting")
    futures = [pool.submit(_segment_chunk, context, [(a, articles[a]) for a in chunk]) for chunk in todo]
    for future in _completed(futures):
        rows = future.result()
        _transaction(state, [("INSERT OR REPLACE INTO segmented VALUES (?,?,?,?,?)", row) for row in rows])
        progress.update(len(rows))
    progress.close()

    # Distinct sentences in fixed batches (sorted by key): a batch's vectors are the same in every run.
    text_of: dict[str, str] = {}
    for keys, texts in state.execute("SELECT keys, texts FROM segmented"):
        text_of.update(zip(json.loads(keys), json.loads(texts), strict=True))
    embedded = {row[0] for row in state.execute("SELECT key FROM sentences")}
    keys_sorted = sorted(text_of)
    batches = [keys_sorted[i : i + SENTENCE_BATCH] for i in range(0, len(keys_sorted), SENTENCE_BATCH)]
    todo_batches = [b for b in batches if not set(b) <= embedded]
    progress = Progress(sum(len(b) for b in todo_batches), "embedding", unit="sentence")
    pending = {pool.submit(_embed_sentences, [text_of[k] for k in batch]): batch for batch in todo_batches}
    for future in _completed(list(pending)):
        batch = pending[future]
        vectors = np.frombuffer(future.result(), dtype=np.float32).reshape(len(batch), -1)
        _transaction(
            state,
            [
                ("INSERT OR REPLACE INTO sentences VALUES (?,?)", (k, v.tobytes()))
                for k, v in zip(batch, vectors, strict=True)
            ],
        )
        progress.update(len(batch))
    progress.close()

    assembled = {row[0] for row in state.execute("SELECT article_id FROM vectors")}
    vector_of = {k: np.frombuffer(v, dtype=np.float32) for k, v in state.execute("SELECT key, vector FROM sentences")}
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for article_id, keys_json, names in state.execute("SELECT article_id, keys, names FROM segmented"):
        if article_id in assembled:
            continue
        keys = json.loads(keys_json)
        vectors = np.stack([vector_of[k] for k in keys]) if keys else np.zeros((0, 512), dtype=np.float32)
        lead = story.article_vector(vectors[: story.LEAD_SENTENCES]).astype(np.float32)
        row = (article_id, keys_json, vectors.tobytes(), lead.tobytes(), names)
        statements.append(("INSERT INTO vectors VALUES (?,?,?,?,?)", row))
    _transaction(state, statements)


def _completed(futures: list[Any]) -> Iterator[Any]:
    """Process-pool futures as they finish; the inline pool's in order."""
    if futures and isinstance(futures[0], Future):
        yield from as_completed(futures)
    else:
        yield from futures


def _stored_mates(
    database_url: str, state: sqlite3.Connection, articles: dict[str, ArticleInput], ordered: list[str]
) -> list[str]:
    """Stored articles near the batch's, added to `articles` and to the state's vectors as story context."""
    from service.engine.artifacts import load_json
    from service.settings import load_settings
    from service.store.db import Store
    from service.store.scoring_service import input_of, nearest_stored
    from service.store.story_index import StoryIndex

    settings = load_settings({"database_url": database_url})
    store = Store(database_url)
    store.migrate()
    index = StoryIndex()
    index.sync(store)
    leads, names = [], []
    for lead, names_json in (
        state.execute("SELECT lead, names FROM vectors WHERE article_id = ?", (a,)).fetchone() for a in ordered
    ):
        leads.append(np.frombuffer(lead, dtype=np.float32))
        names.append(set(json.loads(names_json)))
    dates = [articles[a].published_at for a in ordered]
    ids = nearest_stored(
        index, leads, names, dates, load_json("thresholds.json")["story"],
        settings["story_candidates"], settings["story_max_articles"], set(ordered),
    )  # fmt: skip
    rows = store.get_many(ids)
    store.dispose()
    statements: list[tuple[str, tuple[Any, ...]]] = []
    for row in rows:
        articles[row["article_id"]] = input_of(row)
        statements.append(
            (
                "INSERT OR REPLACE INTO vectors VALUES (?,?,?,?,?)",
                (row["article_id"], row["sentence_keys"], row["sentence_vectors"], row["vector"], row["names"]),
            )
        )
    _transaction(state, statements)
    return sorted(row["article_id"] for row in rows)


def _story_units(
    state: sqlite3.Connection, ordered: list[str], published_at: dict[str, str | None]
) -> dict[str, list[str]]:
    """Stories over the whole batch (the story rule of `story.group_articles`, as the API applies it),
    as units of at most MAX_STORY_UNIT articles, named after the story."""
    leads, names = {}, {}
    for article_id, lead, names_json in state.execute("SELECT article_id, lead, names FROM vectors"):
        leads[article_id] = np.frombuffer(lead, dtype=np.float32)
        names[article_id] = set(json.loads(names_json))
    from service.engine.artifacts import load_json

    th = load_json("thresholds.json")["story"]
    vectors = np.stack([leads[a] for a in ordered])
    labels = story.group_articles(vectors, [names[a] for a in ordered], [published_at.get(a) for a in ordered], th)
    ids = story.story_ids(labels, ordered)
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, story_id in zip(ordered, ids, strict=True):
        members[story_id].append(article_id)
    units: dict[str, list[str]] = {}
    for story_id, ids_of_story in sorted(members.items()):
        if len(ids_of_story) <= MAX_STORY_UNIT:
            units[story_id] = ids_of_story
            continue
        for k in range(0, len(ids_of_story), MAX_STORY_UNIT):
            units[f"{story_id}.{k // MAX_STORY_UNIT}"] = ids_of_story[k : k + MAX_STORY_UNIT]
    return units


def _score_all(
    pool: Any,
    state: sqlite3.Connection,
    context: CorpusContext,
    articles: dict[str, ArticleInput],
    units: dict[str, list[str]],
) -> int:
    done = {row[0] for row in state.execute("SELECT unit FROM units")}
    todo = {u: ids for u, ids in units.items() if u not in done}
    progress = Progress(sum(len(ids) for ids in todo.values()), "scoring")
    # Largest stories first, so the last task is a small one.
    order = sorted(todo, key=lambda u: (-len(todo[u]), u))
    futures = {
        pool.submit(_score_unit, context, u.split(".")[0], [(a, articles[a]) for a in todo[u]]): u for u in order
    }
    for future in _completed(list(futures)):
        unit = futures[future]
        scored = [(a, r) for a, r in future.result() if a in todo[unit]]
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("INSERT OR REPLACE INTO results VALUES (?,?,?)", (a, unit, json.dumps(r, ensure_ascii=False)))
            for a, r in scored
        ]
        statements.append(("INSERT INTO units VALUES (?)", (unit,)))
        _transaction(state, statements)
        progress.update(len(scored))
    progress.close()
    return len(done)


def _results_with_ratings(state: sqlite3.Connection, ordered: list[str]) -> dict[str, dict[str, Any]]:
    from service.engine.scorer import source_rating

    results = {a: json.loads(r) for a, r in state.execute("SELECT article_id, result FROM results")}
    missing = [a for a in ordered if a not in results]
    if missing:
        raise ReliabilityError(f"{len(missing)} article(s) have no result; run again with --resume")
    by_source: dict[str, list[float]] = defaultdict(list)
    for a in ordered:
        domain = results[a]["source"]["domain"]
        if domain:
            # the score is the calibrated probability in points; the rating is over probabilities
            by_source[domain].append(results[a]["score"] / 100.0)
    ratings = {domain: source_rating(domain, probs) for domain, probs in by_source.items()}
    for a in ordered:
        domain = results[a]["source"]["domain"]
        if domain:
            results[a]["source"] = ratings[domain]
    return results


def _store(
    database_url: str,
    state: sqlite3.Connection,
    articles: dict[str, ArticleInput],
    results: dict[str, dict[str, Any]],
    embedder: str | None,
) -> None:
    """Add the batch's articles, vectors and scores to the service's store (a stored text is left as is)."""
    from service.store.db import Store, now

    store = Store(database_url)
    store.migrate()
    rows = []
    for article_id, keys, vectors, lead, names in state.execute("SELECT * FROM vectors ORDER BY article_id"):
        article, result = articles[article_id], results[article_id]
        stamp = now()
        rows.append(
            {
                "article_id": article_id, "external_id": article.id, "input": article.input,
                "source": article.source, "url": article.url, "title": result["title"],
                "published_at": article.published_at, "language": result["language"], "text": article.text,
                "story_id": result["story_id"], "score": result["score"], "probability": result["score"] / 100.0,
                "label": result["label"], "model_version": result["model_version"],
                "result": json.dumps({k: v for k, v in result.items() if k != "text"}, ensure_ascii=False),
                "vector": lead, "names": names, "sentence_keys": keys, "sentence_vectors": vectors,
                "created_at": stamp, "scored_at": stamp,
            }
        )  # fmt: skip
    for row in rows:
        store.save([row], [])
    store.dispose()
