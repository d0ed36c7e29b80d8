"""`reliability batch`: inputs and metadata, bad files, CSV, and kill -9 then --resume."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.cli import main
from service.engine.signals import COMPONENTS
from tests.conftest import EXAMPLES, SEEDS

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ROOT.parent / "shared" / "data" / "rpm2-fr-dev" / "documents.jsonl"


def make_corpus(folder: Path, n_documents: int = 40) -> dict[str, Path]:
    """Seeds (in a folder named after their outlet), examples, RPM2 articles as JSONL, and bad files."""
    outlet = folder / "seeds.example"
    outlet.mkdir(parents=True)
    for path in sorted(SEEDS.glob("*.txt")):
        (outlet / path.name).write_bytes(path.read_bytes())
    for path in sorted(EXAMPLES.iterdir()):
        if path.suffix in (".json", ".txt", ".html"):
            (folder / path.name).write_bytes(path.read_bytes())
    lines = DOCUMENTS.read_text(encoding="utf-8").splitlines()[:n_documents]
    export = folder / "export" / "cms.jsonl"
    export.parent.mkdir()
    rows = []
    for k, line in enumerate(lines):
        doc = json.loads(line)
        url = f"https://www.paper{k % 4}.example/{doc['doc_id']}"
        record = {"id": doc["doc_id"], "title": doc["title"], "text": doc["text"], "url": url}
        rows.append(json.dumps(record, ensure_ascii=False))
    rows.insert(3, "{not json")
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    side = folder / "with_sidecar.txt"
    side.write_text(json.loads(lines[-1])["text"], encoding="utf-8")
    (folder / "with_sidecar.meta.json").write_text(
        json.dumps({"title": "Titre donné à part", "source": "sidecar.example", "published_at": "2008-07-04"}),
        encoding="utf-8",
    )
    bad = {"binary": folder / "binary.txt", "empty": folder / "empty.txt", "utf8": folder / "latin1.txt"}
    bad["binary"].write_bytes(b"\x00\x01\x02 not text")
    bad["empty"].write_bytes(b"")
    bad["utf8"].write_bytes("Un texte en latin-1 : été".encode("latin-1"))
    return bad


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_batch_reads_metadata_reports_bad_files_and_writes_csv(tmp_path: Path, resources: object) -> None:
    bad = make_corpus(tmp_path / "in", n_documents=12)
    out, table, report = tmp_path / "out.jsonl", tmp_path / "out.csv", tmp_path / "report.html"
    code = main(["batch", str(tmp_path / "in"), "--out", str(out), "--csv", str(table), "--report", str(report)])
    assert code == 1  # some inputs failed, the rest were scored
    errors = read_jsonl(tmp_path / "out.errors.jsonl")
    failed = {e["path"] for e in errors}
    assert {str(p) for p in bad.values()} <= failed
    assert any(e["path"].endswith("cms.jsonl:4") and "invalid JSON" in e["reason"] for e in errors)
    results = read_jsonl(out)
    assert len(results) == 5 + 17 + 12 + 1  # seeds, examples, JSONL lines but the broken one, sidecar
    by_input = {Path(r["input"]).name: r for r in results}
    assert by_input["with_sidecar.txt"]["title"] == "Titre donné à part"
    assert by_input["with_sidecar.txt"]["source"]["domain"] == "sidecar.example"
    seeds = [r for r in results if "seeds.example" in r["input"]]
    assert {r["source"]["domain"] for r in seeds} == {"seeds.example"}  # the folder names the outlet
    assert {r["source"]["domain"] for r in results if "cms.jsonl" in r["input"]} == {
        f"paper{k}.example" for k in range(4)
    }
    assert len({r["story_id"] for r in seeds}) == 1
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert len(rows) == len(results)
    assert set(COMPONENTS) <= set(rows[0]) and {"score", "label", "source", "story_id"} <= set(rows[0])
    assert [float(r["score"]) for r in rows] == [r["score"] for r in results]
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 2 and "Jim Jung Un" in html and "seeds.example" in html


def test_batch_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "a.txt").write_bytes(b"\x00\x00")
    assert main(["batch", str(only_bad), "--out", str(tmp_path / "o.jsonl")]) == 3
    assert main(["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert main(["batch", str(only_bad), "--out", str(tmp_path / "o.jsonl"), "--workers", "0"]) == 2
    assert "nothing" not in capsys.readouterr().out


def _batch_command(folder: Path, out: Path, *extra: str) -> list[str]:
    script = Path(sys.executable).parent / "reliability"
    return [str(script), "batch", str(folder), "--out", str(out), "--workers", "2", *extra]


@pytest.mark.parametrize(
    "kill_when",
    ["SELECT COUNT(*) >= 1 FROM sentences", "SELECT COUNT(*) >= 2 FROM units"],
    ids=["while-embedding", "while-scoring"],
)
def test_killed_batch_resumes_to_the_uninterrupted_result(tmp_path: Path, kill_when: str) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, n_documents=40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}
    whole = tmp_path / "whole.jsonl"
    done = subprocess.run(_batch_command(folder, whole), env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr  # the corpus holds bad files

    resumed = tmp_path / "resumed.jsonl"
    state = tmp_path / "resumed.jsonl.state.db"
    proc = subprocess.Popen(
        _batch_command(folder, resumed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    ready = False
    while time.monotonic() < deadline and proc.poll() is None:
        if state.exists():
            try:
                with sqlite3.connect(state) as conn:
                    ready = bool(conn.execute(kill_when).fetchone()[0])
            except sqlite3.OperationalError:
                ready = False
        if ready:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the batch finished before it could be killed"
    assert not resumed.exists()

    again = subprocess.run(
        _batch_command(folder, resumed, "--resume"), env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 1, again.stderr
    assert read_jsonl(resumed) == read_jsonl(whole)
    with sqlite3.connect(state) as conn:
        results = conn.execute("SELECT COUNT(*), COUNT(DISTINCT article_id) FROM results").fetchone()
    assert results[0] == results[1] == len({r["article_id"] for r in read_jsonl(whole)})


def make_hostile_folder(folder: Path) -> tuple[set[str], dict[str, str]]:
    """Seeds and one good JSONL line (the good inputs), beside files that each fail in another way.

    Returns the good inputs' names and, for each bad input (path, or path:line), a word of its reason.
    """
    folder.mkdir()
    good = set()
    for path in sorted(SEEDS.glob("*.txt")):
        (folder / path.name).write_bytes(path.read_bytes())
        good.add(str(folder / path.name))
    text = json.dumps(json.loads(DOCUMENTS.read_text(encoding="utf-8").splitlines()[0])["text"])
    bad: dict[str, str] = {}

    def put(name: str, content: bytes, reason: str) -> Path:
        path = folder / name
        path.write_bytes(content)
        bad[str(path)] = reason
        return path

    put("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply")  # json recurses: RecursionError
    export = folder / "export.jsonl"
    export.write_bytes(
        b'{"text": ' + text.encode() + b', "url": "https://a.example/1"}\n'
        + b"[" * 100_000 + b"\n"
        + b'{"text": "Un article.", "id": ' + b"9" * 5000 + b"}\n"  # int() refuses over 4300 digits: ValueError
    )  # fmt: skip
    good.add(f"{export}:1")
    bad[f"{export}:2"], bad[f"{export}:3"] = "nested too deeply", "invalid JSON"
    put("surrogate.json", b'{"text": "Un caract\\ud800re qui n\'en est pas un."}', "surrogate")
    # not UTF-8, and the charset it declares is no text encoding (bytes.decode raises LookupError)
    put("base64.html", b'<html><head><meta charset="base64"></head><body><p>Caf\xe9 au lait.</p></body></html>',
        "invalid UTF-8")  # fmt: skip
    put("sidecar_not_json.txt", b"Un article dont la fiche est cass\xc3\xa9e.", "sidecar_not_json.meta.json")
    (folder / "sidecar_not_json.meta.json").write_bytes(b"{not json")
    put("sidecar_latin1.txt", b"Un article dont la fiche est en latin-1.", "invalid utf-8")
    (folder / "sidecar_latin1.meta.json").write_bytes('{"title": "Été"}'.encode("latin-1"))
    (folder / "loop_a.txt").symlink_to("loop_b.txt")  # a symlink loop: open() fails with ELOOP
    (folder / "loop_b.txt").symlink_to("loop_a.txt")
    bad[str(folder / "loop_a.txt")] = bad[str(folder / "loop_b.txt")] = "symbolic links"
    (folder / "gone.txt").symlink_to("nowhere.txt")
    bad[str(folder / "gone.txt")] = "No such file"
    name = folder / os.fsdecode(b"caf\xe9.txt")  # a name no UTF-8 output can hold
    name.write_text("Un article au nom en latin-1.", encoding="utf-8")
    bad[f"{folder}/caf\\xe9.txt"] = "not valid UTF-8"  # the errors file shows that byte as \xe9
    return good, bad


def test_batch_lists_every_bad_file_and_goes_on(
    tmp_path: Path, resources: object, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = make_hostile_folder(tmp_path / "in")
    out = tmp_path / "out.jsonl"
    code = main(["batch", str(tmp_path / "in"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1, err  # some inputs failed, the others were scored
    assert "Traceback" not in err
    assert {r["input"] for r in read_jsonl(out)} == good
    errors = {e["path"]: e["reason"] for e in read_jsonl(tmp_path / "out.errors.jsonl")}
    assert set(errors) == set(bad)
    for path, word in bad.items():
        reason = errors[path]
        assert reason.startswith(path + ":") and word.lower() in reason.lower(), reason
        assert "\n" not in reason and f"skipped {reason}\n" in err


def _parent_and_state(pid: int) -> tuple[int, str] | None:
    """(parent pid, state letter) of a process from /proc, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split()  # the command name may hold spaces and parentheses
    return int(fields[1]), fields[0].decode()


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (_parent_and_state(int(entry.name)) or (0, ""))[0] == pid:
            found.add(int(entry.name))
    return found


