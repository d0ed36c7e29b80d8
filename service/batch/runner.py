"""`reliability batch`: score a folder or a JSONL export in parallel, resumably, in worker processes
of this machine or on a Dask cluster (`--scheduler`: dask_pool.py); the output is the same.

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
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from service.engine import story
from service.engine.extract import ARTICLE_SUFFIXES
from service.engine.pipeline import CorpusContext, corpus_context
from service.engine.records import ArticleInput
from service.errors import NoArticlesError, ReliabilityError, UsageError

from . import tasks
from .files import read_records, write_jsonl, write_outputs

EMBED_CHUNK = 32  # articles per segmentation task
SENTENCE_BATCH = 256  # distinct sentences per embedding task: fixed, so vectors never depend on the worker count
STATE_FORMAT = 2  # bumped when the state file's tables change (with the version: `_versions`)
WINDOW = 64  # tasks in flight at once: enough to keep any cluster here busy, bounded memory in this process
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
    target: Path | str,
    out: Path,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    max_bytes: int,
    embedder: str | None = None,
    errors_path: Path | None = None,
    csv_path: Path | None = None,
    report_path: Path | None = None,
    database_url: str | None = None,
) -> BatchOutcome:
    """Score every article of `target` (a folder, a file, or a glob or URL of JSONL files that fsspec
    reads) into `out`; `workers` processes of this machine, or the Dask cluster `scheduler`
    (`local`, `local:N` or an address: see dask_pool.py). The output does not depend on either."""
    started = time.monotonic()
    state_path = out.with_name(out.name + ".state.db")
    pool: Any
    if scheduler is not None:
        from service import __version__

        from .dask_pool import DaskPool

        pool = DaskPool(scheduler, embedder, (__version__, models_digest()))
    elif workers > 1:
        pool = tasks.ProcessPool(workers, embedder)  # its window: at least 4 tasks per worker (tasks.ProcessPool.run)
    else:
        pool = tasks.InlinePool(embedder)
    try:
        return _run(pool, target, out, state_path, started, scheduler or workers, resume, max_bytes, embedder,
                    errors_path, csv_path, report_path, database_url)  # fmt: skip
    finally:
        pool.shutdown()


def _run(
    pool: Any,
    target: Path | str,
    out: Path,
    state_path: Path,
    started: float,
    workers: int | str,
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
    resumed = _score_all(pool, state, state_path, context, articles, units)
    _phase("scoring", t)

    # The results are read back from the state one at a time, never all at once (they were held
    # together: about 30 MB per 1,000 articles). Only the HTML report needs them together.
    ratings = _source_ratings(state, ordered)
    write_outputs(records, lambda a: _result(state, a, ratings), out, csv_path)
    if report_path is not None:
        from .html_report import write_report

        summary = {"workers": workers, "seconds": round(time.monotonic() - started, 1), "input": str(target)}
        write_report([_result(state, a, ratings) for a in ordered], report_path, errors=errors, summary=summary)
    if database_url:
        _store(database_url, state, articles, set(ordered), ratings, embedder)
    state.close()
    return BatchOutcome(len(records), len(ordered), errors, time.monotonic() - started, resumed)


def _versions() -> list[str]:
    """What a resumed run must share with the run that wrote the state: its tables' format, the
    package that prepared the pickled articles, and the models that scored the stories done."""
    from service import __version__

    return [str(STATE_FORMAT), __version__, models_digest()]


def models_digest() -> str:
    """The sha256 (hex) of thresholds.json and of the model artifacts, as this process loads them."""
    from service.engine.artifacts import models_dir

    models = hashlib.sha256()
    for name in (
        "thresholds.json",
        "article_scorer.joblib",
        "claim_equivalence.joblib",
        "generic_sentence.joblib",
        "subjectivity.joblib",
        "style_scorer.joblib",
        "furniture_line.joblib",
    ):
        path = models_dir() / name
        models.update(path.read_bytes() if path.exists() else b"")
    return models.hexdigest()


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
    shared = pool.share(context)
    jobs: Iterator[tuple[Any, tuple[Any, ...]]] = (
        (None, (shared, [(a, articles[a]) for a in chunk])) for chunk in todo
    )
    for _, rows in pool.run(tasks.segment_chunk, jobs, WINDOW):
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
    jobs = ((batch, ([text_of[k] for k in batch],)) for batch in todo_batches)  # tag: the batch's keys
    for batch, blob in pool.run(tasks.embed_sentences, jobs, WINDOW):
        vectors = np.frombuffer(blob, dtype=np.float32).reshape(len(batch), -1)
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
    index = StoryIndex(settings["story_index_exact_below"])
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
    state_path: Path,
    context: CorpusContext,
    articles: dict[str, ArticleInput],
    units: dict[str, list[str]],
) -> int:
    done = {row[0] for row in state.execute("SELECT unit FROM units")}
    todo = {u: ids for u, ids in units.items() if u not in done}
    progress = Progress(sum(len(ids) for ids in todo.values()), "scoring")
    # Largest stories first, so the last task is a small one.
    order = sorted(todo, key=lambda u: (-len(todo[u]), u))
    shared = pool.share(context)

    def arguments(unit: str) -> tuple[Any, ...]:
        ids = todo[unit]
        # Workers on this machine read the story's inputs from the state file; others are sent them.
        inputs = str(state_path) if pool.reads_state else tasks.unit_inputs(state, ids)
        return shared, unit.split(".")[0], [(a, articles[a]) for a in ids], inputs

    jobs = ((u, arguments(u)) for u in order)
    for unit, result in pool.run(tasks.score_unit, jobs, WINDOW):
        scored = [(a, r) for a, r in result if a in todo[unit]]
        statements: list[tuple[str, tuple[Any, ...]]] = [
            ("INSERT OR REPLACE INTO results VALUES (?,?,?)", (a, unit, r)) for a, r in scored
        ]
        statements.append(("INSERT INTO units VALUES (?)", (unit,)))
        _transaction(state, statements)
        progress.update(len(scored))
    progress.close()
    return len(done)


def _source_ratings(state: sqlite3.Connection, ordered: list[str]) -> dict[str, dict[str, Any]]:
    """Each outlet's rating over the batch's articles (`scorer.source_rating`), reading the results
    one by one. Raises ReliabilityError when an article has no result (the run was interrupted)."""
    from service.engine.scorer import source_rating

    by_source: dict[str, list[float]] = defaultdict(list)
    missing = 0
    for a in ordered:
        row = state.execute("SELECT result FROM results WHERE article_id = ?", (a,)).fetchone()
        if row is None:
            missing += 1
            continue
        result = json.loads(row[0])
        domain = result["source"]["domain"]
        if domain:
            # the score is the calibrated probability in points; the rating is over probabilities
            by_source[domain].append(result["score"] / 100.0)
    if missing:
        raise ReliabilityError(f"{missing} article(s) have no result; run again with --resume")
    return {domain: source_rating(domain, probs) for domain, probs in by_source.items()}


def _result(
    state: sqlite3.Connection, article_id: str, ratings: dict[str, dict[str, Any]] | None
) -> dict[str, Any]:
    """One article's score object from the state, with its outlet's rating over the whole batch
    (`ratings`; None keeps the one it was scored with)."""
    row = state.execute("SELECT result FROM results WHERE article_id = ?", (article_id,)).fetchone()
    if row is None:
        raise ReliabilityError(f"article {article_id} has no result; run again with --resume")
    result: dict[str, Any] = json.loads(row[0])
    domain = result["source"]["domain"]
    if domain and ratings is not None:
        result["source"] = ratings[domain]
    return result


def _store(
    database_url: str,
    state: sqlite3.Connection,
    articles: dict[str, ArticleInput],
    batch: set[str],
    ratings: dict[str, dict[str, Any]],
    embedder: str | None,
) -> None:
    """Add the batch's articles, vectors and scores to the service's store (a stored text is left as is)."""
    from service.store.db import Store, now

    unscored = state.execute(
        "SELECT COUNT(*) FROM vectors WHERE article_id NOT IN (SELECT article_id FROM results)"
    ).fetchone()[0]
    if unscored:  # checked before the first row is stored: a failed run stores nothing
        raise ReliabilityError(f"{unscored} article(s) have no result; run again with --resume")
    store = Store(database_url)
    store.migrate()
    for article_id, keys, vectors, lead, names in state.execute("SELECT * FROM vectors ORDER BY article_id"):
        # A stored story mate keeps the rating it was stored with; a batch article gets the batch's.
        result = _result(state, article_id, ratings if article_id in batch else None)
        article = articles[article_id]
        stamp = now()
        row = {
            "article_id": article_id, "external_id": article.id, "input": article.input,
            "source": article.source, "url": article.url, "title": result["title"],
            "published_at": article.published_at, "language": result["language"], "text": article.text,
            "story_id": result["story_id"], "score": result["score"], "probability": result["score"] / 100.0,
            "label": result["label"], "model_version": result["model_version"],
            "result": json.dumps({k: v for k, v in result.items() if k != "text"}, ensure_ascii=False),
            "vector": lead, "names": names, "sentence_keys": keys, "sentence_vectors": vectors,
            "created_at": stamp, "scored_at": stamp,
        }  # fmt: skip
        store.save([row], [])
    store.dispose()
