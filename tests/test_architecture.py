"""The package layout: import contracts (import-linter) hold, catch a wrong import, and modules stay small."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_MODULE_LINES = 600


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` with `tree` first on the path and its pyproject.toml as the configuration."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture()
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "service", tmp_path / "service", ignore=shutil.ignore_patterns("__pycache__", "examples"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_import_contracts_are_kept() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # the engine reaching up into the store
        (
            "engine/story.py",
            "from service.store.db import Store",
            "service.engine is not allowed to import service.store",
        ),
        # one shell reaching into another
        ("batch/files.py", "from service.api import create_app", "service.batch is not allowed to import service.api"),
        # a shell reaching past a package's public names
        ("api/common.py", "from service.cms.queue import DeliveryQueue", "service.cms.queue"),
    ],
)
def test_a_wrong_import_breaks_a_contract(package_copy: Path, module: str, line: str, broken: str) -> None:
    target = package_copy / "service" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    done = lint_imports(package_copy)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout
    assert broken in done.stdout


def test_no_module_is_over_600_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "service").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


def test_public_entry_points_still_import() -> None:
    import service

    assert callable(service.score_articles) and callable(service.load_embedder)
    from service import load_embedder, score_articles  # noqa: F401
