"""Before/after check of a refactoring: `reliability score --json` must give the same JSON.

Checks out REV (default: 66cae81, the last commit before the package-per-layer move of
issue 11) with `git archive` into a temporary folder, runs `reliability score --json` there and
in this checkout on the same inputs (the five seeds, then the bundled examples of `make demo`),
and compares the two outputs byte for byte. Both runs use this virtual environment, so only the
code differs; each tree loads its own models/.

    .venv/bin/python bench/compare_score_json.py [--before REV] [--seeds ../shared/seeds]

Prints one line per input set (articles compared, identical or the first differing path) and
exits 1 when any output differs. It compares the code, not the judgment: a later change that is
meant to move scores is compared against its own parent, not against 66cae81.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ["service/examples/*.json", "service/examples/*.txt", "service/examples/*.html"]

# Runs `reliability score --json` from the tree in argv[1], whatever is installed in the venv.
RUNNER = """
import sys
tree = sys.argv[1]
sys.path.insert(0, tree)
import service
assert service.__file__.startswith(tree), service.__file__
from service.cli import main
sys.exit(main(["score", "--json", *sys.argv[2:]]))
"""


def score_json(tree: Path, files: list[str]) -> str:
    """`reliability score --json FILES` run with `tree` as the package's checkout and working directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(tree), *files],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"compare: scoring in {tree} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return done.stdout


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """The JSON path of the first place where `a` and `b` differ, or None."""
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only on one side"
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for n, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{n}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def expand(tree: Path, patterns: list[str]) -> list[str]:
    files: list[str] = []
    for pattern in patterns:
        if Path(pattern).is_absolute():
            files += sorted(str(p) for p in Path(pattern).parent.glob(Path(pattern).name))
        else:
            files += sorted(str(p.relative_to(tree)) for p in tree.glob(pattern))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="66cae81", help="the commit to compare with (default: %(default)s)")
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = parser.parse_args(argv)

    archive = subprocess.run(["git", "archive", args.before], cwd=ROOT, capture_output=True, check=True).stdout
    sets = {"seeds": [str(args.seeds.resolve() / "*.txt")], "examples": EXAMPLES}
    failed = False
    with tempfile.TemporaryDirectory(prefix="before-") as tmp:
        before_tree = Path(tmp)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(before_tree, filter="data")
        for name, patterns in sets.items():
            files = expand(ROOT, patterns)
            if not files:
                raise SystemExit(f"compare: no {name} found ({patterns})")
            before = score_json(before_tree, files)
            after = score_json(ROOT, files)
            count = len(json.loads(after))
            if before == after:
                print(f"{name}: {count} articles, JSON identical to {args.before} ({len(after)} bytes)")
                continue
            failed = True
            where = first_difference(json.loads(before), json.loads(after))
            print(f"{name}: {count} articles, JSON DIFFERS from {args.before}: {where or 'formatting only'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
