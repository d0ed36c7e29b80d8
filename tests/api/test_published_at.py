"""`published_at` over HTTP (issue 15, finding 9), on SQLite and PostgreSQL: a value that names no
instant is a 422 naming the field on every route that takes one, a good one is stored as sent, the
earlier instant is the original of two near-copies, and rows stored before the check still read."""

from __future__ import annotations

from typing import Any

from service.store.db import articles
from tests.api.conftest import seed_payload
from tests.api.test_problems import assert_problem
from tests.api.test_webhooks import Hook, document

# What the finding names: no day, no real month, and a time that names no instant (10:00 where?).
REFUSED = ["0", "yesterday", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00"]


def test_a_bad_published_at_is_422_naming_the_field(app: Any, client: Any) -> None:
    hook = Hook(app)
    text = "Le maire de Brive a présenté mardi un plan pour les écoles."
    for value in REFUSED:
        routes = [
            ("/v1/score", {"text": text, "published_at": value}, "published_at"),
            ("/v1/articles", {"text": text, "published_at": value}, "published_at"),
            (
                "/v1/score/batch",
                {"articles": [{"text": text}, {"text": text, "published_at": value}], "store": True},
                "articles.1.published_at",
            ),
        ]
        for route, payload, field in routes:
            body = assert_problem(client.post(route, json=payload), 422)
            assert list(body["errors"]) == [field], (route, body)
            assert body["detail"].startswith(f"the request does not match the schema: {field}: {value!r}")
            assert "RFC 3339" in body["detail"]
        body = assert_problem(hook.post({**document(), "published_at": value}), 422)
        assert list(body["errors"]) == ["published_at"] and "RFC 3339" in body["detail"]
    assert app.extensions["reliability"].store.count() == 0 and hook.jobs() == []


def test_the_earlier_instant_is_the_original_and_old_rows_still_read(app: Any, client: Any) -> None:
    # seed 000 rewrites seed 002 (tests/test_seeds.py); stored 002 at 09:30Z, 000 sent as 08:00Z
    stored = client.post("/v1/articles", json={**seed_payload(2), "published_at": "2024-05-01t09:30:00z"})
    assert stored.status_code == 201, stored.json
    original = stored.json["article_id"]
    row = client.get(f"/v1/articles/{original}").json
    assert row["published_at"] == "2024-05-01T09:30:00Z"  # as sent, T and Z upper case
    copy = {**seed_payload(0), "published_at": "2024-05-01T10:00:00+02:00"}  # before 09:30Z, a later string
    result = client.post("/v1/score", json=copy)
    assert result.status_code == 200, result.json
    assert result.json["derivative_of"] is None
    later = client.post("/v1/score", json={**copy, "published_at": "2024-05-01T12:00:00+02:00"})
    assert later.json["derivative_of"]["article_id"] == original  # 10:00Z: after 09:30Z
    # a row stored before the check may hold anything: it reads, and counts as undated
    store = app.extensions["reliability"].store
    with store.writing() as conn:
        conn.execute(articles.update().where(articles.c.article_id == original).values(published_at="0"))
    assert client.get(f"/v1/articles/{original}").json["published_at"] == "0"
    assert client.get(f"/v1/stories/{row['story_id']}").status_code == 200
    result = client.post("/v1/score", json={**copy, "published_at": "2024-05-01"})
    assert result.status_code == 200, result.json
    assert result.json["derivative_of"] is None  # "0" once sorted before every date: the copy looked original
