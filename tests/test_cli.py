"""The CLI: one-line errors with documented exit codes, JSON output, extract, batch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.cli import main
from service.errors import EXIT_BAD_INPUT, EXIT_NO_ARTICLES, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty input"),
        (b"   \n\n ", "empty input"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("Caf\u00e9".encode("latin-1") + b" au lait, un article.", "invalid UTF-8"),
    ],
)
def test_bad_files_get_one_line_error_and_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, out, err = _run(["score", str(path)], capsys)
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.count("\n") == 1 and message in err and str(path) in err


def test_ten_megabyte_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Une phrase d'article. " * (10 * 1024 * 1024 // 22 + 1))
    code, _, err = _run(["score", str(path)], capsys)
    assert code == EXIT_BAD_INPUT
    assert "too large" in err and err.count("\n") == 1


def test_invalid_json_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"text": "unterminated', encoding="utf-8")
    code, _, err = _run(["score", str(path)], capsys)
    assert code == EXIT_BAD_INPUT and "invalid JSON" in err


def test_folder_with_no_articles_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n", encoding="utf-8")
    code, _, err = _run(["batch", str(tmp_path), "--out", str(tmp_path / "out.jsonl")], capsys)
    assert code == EXIT_NO_ARTICLES and "no readable article" in err and err.count("\n") == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_usage_error_exits_2() -> None:
    proc = subprocess.run([sys.executable, "-m", "service.cli", "score"], capture_output=True, text=True)
    assert proc.returncode == EXIT_USAGE
    assert "usage:" in proc.stderr


def test_help_documents_exit_codes() -> None:
    proc = subprocess.run([sys.executable, "-m", "service.cli", "batch", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for code in ("0  success", "1  some inputs", "3  no article", "4  invalid input"):
        assert code in proc.stdout


def test_extract_prints_clean_body(seed_paths: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["extract", str(seed_paths[2])], capsys)
    assert code == EXIT_OK
    assert out.startswith("Vladimir Poutine et Kim Jong-un signent")
    assert "\u00a0" not in out and "\u202f" not in out


def test_score_json_and_batch(
    tmp_path: Path, seed_paths: list[Path], capsys: pytest.CaptureFixture[str], resources: object
) -> None:
    code, out, _ = _run(["score", "--json", *map(str, seed_paths)], capsys)
    assert code == EXIT_OK
    results = json.loads(out)
    assert [Path(r["input"]).name for r in results] == [p.name for p in seed_paths]

    folder = tmp_path / "in"
    folder.mkdir()
    for p in seed_paths:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "broken.json").write_text("{nope", encoding="utf-8")
    out_file = tmp_path / "out.jsonl"
    code, _, err = _run(["batch", str(folder), "--out", str(out_file)], capsys)
    assert code == EXIT_PARTIAL
    lines = [json.loads(line) for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["score"] for r in lines) == sorted(r["score"] for r in results)
    errors = (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8")
    assert "broken.json" in errors and "invalid JSON" in errors


def test_batch_with_store_scores_against_stored_articles(
    tmp_path: Path, seed_paths: list[Path], capsys: pytest.CaptureFixture[str], resources: object
) -> None:
    import sqlite3

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for p in seed_paths[:4]:
        (first / p.name).write_bytes(p.read_bytes())
    (second / seed_paths[4].name).write_bytes(seed_paths[4].read_bytes())
    db = tmp_path / "store.sqlite"
    assert main(["batch", str(first), "--out", str(tmp_path / "a.jsonl"), "--db", str(db)]) == EXIT_OK
    assert main(["batch", str(second), "--out", str(tmp_path / "b.jsonl"), "--db", str(db)]) == EXIT_OK
    capsys.readouterr()
    (result,) = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text(encoding="utf-8").splitlines()]
    # Scored against the four stored seeds: the misspelled name is found from their spellings.
    assert any(f["type"] == "misspelled_name" and f["text"] == "Jim Jung Un" for f in result["flags"])
    assert result["independent_sources"] >= 2
    # Re-running the same folder stores nothing twice and scores the article as before.
    assert main(["batch", str(second), "--out", str(tmp_path / "c.jsonl"), "--db", str(db)]) == EXIT_OK
    (again,) = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()]
    assert again["score"] == result["score"] and again["derivative_of"] is None
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
