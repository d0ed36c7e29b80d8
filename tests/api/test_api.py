"""The REST contract, on SQLite and on a real PostgreSQL server (see conftest.py)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import seed_payload


def flag_texts(result: dict[str, Any], flag_type: str) -> set[str]:
    return {f["text"] for f in result["flags"] if f["type"] == flag_type}


def test_seed_004_scored_against_stored_seeds_gets_its_flags(client: Any, seeded: list[dict[str, Any]]) -> None:
    response = client.post("/v1/score", json=seed_payload(4))
    assert response.status_code == 200, response.json
    result = response.json
    assert "Jim Jung Un" in flag_texts(result, "misspelled_name")
    assert flag_texts(result, "unsupported_claim")
    assert result["independent_sources"] >= 2 and result["coverage"] != "insufficient_coverage"
    assert result["label"] == "unreliable"
    # the story is the one the seeds were stored under, and scoring alone stores nothing
    assert result["story_id"] == seeded[0]["story_id"]
    assert result["stored"] is False
    assert client.get(f"/v1/articles/{result['article_id']}").status_code == 404
    # flag offsets index into the returned normalized text
    for flag in result["flags"]:
        assert result["text"][flag["start"] : flag["end"]] == flag["text"]


def test_seeds_keep_their_editorial_order_through_the_store(client: Any, seeded: list[dict[str, Any]]) -> None:
    scores = {n: client.get(seeded[n]["location"]).json["score"] for n in range(4)}
    # 002 is the careful, attributed report; 003 the weakest of the four (ARCHITECTURE/seeds notes)
    assert scores[2] == max(scores.values())
    assert scores[3] < scores[2]


def test_lone_article_says_insufficient_coverage(client: Any) -> None:
    result = client.post("/v1/score", json=seed_payload(2)).json
    assert result["coverage"] == "insufficient_coverage"
    assert result["independent_sources"] == 0
    assert all(c["status"] == "insufficient_coverage" for c in result["claims"] if c["status"] != "contradicted")


def test_ingest_is_idempotent_and_readable(client: Any, seeded: list[dict[str, Any]]) -> None:
    again = client.post("/v1/articles", json=seed_payload(0))
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["article_id"] == seeded[0]["article_id"]
    assert again.headers["Location"] == seeded[0]["location"]
    article = client.get(f"/v1/articles/{seeded[0]['article_id']}").json
    assert article["source"] == "seed000.example" and article["id"] == seed_payload(0)["id"]
    assert article["story_id"] == seeded[0]["story_id"] and article["text"]
    score = client.get(seeded[0]["location"]).json
    assert score["stored"] is True and score["article_id"] == seeded[0]["article_id"]
    assert score["scored_at"] and score["text"] == article["text"]


def test_stored_scores_refresh_when_the_story_grows(client: Any) -> None:
    first = client.post("/v1/articles", json=seed_payload(2)).json
    alone = client.get(first["location"]).json
    assert alone["coverage"] == "insufficient_coverage"
    client.post("/v1/articles", json=seed_payload(0))
    client.post("/v1/articles", json=seed_payload(1))
    later = client.get(first["location"]).json
    assert later["independent_sources"] >= 1 and later["coverage"] != "insufficient_coverage"
    assert any(c["status"] == "supported" for c in later["claims"])


def test_delete_removes_the_article_from_store_and_index(app: Any, client: Any, seeded: list[dict[str, Any]]) -> None:
    article_id = seeded[3]["article_id"]
    assert client.delete(f"/v1/articles/{article_id}").status_code == 204
    assert client.get(f"/v1/articles/{article_id}").status_code == 404
    assert client.get(f"/v1/articles/{article_id}/score").status_code == 404
    assert client.delete(f"/v1/articles/{article_id}").status_code == 404
    assert len(app.extensions["reliability"].index) == 3
    result = client.post("/v1/score", json=seed_payload(4)).json
    assert all(s["article_id"] != article_id for c in result["claims"] for s in c["supported_by"])


def test_story_lists_articles_and_claims_with_their_sources(client: Any, seeded: list[dict[str, Any]]) -> None:
    story = client.get(f"/v1/stories/{seeded[0]['story_id']}").json
    assert {a["article_id"] for a in story["articles"]} == {s["article_id"] for s in seeded}
    shared = [c for c in story["claims"] if len(c["sources"]) >= 3]
    assert shared, "the seeds share claims across outlets"
    for cluster in story["claims"]:
        assert cluster["n_articles"] == len({c["article_id"] for c in cluster["claims"]})
        assert cluster["n_claims"] == len(cluster["claims"])
    assert story["largest_cluster"] == max(c["n_claims"] for c in story["claims"])
    assert client.get("/v1/stories/s-nothere").status_code == 404


def test_source_rating_interval_narrows_as_articles_accumulate(client: Any) -> None:
    widths = []
    for n in range(4):
        client.post("/v1/articles", json={**seed_payload(n), "source": "one-outlet.example"})
        rating = client.get("/v1/sources/one-outlet.example").json
        assert rating["n_articles"] == n + 1 and 0 <= rating["rating"] <= 100
        widths.append(rating["interval"][1] - rating["interval"][0])
    assert widths == sorted(widths, reverse=True) and widths[-1] < widths[0]
    assert rating["history"][-1]["n_articles"] == 4
    assert client.get("/v1/sources/www.one-outlet.example").json["n_articles"] == 4
    assert client.get("/v1/sources/unknown.example").status_code == 404


def test_batch_scores_articles_together(client: Any) -> None:
    body = {"articles": [seed_payload(0), seed_payload(4)], "store": True}
    response = client.post("/v1/score/batch", json=body)
    assert response.status_code == 200, response.json
    first, fourth = response.json["results"]
    assert first["independent_sources"] == 1 and fourth["independent_sources"] == 1
    assert first["story_id"] == fourth["story_id"]
    assert first["stored"] and fourth["created"]
    assert client.get(f"/v1/articles/{fourth['article_id']}").status_code == 200


def test_batch_over_the_cap_is_422(client: Any) -> None:
    body = {"articles": [{"text": f"Article {n}. Le maire a parlé."} for n in range(51)]}
    response = client.post("/v1/score/batch", json=body)
    assert response.status_code == 422
    assert "batch limit of 50" in response.json["detail"]


def test_feedback_is_kept(app: Any, client: Any, seeded: list[dict[str, Any]]) -> None:
    article_id = seeded[3]["article_id"]
    score = client.get(seeded[3]["location"]).json
    flag = score["flags"][0]
    response = client.post(
        "/v1/feedback",
        json={"article_id": article_id, "target": "flag", "flag_type": flag["type"], "start": flag["start"],
              "end": flag["end"], "verdict": "incorrect", "comment": "this is the dateline"},
    )  # fmt: skip
    assert response.status_code == 201 and response.json["article_id"] == article_id
    verdict = {"article_id": article_id, "target": "score", "verdict": "too_high"}
    assert client.post("/v1/feedback", json=verdict).status_code == 201
    rows = app.extensions["reliability"].store.feedback_rows()
    assert [(r["target"], r["verdict"], r["start"]) for r in rows] == [
        ("flag", "incorrect", flag["start"]),
        ("score", "too_high", None),
    ]
    missing = client.post("/v1/feedback", json={"article_id": "0" * 16, "target": "score", "verdict": "correct"})
    assert missing.status_code == 404
    no_span = client.post("/v1/feedback", json={"article_id": article_id, "target": "flag", "verdict": "correct"})
    assert no_span.status_code == 422


def test_html_is_parsed_never_echoed(client: Any) -> None:
    html = (
        "<html><head><title>Le maire répond</title><script>alert('x')</script></head><body><article>"
        "<h1>Le maire répond</h1><p>Le maire de Lyon, Grégory Doucet, a présenté mardi un plan de 40 millions "
        "d'euros pour les écoles, selon un communiqué de la mairie.</p><p>« Nous commençons par les écoles les "
        "plus anciennes », a-t-il déclaré devant le conseil municipal.</p><img src=x onerror=alert(1)>"
        "</article></body></html>"
    )
    response = client.post("/v1/score", json={"html": html, "url": "https://www.lyon-info.example/maire"})
    assert response.status_code == 200, response.json
    raw = response.get_data(as_text=True)
    assert "<script" not in raw and "onerror" not in raw and "<p>" not in raw
    assert response.json["source"]["domain"] == "lyon-info.example"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_url_only_is_refused_while_fetching_is_off(client: Any) -> None:
    response = client.post("/v1/score", json={"url": "https://example.org/a"})
    assert response.status_code == 422
    assert "URL fetching is off" in response.json["detail"]


def test_health_readiness_and_metrics(client: Any, seeded: list[dict[str, Any]]) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["store"] == "ok"
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'reliability_http_requests_total{endpoint="/v1/articles",method="POST",status="201"} 4.0' in metrics
    assert 'reliability_scoring_stage_seconds_count{stage="analyze"}' in metrics
    assert "reliability_store_articles 4.0" in metrics


def test_openapi_and_docs_page_are_local(client: Any) -> None:
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/v1/score", "/v1/score/batch", "/v1/articles", "/v1/feedback", "/healthz", "/readyz"} <= set(spec["paths"])
    page = client.get("/docs").get_data(as_text=True)
    assert "/docs/static/swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1]
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_url_fetching_when_enabled_refuses_private_addresses(database_url: str, resources: Any) -> None:
    from tests.api.conftest import make_app

    client = make_app(database_url, fetch_urls=True).test_client()
    for url in ("http://127.0.0.1:8000/admin", "http://169.254.169.254/latest/meta-data", "http://localhost/"):
        response = client.post("/v1/score", json={"url": url})
        assert response.status_code == 422, url
        assert "refused" in response.json["detail"]
    assert client.application.extensions["reliability"].store.count() == 0


def test_a_regional_language_tag_keeps_the_language_signals(client: Any) -> None:
    payload = {**seed_payload(2), "language": "fr-FR"}
    result = client.post("/v1/score", json=payload).json
    assert result["language"] == "fr"
    assert not any("switched off" in note for note in result["notes"])
