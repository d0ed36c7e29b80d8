"""Test 1: a post is scored in the background when it is saved, through a real WordPress and a
real `reliability serve`.

Seeds 000-003 are stored in the service first; a post holding seed 004 is created as a draft
(scored with store=false: the service stores nothing), saved again unchanged (no second call),
then published (scored with store=true); its post meta holds the score, the model version, the
time and the `misspelled_name` flag on "Jim Jung Un". The REST saves return before the result
exists (the job runs in a WP-Cron event started by a loopback request), and unauthenticated
REST requests cannot read the plugin's meta.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from tests.wordpress.conftest import SEEDS, WordPressEnv
from tests.wordpress.site import seed_article, wait_for

SCORE_ROUTE = "/wp-json/source-reliability/v1/posts/{}"
OUR_META = (
    "_source_reliability_score",
    "_source_reliability_label",
    "_source_reliability_state",
    "_source_reliability_scored_at",
)


def seed_004() -> tuple[str, str]:
    (path,) = sorted(SEEDS.glob("004_*.txt"))
    return seed_article(Path(path))


def wait_scored(env: WordPressEnv, post_id: int, after: str | None = None, timeout: float = 90) -> dict[str, Any]:
    """The plugin's REST answer once the background job has finished (state done or error)."""
    session = env.site.rest()

    def done() -> dict[str, Any] | None:
        answer = session.get(env.site.base + SCORE_ROUTE.format(post_id), timeout=30)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        if body["state"] == "error":
            raise AssertionError(f"scoring failed: {body['error']}")
        if body["state"] == "done" and (after is None or body["result"]["scored_at"] != after):
            return body
        return None

    return wait_for(done, timeout, f"the background score of post {post_id}")


def post_meta(env: WordPressEnv, post_id: int) -> dict[str, Any]:
    """The plugin's post meta as stored, read with get_post_meta()."""
    meta: dict[str, Any] = env.site.php(
        """
$out = array();
foreach ( Source_Reliability_Jobs::META_KEYS as $key ) {
	$out[ $key ] = get_post_meta( (int) $data['id'], $key, true );
}
echo wp_json_encode( $out );
""",
        {"id": post_id},
    )
    return meta


