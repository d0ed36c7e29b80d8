"""A request is abandoned when it runs past its budget or its client hangs up (issue 15, finding 7).

Both stop the engine at its next check with nothing stored: a 503 problem, on SQLite and
PostgreSQL. How much work a long article costs is measured by bench/bench_long_article.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import make_app, seed_payload
from tests.api.test_problems import assert_problem


@pytest.fixture
def budget_app(database_url: str, resources: Any) -> Iterator[Any]:
    # a millisecond: over before the first stage ends, never before the request starts
    app = make_app(database_url, request_budget=0.001)
    yield app
    app.extensions["webhook_worker"].stop(timeout=60)
    app.extensions["reliability"].store.dispose()


def test_a_request_over_its_budget_is_abandoned_and_stores_nothing(budget_app: Any) -> None:
    client = budget_app.test_client()
    store = budget_app.extensions["reliability"].store
    batch = {"articles": [seed_payload(n) for n in range(3)], "store": True}
    for path, body in (("/v1/articles", seed_payload(0)), ("/v1/score/batch", batch), ("/v1/score", seed_payload(1))):
        problem = assert_problem(client.post(path, json=body), 503)
        assert "time budget of 0.0 s ran out" in problem["detail"] and "nothing was stored" in problem["detail"]
    assert store.count() == 0
    budget_app.config["RELIABILITY_SETTINGS"]["request_budget"] = 0  # 0: no limit
    assert client.post("/v1/articles", json=seed_payload(0)).status_code == 201
    assert store.count() == 1


def test_a_request_whose_client_hung_up_is_abandoned_and_stores_nothing(app: Any, client: Any) -> None:
    asked = []

    def client_disconnected() -> bool:  # what waitress gives the app: true once the socket is closed
        asked.append(True)
        return len(asked) > 1  # connected when scoring starts, gone at the next look

    batch = {"articles": [seed_payload(n) for n in range(3)], "store": True}
    response = client.post(
        "/v1/score/batch", json=batch, environ_base={"waitress.client_disconnected": client_disconnected}
    )
    problem = assert_problem(response, 503)
    assert "client disconnected" in problem["detail"]
    assert len(asked) == 2  # it looked again while scoring, and stopped at once
    assert app.extensions["reliability"].store.count() == 0
    assert client.post("/v1/score/batch", json=batch).status_code == 200  # no hook: scored as usual
    assert app.extensions["reliability"].store.count() == 3
