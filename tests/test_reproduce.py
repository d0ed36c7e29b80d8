"""The reproducibility check of `make reproduce` (training/reproduce.py) catches what it must."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import ROOT
from training.reproduce import byte_differences, committed_differences

MODELS = ROOT / "models"


def copy_models(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(MODELS, target, ignore=shutil.ignore_patterns("*.joblib"))
    return target


def test_identical_runs_pass_and_a_changed_byte_fails(tmp_path: Path) -> None:
    first, second = copy_models(tmp_path, "first"), copy_models(tmp_path, "second")
    assert byte_differences(first, second) == []
    card = second / "claim_equivalence.md"
    card.write_text(card.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert byte_differences(first, second) == ["claim_equivalence.md"]


def test_cards_tolerate_float_noise_but_not_a_different_model(tmp_path: Path) -> None:
    fresh = copy_models(tmp_path, "fresh")
    card = fresh / "claim_equivalence.md"
    text = card.read_text(encoding="utf-8")
    assert committed_differences(fresh, MODELS) == []
    noisy = text.replace('"sha256": "', '"sha256": "0', 1)  # a different artifact hash is expected
    card.write_text(noisy, encoding="utf-8")
    assert committed_differences(fresh, MODELS) == []
    # the first figure of the card, moved well beyond the noise of another CPU
    match = re.search(r": (-?\d+\.\d+)", text)
    assert match
    moved = text[: match.start(1)] + f"{float(match.group(1)) + 0.5:.4f}" + text[match.end(1) :]
    card.write_text(moved, encoding="utf-8")
    assert committed_differences(fresh, MODELS) != []
