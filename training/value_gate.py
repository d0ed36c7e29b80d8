"""How the value-conflict gate of the claims stage was chosen (issue 13): `python -m training.value_gate`.

Two sentences of different outlets that give different values in one slot ("47 arrests" / "71
arrests", a weekday resolved to another day) are a contradiction only when they are about the same
thing. The gate has three knobs: the equivalence model's probability that the pair is one claim were
its values the same (`value_threshold`), the embedding cosine (`value_cosine`) and the stem
containment (`value_containment`). Over a grid of the three, this prints for basil-dev and
rpm2-fr-dev (professional news):

- contradicted sentences per article on the sets as published (an upper bound on false flags:
  some are real discrepancies between outlets), and
- recall on injected figure and weekday changes (`training.injection_eval`).

Rule: the loosest gate whose clean rate is <= CLEAN_BUDGET per article on *both* sets (precision
first: a flag is a public accusation); ties go to higher injected recall. The chosen values are
VALUE_GATE, which training writes into thresholds.json.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path
from typing import Any

from service.engine import claims
from service.engine.pipeline import Resources, analyze, load_resources, prepare
from service.engine.records import ArticleInput

from . import injection_eval
from .common import article_input, read_labelled_articles, rpm2_inputs

CLEAN_BUDGET = 0.03
GRID = {
    "value_threshold": (0.34, 0.5, 0.6, 0.7, 0.8),
    "value_cosine": (0.4, 0.5, 0.6),
    "value_containment": (0.2, 0.3, 0.4),
}
VALUE_GATE = {"value_threshold": 0.6, "value_cosine": 0.6, "value_containment": 0.4}

Conflict = tuple[str, str, float, float, float, str, str]


def _conflicts(inputs: list[ArticleInput], res: Resources) -> tuple[list[Conflict], list[Conflict], list[Any]]:
    """Every value conflict of the clean set and of its injected copy (gate off), and the injections."""
    gate = dict(res.thresholds["claims"])
    res.thresholds["claims"].update(value_containment=0.0, value_threshold=2.0)  # record, never flag
    try:
        claims.VALUE_CONFLICT_LOG = []
        clean = analyze(prepare(inputs), res)
        clean_log = claims.VALUE_CONFLICT_LOG
        injected, injections = injection_eval.apply(inputs, injection_eval.plan(clean))
        claims.VALUE_CONFLICT_LOG = []
        analyze(prepare(injected), res)
        return clean_log, claims.VALUE_CONFLICT_LOG, injections
    finally:
        claims.VALUE_CONFLICT_LOG = None
        res.thresholds["claims"] = gate


def _passes(conflict: Conflict, threshold: float, cosine: float, containment: float) -> bool:
    return conflict[4] >= threshold and conflict[2] >= cosine and conflict[3] >= containment


def grid(
    name: str, n_articles: int, clean: list[Conflict], injected: list[Conflict], injections: list[Any]
) -> list[dict[str, Any]]:
    new = {inj.new_sentence: inj.kind for inj in injections if inj.kind in ("figure", "weekday")}
    totals = {kind: sum(1 for k in new.values() if k == kind) for kind in ("figure", "weekday")}
    rows = []
    for p, cos, cont in itertools.product(*GRID.values()):
        flagged = {t for c in clean if _passes(c, p, cos, cont) for t in c[:2]}
        found = {t for c in injected if _passes(c, p, cos, cont) for t in c[:2] if t in new}
        row = {"set": name, "value_threshold": p, "value_cosine": cos, "value_containment": cont}
        row["clean_per_article"] = round(len(flagged) / n_articles, 3)
        for kind, total in totals.items():
            row[f"{kind}_recall"] = f"{sum(1 for t in found if new[t] == kind)}/{total}"
        row["found"] = len(found)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared" / "data")
    args = parser.parse_args(argv)
    res = load_resources()
    sets = {
        "basil": [article_input(r) for r in read_labelled_articles(args.data / "basil-dev")],
        "rpm2": rpm2_inputs(args.data),
    }
    table = [row for name, inputs in sets.items() for row in grid(name, len(inputs), *_conflicts(inputs, res))]
    for row in table:
        print("  ".join(f"{k}={v}" for k, v in row.items()))
    within = [
        gate
        for gate in itertools.product(*GRID.values())
        if all(r["clean_per_article"] <= CLEAN_BUDGET for r in table if tuple(r[k] for k in GRID) == gate)
    ]
    found = {gate: sum(r["found"] for r in table if tuple(r[k] for k in GRID) == gate) for gate in within}
    best = max(within, key=lambda gate: (found[gate], [-g for g in gate]), default=None)
    print(f"gates within {CLEAN_BUDGET} clean contradicted sentences per article on both sets: {within}")
    print(f"chosen (most injected changes found): {dict(zip(GRID, best or (), strict=False))}; in use: {VALUE_GATE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
