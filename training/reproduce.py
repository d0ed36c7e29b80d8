"""Checks that training is reproducible: `python -m training.reproduce FIRST SECOND COMMITTED`.

FIRST and SECOND are two fresh training runs on this machine: every file must be byte-identical
(same data, same seed, same machine). COMMITTED is models/, trained on another machine maybe:
BLAS and numpy pick their kernels by CPU, so fitted floats may differ in their last bits from
host to host. Against it, thresholds.json must be identical and each card (data, sizes,
metrics, coefficients, versions) identical but for its artifact's sha256 and float noise.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# Another CPU's BLAS and numpy kernels round differently; L-BFGS and tree splits carry that on.
ABSOLUTE, RELATIVE = 0.002, 0.01


def byte_differences(first: Path, second: Path) -> list[str]:
    names = sorted({p.name for p in first.iterdir()} | {p.name for p in second.iterdir()})
    return [
        name
        for name in names
        if not (first / name).is_file()
        or not (second / name).is_file()
        or (first / name).read_bytes() != (second / name).read_bytes()
    ]


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def card_differences(fresh: Path, committed: Path) -> list[str]:
    """Lines of two cards that differ beyond their sha256 and the float noise of another CPU.

    Text must match; each number within ABSOLUTE + RELATIVE * |committed value|.
    """
    problems = []
    fresh_lines = [x for x in fresh.read_text(encoding="utf-8").splitlines() if '"sha256"' not in x]
    committed_lines = [x for x in committed.read_text(encoding="utf-8").splitlines() if '"sha256"' not in x]
    if len(fresh_lines) != len(committed_lines):
        return [f"{fresh.name}: {len(fresh_lines)} lines != {len(committed_lines)}"]
    for a, b in zip(fresh_lines, committed_lines, strict=True):
        numbers_a, numbers_b = NUMBER.findall(a), NUMBER.findall(b)
        same_text = NUMBER.sub("#", a) == NUMBER.sub("#", b) and len(numbers_a) == len(numbers_b)
        pairs = zip(numbers_a, numbers_b, strict=False)
        if not same_text or any(abs(float(x) - float(y)) > ABSOLUTE + RELATIVE * abs(float(y)) for x, y in pairs):
            problems.append(f"{fresh.name}: {a.strip()!r} != {b.strip()!r}")
    return problems


def committed_differences(fresh: Path, committed: Path) -> list[str]:
    problems = []
    if (fresh / "thresholds.json").read_bytes() != (committed / "thresholds.json").read_bytes():
        problems.append("thresholds.json differs")
    for card in sorted(fresh.glob("*.md")):
        problems += card_differences(card, committed / card.name)
    return problems


def main(argv: list[str]) -> int:
    first, second, committed = (Path(a) for a in argv)
    changed = byte_differences(first, second)
    if changed:
        print(f"reproduce: two training runs on this machine differ in {', '.join(changed)}", file=sys.stderr)
        return 1
    print(f"reproduce: two training runs gave byte-identical artifacts ({len(list(first.iterdir()))} files)")
    problems = committed_differences(first, committed)
    if problems:
        print("reproduce: the committed models/ differ from a fresh run:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    same_bytes = not byte_differences(first, committed)
    print(
        "reproduce: models/ matches a fresh run "
        + ("byte for byte" if same_bytes else "(cards equal up to float noise of another CPU; thresholds identical)")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