def _running(pid: int) -> bool:
    info = _parent_and_state(pid)
    return info is not None and info[1] not in ("Z", "X")  # a zombie has exited; only its parent may reap it


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc (Linux)")
def test_workers_exit_when_the_batch_is_killed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    make_corpus(folder, n_documents=40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELIABILITY_")}
    state = tmp_path / "out.jsonl.state.db"
    proc = subprocess.Popen(
        _batch_command(folder, tmp_path / "out.jsonl"), env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        # Killed once the workers are up and one has handed back work (its models loaded): the
        # workers of the finding (455 MB each) were well past their start.
        deadline = time.monotonic() + 300
        segmented = False
        while time.monotonic() < deadline and proc.poll() is None and not segmented:
            time.sleep(0.1)
            if state.exists():
                try:
                    with sqlite3.connect(state) as conn:
                        segmented = conn.execute("SELECT COUNT(*) FROM segmented").fetchone()[0] > 0
                except sqlite3.OperationalError:
                    segmented = False
        children = _children(proc.pid)
        assert proc.poll() is None, "the batch finished before it could be killed"
        assert len(children) >= 2, children  # two workers (and multiprocessing's resource tracker)
        os.kill(proc.pid, signal.SIGKILL)  # the batch process only: its workers must follow by themselves
        proc.wait(timeout=30)
        gone_by = time.monotonic() + 15
        while time.monotonic() < gone_by and any(_running(pid) for pid in children):
            time.sleep(0.1)
        assert not [pid for pid in children if _running(pid)], "processes of the killed batch still run"
    finally:
        try:  # whatever is left of the session this test started
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)


def test_a_store_write_with_an_unscored_article_stores_nothing(tmp_path: Path) -> None:
    from service.batch import runner
    from service.errors import ReliabilityError

    state = runner.open_state(tmp_path / "state.db", "fingerprint", resume=False)
    for article_id in ("a1", "a2"):
        state.execute("INSERT INTO vectors VALUES (?,?,?,?,?)", (article_id, "[]", b"", b"", "[]"))
    state.execute("INSERT INTO results VALUES (?,?,?)", ("a1", "u", json.dumps({"source": {"domain": None}})))
    db = tmp_path / "store.sqlite"
    with pytest.raises(ReliabilityError, match="1 article"):
        runner._store(f"sqlite:///{db}", state, {}, {"a1", "a2"}, {}, None)
    assert not db.exists()  # refused before the store was opened: nothing half-written
    with pytest.raises(ReliabilityError, match="a2 has no result"):
        runner._result(state, "a2", {})
