"""Helpers shared by the blueprints: the scoring service and request bodies as ArticleInput."""

from __future__ import annotations

from typing import Any

from flask import current_app

from service.engine.records import ArticleInput
from service.errors import InputError
from service.store.scoring_service import ScoringService


def get_service() -> ScoringService:
    service: ScoringService = current_app.extensions["reliability"]
    return service


def article_input(payload: dict[str, Any], label: str) -> ArticleInput:
    """A validated article body as ArticleInput; fetches `url` only when the service allows it."""
    fields = {k: payload.get(k) for k in ("text", "html", "id", "title", "url", "source", "published_at", "language")}
    if not fields["text"] and not fields["html"]:
        settings = current_app.config["RELIABILITY_SETTINGS"]
        if not settings["fetch_urls"]:
            raise InputError(f"{label}: URL fetching is off on this service; send the article's 'text' or 'html'")
        from .fetch import fetch_url

        final_url, page = fetch_url(
            str(fields["url"]), max_bytes=settings["fetch_max_bytes"], timeout=settings["fetch_timeout"]
        )
        fields["html"], fields["url"] = page, final_url
    return ArticleInput(**fields, input=label)
