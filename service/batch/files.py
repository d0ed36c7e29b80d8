"""What a batch reads and writes: input records (with sidecar metadata), OUT.jsonl and the CSV."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.engine.extract import ARTICLE_SUFFIXES, as_plain_text, read_jsonl_lenient, read_path
from service.engine.pipeline import content_id
from service.engine.records import ArticleInput
from service.errors import ReliabilityError, UsageError

META_FIELDS = ("id", "title", "url", "source", "published_at", "language")


@dataclass
class Record:
    """One readable input record; several records may hold the same text (same article id)."""

    input: str
    article: ArticleInput
    article_id: str = ""


def discover(target: Path) -> list[Path]:
    """Article files under a folder (recursively, sorted), or the one file given."""
    if not target.exists():
        raise UsageError(f"{target}: no such file or folder")
    if target.is_file():
        return [target]
    return sorted(
        p
        for p in target.rglob("*")
        if p.is_file()
        and p.suffix.lower() in ARTICLE_SUFFIXES
        and not p.name.endswith(".meta.json")
        and p.name.lower() != "readme.md"
    )


def read_records(target: Path, max_bytes: int) -> tuple[list[Record], list[dict[str, str]]]:
    root = target if target.is_dir() else target.parent
    records: list[Record] = []
    errors: list[dict[str, str]] = []
    for path in discover(target):
        try:
            if path.suffix.lower() == ".jsonl":
                articles, line_errors = read_jsonl_lenient(path, max_bytes)
                errors += [{"path": getattr(e, "path", str(path)), "reason": str(e)} for e in line_errors]
            else:
                articles = read_path(path, max_bytes)
        except ReliabilityError as exc:
            errors.append({"path": str(path), "reason": str(exc)})
            continue
        sidecar = _sidecar(path)
        for article in articles:
            try:
                records.append(_filled(article, sidecar, path, root))
            except ReliabilityError as exc:
                errors.append({"path": article.input or str(path), "reason": str(exc)})
    return records, errors


def _sidecar(path: Path) -> dict[str, Any]:
    meta = path.with_name(path.stem + ".meta.json")
    if not meta.is_file():
        return {}
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: str(data[k]) for k in META_FIELDS if data.get(k) is not None} if isinstance(data, dict) else {}


def _filled(article: ArticleInput, sidecar: dict[str, Any], path: Path, root: Path) -> Record:
    """The article as plain text with its metadata: extraction happens once, here."""
    for key, value in sidecar.items():
        if getattr(article, key) is None:
            setattr(article, key, value)
    plain, _ = as_plain_text(article)
    if not plain.source and path.parent != root:
        plain.source = path.parent.name
    text = plain.text or ""
    if not text.strip():
        raise ReliabilityError(f"{article.input}: no text left after cleaning")
    return Record(input=article.input or str(path), article=plain, article_id=content_id(text))


# -- outputs ---------------------------------------------------------------------------


def write_outputs(records: list[Record], results: dict[str, dict[str, Any]], out: Path, csv_path: Path | None) -> None:
    rows = []
    for record in records:
        result = dict(results[record.article_id])
        result["input"] = record.input
        result["id"] = record.article.id
        rows.append(result)
    write_jsonl(out, rows)
    if csv_path is not None:
        write_csv(csv_path, rows)


CSV_FIELDS = ("input", "article_id", "score", "label", "confidence", "source", "source_rating", "story_id", "title")


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    import csv

    from service.engine.signals import COMPONENTS

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*CSV_FIELDS, *COMPONENTS, "flags"])
        for r in rows:
            writer.writerow(
                [r["input"], r["article_id"], r["score"], r["label"], r["confidence"], r["source"]["domain"] or "",
                 r["source"]["rating"], r["story_id"], r["title"] or ""]
                + [r["components"][c]["value"] for c in COMPONENTS]
                + [len(r["flags"])]
            )  # fmt: skip
    os.replace(tmp, path)


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
