"""Shared fixtures: the seeds and the bundled examples are scored once per session.

Like sentence-transformers' own tests, the embedding model is loaded once and reused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLES = ROOT / "service" / "examples"
CASES = ROOT.parent / "shared" / "cases"


def pytest_configure(config: pytest.Config) -> None:
    if not SEEDS.is_dir():
        raise pytest.UsageError(f"the seed articles are expected at {SEEDS} (../shared/seeds beside the project)")
    if not CASES.is_dir():
        raise pytest.UsageError(f"the field cases are expected at {CASES} (../shared/cases beside the project)")


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert len(paths) == 5
    return paths


@pytest.fixture(scope="session")
def resources() -> Any:
    from service.engine.pipeline import load_resources

    return load_resources()


@pytest.fixture(scope="session")
def seed_results(seed_paths: list[Path], resources: Any) -> dict[str, dict[str, Any]]:
    """Score objects of the five seeds scored together, keyed by '000'..'004'."""
    from service.engine.extract import read_path
    from service.engine.pipeline import score_articles

    results = score_articles([a for p in seed_paths for a in read_path(p)], resources=resources)
    return {Path(r["input"]).name[:3]: r for r in results}


def sentence_flags(result: dict[str, Any], flag_type: str) -> list[dict[str, Any]]:
    return [f for f in result["flags"] if f["type"] == flag_type]


def claim_containing(result: dict[str, Any], fragment: str) -> dict[str, Any]:
    matches = [c for c in result["claims"] if fragment in c["text"]]
    assert matches, f"no claim of {result['input']} contains {fragment!r}"
    return matches[0]
