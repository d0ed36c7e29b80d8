"""The reviewed sample behind the false-flag rates of `reliability eval` (training/flag_review.json)."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from service.engine.records import FLAG_TYPES, Flag
from training.flag_eval import REVIEW, flags_per_article, review_key

ROWS = json.loads(REVIEW.read_text(encoding="utf-8"))["reviewed"]


def test_every_review_is_a_verdict_with_its_reason() -> None:
    keys = [(r["corpus"], r["article"], r["type"], r["sha1"]) for r in ROWS]
    assert len(keys) == len(set(keys)), "one verdict per flag"
    for row in ROWS:
        assert row["corpus"] in ("basil", "rpm2"), row
        assert row["type"] in FLAG_TYPES, row
        assert row["verdict"] in ("right", "false"), row
        assert len(row["why"]) > 10, row
        assert len(row["sha1"]) == 12 and int(row["sha1"], 16) >= 0, row
        if "text" in row:  # the short ones carry their text: it must be the one hashed
            assert review_key(row["corpus"], row["article"], row["type"], row["text"])[3] == row["sha1"], row


def _analysis(article: str, flags: list[Flag]) -> Any:
    return SimpleNamespace(doc=SimpleNamespace(input=article, article_id="x"), signals=SimpleNamespace(flags=flags))


def test_a_flag_is_false_unless_reviewed_right() -> None:
    def pick(verdict: str) -> dict[str, Any]:
        wanted = ("rpm2", "misspelled_name", verdict)
        return next(r for r in ROWS if (r["corpus"], r["type"], r["verdict"]) == wanted and "text" in r)

    right, wrong = pick("right"), pick("false")

    def flag(text: str) -> Flag:
        return Flag("misspelled_name", 0, 1, text, "")

    analyses = [
        _analysis(right["article"], [flag(right["text"])]),
        _analysis(wrong["article"], [flag(wrong["text"])]),
        # a right flag's text in another article, and a flag nobody reviewed: both count as false
        _analysis("not-reviewed", [flag(right["text"]), flag("Unreviewed")]),
    ]
    figures = flags_per_article(analyses, "rpm2")  # type: ignore[arg-type]
    assert figures["flags_rpm2_misspelled_name_per_article"] == round(4 / 3, 4)
    assert figures["false_flags_rpm2_misspelled_name_per_article"] == 1.0
    assert figures["false_flags_rpm2_spelling_per_article"] == 0.0  # no flag of that type at all
