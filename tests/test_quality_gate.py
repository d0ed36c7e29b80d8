"""Quality gate (like trafilatura's eval gate): the figures of `reliability eval` stay above pinned floors.

The floors, and the sha256 of the data they were measured on, are in tests/quality_floors.json;
lowering one is a reviewed change to that file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SEEDS
from training.evaluate import DEFAULT_DATA, data_fingerprint, evaluate

FLOORS = json.loads((ROOT / "tests" / "quality_floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def figures(resources: Any) -> dict[str, Any]:
    assert data_fingerprint(DEFAULT_DATA) == FLOORS["data_sha256"], (
        "the evaluation data changed: re-measure and pin new floors in tests/quality_floors.json"
    )
    return evaluate(DEFAULT_DATA, SEEDS, include_other_embedders=False)


@pytest.mark.parametrize("name", sorted(FLOORS["floors"]))
def test_figure_above_its_floor(figures: dict[str, Any], name: str) -> None:
    assert figures[name] >= FLOORS["floors"][name]["floor"], (name, figures[name])


@pytest.mark.parametrize("name", sorted(FLOORS["ceilings"]))
def test_figure_below_its_ceiling(figures: dict[str, Any], name: str) -> None:
    assert figures[name] <= FLOORS["ceilings"][name]["ceiling"], (name, figures[name])


def test_claim_equivalence_beats_the_raw_embedding(figures: dict[str, Any]) -> None:
    assert figures["sts_dev_spearman_equivalence"] > figures["sts_dev_spearman_embedder"]


def test_every_seed_expectation_holds(figures: dict[str, Any]) -> None:
    failed = [name for name, ok in figures["seed_expectations"].items() if not ok]
    assert not failed, failed


def test_report_renders_every_figure(figures: dict[str, Any], tmp_path: Path) -> None:
    from training.evaluate import to_markdown

    report = to_markdown(figures)
    for name in list(FLOORS["floors"]) + list(FLOORS["ceilings"]):
        assert f"| {name} | {figures[name]} |" in report
