"""The API under a real `reliability serve` (gunicorn arbiter, waitress workers, SQLite in WAL mode), from outside.

- concurrent ingest: 8 clients, 200 distinct articles and 40 duplicates raced against them;
  exactly the acknowledged articles are stored, once each;
- kill -9 mid-stream: every acknowledged article survives a restart, no row is half-written;
- SIGTERM: in-flight requests are answered before the server exits 0 within its grace period;
- API keys: a non-loopback bind needs one; without it /v1 answers 401; revocation holds.

Each test starts its own server on a free port and a SQLite file of its own; the server's
log is printed when a test fails. Run with -s to see the figures the tests print.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import signal
import socket
import sqlite3
import subprocess
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.api.live import REQUEST_TIMEOUT, LiveServer, free_port, load_documents, payload, run_cli, server_env

VECTOR_BYTES = 512 * 4  # one float32 vector of the embedder's width


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    docs = load_documents()
    assert len(docs) == 200
    assert len({d["text"] for d in docs}) == 200, "the documents are expected to be distinct"
    return docs


def new_server(servers: list[LiveServer], tmp_path: Path, db_path: Path, **kwargs: Any) -> LiveServer:
    server = LiveServer(tmp_path, db_path, **kwargs)
    servers.append(server)
    server.start()
    return server


def read_rows(db_path: Path) -> dict[str, dict[str, Any]]:
    """Every stored article straight from the SQLite file, after checking the file's integrity."""
    conn = sqlite3.connect(db_path, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall()[0][0] == "ok"
        total, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT article_id) FROM articles").fetchone()
        assert total == distinct, f"{total} rows for {distinct} article ids"
        rows = {r["article_id"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    finally:
        conn.close()
    assert len(rows) == total
    return rows


def check_whole(row: dict[str, Any]) -> None:
    """A stored row is complete: text, vectors and score written together, consistent with each other."""
    article_id = row["article_id"]
    assert row["text"], f"{article_id}: no text"
    # the id is the content hash of the stored (normalized) text
    assert hashlib.sha256(row["text"].encode("utf-8")).hexdigest()[:16] == article_id
    assert row["score"] is not None and 0 <= row["score"] <= 100, f"{article_id}: score {row['score']}"
    assert row["probability"] is not None and row["label"], f"{article_id}: no probability or label"
    assert row["story_id"], f"{article_id}: no story"
    assert row["result"], f"{article_id}: no result"
    result = json.loads(row["result"])
    assert result["article_id"] == article_id
    assert result["label"] == row["label"]
    assert isinstance(row["vector"], bytes) and len(row["vector"]) == VECTOR_BYTES, f"{article_id}: lead vector"
    keys = json.loads(row["sentence_keys"])
    vectors = row["sentence_vectors"]
    assert keys and isinstance(vectors, bytes), f"{article_id}: no sentence vectors"
    assert len(vectors) == len(keys) * VECTOR_BYTES, f"{article_id}: {len(keys)} sentence keys, {len(vectors)} bytes"
    assert isinstance(json.loads(row["names"]), list)
    assert row["created_at"] and row["scored_at"]


# -- 1. concurrent ingest ---------------------------------------------------------------------


def test_concurrent_ingest_stores_each_acknowledged_article_once(
    documents: list[dict[str, Any]], servers: list[LiveServer], tmp_path: Path
) -> None:
    db_path = tmp_path / "store.db"
    server = new_server(servers, tmp_path, db_path)
    print(f"\n[concurrency] server ready in {server.wait_ready():.1f} s")

    # 200 distinct articles in a seeded order; 40 of them posted a second time right behind the
    # first post, so with 8 clients the two usually race through scoring and the insert.
    rng = random.Random(1234)
    order = list(range(len(documents)))
    rng.shuffle(order)
    duplicated = set(rng.sample(order, 40))
    jobs: list[int] = []
    for k in order:
        jobs.append(k)
        if k in duplicated:
            jobs.append(k)
    assert len(jobs) == 240

    local = threading.local()

    def post(k: int) -> tuple[int, int, dict[str, Any], float, float]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        started = time.monotonic()
        try:
            response = session.post(server.url("/v1/articles"), json=payload(documents[k], k), timeout=REQUEST_TIMEOUT)
        except requests.RequestException as exc:
            return k, -1, {"error": repr(exc)}, started, time.monotonic()
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/") else {}
        return k, response.status_code, body, started, time.monotonic()

    cpu_before = server.cpu_seconds()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(post, jobs))
    elapsed = time.monotonic() - started
    cpu = server.cpu_seconds() - cpu_before

    statuses = Counter(status for _, status, _, _, _ in results)
    if statuses[-1]:
        assert server.proc is not None
        signals = [line for line in server.log().splitlines() if "signal" in line.lower()]
        pytest.fail(
            f"{statuses[-1]} POSTs got no answer ({next(r[2] for r in results if r[1] == -1)}); "
            f"server exit code {server.proc.poll()}; signals it logged: {signals}"
        )
    assert set(statuses) <= {200, 201}, f"unexpected statuses {statuses}: {[r for r in results if r[1] > 201][:3]}"

    by_doc: dict[int, list[tuple[int, dict[str, Any], float, float]]] = defaultdict(list)
    for k, status, body, t0, t1 in results:
        assert body["created"] is (status == 201), f"doc {k}: status {status} with created={body['created']}"
        by_doc[k].append((status, body, t0, t1))
    assert len(by_doc) == 200
    acknowledged: dict[str, int] = {}
    raced = 0
    for k, answers in by_doc.items():
        ids = {body["article_id"] for _, body, _, _ in answers}
        assert len(ids) == 1, f"doc {k}: one text answered with ids {ids}"
        assert [status for status, _, _, _ in answers].count(201) == 1, f"doc {k}: {answers}"
        assert len(answers) == (2 if k in duplicated else 1)
        if len(answers) == 2:
            (_, _, a0, a1), (_, _, b0, b1) = answers
            raced += a0 < b1 and b0 < a1  # both posts were in flight at once
        acknowledged[ids.pop()] = k
    assert len(acknowledged) == 200, "distinct texts must get distinct ids"

    # Straight from the file: exactly the acknowledged articles, each once and complete.
    rows = read_rows(db_path)
    assert set(rows) == set(acknowledged), (
        f"lost {sorted(set(acknowledged) - set(rows))[:5]}, unexpected {sorted(set(rows) - set(acknowledged))[:5]}"
    )
    for article_id, row in rows.items():
        check_whole(row)
        k = acknowledged[article_id]
        assert row["title"] == documents[k]["title"]
        assert row["source"] == f"outlet{k % 7}.example"

    # Through the API: every acknowledged article reads back as what was posted.
    def read_back(item: tuple[str, int]) -> tuple[str, int, int, dict[str, Any]]:
        article_id, k = item
        response = requests.get(server.url(f"/v1/articles/{article_id}"), timeout=REQUEST_TIMEOUT)
        return article_id, k, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=8) as pool:
        for article_id, k, status, body in pool.map(read_back, acknowledged.items()):
            assert status == 200, body
            assert body["article_id"] == article_id
            assert body["title"] == documents[k]["title"]
            assert body["source"] == f"outlet{k % 7}.example"
            assert body["text"] == rows[article_id]["text"]

    log = server.log()
    assert "Traceback" not in log
    latencies = sorted(t1 - t0 for _, _, _, t0, t1 in results)
    print(
        f"[concurrency] {len(jobs)} POSTs ({len(duplicated)} duplicates, {raced} raced their original) "
        f"in {elapsed:.1f} s: {len(jobs) / elapsed:.2f} requests/s, {len(acknowledged) / elapsed:.2f} articles/s; "
        f"statuses {dict(statuses)}; latency median {latencies[len(latencies) // 2]:.2f} s, "
        f"max {latencies[-1]:.2f} s; {len(rows)} rows in the file; "
        f"server CPU {cpu:.0f} s ({cpu / len(jobs):.2f} s per POST, {cpu / elapsed:.2f} cores busy on average)"
    )


