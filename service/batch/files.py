"""What a batch reads and writes: input records (with sidecar metadata), OUT.jsonl and the CSV."""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.engine.extract import (
    ARTICLE_SUFFIXES,
    as_plain_text,
    published_at_field,
    read_jsonl_bytes,
    read_jsonl_lenient,
    read_path,
)
from service.engine.pipeline import content_id
from service.engine.records import ArticleInput
from service.errors import InputError, ReliabilityError, UsageError

COMPRESSED = re.compile(r"\.(gz|bz2|xz)$")  # what fsspec's compression="infer" opens with the standard library
META_FIELDS = ("id", "title", "url", "source", "published_at", "language")


@dataclass
class Record:
    """One readable input record; several records may hold the same text (same article id)."""

    input: str
    article: ArticleInput
    article_id: str = ""


def discover(target: Path) -> tuple[list[Path], list[dict[str, str]]]:
    """Article files under a folder (recursively, sorted) or the one file given; and an error
    `{"path", "reason"}` for each folder that could not be listed.

    Every entry with an article suffix that is not a folder is listed, links that lead nowhere and
    special files included: reading them reports them. Links to folders are not followed.
    Raises UsageError when the target does not exist.
    """
    if not target.exists():
        raise UsageError(f"{target}: no such file or folder")
    if target.is_file():
        return [target], []
    found: list[Path] = []
    errors: list[dict[str, str]] = []
    folders = [target]
    while folders:  # a loop, not recursion: a tree thousands of folders deep is no crash either
        folder = folders.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            errors.append(_error(folder, exc))
            continue
        for entry in entries:
            path = folder / entry.name
            try:
                real_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                real_folder = False  # reading it says why
            if real_folder:
                folders.append(path)
            elif (
                path.suffix.lower() in ARTICLE_SUFFIXES
                and not path.name.endswith(".meta.json")
                and path.name.lower() != "readme.md"
                and not path.is_dir()
            ):
                found.append(path)
    return sorted(found), errors


def is_file_set(target: str) -> bool:
    """Whether a batch target names files for fsspec (a URL such as s3://..., or a glob such as
    data/*.jsonl) rather than one local file or folder (which is read as such even with a * in its name)."""
    return "://" in target or (any(c in target for c in "*?[") and not os.path.lexists(target))


def read_records(target: Path | str, max_bytes: int) -> tuple[list[Record], list[dict[str, str]]]:
    """The records of every article file under `target`, and an error `{"path", "reason"}` (the
    reason one line, naming the input) for each folder, file or JSONL line that could not be read
    or extracted: whatever goes wrong with one input, the others are still read.

    `target` is a local folder or file (a Path), or a str that `is_file_set`: JSONL files read by fsspec.
    Raises UsageError when the target does not exist or matches nothing.
    """
    if isinstance(target, str):
        if is_file_set(target):
            return _read_file_set(target, max_bytes)
        target = Path(target)
    root = target if target.is_dir() else target.parent
    records: list[Record] = []
    paths, errors = discover(target)
    for path in paths:
        try:
            articles, sidecar = _read_file(path, max_bytes, errors)
        except Exception as exc:  # any failure of this file (OSError, RecursionError, a parser's): the next file
            errors.append(_error(path, exc))
            continue
        for article in articles:
            try:
                folder = path.parent.name if path.parent != root else None
                records.append(_filled(article, sidecar, folder, str(path)))
            except Exception as exc:  # extraction of this record only (trafilatura, lxml, ...)
                errors.append(_error(article.input or path, exc))
    return records, errors


def _read_file_set(pattern: str, max_bytes: int) -> tuple[list[Record], list[dict[str, str]]]:
    """The records of the JSONL files (optionally compressed: .gz, .bz2, .xz) that fsspec finds
    for a URL or glob: a local or shared file system, or an object store whose fsspec driver is
    installed (s3fs, gcsfs, adlfs). Files are read in the order of their names."""
    import fsspec

    try:
        files = fsspec.open_files(pattern, mode="rb", compression="infer")
        if not any(c in pattern for c in "*?["):
            # No glob: fsspec hands back the one path as given, whether or not it is there.
            files = [f for f in files if f.fs.isfile(f.path)]
    except (ImportError, ValueError, OSError) as exc:  # unknown protocol, driver missing, listing refused
        raise UsageError(f"{pattern}: {' '.join(str(exc).split()) or type(exc).__name__}") from None
    if not files:
        raise UsageError(f"{pattern}: no file matches (a folder URL needs a glob: .../*.jsonl)")
    records: list[Record] = []
    errors: list[dict[str, str]] = []
    for opened in sorted(files, key=lambda f: f.full_name):
        label = opened.full_name if "://" in pattern else opened.path  # a local glob: its files' plain paths
        try:
            if not COMPRESSED.sub("", label).endswith(".jsonl"):
                raise InputError(f"{label}: only JSONL files (one article per line) are read from a URL or glob")
            with opened as handle:
                data = handle.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise InputError(f"{label}: file too large (> {max_bytes / 1e6:.1f} MB limit)")
            articles, line_errors = read_jsonl_bytes(data, label)
        except Exception as exc:  # this file only: the next one is read
            errors.append(_error(label, exc))
            continue
        errors += [{"path": getattr(e, "path", label), "reason": str(e)} for e in line_errors]
        for article in articles:
            try:
                records.append(_filled(article, {}, None, label))
            except Exception as exc:
                errors.append(_error(article.input or label, exc))
    return records, errors


