"""One error shape (RFC 9457 problem+json), pinned for every status the API returns."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import make_app, seed_payload

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.get_data(as_text=True))
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors", "checks"}
    assert body["status"] == status
    assert body["type"].startswith("https://reliability.example/problems/")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in body["detail"] and 'File "' not in body["detail"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_client_errors_share_one_shape(client: Any) -> None:
    body = assert_problem(client.post("/v1/score", data="{not json", content_type="application/json"), 400)
    assert "not valid JSON" in body["detail"]
    assert_problem(client.get("/v1/articles/0123456789abcdef"), 404)
    assert_problem(client.get("/nowhere"), 404)
    assert_problem(client.put("/v1/score", json={"text": "x"}), 405)
    form = client.post("/v1/score", data="text=x", content_type="application/x-www-form-urlencoded")
    body = assert_problem(form, 415)
    assert "application/json" in body["detail"]
    body = assert_problem(client.post("/v1/score", json={"text": "Un texte.", "colour": "red"}), 422)
    assert body["errors"] == {"colour": ["Unknown field."]}
    body = assert_problem(client.post("/v1/score", json={"title": "only a title"}), 422)
    assert "text" in body["detail"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_body_over_the_cap_is_413_before_it_is_read(database_url: str, resources: Any) -> None:
    app = make_app(database_url, max_body_bytes=64 * 1024)
    client = app.test_client()
    read = []
    service = app.extensions["reliability"]
    original = service.score
    service.score = lambda *a, **k: read.append(1) or original(*a, **k)
    body = json.dumps({"text": "Un mot. " * 20_000})
    body_problem = assert_problem(client.post("/v1/score", data=body, content_type="application/json"), 413)
    assert "65,536" in body_problem["detail"] and not read
    assert service.store.count() == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_article_over_the_text_cap_is_422_naming_the_field(database_url: str, resources: Any) -> None:
    client = make_app(database_url, max_article_chars=2_000).test_client()
    long_text = "Le maire de Lyon a présenté un plan pour les écoles de la ville. " * 60
    body = assert_problem(client.post("/v1/score", json={"text": long_text}), 422)
    assert body["errors"] == {"article.text": [body["detail"]]} and "2,000 limit" in body["detail"]
    html = "<html><body><article><p>" + long_text + "</p></article></body></html>"
    batch = {"articles": [{"text": "Un texte court. Le maire a parlé."}, {"html": html}]}
    body = assert_problem(client.post("/v1/score/batch", json=batch), 422)
    assert "articles[1].html" in body["errors"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_rate_limit_is_429_with_retry_after(database_url: str, resources: Any) -> None:
    client = make_app(database_url, rate_limit="2/minute").test_client()
    first = client.get("/v1/articles/0123456789abcdef")
    assert first.headers["RateLimit-Limit"] == "2" and first.headers["RateLimit-Remaining"] == "1"
    client.get("/v1/articles/0123456789abcdef")
    limited = client.get("/v1/articles/0123456789abcdef")
    assert_problem(limited, 429)
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.headers["RateLimit-Remaining"] == "0"
    assert client.get("/healthz").status_code == 200  # probes are never limited


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_retry_after_only_where_retrying_helps(database_url: str, resources: Any) -> None:
    """Issue 15, finding 11: the limiter's Retry-After was on every answer, 422 included."""
    client = make_app(database_url, rate_limit="5/minute").test_client()
    invalid = client.post("/v1/score", json={"text": "Un texte.", "colour": "red"})
    assert_problem(invalid, 422)
    assert "Retry-After" not in invalid.headers and invalid.headers["RateLimit-Limit"] == "5"
    missing = client.get("/v1/articles/0123456789abcdef")
    assert missing.status_code == 404 and "Retry-After" not in missing.headers


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_api_keys_are_required_once_one_exists(app: Any, client: Any) -> None:
    store = app.extensions["reliability"].store
    assert client.get("/v1/articles/0123456789abcdef").status_code == 404  # open: no key configured
    token, row = store.create_key("newsroom")
    app.extensions["key_checker"].forget()
    body = assert_problem(client.get("/v1/articles/0123456789abcdef"), 401)
    assert "Bearer" in body["detail"]
    assert client.get("/v1/articles/0123456789abcdef").headers["WWW-Authenticate"].lower().startswith("bearer")
    assert_problem(client.get("/v1/articles/x", headers={"Authorization": "Bearer rel_wrong"}), 401)
    assert_problem(client.get("/v1/articles/x", headers={"Authorization": f"Basic {token}"}), 401)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/v1/score", json=seed_payload(2), headers=auth).status_code == 200
    assert client.get("/healthz").status_code == 200 and client.get("/openapi.json").status_code == 200
    # the key is stored hashed, never in clear
    assert token not in json.dumps(store.list_keys(), default=str)
    assert store.revoke_key(row["prefix"])
    assert_problem(client.get("/v1/articles/x", headers=auth), 401)


