"""Fixtures of the API tests: each test runs against SQLite and against a real PostgreSQL server.

PostgreSQL is expected at RELIABILITY_TEST_POSTGRES (default the CI machine's server,
postgresql://postgres@127.0.0.1:5432/test); every app gets a database of its own, dropped
afterwards. An unreachable server fails the tests: `make test` installs and starts one (tests/system-deps.sh).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.live import LiveServer
from tests.conftest import SEEDS

ADMIN_URL = os.environ.get("RELIABILITY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
# Generous: only the rate-limit test wants to hit the limit.
TEST_SETTINGS = {"rate_limit": "100000/minute"}


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> Iterator[list[LiveServer]]:
    """Live servers a test starts (tests/api/live.py); all are killed at teardown, and their logs
    printed if the test failed."""
    started: list[LiveServer] = []
    failed_before = request.session.testsfailed
    yield started
    for server in started:
        server.stop()
    if request.session.testsfailed > failed_before:
        for server in started:
            print(f"\n===== log of the server on port {server.port} =====\n{server.log()}")


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        return
    name = f"reliability_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        from sqlalchemy import create_engine

        create_engine("postgresql+psycopg://").dispose()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(database_url: str, **settings: Any) -> Any:
    from service.api import create_app

    return create_app({"database_url": database_url, **TEST_SETTINGS, **settings})


@pytest.fixture
def app(database_url: str, resources: Any) -> Iterator[Any]:
    app = make_app(database_url)
    yield app
    app.extensions["webhook_worker"].stop(timeout=60)  # before its database goes away
    app.extensions["reliability"].store.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that uses `database_url` (directly or through `app`/`client`) runs on both stores."""
    if "database_url" in metafunc.fixturenames and not any(
        m.name == "parametrize" and "database_url" in m.args[0] for m in metafunc.definition.iter_markers()
    ):
        metafunc.parametrize("database_url", BACKENDS, indirect=True)


def seed_payload(number: int) -> dict[str, Any]:
    """Seed NNN as a POST body; each seed is its own outlet."""
    path = sorted(SEEDS.glob("*.txt"))[number]
    return {"text": path.read_text(encoding="utf-8"), "source": f"seed{number:03d}.example", "id": path.name}


@pytest.fixture
def seeded(client: Any) -> list[dict[str, Any]]:
    """Seeds 000-003 ingested; returns their ingest responses."""
    out = []
    for n in range(4):
        response = client.post("/v1/articles", json=seed_payload(n))
        assert response.status_code == 201, response.json
        out.append(response.json)
    return out