# -- 2. kill -9 mid-stream --------------------------------------------------------------------


def test_kill_9_mid_stream_loses_no_acknowledged_article(
    documents: list[dict[str, Any]], servers: list[LiveServer], tmp_path: Path
) -> None:
    db_path = tmp_path / "store.db"
    server = new_server(servers, tmp_path, db_path)
    print(f"\n[kill -9] server ready in {server.wait_ready():.1f} s")

    rng = random.Random(20240611)
    order = list(range(len(documents)))
    rng.shuffle(order)
    target = rng.randint(25, 35)  # acknowledged articles before the kill
    delay = rng.uniform(0.05, 0.8)  # then a little more, to land anywhere in a request

    lock = threading.Condition()
    queue = iter(order[:120])
    acked: dict[str, int] = {}  # article id -> document index, of every 2xx
    interrupted: list[tuple[int, float]] = []  # (document index, sent at) of posts without an answer
    unexpected: list[str] = []
    killed = threading.Event()
    kill_time: list[float] = []

    def client() -> None:
        session = requests.Session()
        while not killed.is_set():
            with lock:
                k = next(queue, None)
            if k is None:
                return
            sent = time.monotonic()
            try:
                response = session.post(
                    server.url("/v1/articles"), json=payload(documents[k], k), timeout=REQUEST_TIMEOUT
                )
            except requests.RequestException:  # the connection died with the server
                with lock:
                    interrupted.append((k, sent))
                continue
            with lock:
                if response.status_code in (200, 201):
                    acked[response.json()["article_id"]] = k
                    lock.notify_all()
                else:
                    unexpected.append(f"doc {k}: {response.status_code} {response.text[:200]}")

    def killer() -> None:
        with lock:
            lock.wait_for(lambda: len(acked) >= target or bool(unexpected), timeout=240)
        time.sleep(delay)
        kill_time.append(time.monotonic())
        server.kill_group()  # SIGKILL to the master and its workers at once
        killed.set()

    clients = [threading.Thread(target=client, daemon=True) for _ in range(2)]
    kill_thread = threading.Thread(target=killer, daemon=True)
    started = time.monotonic()
    for thread in [*clients, kill_thread]:
        thread.start()
    for thread in [*clients, kill_thread]:
        thread.join(timeout=300)
        assert not thread.is_alive(), "the stream or the kill hung"
    assert not unexpected, unexpected
    assert kill_time, "the server was never killed"
    in_flight = [k for k, sent in interrupted if sent < kill_time[0]]
    assert len(acked) >= target
    assert in_flight, "no request was in flight when the server was killed"
    print(
        f"[kill -9] killed {kill_time[0] - started:.1f} s into the stream: {len(acked)} acknowledged "
        f"(target {target}), {len(in_flight)} in flight"
    )

    # The file as the kill left it (SQLite replays its WAL on open): whole rows only.
    rows = read_rows(db_path)
    missing = set(acked) - set(rows)
    assert not missing, f"acknowledged articles lost: {sorted(missing)}"
    attempted = set(acked.values()) | {k for k, _ in interrupted}
    for article_id, row in rows.items():
        check_whole(row)
        # nothing but what was sent: acknowledged, or in flight and committed before the kill
        matches = [k for k in attempted if documents[k]["title"] == row["title"]]
        assert matches and row["source"] in {f"outlet{k % 7}.example" for k in matches}, article_id
    assert len(rows) <= len(acked) + len(in_flight)

    # A new server on the same file serves every acknowledged article.
    restarted = new_server(servers, tmp_path, db_path)
    print(f"[kill -9] restarted server ready in {restarted.wait_ready():.1f} s; {len(rows)} rows in the file")
    session = requests.Session()
    for article_id, k in acked.items():
        response = session.get(restarted.url(f"/v1/articles/{article_id}"), timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, (article_id, response.text)
        body = response.json()
        assert body["title"] == documents[k]["title"] and body["source"] == f"outlet{k % 7}.example"
        response = session.get(restarted.url(f"/v1/articles/{article_id}/score"), timeout=REQUEST_TIMEOUT)
        assert response.status_code == 200, (article_id, response.text)
        assert response.json()["article_id"] == article_id
    # The store still deduplicates and still takes writes.
    article_id, k = next(iter(acked.items()))
    response = session.post(restarted.url("/v1/articles"), json=payload(documents[k], k), timeout=REQUEST_TIMEOUT)
    assert (response.status_code, response.json()["created"], response.json()["article_id"]) == (
        200,
        False,
        article_id,
    )
    fresh = next(k for k in order if k not in attempted)
    response = session.post(
        restarted.url("/v1/articles"), json=payload(documents[fresh], fresh), timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 201, response.text
    assert len(read_rows(db_path)) == len(rows) + 1


# -- 3. SIGTERM drains in-flight requests -----------------------------------------------------


def test_sigterm_answers_in_flight_requests_then_exits_0(
    documents: list[dict[str, Any]], servers: list[LiveServer], tmp_path: Path
) -> None:
    grace = 20
    server = new_server(servers, tmp_path, tmp_path / "store.db", env={"RELIABILITY_GRACEFUL_TIMEOUT": str(grace)})
    print(f"\n[sigterm] server ready in {server.wait_ready():.1f} s")
    # The first request of a process pays for warming the models up; keep that out of the measure.
    warm = requests.post(server.url("/v1/score"), json=payload(documents[0], 0), timeout=REQUEST_TIMEOUT)
    assert warm.status_code == 200, warm.text

    answers: dict[int, tuple[int, dict[str, Any], float]] = {}
    errors: list[str] = []

    def slow_request(n: int) -> None:
        # five documents in one article: a few seconds to score, three at once on two cores more
        text = "\n\n".join(documents[10 + 5 * n + j]["text"] for j in range(5))
        try:
            response = requests.post(
                server.url("/v1/score"), json={"text": text, "source": "long.example"}, timeout=REQUEST_TIMEOUT
            )
            answers[n] = (response.status_code, response.json(), time.monotonic())
        except requests.RequestException as exc:
            errors.append(f"request {n}: {exc!r}")

    threads = [threading.Thread(target=slow_request, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    # SIGTERM once the worker has read all three and is scoring them: its metrics count the
    # "prepare" stage (the first one of scoring) of each request, the warm-up one included.
    deadline = time.monotonic() + 60
    while stage_count(server, "prepare") < 4:
        assert time.monotonic() < deadline, "the three requests never reached the scorer"
        assert not errors, errors
        time.sleep(0.05)
    assert not answers and not errors, f"answered before the SIGTERM: {answers} {errors}"
    assert server.proc is not None
    term_at = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)  # the master; gunicorn passes it on to its worker
    try:
        code = server.proc.wait(timeout=grace + 10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the server still runs {grace + 10} s after SIGTERM")
    exited_after = time.monotonic() - term_at
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT)
        assert not thread.is_alive()

    assert not errors, errors
    assert sorted(answers) == [0, 1, 2]
    for n, (status, body, done_at) in answers.items():
        assert status == 200, body
        assert 0 <= body["score"] <= 100 and body["label"]
        assert done_at > term_at, f"request {n} was not in flight at the SIGTERM"
    assert code == 0
    assert exited_after < grace, f"exited {exited_after:.1f} s after SIGTERM, grace is {grace} s"
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", server.port)) != 0, "the port still accepts connections"
    print(
        f"[sigterm] {len(answers)} in-flight requests answered 200 "
        f"{max(done for _, _, done in answers.values()) - term_at:.1f} s after SIGTERM at the latest; "
        f"the server exited {code} after {exited_after:.1f} s (grace {grace} s)"
    )


def stage_count(server: LiveServer, stage: str) -> float:
    """How many scorings went through `stage`, from the server's Prometheus metrics."""
    text = requests.get(server.url("/metrics"), timeout=REQUEST_TIMEOUT).text
    match = re.search(rf'^reliability_scoring_stage_seconds_count{{stage="{stage}"}} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


# -- 4. API keys --------------------------------------------------------------------------------


def test_non_loopback_bind_needs_an_api_key_and_revocation_holds(
    documents: list[dict[str, Any]], servers: list[LiveServer], tmp_path: Path
) -> None:
    db_path = tmp_path / "store.db"
    env = server_env(tmp_path, db_path)

    # No key in the store: refused at once, with one line saying why.
    port = free_port("0.0.0.0")
    started = time.monotonic()
    refused = run_cli(["serve", "--host", "0.0.0.0", "--port", str(port)], env)
    assert refused.returncode == 2, refused
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, refused.stderr
    assert "API key" in lines[0] and "reliability keys create" in lines[0], lines[0]
    print(f"\n[keys] refused in {time.monotonic() - started:.1f} s: {lines[0]}")

    created = run_cli(["keys", "create", "test"], env)
    assert created.returncode == 0, created
    token = created.stdout.strip()
    assert token.startswith("rel_") and len(token.splitlines()) == 1, created.stdout
    prefix = token[:12]

    server = new_server(servers, tmp_path, db_path, host="0.0.0.0")
    print(f"[keys] server on 0.0.0.0:{server.port} ready in {server.wait_ready():.1f} s")
    assert "active API key" in server.log()

    missing = "/v1/articles/0000000000000000"

    def get(path: str, key: str | None) -> requests.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return requests.get(server.url(path), headers=headers, timeout=REQUEST_TIMEOUT)

    def assert_401(response: requests.Response) -> None:
        assert response.status_code == 401, response.text
        assert response.headers["Content-Type"].startswith("application/problem+json")
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        body = response.json()
        assert body["status"] == 401 and body["type"].endswith("/unauthorized"), body
        assert "API key" in body["detail"]

    assert_401(get(missing, None))
    assert_401(get(missing, "rel_not-a-key"))
    assert_401(requests.post(server.url("/v1/articles"), json=payload(documents[0], 0), timeout=REQUEST_TIMEOUT))
    assert get("/healthz", None).status_code == 200  # probes stay public

    # With the key the request gets through: to a 404 for an unknown id, and to a stored article.
    assert get(missing, token).status_code == 404
    response = requests.post(
        server.url("/v1/articles"),
        json=payload(documents[0], 0),
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT,
    )
    assert response.status_code == 201, response.text
    stored = response.json()["article_id"]
    assert get(f"/v1/articles/{stored}", token).status_code == 200
    assert_401(get(f"/v1/articles/{stored}", None))

    # A key created while the server runs works at once; `keys list` shows prefixes, never keys.
    other = run_cli(["keys", "create", "other"], env)
    assert other.returncode == 0, other
    other_token = other.stdout.strip()
    assert get(f"/v1/articles/{stored}", other_token).status_code == 200
    listed = run_cli(["keys", "list"], env)
    assert listed.returncode == 0, listed
    assert prefix in listed.stdout and other_token[:12] in listed.stdout
    for secret in (token, other_token):
        assert secret not in listed.stdout and secret[12:24] not in listed.stdout

    # Revoked: the key fails at once and after the server's 5 s key-count cache; the other still works.
    revoked = run_cli(["keys", "revoke", prefix], env)
    assert revoked.returncode == 0, revoked
    assert_401(get(f"/v1/articles/{stored}", token))
    assert get(f"/v1/articles/{stored}", other_token).status_code == 200
    time.sleep(5.5)
    assert_401(get(f"/v1/articles/{stored}", token))
    assert_401(get(f"/v1/articles/{stored}", None))
    assert get(f"/v1/articles/{stored}", other_token).status_code == 200
    listed = run_cli(["keys", "list"], env)
    assert any(prefix in line and "revoked" in line for line in listed.stdout.splitlines()), listed.stdout
    again = run_cli(["keys", "revoke", prefix], env)
    assert again.returncode == 2 and "no active key" in again.stderr, again
    print("[keys] 401 without, with a bad and with a revoked key; 200/201/404 with a valid one")
