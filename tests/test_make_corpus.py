"""bench/make_corpus.py: a deterministic, mixed-format corpus for `reliability batch` (n=120, a few seconds)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bench.make_corpus import DEFAULT_DATA, RPM2, generate_corpus, main
from service.engine.extract import read_path
from service.errors import InputError

N = 120
SUFFIXES = (".txt", ".html", ".htm", ".json", ".jsonl", ".md")


def setup_module() -> None:
    assert (DEFAULT_DATA / RPM2).is_file(), f"the public data is expected at {DEFAULT_DATA} (../shared/data)"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("corpus") / "a"
    return out, generate_corpus(out, N, seed=0)


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _key(text: str) -> str:
    return "\n".join(" ".join(p.split()) for p in re.split(r"\n+", text) if p.strip())


def _read_tree(root: Path, corrupted: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every readable record, read here without the generator: {locator: {text, title, outlet, format}}."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if not path.is_file() or path.suffix.lower() not in SUFFIXES or path.name.endswith(".meta.json"):
            continue
        if rel in corrupted and corrupted[rel]["kind"] != "invalid_jsonl_line":
            continue
        raw = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            for lineno, line in enumerate(raw.splitlines(), 1):
                try:
                    data = json.loads(line)
                except json.JSONDecodeError:
                    continue
                records[f"{rel}:{lineno}"] = _from_json(data, "jsonl")
        elif path.suffix == ".json":
            records[rel] = _from_json(json.loads(raw), "json")
        elif path.suffix == ".html":
            article = re.search(r"<article>(.*)</article>", raw, re.S)
            assert article, rel
            h1 = re.search(r"<h1>(.*?)</h1>", article.group(1), re.S)
            site = re.search(r'<meta property="og:site_name" content="([^"]*)">', raw)
            paragraphs = [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", article.group(1), re.S)]
            records[rel] = {
                "text": "\n\n".join(paragraphs),
                "title": html.unescape(h1.group(1)) if h1 else None,
                "outlet": html.unescape(site.group(1)) if site else None,
                "format": "html",
            }
        else:
            sidecar = path.with_name(path.stem + ".meta.json")
            if sidecar.is_file():
                meta = json.loads(sidecar.read_text(encoding="utf-8"))
                records[rel] = {"text": raw, "title": meta.get("title"), "outlet": meta["source"], "format": "txt_meta"}
            else:
                title, _, body = raw.partition("\n\n")
                records[rel] = {
                    "text": body,
                    "title": title.strip(),
                    "outlet": path.parent.name,
                    "format": "txt_folder",
                }
    return records


def _from_json(data: dict[str, Any], fmt: str) -> dict[str, Any]:
    assert isinstance(data, dict) and data.get("text")
    outlet = data.get("source") or re.sub(r"^https?://(www\.)?([^/]+)/.*$", r"\2", data["url"])
    return {"text": data["text"], "title": data.get("title"), "outlet": outlet, "format": fmt}


def test_same_seed_same_bytes(corpus: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    root, manifest = corpus
    again = generate_corpus(tmp_path / "b", N, seed=0)
    assert _tree(root) == _tree(tmp_path / "b")
    assert again == manifest
    other = generate_corpus(tmp_path / "c", N, seed=1)
    assert _tree(tmp_path / "c") != _tree(root)
    assert other["articles"] == N


def test_refuses_a_non_empty_folder(corpus: tuple[Path, dict[str, Any]]) -> None:
    with pytest.raises(FileExistsError):
        generate_corpus(corpus[0], N)


def test_counts_match_the_tree(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    corrupted = {c["path"]: c for c in manifest["corrupted"]}
    records = _read_tree(root, corrupted)
    assert len(records) == manifest["articles"] == N
    assert {r["path"] for r in manifest["records"]} == set(records)
    keys = Counter(_key(r["text"]) for r in records.values())
    assert len(keys) == manifest["distinct"]
    assert manifest["duplicates"] == N - len(keys) == manifest["roles"]["duplicate"] >= 3
    # everything that is not deliberately broken is readable by the service's reader
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and path.suffix in SUFFIXES and not path.name.endswith(".meta.json") and rel not in corrupted:
            assert read_path(path), rel


def test_formats_sidecars_and_outlet_folders(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    records = _read_tree(root, {c["path"]: c for c in manifest["corrupted"]})
    formats = Counter(r["format"] for r in records.values())
    assert set(formats) == {"txt_meta", "txt_folder", "json", "jsonl", "html"}
    txt = formats["txt_meta"] + formats["txt_folder"]
    assert 0.3 * N <= txt <= 0.5 * N
    assert formats["jsonl"] >= 0.15 * N and formats["html"] >= 0.08 * N and formats["json"] >= 0.12 * N
    assert list(root.rglob("*.meta.json"))
    by_path = {r["path"]: r for r in manifest["records"]}
    folder_named = [p for p, r in records.items() if r["format"] == "txt_folder" and r["outlet"].endswith(".example")]
    assert len(folder_named) >= 10
    for rel, record in records.items():  # the outlet the reader finds is the manifest's
        if by_path[rel]["outlet"]:
            assert record["outlet"] == by_path[rel]["outlet"], rel
        if record["format"] in ("txt_folder", "html"):
            assert record["title"], rel
    assert len({r["outlet"] for r in records.values()}) >= 40
    assert any(len(Path(p).parts) >= 4 for p in records)  # nested folders


def test_duplicates_and_variants(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    records = _read_tree(root, {c["path"]: c for c in manifest["corrupted"]})
    by_path = {r["path"]: r for r in manifest["records"]}
    roles = Counter(r["role"] for r in manifest["records"])
    assert roles["variant"] >= 20 and roles["synthetic"] >= 3 and roles["original"] >= 40
    for rel, meta in by_path.items():
        if meta["role"] == "duplicate":
            base = meta["base"]
            assert base != rel and base.split(":")[0] != rel.split(":")[0]
            assert _key(records[rel]["text"]) == _key(records[base]["text"])
            assert records[rel]["format"] != records[base]["format"]
        elif meta["role"] == "variant":
            base = meta["base"]
            mine, theirs = _key(records[rel]["text"]), _key(records[base]["text"])
            assert mine != theirs and len(mine) < len(theirs), rel
            assert set(mine.split()) <= set(theirs.split()), rel
            assert len(re.findall(r"[.!?]", mine)) >= 2, rel
            assert meta["outlet"] != by_path[base]["outlet"], rel
            assert meta["story"] == by_path[base]["story"], rel
    stories = Counter(r["story"] for r in manifest["records"])
    assert max(stories.values()) <= 15
    synthetic = [size for story, size in stories.items() if story.startswith("S")]
    assert synthetic and min(synthetic) >= 3 and max(synthetic) <= 11
    outlets_per_story: dict[str, list[str]] = {}
    for meta in manifest["records"]:
        if meta["role"] != "duplicate" and meta["outlet"]:
            outlets_per_story.setdefault(meta["story"], []).append(meta["outlet"])
    assert all(len(o) == len(set(o)) for o in outlets_per_story.values())


def test_corrupted_files(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    kinds = Counter(c["kind"] for c in manifest["corrupted"])
    assert set(kinds) == {"binary", "empty", "invalid_utf8", "invalid_json", "invalid_jsonl_line", "too_large"}
    for c in manifest["corrupted"]:
        path = root / c["path"]
        data = path.read_bytes()
        kind = c["kind"]
        if kind == "binary":
            assert path.suffix == ".txt" and b"\x00" in data[:8192]
        elif kind == "empty":
            assert path.suffix == ".txt" and data == b""
        elif kind == "invalid_utf8":
            assert path.suffix == ".txt" and data.strip()
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        elif kind == "invalid_json":
            assert path.suffix == ".json"
            with pytest.raises(json.JSONDecodeError):
                json.loads(data.decode("utf-8"))
        elif kind == "too_large":
            assert path.suffix == ".txt" and len(data) > 6 * 1024 * 1024
            assert data.decode("utf-8").strip()
        if kind == "invalid_jsonl_line":
            lines = data.decode("utf-8").splitlines()
            bad = []
            for lineno, line in enumerate(lines, 1):
                try:
                    json.loads(line)
                except json.JSONDecodeError:
                    bad.append(lineno)
            assert bad == [c["line"]] and len(lines) - 1 == c["valid_records"] >= 2
        else:
            with pytest.raises(InputError, match=re.escape(c["reason"])):
                read_path(path)


def test_cli_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "cli"), "--n", "40", "--seed", "3", "--manifest", str(tmp_path / "m.json")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["articles"] == 40 and "records" not in summary
    assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["articles"] == 40
    assert main([str(tmp_path / "cli"), "--n", "40"]) == 2
