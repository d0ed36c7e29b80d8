"""A minimal SQLite article store for `reliability batch --db`: articles keyed by content hash.

One writer, WAL, one transaction per batch; re-adding an article already stored is a
no-op. (The REST service's full store replaces this in a later change.)
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from .records import ArticleInput

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id TEXT PRIMARY KEY,
    input TEXT,
    source TEXT,
    url TEXT,
    title TEXT,
    published_at TEXT,
    language TEXT,
    text TEXT NOT NULL,
    score REAL,
    result TEXT
);
"""


class ArticleStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)

    def load_articles(self) -> list[tuple[str, ArticleInput]]:
        """(article id, article) of every stored article."""
        rows = self.conn.execute(
            "SELECT article_id, text, title, url, source, published_at, language, input FROM articles"
            " ORDER BY article_id"
        ).fetchall()
        return [
            (
                r[0],
                ArticleInput(
                    text=r[1], title=r[2], url=r[3], source=r[4], published_at=r[5], language=r[6], input=r[7]
                ),
            )
            for r in rows
        ]

    def add_articles(self, articles: list[ArticleInput], results: list[dict[str, Any]]) -> None:
        with self.conn:
            for article, result in zip(articles, results, strict=True):
                self.conn.execute(
                    "INSERT OR IGNORE INTO articles VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (
                        result["article_id"],
                        article.input,
                        result["source"]["domain"],
                        result["url"],
                        result["title"],
                        article.published_at,
                        result["language"],
                        result["text"],
                        result["score"],
                        json.dumps(result, ensure_ascii=False),
                    ),
                )
