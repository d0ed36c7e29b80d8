"""tests/system-deps.sh, the first step of `make test`: installs what is missing, or says in one line why not."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "system-deps.sh"
EXIT_NEEDS_ROOT = 3


@pytest.fixture()
def tree_missing_a_package() -> Iterator[Path]:
    """A copy of the script whose package list names a package that is not installed, readable by `nobody`."""
    tree = Path(tempfile.mkdtemp(prefix="system-deps-"))
    try:
        (tree / "tests").mkdir()
        shutil.copy(SCRIPT, tree / "tests" / "system-deps.sh")
        (tree / "tests" / "debian-packages.txt").write_text(
            "# a package no test machine has\nsource-reliability-no-such-package  # missing on purpose\n"
        )
        for path in (tree, tree / "tests", *(tree / "tests").iterdir()):
            path.chmod(0o755)
        yield tree
    finally:
        shutil.rmtree(tree)


def test_package_list_names_what_the_tests_use() -> None:
    packages = {
        line.split("#")[0].strip()
        for line in (ROOT / "tests" / "debian-packages.txt").read_text().splitlines()
        if line.split("#")[0].strip()
    }
    assert {"chromium", "wordpress", "mariadb-server", "php-cli", "php-codesniffer", "gettext"} <= packages


def test_without_root_it_says_so_in_one_line_and_exits_3(tree_missing_a_package: Path) -> None:
    command = ["bash", "tests/system-deps.sh"]
    if os.geteuid() == 0:  # as root (CI), run it as the ordinary user nobody
        assert shutil.which("runuser"), "runuser (util-linux) runs the script as an ordinary user"
        command = ["runuser", "-u", "nobody", "--", *command]
    done = subprocess.run(
        command,
        cwd=tree_missing_a_package,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == EXIT_NEEDS_ROOT, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "source-reliability-no-such-package" in lines[0] and "needs root" in lines[0]
    assert "sudo apt-get install" in lines[0]


def test_as_root_with_everything_installed_it_changes_nothing() -> None:
    # `make test` has just run it: a second run finds everything and is silent.
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done
    assert done.stderr == "" and done.stdout == ""
