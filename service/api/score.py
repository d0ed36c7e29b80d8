"""POST /v1/score and /v1/score/batch: score against the stored corpus, optionally store."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_smorest import Blueprint

from service.errors import InputError

from .common import article_input, score_for_request
from .schemas import BatchRequestSchema, BatchResponseSchema, ScoreRequestSchema, ScoreSchema

blp = Blueprint("score", __name__, url_prefix="/v1", description="Score articles")


@blp.route("/score", methods=["POST"])
@blp.arguments(ScoreRequestSchema)
@blp.response(200, ScoreSchema)
def score(payload: dict[str, Any]) -> dict[str, Any]:
    """Score one article against the stored corpus (its story, its claims, its sources).

    With `store: true` the article is also added to the store (a no-op if the same text is
    already there). Flag and claim offsets index into the returned normalized `text`.
    """
    persist = bool(payload.pop("store", False))
    result = score_for_request([article_input(payload, "article")], persist=persist)[0]
    result.setdefault("stored", False)
    return result


@blp.route("/score/batch", methods=["POST"])
@blp.arguments(BatchRequestSchema)
@blp.response(200, BatchResponseSchema)
def score_batch(payload: dict[str, Any]) -> dict[str, Any]:
    """Score up to `batch_max_articles` articles together as one corpus, and against the store."""
    cap = current_app.config["RELIABILITY_SETTINGS"]["batch_max_articles"]
    items = payload["articles"]
    if len(items) > cap:
        raise InputError(f"articles: {len(items)} articles, over the batch limit of {cap}")
    articles = [article_input(item, f"articles[{n}]") for n, item in enumerate(items)]
    results = score_for_request(articles, persist=bool(payload.get("store")))
    for result in results:
        result.setdefault("stored", False)
    return {"results": results}
