"""The batch's tasks, as a worker runs them, and the pools that run them.

A task gets what it reads as arguments (articles, prepared documents, stored vectors), or, where the
pool `reads_state` (its workers run on the batch's machine), the path of the state file to read them
from: a process on this machine (`ProcessPool`), this process (`InlinePool`, --workers 1) and a Dask
worker here or on another host (`dask_pool.DaskPool`) run the same functions on the same inputs and
return the same bytes. Each task runs its numerical code on
one thread: vectors and scores never depend on how many workers or threads a run had.

A pool has three methods: `share(obj)` (an object every task of the run reads: a handle to it that
tasks take as an argument), `run(fn, jobs, window)` (each job a (tag, args) pair; yields (tag, result)
as tasks finish, with at most `window` in flight) and `shutdown()`.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle  # the state file's prepared Documents: written and read by this program only (trust it as OUT)
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from contextlib import closing, nullcontext
from pathlib import Path
from typing import Any

import numpy as np

from service.engine import story
from service.engine.pipeline import EMBEDDED_KINDS, CorpusContext
from service.engine.records import ArticleInput
from service.engine.threads import limited_threads

from .lifeline import die_with

# The models of this worker process, loaded once (by the pool's initializer or the Dask plugin).
_worker: dict[str, Any] = {}


def load_models(embedder: str | None) -> None:
    """Load the engine's resources into this process, with one embedder thread: a worker uses one core
    per task, so --workers N (or N Dask worker threads) use N cores, and vectors do not depend on N."""
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
    _worker["embedder"] = embedder
    # A worker running several tasks at once (a Dask worker with --nthreads > 1) shares one embedding
    # cache, which a story's scoring fills and clears: stories are scored one at a time per process.
    _worker["scoring"] = threading.Lock()


def init_worker(embedder: str | None, batch_pid: int) -> None:
    die_with(batch_pid)  # first: a worker never outlives its batch, even a batch killed while it loads
    load_models(embedder)


def ready() -> bool:
    return True


def segment_chunk(
    context: CorpusContext, articles: list[tuple[str, ArticleInput]]
) -> list[tuple[str, str, str, str, bytes]]:
    """(article id, sentence keys, sentence texts, names, pickled Document) of each article: what is
    to be embedded, and the prepared article the scoring phase reads back instead of preparing it again."""
    from service.engine.pipeline import prepare

    with limited_threads(1):  # one core per task
        docs = prepare([a for _, a in articles], context)
    out = []
    key = _worker["resources"].embeddings.key
    for (article_id, _), doc in zip(articles, docs, strict=True):
        texts = [s.text for s in doc.content_sentences if s.kind in EMBEDDED_KINDS]
        names = json.dumps(sorted(story.article_names(doc)), ensure_ascii=False)
        keys = json.dumps([key(t) for t in texts])
        out.append((article_id, keys, json.dumps(texts, ensure_ascii=False), names, pickle.dumps(doc, protocol=5)))
    return out


def embed_sentences(texts: list[str]) -> bytes:
    """Vectors of one fixed batch of distinct sentences (the same batch in every run: reproducible bits)."""
    model = _worker["resources"].embeddings.model
    with limited_threads(1):
        vectors = model.encode(
            texts, batch_size=64, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
    return np.ascontiguousarray(vectors, dtype=np.float32).tobytes()


UnitInputs = tuple[list[tuple[str, bytes]], dict[str, bytes]]


def unit_inputs(conn: sqlite3.Connection, ids: list[str]) -> UnitInputs:
    """What scoring these articles reads from the state file: the (sentence keys JSON, float32
    vectors) of each, and the pickled Documents prepared while segmenting (stored mates of --db
    have none: the task prepares them)."""
    marks = ",".join("?" * len(ids))
    vectors = conn.execute(f"SELECT keys, vectors FROM vectors WHERE article_id IN ({marks})", ids).fetchall()
    documents = dict(conn.execute(f"SELECT article_id, document FROM segmented WHERE article_id IN ({marks})", ids))
    return vectors, documents


def score_unit(
    context: CorpusContext, unit: str, articles: list[tuple[str, ArticleInput]], inputs: str | UnitInputs
) -> list[tuple[str, str]]:
    """Score one story (or slice of one) as a corpus; returns (article id, score object as JSON) pairs.

    `inputs` is `unit_inputs` of the articles, or the path of the state file to read them from (a
    worker on the batch's machine: nothing to send)."""
    if isinstance(inputs, str):
        read_only = Path(inputs).resolve().as_uri() + "?mode=ro"  # as a URI: a '?' or '#' in a path is escaped
        with closing(sqlite3.connect(read_only, uri=True)) as conn:
            inputs = unit_inputs(conn, [a for a, _ in articles])
    with _worker.get("scoring") or nullcontext(), limited_threads(1):
        return _score_unit_here(context, unit, articles, *inputs)


def _score_unit_here(
    context: CorpusContext,
    unit: str,
    articles: list[tuple[str, ArticleInput]],
    vectors: list[tuple[str, bytes]],
    documents: dict[str, bytes],
) -> list[tuple[str, str]]:
    from service.engine.explain import score_object
    from service.engine.pipeline import analyze, predict_analyses, prepare

    res = _worker["resources"]
    res.embeddings.clear()  # this story's stored vectors only, whatever the worker scored before
    for keys_json, blob in vectors:
        keys = json.loads(keys_json)
        if keys:
            res.embeddings.prime(keys, np.frombuffer(blob, dtype=np.float32).reshape(len(keys), -1))
    ids = [a for a, _ in articles]
    missing = [(a, article) for a, article in articles if a not in documents]
    prepared = dict(zip((a for a, _ in missing), prepare([article for _, article in missing], context), strict=True))
    docs = [pickle.loads(documents[a]) if a in documents else prepared[a] for a in ids]
    analyses = analyze(docs, res)
    for analysis in analyses:
        analysis.story_id = unit  # the batch's story, not the sub-grouping of this slice
    predictions = predict_analyses(analyses, res)
    # As JSON text, the form the state file keeps: a string crosses to the batch process (and Dask
    # sizes it) far faster than the nested dicts of a score object.
    return [
        (
            analysis.doc.article_id,
            json.dumps(score_object(analysis, prediction, res.model_version, None), ensure_ascii=False),
        )
        for analysis, prediction in zip(analyses, predictions, strict=True)
    ]


# -- pools on this machine ----------------------------------------------------------------


def bounded(
    submit: Any, first_done: Any, jobs: Iterable[tuple[Any, tuple[Any, ...]]], fn: Any, window: int
) -> Iterator[tuple[Any, Any]]:
    """Run `fn(*args)` for each (tag, args) of `jobs`, at most `window` at a time, yielding (tag, result)
    as each finishes. `submit(fn, *args)` returns a future; `first_done(futures)` returns the finished
    ones among them (blocking until one is). The window bounds what the client holds: a story's
    arguments are read from the state file only when a slot frees up."""
    pending: dict[Any, Any] = {}
    jobs = iter(jobs)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            job = next(jobs, None)
            if job is None:
                exhausted = True
                break
            tag, args = job
            pending[submit(fn, *args)] = tag
        if not pending:
            return
        for future in first_done(list(pending)):
            yield pending.pop(future), future.result()


class InlinePool:
    """The pool interface in this process, for --workers 1 (same code path, no pickling)."""

    reads_state = True  # whether tasks can open the batch's state file (they run on its machine)

    def __init__(self, embedder: str | None) -> None:
        init_worker(embedder, os.getpid())

    def share(self, obj: Any) -> Any:
        return obj

    def run(self, fn: Any, jobs: Iterable[tuple[Any, tuple[Any, ...]]], window: int) -> Iterator[tuple[Any, Any]]:
        for tag, args in jobs:  # one at a time, each committed before the next starts
            yield tag, fn(*args)

    def shutdown(self) -> None:
        return None


class ProcessPool:
    """`workers` processes of this machine (spawn: a clean interpreter each, whatever threads this
    process runs), each loading the models once and exiting with the batch (`lifeline.die_with`)."""

    reads_state = True

    def __init__(self, workers: int, embedder: str | None) -> None:
        context = multiprocessing.get_context("spawn")
        self.workers = workers
        self.executor = ProcessPoolExecutor(workers, context, init_worker, (embedder, os.getpid()))
        for _ in range(workers):
            self.executor.submit(ready)  # start the workers now: they load the models while the files are read

    def share(self, obj: Any) -> Any:
        return obj  # pickled with each task: a process pool has no shared store

    def run(self, fn: Any, jobs: Iterable[tuple[Any, tuple[Any, ...]]], window: int) -> Iterator[tuple[Any, Any]]:
        return bounded(self.executor.submit, _first_done, jobs, fn, max(window, 4 * self.workers))

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _first_done(futures: list[Any]) -> set[Any]:
    return wait(futures, return_when=FIRST_COMPLETED).done