def test_post_is_scored_in_the_background_draft_unstored_publish_stored(
    wordpress: WordPressEnv, corpus: dict[str, str]
) -> None:
    env = wordpress
    rest = env.site.rest()
    title, content = seed_004()
    calls0, stored0 = env.service_metrics()
    assert stored0 == 4, f"the store should hold seeds 000-003 only, holds {stored0}"

    # -- a draft: scored with store=false -------------------------------------------------------
    started = time.monotonic()
    created = rest.post(
        env.site.base + "/wp-json/wp/v2/posts",
        json={"title": title, "content": content, "status": "draft"},
        timeout=60,
    )
    save_seconds = time.monotonic() - started
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    # The save answers before any result exists: the job is only queued (state pending).
    assert created.json()["meta"]["_source_reliability_state"] == "pending", created.json()["meta"]
    draft = wait_scored(env, post_id)
    result = draft["result"]
    assert result["store"] is False and result["stored"] is False, result
    calls1, stored1 = env.service_metrics()
    assert calls1 == calls0 + 1, f"{calls1 - calls0} calls to /v1/score for one draft save"
    assert stored1 == stored0, "a draft must not be stored in the service"
    assert env.service_get(f"/v1/articles/{result['article_id']}").status_code == 404
    print(f"\n[scoring] draft save answered in {save_seconds:.2f} s; service call {result['duration_ms']} ms")
    assert save_seconds < 5, f"the REST save took {save_seconds:.1f} s: it waited for the service"

    # -- the same content saved again: no second call (content hash) ------------------------------
    again = rest.post(env.site.base + f"/wp-json/wp/v2/posts/{post_id}", json={"status": "draft"}, timeout=60)
    assert again.status_code == 200, again.text
    assert again.json()["meta"]["_source_reliability_state"] == "done"
    time.sleep(2)
    assert env.service_metrics()[0] == calls1, "an unchanged save called the service again"

    # -- published: scored with store=true --------------------------------------------------------
    published = rest.post(env.site.base + f"/wp-json/wp/v2/posts/{post_id}", json={"status": "publish"}, timeout=60)
    assert published.status_code == 200, published.text
    assert published.json()["meta"]["_source_reliability_state"] == "pending"
    body = wait_scored(env, post_id, after=result["scored_at"])
    result = body["result"]
    calls2, stored2 = env.service_metrics()
    assert calls2 == calls1 + 1, f"{calls2 - calls1} calls to /v1/score for one publish"
    assert stored2 == stored1 + 1, "the published post should be stored in the service"
    assert result["store"] is True and result["stored"] is True, result
    stored_article = env.service_get(f"/v1/articles/{result['article_id']}")
    assert stored_article.status_code == 200, stored_article.text
    assert stored_article.json()["source"] == "127.0.0.1"
    assert stored_article.json()["url"] == published.json()["link"]

    # -- what the post meta holds -------------------------------------------------------------------
    meta = post_meta(env, post_id)
    kept = json.loads(meta["_source_reliability_result"])
    assert meta["_source_reliability_state"] == "done"
    assert float(meta["_source_reliability_score"]) == kept["score"] == result["score"]
    assert 0 <= kept["score"] <= 100 and kept["label"] in ("reliable", "mixed", "unreliable")
    assert meta["_source_reliability_label"] == kept["label"]
    assert 0 <= kept["confidence"] <= 1
    assert kept["model_version"], kept
    scored_at = datetime.fromisoformat(kept["scored_at"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - scored_at).total_seconds()) < 300
    misspelled = [f for f in kept["flags"] if f["type"] == "misspelled_name"]
    assert misspelled and all(f["text"] == "Jim Jung Un" for f in misspelled), kept["flags"]
    assert misspelled[0]["suggestion"] in ("Kim Jong Un", "Kim Jong-un"), misspelled
    assert kept["reasons"] and all(isinstance(r, str) for r in kept["reasons"])
    print(
        f"[scoring] published post {post_id}: score {kept['score']} {kept['label']}, model {kept['model_version']}, "
        f"{len(kept['flags'])} flags ({len(misspelled)} misspelled_name)"
    )

    # -- nobody else reads or writes it -----------------------------------------------------------------
    anonymous = requests.get(env.site.base + f"/wp-json/wp/v2/posts/{post_id}", timeout=30)
    assert anonymous.status_code == 200
    assert not set(OUR_META) & set(anonymous.json().get("meta") or {}), anonymous.json().get("meta")
    assert "source_reliability" not in anonymous.text
    assert requests.get(env.site.base + f"/wp-json/wp/v2/posts/{post_id}?context=edit", timeout=30).status_code == 401
    assert requests.get(env.site.base + SCORE_ROUTE.format(post_id), timeout=30).status_code == 401
    edit_view = rest.get(env.site.base + f"/wp-json/wp/v2/posts/{post_id}?context=edit", timeout=30).json()
    assert edit_view["meta"]["_source_reliability_score"] == kept["score"]
    forged = rest.post(
        env.site.base + f"/wp-json/wp/v2/posts/{post_id}",
        json={"meta": {"_source_reliability_score": 99}},
        timeout=60,
    )
    assert forged.status_code in (400, 403), forged.text
    assert float(post_meta(env, post_id)["_source_reliability_score"]) == kept["score"]

    # -- the service's store mirrors what is published ---------------------------------------------------
    # An edit of the published post replaces its stored version (never compared with itself)...
    first_id = kept["article_id"]
    edited = rest.post(
        env.site.base + f"/wp-json/wp/v2/posts/{post_id}",
        json={
            "content": content + "\n\n<!-- wp:paragraph -->\n<p>Mise à jour : le Kremlin n'a pas commenté.</p>\n"
            "<!-- /wp:paragraph -->"
        },
        timeout=60,
    )
    assert edited.status_code == 200, edited.text
    updated = wait_scored(env, post_id, after=kept["scored_at"])["result"]
    assert updated["stored"] is True and updated["article_id"] != first_id
    assert env.service_get(f"/v1/articles/{first_id}").status_code == 404
    assert env.service_get(f"/v1/articles/{updated['article_id']}").status_code == 200
    assert env.service_metrics()[1] == stored2
    assert not [
        f for f in updated["flags"] if f["type"] in ("derivative", "furniture") and "Poutine et Jim" in f["text"]
    ]
    # ...and a trashed post leaves the service (in the background too).
    trashed = rest.delete(env.site.base + f"/wp-json/wp/v2/posts/{post_id}", timeout=60)
    assert trashed.status_code == 200 and trashed.json()["status"] == "trash", trashed.text
    wait_for(
        lambda: env.service_get(f"/v1/articles/{updated['article_id']}").status_code == 404 or None,
        60,
        "the trashed post to leave the service",
    )
    assert env.service_metrics()[1] == stored1
