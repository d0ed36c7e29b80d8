"""How the generic-assertion flag threshold was chosen (issue 13): `python -m training.generic_gate`.

The classifier's own threshold maximises F0.5 on a validation slice of its training data
(`training.generic_classifier`): generated filler against rpm2 sentences and CheckThat!
subjectivity, which is not what an editor calls generic in real reporting. On real professional
news (basil-dev and rpm2-fr-dev), the flags left after the candidate gate of
`generic.story_generic_probabilities` (no figure, date, quotation, attribution, named person,
fragment or interview question) are counted per article at each threshold of GRID.

Rule: the lowest threshold at or above the classifier's own at which *both* sets carry at most
BUDGET flags per article (the issue's ceiling is 0.3; the margin is for news not seen here).
The chosen value is GENERIC_GATE, which training writes into thresholds.json as
max(classifier threshold, GENERIC_GATE).

Measured on 2026-12-01 (classifier threshold 0.69), flags per article basil / rpm2:
0.69: 0.41 / 0.33, 0.75: 0.31 / 0.26, 0.78: 0.28 / 0.23, 0.80: 0.26 / 0.21, 0.82: 0.24 / 0.19,
0.85: 0.19 / 0.17 -> 0.82.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from service.engine.pipeline import analyze, load_resources, prepare

from .common import article_input, read_labelled_articles, rpm2_inputs

BUDGET = 0.25
GRID = tuple(float(t) for t in np.round(np.arange(0.6, 0.96, 0.01), 2))
GENERIC_GATE = 0.82


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args(argv)
    res = load_resources()
    own = float(res.thresholds["generic"].get("classifier_threshold", res.thresholds["generic"]["threshold"]))
    # Every candidate's probability is in the signals' evidence only above the threshold in use:
    # score with a threshold of 0 to see them all.
    res.thresholds["generic"]["threshold"] = 0.0
    sets = {
        "basil": [article_input(r) for r in read_labelled_articles(args.data / "basil-dev")],
        "rpm2": rpm2_inputs(args.data),
    }
    rates: dict[str, dict[float, float]] = {}
    for name, inputs in sets.items():
        analyses = analyze(prepare(inputs), res)
        probabilities = [
            float(f.reason.rsplit("probability ", 1)[1].rstrip(")."))
            for a in analyses
            for f in a.signals.flags
            if f.type == "generic_assertion"
        ]
        rates[name] = {t: round(sum(p >= t for p in probabilities) / len(analyses), 3) for t in GRID}
    for t in GRID:
        print(f"threshold {t:.2f}: " + "  ".join(f"{name} {rates[name][t]:.3f}" for name in rates))
    chosen = next((t for t in GRID if t >= own and all(r[t] <= BUDGET for r in rates.values())), None)
    print(
        f"classifier threshold {own}; lowest within {BUDGET} flags per article on both sets: {chosen}; "
        f"in use: {GENERIC_GATE}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