def _read_file(path: Path, max_bytes: int, errors: list[dict[str, str]]) -> tuple[list[ArticleInput], dict[str, str]]:
    """One file's articles (a JSONL file's bad lines are added to `errors`) and its sidecar metadata."""
    if _shown(str(path)) != str(path):
        # every output names its input by path, and a JSON or CSV file cannot hold these bytes
        raise InputError(f"{_shown(str(path))}: file name is not valid UTF-8; rename it")
    if not stat.S_ISREG(path.stat().st_mode):  # a link to nowhere or a loop: OSError, said in the errors file
        raise InputError(f"{path}: not a regular file")  # a FIFO would block the batch, a device never end
    if path.suffix.lower() == ".jsonl":
        articles, line_errors = read_jsonl_lenient(path, max_bytes)
        errors += [{"path": getattr(e, "path", str(path)), "reason": str(e)} for e in line_errors]
    else:
        articles = read_path(path, max_bytes)
    return articles, sidecar_metadata(path, max_bytes)


def sidecar_metadata(path: Path, max_bytes: int) -> dict[str, str]:
    """The metadata fields of NAME.meta.json beside NAME.*, or {} where there is none.

    Raises InputError when the sidecar cannot be read or is not a JSON object: its article is then
    not scored, rather than scored without the source or date it was given.
    """
    meta = path.with_name(path.stem + ".meta.json")
    if not os.path.lexists(meta):
        return {}
    label = f"{path}: its sidecar {meta.name}"
    try:
        size = meta.stat().st_size
        if size > max_bytes:
            raise InputError(f"{label}: file too large ({size / 1e6:.1f} MB > {max_bytes / 1e6:.1f} MB limit)")
        data = json.loads(meta.read_bytes().decode("utf-8-sig"))
        if not isinstance(data, dict):
            raise InputError(f"{label}: not a JSON object")
        found = {k: str(data[k]) for k in META_FIELDS if data.get(k) is not None}
        if "published_at" in found:  # a date that names no instant refuses the article, as in a JSON article
            found["published_at"] = published_at_field(found["published_at"], label)
        return found
    except InputError:
        raise
    except Exception as exc:  # unreadable, not UTF-8, not JSON, nested too deeply: said with the sidecar named
        raise InputError(f"{label}: {_why(exc)}") from None


def _error(path: str | Path, exc: Exception) -> dict[str, str]:
    """The errors-file entry of one input (a path, or path:line): `{"path", "reason"}`, the reason one line."""
    reason = str(exc) if isinstance(exc, ReliabilityError) else f"{path}: {_why(exc)}"  # ours name the input
    return {"path": _shown(str(path)), "reason": _shown(" ".join(reason.splitlines()))}


def _why(exc: BaseException) -> str:
    """What went wrong, in words, on one line."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return f"invalid {exc.encoding} at byte {exc.start}"
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot read: {exc.strerror}"
    detail = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _shown(text: str) -> str:
    """`text` as UTF-8 can hold it: the bytes of a non-UTF-8 file name as \\xNN (the outputs are UTF-8)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that stands for no byte of a name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def reject_lone_surrogates(article: ArticleInput, label: str | None = None) -> None:
    """Raise InputError naming the field of `article` that holds a lone UTF-16 surrogate: JSON may
    escape one ("\\ud800"), and no UTF-8 output, hash or store could hold it. `label` names the
    input in the message (default: `article.input`)."""
    for key, value in vars(article).items():
        if isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(
                    f"{label or article.input}: '{key}' holds a lone UTF-16 surrogate (such as \\ud800), "
                    "which is no character"
                ) from None


def _filled(article: ArticleInput, sidecar: dict[str, Any], folder: str | None, label: str) -> Record:
    """The article as plain text with its metadata (the source falls back to `folder`, the name of
    the sub-folder it was found in); `label` names its file. Extraction happens once, here."""
    for key, value in sidecar.items():
        if getattr(article, key) is None:
            setattr(article, key, value)
    plain, _ = as_plain_text(article)
    reject_lone_surrogates(plain, article.input)
    if not plain.source and folder:
        plain.source = folder
    text = plain.text or ""
    if not text.strip():
        raise ReliabilityError(f"{article.input}: no text left after cleaning")
    return Record(input=article.input or label, article=plain, article_id=content_id(text))


# -- outputs ---------------------------------------------------------------------------


def write_outputs(
    records: list[Record], result_of: Callable[[str], dict[str, Any]], out: Path, csv_path: Path | None
) -> None:
    """OUT.jsonl (and the CSV) in input order, one line per record: `result_of(article_id)` with
    the record's `input` and `id`. The rows are made one at a time and not kept."""

    def rows() -> Iterator[dict[str, Any]]:
        for record in records:
            result = result_of(record.article_id)
            result["input"] = record.input
            result["id"] = record.article.id
            yield result

    write_jsonl(out, rows())
    if csv_path is not None:
        write_csv(csv_path, rows())


CSV_FIELDS = ("input", "article_id", "score", "label", "confidence", "source", "source_rating", "story_id", "title")


def write_csv(path: Path, rows: Iterable[dict[str, Any]]) -> None:
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


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
