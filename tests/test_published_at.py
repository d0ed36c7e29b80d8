"""`published_at` (issue 15, finding 9): an RFC 3339 date-time with its offset, or a date, on every
file input (JSON, JSONL, sidecars), and of two near-copies the earlier instant, never the smaller
string, is the original. The API's side is tests/api/test_published_at.py."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.cli import main
from service.engine.dates import checked_published_at, published_instant
from service.engine.provenance import originality
from service.errors import EXIT_BAD_INPUT, EXIT_PARTIAL

# What the finding names: no day, no real month, and a time that names no instant (10:00 where?).
REFUSED = ["0", "yesterday", "2024-13-01T00:00:00Z", "2024-05-01T10:00:00"]


@pytest.mark.parametrize(
    "value",
    REFUSED
    + [
        "",
        "2024-02-30",
        "2023-02-29",  # not a leap year
        "1900-02-29",
        "0000-01-01",
        "2024-05-01T24:00:00Z",
        "2024-05-01T23:59:60Z",  # a leap second: no datetime holds it
        "2024-05-01T10:00Z",  # RFC 3339 needs the seconds
        "2024-05-01 10:00:00Z",
        "2024-05-01T10:00:00+0200",
        "2024-05-01T10:00:00+05:60",  # fromisoformat would read +06:00
        "2024-05-01T10:00:00,5Z",
        "20240501",
        "2024-W18-3",
        " 2024-05-01",
        "2024-05-01\n",
        "last Tuesday",
    ],
)
def test_published_at_is_refused_unless_rfc_3339_with_an_offset_or_a_date(value: str) -> None:
    with pytest.raises(ValueError, match="RFC 3339"):
        checked_published_at(value)


@pytest.mark.parametrize(
    ("sent", "stored", "instant"),
    [
        ("2024-05-01T10:00:00+02:00", "2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("2024-05-01t08:00:00.250z", "2024-05-01T08:00:00.250Z", datetime(2024, 5, 1, 8, 0, 0, 250_000, tzinfo=UTC)),
        ("2024-05-01T00:30:00-00:00", "2024-05-01T00:30:00-00:00", datetime(2024, 5, 1, 0, 30, tzinfo=UTC)),
        ("2024-05-01", "2024-05-01", datetime(2024, 5, 1, tzinfo=UTC)),  # a date: 00:00 UTC that day
        ("2000-02-29", "2000-02-29", datetime(2000, 2, 29, tzinfo=UTC)),
    ],
)
def test_published_at_is_stored_as_sent_and_read_as_an_instant(sent: str, stored: str, instant: datetime) -> None:
    assert checked_published_at(sent) == stored
    assert published_instant(stored) == instant


def test_old_rows_are_read_without_failing() -> None:
    # stored before the check: unreadable values are undated, a naive time is read as UTC
    for unreadable in (None, "", "  ", "0", "yesterday", "2024-13-01T00:00:00Z"):
        assert published_instant(unreadable) is None
    assert published_instant("2024-05-01T10:00:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert published_instant("2014-03-02 10:00") == datetime(2014, 3, 2, 10, tzinfo=UTC)


def test_originality_compares_instants_and_ranks_the_undated_last() -> None:
    # "...T09:30:00Z" < "...T10:00:00+02:00" as strings, but 10:00 at +02:00 is 08:00Z: earlier
    assert originality(0, 10, "2024-05-01T10:00:00+02:00") < originality(0, 10, "2024-05-01T09:30:00Z")
    latest = originality(0, 1, "9999-12-31T23:59:59-05:00")  # after datetime.max in UTC
    for undated in (None, "", "0", "yesterday"):  # "0" sorted before every date as a string
        assert latest < originality(9, 99, undated)
    assert originality(2, 10, None) < originality(1, 10, "0")  # undated ones tie on the date


def test_the_earlier_instant_is_the_original_of_two_near_copies(seed_paths: list[Path], resources: Any) -> None:
    from service.engine.pipeline import score_articles
    from service.engine.records import ArticleInput

    # seed 000 rewrites seed 002 (tests/test_seeds.py); undated, 002 is the original
    text = {n: seed_paths[n].read_text(encoding="utf-8") for n in (0, 2)}

    def original_of_the_pair(date_000: str, date_002: str) -> str:
        pair = [
            ArticleInput(text=text[n], published_at=date, input=f"{n:03d}")
            for n, date in ((0, date_000), (2, date_002))
        ]
        results = {r["input"]: r for r in score_articles(pair, resources=resources)}
        (derived,) = [r for r in results.values() if r["derivative_of"]]
        return next(k for k, r in results.items() if r["article_id"] == derived["derivative_of"]["article_id"])

    assert original_of_the_pair("2024-05-01T10:00:00+02:00", "2024-05-01T09:30:00Z") == "000"
    assert original_of_the_pair("2024-05-01T09:30:00Z", "2024-05-01T10:00:00+02:00") == "002"
    # an unreadable date (a row stored before the check) no longer makes the copy the original
    assert original_of_the_pair("0", "2024-05-01") == "002"


@pytest.mark.parametrize("value", REFUSED)
def test_a_file_or_sidecar_with_a_bad_published_at_is_refused_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    article = tmp_path / "a.json"
    article.write_text(json.dumps({"text": "Le maire a parlé mardi.", "published_at": value}), encoding="utf-8")
    lines = tmp_path / "b.jsonl"
    lines.write_text(json.dumps({"text": "Le maire a parlé.", "published_at": value}) + "\n", encoding="utf-8")
    text = tmp_path / "c.txt"
    text.write_text("Le maire a parlé mercredi.", encoding="utf-8")
    (tmp_path / "c.meta.json").write_text(json.dumps({"published_at": value}), encoding="utf-8")
    for path, named in ((article, str(article)), (lines, f"{lines}:1"), (text, "c.meta.json")):
        assert main(["score", str(path)]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert "'published_at'" in err and named in err and repr(value) in err and err.count("\n") == 1, err


def test_batch_lists_files_with_a_bad_published_at_and_goes_on(
    tmp_path: Path, seed_paths: list[Path], resources: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    seed = seed_paths[1].read_text(encoding="utf-8")
    (folder / "good.json").write_text(json.dumps({"text": seed, "published_at": "2024-05-01t10:00:00z"}), "utf-8")
    (folder / "zero.json").write_text(json.dumps({"text": seed + " Suite.", "published_at": 0}), "utf-8")
    rows = [{"text": seed + " Encore.", "published_at": "2024-05-01"}, {"text": "Un texte.", "published_at": "hier"}]
    (folder / "export.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", "utf-8")
    (folder / "side.txt").write_text(seed + " Et puis.", "utf-8")
    (folder / "side.meta.json").write_text(json.dumps({"published_at": "2024-05-01T10:00:00"}), "utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["batch", str(folder), "--out", str(out)]) == EXIT_PARTIAL, capsys.readouterr().err
    errors = {
        Path(e["path"]).name: e["reason"]
        for e in map(json.loads, (tmp_path / "out.errors.jsonl").read_text("utf-8").splitlines())
    }
    assert set(errors) == {"zero.json", "export.jsonl:2", "side.txt"}
    assert all("'published_at'" in reason for reason in errors.values()), errors
    scored = {Path(r["input"]).name for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert scored == {"good.json", "export.jsonl:1"}
