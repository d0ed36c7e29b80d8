"""Source-reliability scoring for news articles.

from service import score_articles, load_embedder
"""

from __future__ import annotations

from typing import Any

__version__ = "0.18.0"
__all__ = ["score_articles", "load_embedder", "__version__"]


def score_articles(items: list[Any], embedder: str | None = None) -> list[dict[str, Any]]:
    """Score texts, mappings ({"text"|"html", "title", "url", "source", ...}) or ArticleInputs as one corpus."""
    from service.engine.pipeline import score_articles as _score

    return _score(items, embedder=embedder)


def load_embedder(name: str | None = None) -> Any:
    """The sentence-transformers model that embeds sentences (default: USE multilingual v3, offline)."""
    from service.engine.embed import load_embedder as _load

    return _load(name)
