"""Latency of POST /v1/score on a live server with 1,000 and with 20,000 stored articles.

Usage: python bench/bench_api_latency.py [--sizes 1000 20000] [--data ../shared/data]

The store of each size holds 160 real French news articles (RPM2 dev, 8 of each of its 20
stories, ingested through the service) and synthetic filler up to the size: real article
texts made unique, spread over 200 outlets, with random unit vectors and names so that they
belong to stories of their own. The probes are the 40 held-out RPM2 articles (2 per story),
each scored once against the store by a live `reliability serve` (gunicorn, 1 worker): a
typical article with typical story mates, so the figures show what a larger store costs,
not a larger story. Prints p50/p95 for each size, their ratios, and the server's RSS.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.settings import load_settings  # noqa: E402
from service.store.db import Store, articles, now, pack  # noqa: E402
from service.store.scoring_service import ScoringService  # noqa: E402

OUTLETS = 200
STORED_PER_STORY = 8


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_documents(data: Path) -> list[dict[str, Any]]:
    path = data / "rpm2-fr-dev" / "documents.jsonl"
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for k, doc in enumerate(docs):
        doc["source"] = f"outlet{k % OUTLETS:03d}.example"
    return docs


def build_store(url: str, size: int, docs: list[dict[str, Any]], service: ScoringService) -> list[dict[str, Any]]:
    """Ingest the real stored articles, add filler up to `size`; return the probes."""
    by_story: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_story.setdefault(doc["cluster"], []).append(doc)
    probes = []
    stored_ids = []
    for story_docs in by_story.values():
        stored, held_out = story_docs[:STORED_PER_STORY], story_docs[STORED_PER_STORY:]
        bodies = [{"text": d["text"], "title": d["title"], "source": d["source"]} for d in stored]
        stored_ids += [r["article_id"] for r in service.score(bodies, persist=True)]
        probes.extend(held_out)
    store = service.store
    template = store.get(stored_ids[0])
    assert template is not None
    rng = np.random.default_rng(0)
    rows = []
    n_filler = size - store.count()
    for i in range(n_filler):
        base = docs[i % len(docs)]
        vector = rng.standard_normal(512).astype(np.float32)
        vector /= np.linalg.norm(vector)
        stamp = now()
        rows.append(
            {
                "article_id": f"f{i:015x}",
                "source": f"outlet{i % OUTLETS:03d}.example",
                "title": base["title"],
                "language": "fr",
                "text": f"{base['title']}\n\n{base['text']}\n\nDépêche d'archive n° {i}.",
                "story_id": f"s-filler{i // 8:06d}",
                "score": float(rng.uniform(0, 100)),
                "probability": float(rng.uniform(0, 1)),
                "label": "mixed",
                "model_version": template["model_version"],
                "result": template["result"],
                "vector": pack(vector.reshape(1, -1)),
                "names": json.dumps([f"filler name {i}", f"filler place {i % 97}"]),
                "sentence_keys": "[]",
                "sentence_vectors": b"",
                "created_at": stamp,
                "scored_at": stamp,
            }
        )
        if len(rows) == 2000 or i == n_filler - 1:
            with store.writing() as conn:
                conn.execute(articles.insert(), rows)
            rows = []
    assert store.count() == size, store.count()
    return probes


def rss_mib(pid: int) -> float:
    """Resident memory of the gunicorn master and its workers."""
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def measure(url: str, probes: list[dict[str, Any]]) -> dict[str, Any]:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "RELIABILITY_PORT": str(port), "RELIABILITY_RATE_LIMIT": "100000/minute"}
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "reliability"), "serve"], env=env, stdout=log, stderr=log,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if requests.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                log.seek(0)
                raise SystemExit(f"server did not start:\n{log.read()}")
            time.sleep(0.5)
        warm = probes[-1]
        for _ in range(3):
            requests.post(f"{base}/v1/score", json={"text": warm["text"][:2000]}, timeout=60)
        latencies = []
        for doc in probes:
            body = {"text": doc["text"], "title": doc["title"], "source": doc["source"]}
            started = time.perf_counter()
            response = requests.post(f"{base}/v1/score", json=body, timeout=60)
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
        mates = response.json()["independent_sources"]
        return {
            "p50": float(np.percentile(latencies, 50)),
            "p95": float(np.percentile(latencies, 95)),
            "mean": statistics.mean(latencies),
            "rss": rss_mib(server.pid),
            "last_independent_sources": mates,
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 20000])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args(argv)
    docs = load_documents(args.data)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            url = f"sqlite:///{tmp}/store-{size}.db"
            started = time.perf_counter()
            service = ScoringService(load_settings({"database_url": url}))
            probes = build_store(url, size, docs, service)
            service.store.dispose()
            built = time.perf_counter() - started
            results[size] = measure(url, probes)
            r = results[size]
            print(
                f"{size:>6} stored (built in {built:.0f} s): POST /v1/score p50 {1000 * r['p50']:.0f} ms, "
                f"p95 {1000 * r['p95']:.0f} ms, mean {1000 * r['mean']:.0f} ms over {len(probes)} articles; "
                f"server RSS {r['rss']:.0f} MiB",
                flush=True,
            )
            Store(url).dispose()
    if len(args.sizes) >= 2:
        small, large = results[args.sizes[0]], results[args.sizes[-1]]
        print(
            f"ratio {args.sizes[-1]} / {args.sizes[0]}: p50 {large['p50'] / small['p50']:.2f}, "
            f"p95 {large['p95'] / small['p95']:.2f} (target p95 < 1.5)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
