"""Helpers shared by the blueprints: the scoring service and request bodies as ArticleInput."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, request

from service.engine import budget
from service.engine.records import ArticleInput
from service.errors import InputError
from service.store.scoring_service import ScoringService


def get_service() -> ScoringService:
    service: ScoringService = current_app.extensions["reliability"]
    return service


def score_for_request(articles: list[ArticleInput], persist: bool) -> list[dict[str, Any]]:
    """ScoringService.score within this request's budget (issue 15, finding 7).

    The engine stops at its next check, with nothing stored, once `request_budget` seconds have
    passed (TimeBudgetExceeded, a 503) or once the client has hung up: waitress (server.py) reads
    on while a request runs and gives a `waitress.client_disconnected` callable that says so
    (ScoringCancelled). Under the Flask test client or another server there is no such callable,
    and only the deadline holds.
    """
    seconds = float(current_app.config["RELIABILITY_SETTINGS"]["request_budget"])
    deadline = time.monotonic() + seconds if seconds > 0 else None
    with budget.scope(deadline, request.environ.get("waitress.client_disconnected")):
        return get_service().score(articles, persist=persist)


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
