"""The store on both backends: migrations match the code's schema; keys; one transaction per article."""

from __future__ import annotations

from typing import Any

import pytest

from service.cli import main
from service.store.db import Store, metadata


def test_migrations_create_the_schema_the_code_uses(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    store = Store(database_url)
    store.migrate()
    store.migrate()  # a second run is a no-op
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    store.dispose()
    assert diff == []


def test_keys_cli_creates_lists_and_revokes(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["keys", "create", "newsroom"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("rel_") and len(token) > 40
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert token[:12] in listing and token not in listing and "active" in listing
    store = Store(database_url)
    assert store.verify_key(token) is not None
    assert main(["keys", "revoke", token[:12]]) == 0
    assert store.verify_key(token) is None and store.active_key_count() == 0
    assert main(["keys", "revoke", token[:12]]) == 2
    store.dispose()


def test_a_failed_write_leaves_nothing_behind(app: Any, client: Any) -> None:
    """An article whose transaction fails part-way is not in the store, and the next one is."""
    from tests.api.conftest import seed_payload

    store = app.extensions["reliability"].store
    original = store.save

    def failing_save(new_rows: list[dict[str, Any]], rescored: list[dict[str, Any]]) -> list[bool]:
        broken = [{**new_rows[0], "sentence_vectors": None}]  # NOT NULL: the insert fails inside its transaction
        return original(broken, rescored)

    store.save = failing_save
    assert client.post("/v1/articles", json=seed_payload(1)).status_code == 500
    assert store.count() == 0 and len(app.extensions["reliability"].index) == 0
    store.save = original
    assert client.post("/v1/articles", json=seed_payload(1)).status_code == 201
    assert store.count() == 1
