"""POST /v1/webhooks/cms (signed, queued, scored in the background) and GET /v1/webhooks/cms/{id}.

On SQLite and PostgreSQL (conftest.py). Most tests turn the app's worker thread off and drain
the queue in the test's own thread, so what ran is known exactly; the tests named *background*
and *restart* run the real thread and poll with a deadline.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from service.api.schemas import ScoreSchema, WebhookDeliverySchema
from service.cli import main
from service.cms import signing
from service.cms.queue import DeliveryQueue
from service.store.db import Store, now, webhook_deliveries
from tests.api.conftest import make_app, seed_payload
from tests.api.test_problems import assert_problem

URL = "/v1/webhooks/cms"
DEADLINE = 180.0  # seconds a background job may take on a loaded CI machine


class Hook:
    """An app with one integration ('ghost') and helpers to send it signed deliveries."""

    def __init__(self, app: Any, secret: str | None = None) -> None:
        self.app = app
        self.client = app.test_client()
        self.service = app.extensions["reliability"]
        self.store = self.service.store
        self.worker = app.extensions["webhook_worker"]
        self.queue: DeliveryQueue = self.worker.queue
        self.secret = secret or self.store.create_integration("ghost")[0]

    def post(
        self,
        payload: dict[str, Any] | None = None,
        *,
        body: bytes | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
        integration: str = "ghost",
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        raw = body if body is not None else json.dumps(payload).encode("utf-8")
        header = signature or signing.sign(secret or self.secret, raw, timestamp)
        sent = {"Reliability-Integration": integration, "Reliability-Signature": header, **(headers or {})}
        return self.client.post(URL, data=raw, content_type="application/json", headers=sent)

    def get(self, cms_id: str, **query: str) -> Any:
        return self.client.get(f"{URL}/{cms_id}", query_string=query)

    def jobs(self) -> list[dict[str, Any]]:
        return self.queue.rows()


def document(number: int = 2, cms_id: str = "6530f1c2a9e3b4001d2f7e11", status: str = "draft") -> dict[str, Any]:
    """A seed as a CMS would send it (seed 002 by default: the careful report)."""
    seed = seed_payload(number)
    title = seed["text"].splitlines()[0]
    return {"id": cms_id, "title": title, "text": seed["text"], "status": status, "source": "blog.example"}


def wait_until_done(hook: Hook, cms_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        response = hook.get(cms_id)
        assert response.status_code == 200, response.json
        if response.json["status"] != "queued":
            return dict(response.json)
        time.sleep(0.2)
    raise AssertionError(f"delivery of {cms_id} still queued after {DEADLINE:.0f} s: {hook.jobs()}")


@pytest.fixture
def hook(database_url: str, resources: Any) -> Iterator[Hook]:
    """Worker thread off: the test drains the queue itself."""
    app = make_app(database_url, webhook_worker=False)
    yield Hook(app)
    app.extensions["webhook_worker"].stop(timeout=60)
    app.extensions["reliability"].store.dispose()


@pytest.fixture
def live_hook(app: Any) -> Hook:
    """The default app: its worker thread scores deliveries (conftest stops it afterwards)."""
    return Hook(app)


# -- authentication -------------------------------------------------------------------


def test_wrong_or_missing_signature_is_401_problem_and_queues_nothing(hook: Hook) -> None:
    payload = document()
    body = assert_problem(hook.post(payload, secret="whsec_not-the-secret"), 401)
    assert "no v1 signature matches" in body["detail"]
    response = hook.post(payload, secret="whsec_not-the-secret")
    assert response.headers["WWW-Authenticate"].startswith("Reliability-Signature")
    # signed, then changed in transit
    raw = json.dumps(payload).encode()
    signature = signing.sign(hook.secret, raw)
    assert_problem(hook.post(body=raw.replace(b"draft", b"published"), signature=signature), 401)
    assert_problem(hook.post(payload, signature="v1=" + "0" * 64), 401)  # no timestamp
    assert_problem(hook.post(payload, signature="t=abc,v1=" + "0" * 64), 401)
    missing = hook.client.post(URL, json=payload, headers={"Reliability-Integration": "ghost"})
    body = assert_problem(missing, 401)
    assert "Reliability-Signature: t=<unix seconds>,v1=" in body["detail"]
    assert_problem(hook.post(payload, integration="wordpress"), 401)  # unknown integration
    assert hook.jobs() == []


def test_timestamp_outside_five_minutes_is_401(hook: Hook) -> None:
    payload = document()
    stale = assert_problem(hook.post(payload, timestamp=int(time.time()) - 301), 401)
    assert "outside the 300 s window" in stale["detail"]
    # From the future: int() drops up to a second and the request takes time, so 301 s ahead can
    # be 299.x s ahead when the server reads its clock (seen once on a loaded 2-core machine).
    assert_problem(hook.post(payload, timestamp=int(time.time()) + 330), 401)
    assert hook.jobs() == []
    assert hook.post(payload, timestamp=int(time.time()) - 280).status_code == 202  # inside the window


def test_replayed_request_is_401(hook: Hook) -> None:
    payload = document()
    raw = json.dumps(payload).encode()
    signature = signing.sign(hook.secret, raw)
    first = hook.post(body=raw, signature=signature)
    assert first.status_code == 202, first.json
    body = assert_problem(hook.post(body=raw, signature=signature), 401)
    assert "replay" in body["detail"]
    assert len(hook.jobs()) == 1
    # the same body signed again (a new timestamp) is a fresh delivery of the same job
    later = hook.post(body=raw, timestamp=int(time.time()) + 1)
    assert later.status_code == 202 and later.json["delivery_id"] == first.json["delivery_id"]


def test_revoked_integration_is_401(
    hook: Hook, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["integrations", "add", "strapi"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("whsec_") and len(secret) > 40
    assert main(["integrations", "list"]) == 0
    listing = capsys.readouterr().out
    assert "strapi" in listing and secret[:12] in listing and secret not in listing and "ghost" in listing
    assert hook.post(document(), integration="strapi", secret=secret).status_code == 202
    assert main(["integrations", "revoke", "strapi"]) == 0
    body = assert_problem(hook.post(document(status="pending"), integration="strapi", secret=secret), 401)
    assert "no active integration named 'strapi'" in body["detail"]
    assert main(["integrations", "revoke", "strapi"]) == 2
    assert main(["integrations", "add", "strapi"]) == 2  # names are never reused
    capsys.readouterr()
    assert main(["integrations", "list"]) == 0
    assert "revoked" in next(line for line in capsys.readouterr().out.splitlines() if line.startswith("strapi"))
    assert len(hook.jobs()) == 1


def test_webhook_needs_no_api_key_but_reading_it_back_does(hook: Hook) -> None:
    token, _ = hook.store.create_key("newsroom")
    hook.app.extensions["key_checker"].forget()
    accepted = hook.post(document())
    assert accepted.status_code == 202, accepted.json
    assert_problem(hook.client.get(accepted.headers["Location"]), 401)
    assert_problem(hook.client.post("/v1/score", json={"text": "Le maire a parlé mardi."}), 401)
    read = hook.client.get(accepted.headers["Location"], headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200 and read.json["status"] == "queued"


def test_webhook_is_rate_limited_per_integration(database_url: str, resources: Any) -> None:
    app = make_app(database_url, webhook_worker=False, rate_limit="2/minute")
    try:
        hook = Hook(app)
        assert hook.post(document(status="draft")).status_code == 202
        assert hook.post(document(status="pending")).status_code == 202
        limited = hook.post(document(status="scheduled"))
        assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) > 0
        assert len(hook.jobs()) == 2
    finally:
        app.extensions["reliability"].store.dispose()


# -- validation -----------------------------------------------------------------------


def test_invalid_payloads_are_problems_and_queue_nothing(hook: Hook) -> None:
    both = {**document(), "html": "<p>Le maire a parlé.</p>"}
    body = assert_problem(hook.post(both), 422)
    assert "exactly one of 'text' and 'html'" in body["detail"]
    neither = {k: v for k, v in document().items() if k != "text"}
    assert "exactly one" in assert_problem(hook.post(neither), 422)["detail"]
    body = assert_problem(hook.post(document(status="deleted")), 422)
    assert "status" in body["errors"]
    body = assert_problem(hook.post(document(cms_id="posts/12")), 422)
    assert "id" in body["errors"]
    no_id = {k: v for k, v in document().items() if k != "id"}
    assert "id" in assert_problem(hook.post(no_id), 422)["errors"]
    assert "colour" in assert_problem(hook.post({**document(), "colour": "red"}), 422)["errors"]
    assert_problem(hook.post(body=b'{"id": "1", "text": '), 400)  # signed, but not JSON
    assert_problem(hook.post(body=b"[" * 50_000 + b"]" * 50_000), 400)  # signed, nested beyond reason
    surrogate = assert_problem(hook.post(body=json.dumps({**document(), "title": "\ud800"}).encode()), 422)
    assert list(surrogate["errors"]) == ["title"]
    signed = {"Reliability-Integration": "ghost", "Reliability-Signature": signing.sign(hook.secret, b"id=1")}
    form = hook.client.post(URL, data=b"id=1", content_type="application/x-www-form-urlencoded", headers=signed)
    assert "application/json" in assert_problem(form, 415)["detail"]
    assert hook.jobs() == []


# -- the queue ------------------------------------------------------------------------


def test_same_payload_twice_is_one_job_and_one_stored_article(hook: Hook) -> None:
    payload = document(status="published")
    first = hook.post(payload)
    assert first.status_code == 202, first.json
    assert first.json["status"] == "queued" and first.json["duplicate"] is False
    assert first.headers["Location"] == f"{URL}/{payload['id']}?integration=ghost" == first.json["location"]
    second = hook.post(payload, timestamp=int(time.time()) + 1)
    assert second.status_code == 202
    assert second.json["delivery_id"] == first.json["delivery_id"] and second.json["duplicate"] is True
    assert len(hook.jobs()) == 1
    assert hook.worker.drain() == 1
    assert hook.store.count() == 1
    # sent once more after it was scored: still that job, now answered as scored
    third = hook.post(payload, timestamp=int(time.time()) + 2)
    assert third.json == {**first.json, "status": "scored", "duplicate": True}
    assert hook.worker.drain() == 0 and len(hook.jobs()) == 1 and hook.store.count() == 1
    delivery = hook.get(payload["id"]).json
    assert delivery["status"] == "scored" and delivery["store"] is True and delivery["result"]["stored"] is True
    stored = hook.client.get(f"/v1/articles/{delivery['article_id']}").json
    assert stored["id"] == payload["id"] and stored["source"] == "blog.example"


def test_changed_text_or_status_is_a_new_job(hook: Hook) -> None:
    draft = document(status="draft")
    first = hook.post(draft).json
    edited = {**draft, "text": draft["text"] + "\n\nLe ministre a confirmé l'accord mardi soir."}
    second = hook.post(edited).json
    published = hook.post({**edited, "status": "published"}).json
    ids = [first["delivery_id"], second["delivery_id"], published["delivery_id"]]
    assert len(set(ids)) == 3 and not any(r["duplicate"] for r in (first, second, published))
    jobs = hook.jobs()
    assert [j["delivery_id"] for j in jobs] == ids and len({j["content_hash"] for j in jobs}) == 3
    assert [j["store"] for j in jobs] == [False, False, True]
    assert hook.worker.drain() == 3
    latest = hook.get(draft["id"]).json
    assert latest["delivery_id"] == published["delivery_id"] and latest["cms_status"] == "published"
    assert hook.store.count() == 1  # the drafts were scored, not stored
    assert {j["status"] for j in hook.jobs()} == {"scored"}
    assert hook.jobs()[0]["article_id"] != hook.jobs()[1]["article_id"]  # the edit changed the text


def test_draft_is_scored_without_storing_as_post_score_would(hook: Hook) -> None:
    payload = document(number=4, status="draft")
    for number in range(4):  # the story's other outlets are in the store
        assert hook.client.post("/v1/articles", json=seed_payload(number)).status_code == 201
    assert hook.post(payload).status_code == 202
    queued = hook.get(payload["id"]).json
    assert queued["status"] == "queued" and queued["result"] is None and queued["finished_at"] is None
    assert hook.worker.drain() == 1
    delivery = hook.get(payload["id"]).json
    assert WebhookDeliverySchema().validate(delivery) == {}
    assert delivery["status"] == "scored" and delivery["error"] is None and delivery["attempts"] == 1
    result = delivery["result"]
    assert ScoreSchema().validate(result) == {} and result["stored"] is False
    assert hook.store.count() == 4
    direct = hook.client.post("/v1/score", json={k: payload[k] for k in ("title", "text", "source")}).json
    for key in ("article_id", "score", "label", "story_id", "flags", "claims", "text"):
        assert result[key] == direct[key], key
    assert delivery["model_version"] == result["model_version"] == direct["model_version"]
    assert result["id"] == payload["id"]
    assert "Jim Jung Un" in {f["text"] for f in result["flags"] if f["type"] == "misspelled_name"}


def test_unknown_document_is_404(hook: Hook) -> None:
    body = assert_problem(hook.get("nothing-here"), 404)
    assert "nothing-here" in body["detail"]
    assert hook.post(document(cms_id="42")).status_code == 202
    assert hook.get("42").status_code == 200
    assert hook.get("42", integration="ghost").json["integration"] == "ghost"
    assert_problem(hook.get("42", integration="drupal"), 404)
    assert_problem(hook.get("42", integration="not a name"), 422)


def test_unscorable_article_fails_with_its_reason(database_url: str, resources: Any) -> None:
    app = make_app(database_url, webhook_worker=False, max_article_chars=500)
    try:
        hook = Hook(app)
        assert hook.post(document()).status_code == 202
        assert hook.worker.drain() == 1
        delivery = hook.get(document()["id"]).json
        assert delivery["status"] == "failed" and "over the 500 limit" in delivery["error"]
        assert delivery["result"] is None and delivery["finished_at"]
    finally:
        app.extensions["reliability"].store.dispose()


def test_store_outage_leaves_the_job_queued(hook: Hook) -> None:
    from service.errors import StoreUnavailableError

    original = hook.service.score

    def down(*args: Any, **kwargs: Any) -> Any:
        raise StoreUnavailableError("store unavailable: connection refused")

    hook.service.score = down
    assert hook.post(document()).status_code == 202
    with pytest.raises(StoreUnavailableError):
        hook.worker.run_once()
    job = hook.jobs()[0]
    assert job["status"] == "queued" and job["claimed_by"] is None and job["attempts"] == 0
    hook.service.score = original
    assert hook.worker.drain() == 1 and hook.jobs()[0]["status"] == "scored"


def test_claims_are_atomic_across_processes(hook: Hook, database_url: str) -> None:
    """Workers with stores of their own (as separate processes have) never claim one job twice."""
    for n in range(12):
        assert hook.post(document(cms_id=f"doc-{n}")).status_code == 202
    stores = [Store(database_url) for _ in range(4)]
    claimed: list[list[int]] = [[] for _ in stores]
    start = threading.Barrier(len(stores))

    def claim_all(k: int) -> None:
        queue = DeliveryQueue(stores[k])
        start.wait()
        while (job := queue.claim(f"worker-{k}", lease=300)) is not None:
            claimed[k].append(job["id"])

    threads = [threading.Thread(target=claim_all, args=(k,)) for k in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for store in stores:
        store.dispose()
    everything = [job_id for ids in claimed for job_id in ids]
    assert sorted(everything) == sorted(j["id"] for j in hook.jobs()) and len(everything) == 12
    # a live claim is not taken; one older than the lease is (its worker died)
    assert hook.queue.claim("late", lease=300) is None
    with hook.store.writing() as conn:
        old = now() - timedelta(seconds=400)
        conn.execute(webhook_deliveries.update().where(webhook_deliveries.c.id == everything[0]).values(claimed_at=old))
    retaken = hook.queue.claim("late", lease=300)
    assert retaken is not None and retaken["id"] == everything[0] and retaken["attempts"] == 2


# -- the background worker ----------------------------------------------------------------


def test_get_returns_the_score_after_the_background_job_ran(live_hook: Hook) -> None:
    payload = document(status="published")
    accepted = live_hook.post(payload)
    assert accepted.status_code == 202
    assert live_hook.worker.running
    delivery = wait_until_done(live_hook, payload["id"])
    assert delivery["status"] == "scored", delivery
    assert delivery["delivery_id"] == accepted.json["delivery_id"]
    assert ScoreSchema().validate(delivery["result"]) == {} and 0 <= delivery["result"]["score"] <= 100
    assert delivery["result"]["stored"] is True and live_hook.store.count() == 1


def test_job_queued_before_a_crash_is_scored_after_restart(database_url: str, resources: Any) -> None:
    before = make_app(database_url, webhook_worker=False)
    hook = Hook(before)
    assert hook.post(document(cms_id="queued-1")).status_code == 202
    assert hook.post(document(number=0, cms_id="claimed-1")).status_code == 202
    # the second was being scored by a worker that died: its claim is older than the lease
    with hook.store.writing() as conn:
        conn.execute(
            webhook_deliveries.update()
            .where(webhook_deliveries.c.cms_id == "claimed-1")
            .values(claimed_by="dead:1:x", claimed_at=now() - timedelta(seconds=3600), attempts=1)
        )
    before.extensions["reliability"].store.dispose()  # the crash: nothing stopped, nothing drained

    after = make_app(database_url)
    try:
        assert after.extensions["webhook_worker"].running  # started by create_app, no request needed
        restarted = Hook(after, secret=hook.secret)
        for cms_id in ("queued-1", "claimed-1"):
            delivery = wait_until_done(restarted, cms_id)
            assert delivery["status"] == "scored" and delivery["result"]["id"] == cms_id, delivery
        assert [j["attempts"] for j in restarted.queue.rows()] == [1, 2]
    finally:
        after.extensions["webhook_worker"].stop(timeout=60)
        after.extensions["reliability"].store.dispose()


def test_stop_hands_the_job_in_hand_back_to_the_queue(hook: Hook) -> None:
    started, release = threading.Event(), threading.Event()
    original = hook.service.score

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        release.wait(30)
        return original(*args, **kwargs)

    hook.service.score = slow
    hook.worker.enabled = True
    assert hook.post(document()).status_code == 202
    hook.worker.notify()
    assert started.wait(30)
    thread = hook.worker._thread
    assert thread is not None
    hook.worker.stop(timeout=0.5)  # the job does not finish in time: it goes back to the queue
    job = hook.jobs()[0]
    assert job["status"] == "queued" and job["claimed_by"] is None and job["attempts"] == 0
    release.set()
    thread.join(120)
    assert not thread.is_alive()
    assert hook.jobs()[0]["status"] == "queued"  # its late result was not written: the claim was gone
    hook.service.score = original
    assert hook.worker.drain() == 1 and hook.jobs()[0]["status"] == "scored"


# -- documentation --------------------------------------------------------------------


def test_the_readme_openssl_recipe_computes_the_servers_signature(tmp_path: Any) -> None:
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("no openssl on this machine")
    body = tmp_path / "body.json"
    body.write_bytes(json.dumps(document()).encode("utf-8"))
    secret, stamp = "whsec_example-secret", 1795679841
    recipe = f"{{ printf '%s.' \"$1\"; cat {body}; }} | openssl dgst -sha256 -hmac \"$2\" -r | cut -d' ' -f1"
    out = subprocess.run(["sh", "-c", recipe, "sh", str(stamp), secret], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == signing.compute(secret, stamp, body.read_bytes())
    header = f"t={stamp},v1={out.stdout.strip()}"
    assert signing.verify(header, secret, body.read_bytes(), window=300, now=stamp + 299).timestamp == stamp
    with pytest.raises(signing.SignatureError):
        signing.verify(header, secret, body.read_bytes(), window=300, now=stamp + 301)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_openapi_documents_the_webhook(client: Any) -> None:
    spec = client.get("/openapi.json").json
    post = spec["paths"]["/v1/webhooks/cms"]["post"]
    assert post["security"] == [{"webhookSignature": []}]
    assert {"202", "400", "401", "413", "415", "422", "429"} <= set(post["responses"])
    assert "Location" in post["responses"]["202"]["headers"]
    assert "replay" in post["responses"]["401"]["description"]
    assert [p["name"] for p in post["parameters"] if p["in"] == "header"] == ["Reliability-Integration"]
    scheme = spec["components"]["securitySchemes"]["webhookSignature"]
    assert scheme["in"] == "header" and scheme["name"] == "Reliability-Signature"
    assert "HMAC-SHA256" in scheme["description"]
    get = spec["paths"]["/v1/webhooks/cms/{cms_id}"]["get"]
    assert {"200", "401", "404", "422"} <= set(get["responses"]) and get["security"] == [{"bearer": []}, {}]
    assert spec["components"]["schemas"]["WebhookPayload"]["oneOf"]
