"""The CLI: one-line errors with documented exit codes, JSON output, extract, batch."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from service.cli import COMMAND_EXITS, main
from service.engine.extract import ARTICLE_SUFFIXES
from service.errors import (
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_CODES,
    EXIT_NO_ARTICLES,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_STORE,
    EXIT_USAGE,
)

README = Path(__file__).resolve().parent.parent / "README.md"


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


@pytest.mark.parametrize("command", ["score", "extract"])
def test_a_lone_surrogate_in_json_is_one_line_error_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # Valid JSON ("\\ud800" escaped) but no character: it crashed `score` with a traceback at the
    # article's hash; `batch` and the API already refused it by field.
    path = tmp_path / "a.json"
    path.write_text('{"title": "T", "text": "Le maire \\ud800 a parl\\u00e9 mardi."}', encoding="utf-8")
    code, out, err = _run([command, str(path)], capsys)
    assert code == EXIT_BAD_INPUT and out == ""
    assert err.count("\n") == 1 and "'text'" in err and "surrogate" in err and str(path) in err


def test_json_fields_of_the_wrong_type_are_one_line_error_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As the API's 422: a number or a list is no text (it was read as "123" and "['a']").
    path = tmp_path / "a.json"
    path.write_text('{"text": 123, "title": ["a"]}', encoding="utf-8")
    code, out, err = _run(["score", str(path)], capsys)
    assert code == EXIT_BAD_INPUT and out == "" and err.count("\n") == 1
    assert "'text' must be a string, not a number" in err and "'title' must be a string, not a list" in err
    # ... while an integer id (also as a whole float), as data exports write it, is read as its
    # text, and a NewsAPI source object as its name.
    for given in ("42", "42.0"):
        path.write_text(
            json.dumps(
                {
                    "id": json.loads(given),
                    "source": {"id": "reuters", "name": "Reuters"},
                    "text": "Le conseil a voté le budget mardi, a indiqué le maire.",
                }
            ),
            encoding="utf-8",
        )
        code, out, _ = _run(["score", "--json", str(path)], capsys)
        result = json.loads(out)[0]
        assert code == EXIT_OK and result["id"] == "42" and result["source"]["domain"] == "Reuters"


def test_a_one_paragraph_html_fragment_is_an_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What a CMS sends as a body; trafilatura found nothing in it outside a document.
    path = tmp_path / "brief.html"
    path.write_text("<p>The council met on Monday and approved the budget, officials said.</p>", encoding="utf-8")
    code, out, _ = _run(["extract", str(path)], capsys)
    assert code == EXIT_OK and "approved the budget" in out
    path.write_text("<script>var x = 1;</script>", encoding="utf-8")
    code, _, err = _run(["extract", str(path)], capsys)
    assert code == EXIT_BAD_INPUT and "no article body" in err


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
    for code in (r"0 +success", r"1 +some inputs", r"3 +no article", r"4 +invalid input"):
        assert re.search(rf"^  {code}", proc.stdout, re.MULTILINE), code


def _help(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main([*args, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def _exit_codes(help_text: str) -> set[int]:
    section = help_text.split("exit codes:\n", 1)[1]
    return {int(m) for m in re.findall(r"^  (\d+) ", section, re.MULTILINE)}


def test_each_subcommand_help_lists_only_the_exit_codes_it_can_return(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_codes(_help([], capsys)) == set(EXIT_CODES)  # the program's help: all of them
    listed = {command: _exit_codes(_help([command], capsys)) for command in COMMAND_EXITS}
    assert {c for c, codes in listed.items() if EXIT_PARTIAL in codes} == {"batch"}  # batch-only
    with_store = {c for c, codes in listed.items() if EXIT_STORE in codes}
    assert with_store == {"score", "batch", "serve", "keys", "integrations"}
    assert listed["extract"] == {0, 2, 3, 4, 130, 141}
    assert listed["settings"] == listed["examples"] == {0, 2, 130, 141}
    for command, codes in listed.items():
        assert codes <= set(EXIT_CODES), command
        section = _help([command], capsys).split("exit codes:\n", 1)[1]
        for code in codes:  # each with the one wording of service/errors.py
            assert f"  {code:<3}  {EXIT_CODES[code]}" in section, (command, code)


def test_readme_exit_code_table_lists_every_code() -> None:
    section = README.read_text(encoding="utf-8").split("### Exit codes (CLI)", 1)[1].split("\n###", 1)[0]
    assert {int(m) for m in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)} == set(EXIT_CODES)


@pytest.mark.parametrize("command", ["score", "batch", "extract"])
def test_help_lists_exactly_the_accepted_extensions(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = _help([command], capsys)
    positionals = text.split("positional arguments:", 1)[1].split("options:", 1)[0]
    assert set(re.findall(r"(?<![\w.])\.[a-z][a-z0-9]*\b", positionals)) == set(ARTICLE_SUFFIXES)


def test_output_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    """`reliability extract FILE | head`: no BrokenPipeError traceback, the documented exit code."""
    path = tmp_path / "long.txt"
    # Far more than a pipe holds (64 KiB), so the command is still writing when the reader leaves.
    path.write_text(("Le maire de Lyon a présenté un plan pour les écoles de la ville. " * 20 + "\n\n") * 500)
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "extract", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(100).startswith(b"Le maire")
    proc.stdout.close()  # what `head` does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE
    assert err == "", err


def test_score_and_extract_read_a_sidecar_but_not_as_an_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Le maire a présenté un plan pour les écoles. Il sera voté en juin.", encoding="utf-8")
    sidecar = tmp_path / "a.meta.json"
    sidecar.write_text(json.dumps({"title": "Un plan pour les écoles", "source": "exemple.fr"}), encoding="utf-8")
    code, out, _ = _run(["extract", str(article)], capsys)
    assert code == EXIT_OK and out.startswith("Un plan pour les écoles\n")  # the sidecar's title, as batch reads it
    code, out, err = _run(["score", str(sidecar)], capsys)
    assert code == EXIT_NO_ARTICLES and out == "" and "sidecar" in err


def test_batch_prints_where_its_outputs_went(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import service.batch

    outcome = SimpleNamespace(records=3, articles=2, errors=[{"path": "x", "reason": "x: empty input"}], seconds=1.5)
    monkeypatch.setattr(service.batch, "run_batch", lambda *args, **kwargs: outcome)
    out, table, report = tmp_path / "scores.jsonl", tmp_path / "scores.csv", tmp_path / "report.html"
    code, stdout, err = _run(
        ["batch", str(tmp_path), "--out", str(out), "--csv", str(table), "--report", str(report)], capsys
    )
    assert code == EXIT_PARTIAL and stdout == ""
    for path in (out, tmp_path / "scores.errors.jsonl", table, report, tmp_path / "scores.jsonl.state.db"):
        assert re.search(rf"^reliability: \w+: +{re.escape(str(path))} ", err, re.MULTILINE), (path, err)
    assert "2 distinct article(s) from 3 record(s)" in err


def test_batch_progress_counts_sentences_while_embedding(capsys: pytest.CaptureFixture[str]) -> None:
    from service.batch.runner import Progress

    progress = Progress(300, "embedding", unit="sentence")
    progress.update(300)
    err = capsys.readouterr().err
    assert "embedding: 300/300 sentences" in err and "sentences/s" in err and "article" not in err
    Progress(2, "scoring").update(2)
    assert "scoring: 2/2 articles" in capsys.readouterr().err


def test_extract_prints_clean_body(seed_paths: list[Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["extract", str(seed_paths[2])], capsys)
    assert code == EXIT_OK
    assert out.startswith("Vladimir Poutine et Kim Jong-un signent")
    assert "\u00a0" not in out and "\u202f" not in out


def test_a_nul_anywhere_refuses_the_file_before_any_store_sees_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 15, finding 3: PostgreSQL refuses NUL in text; `score --db` must not reach the store with it."""
    escaped = tmp_path / "escaped.json"  # a JSON escape, so no NUL byte in the file itself
    escaped.write_text(json.dumps({"text": "Le maire a parlé.", "title": "Un titre\u0000"}), encoding="utf-8")
    late = tmp_path / "late.txt"  # a NUL byte far past the first 8 KiB
    late.write_bytes(("Le maire a présenté un plan pour les écoles. " * 400).encode() + b"\x00 fin.")
    db = tmp_path / "store.db"
    for path, reason in ((escaped, "'title' contains a NUL character"), (late, "found NUL bytes")):
        code, out, err = _run(["score", "--db", str(db), str(path)], capsys)
        assert code == EXIT_BAD_INPUT and out == "", err
        assert reason in err and "Traceback" not in err


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
    # the log counts sentences where it embeds them, and every output path it prints exists
    assert re.search(r"embedding: \d+/\d+ sentences", err), err
    printed = re.findall(r"^reliability: (?:scores|errors|state): +(\S+) ", err, re.MULTILINE)
    assert len(printed) == 3 and all(Path(p).is_file() for p in printed), err


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