def test_the_first_key_closes_the_api_for_the_very_next_request(
    database_url: str, app: Any, client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 15, finding 10: the open API stayed open up to 5 s (a cached key count) after
    # `reliability keys create`, which writes the store from another process (here: its own Store).
    from service.cli import main

    assert client.get("/v1/articles/0123456789abcdef").status_code == 404  # open: no key yet
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["keys", "create", "newsroom"]) == 0
    token = capsys.readouterr().out.strip()
    assert_problem(client.get("/v1/articles/0123456789abcdef"), 401)
    auth = {"Authorization": f"Bearer {token}"}
    stored = client.post("/v1/articles", json=seed_payload(2), headers=auth)
    assert stored.status_code == 201, stored.json
    assert client.get(f"/v1/articles/{stored.json['article_id']}", headers=auth).status_code == 200
    assert main(["keys", "revoke", token[:12]]) == 0  # a revoked key is refused at once, as before
    assert_problem(client.get(f"/v1/articles/{stored.json['article_id']}", headers=auth), 401)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_unexpected_error_is_500_without_traceback(app: Any, client: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail at /srv/app.py line 3")

    app.extensions["reliability"].score = broken
    body = assert_problem(client.post("/v1/score", json={"text": "Un texte. Le maire a parlé."}), 500)
    assert "secret" not in body["detail"]


def test_store_down_is_503_and_readyz_fails(resources: Any) -> None:
    app = make_app("postgresql://postgres@127.0.0.1:9/nowhere")  # nothing listens on port 9
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    body = assert_problem(client.get("/readyz"), 503)
    assert body["checks"]["store"] != "ok"
    response = client.post("/v1/score", json=seed_payload(2))
    assert_problem(response, 503)
    assert response.headers["Retry-After"]
    assert_problem(client.post("/v1/articles", json=seed_payload(2)), 503)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_beyond_loopback_a_key_is_required_even_after_the_last_is_revoked(database_url: str, resources: Any) -> None:
    app = make_app(database_url, host="0.0.0.0")
    client = app.test_client()
    store = app.extensions["reliability"].store
    body = assert_problem(client.get("/v1/articles/0123456789abcdef"), 401)
    assert "Authorization: Bearer <key>" in body["detail"]
    token, row = store.create_key("only")
    assert client.get("/v1/articles/0123456789abcdef", headers={"Authorization": f"Bearer {token}"}).status_code == 404
    store.revoke_key(row["prefix"])
    app.extensions["key_checker"].forget()
    assert_problem(client.get("/v1/articles/0123456789abcdef"), 401)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_lone_surrogates_are_422_naming_the_field_and_deep_nesting_is_400(client: Any) -> None:
    # Issue 15, finding 4: both gave 500 with a traceback, on every JSON route.
    surrogate = '{"text": "Un texte \\ud800 ici.", "title": "T"}'
    body = assert_problem(client.post("/v1/score", data=surrogate, content_type="application/json"), 422)
    assert list(body["errors"]) == ["text"] and "surrogate" in body["detail"]
    batch = '{"articles": [{"text": "Un texte."}, {"text": "x", "title": "\\udfff"}]}'
    body = assert_problem(client.post("/v1/score/batch", data=batch, content_type="application/json"), 422)
    assert list(body["errors"]) == ["articles.1.title"]
    deep = "[" * 100_000 + "]" * 100_000
    for route in ("/v1/score", "/v1/articles", "/v1/score/batch"):
        body = assert_problem(client.post(route, data=deep, content_type="application/json"), 400)
        assert "levels deep" in body["detail"]
    shallow_but_over = '{"text": "x", "title": ' + "[" * 40 + "1" + "]" * 40 + "}"
    assert_problem(client.post("/v1/score", data=shallow_but_over, content_type="application/json"), 400)
