"""/v1/articles: ingest, read back, read the stored score, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_smorest import Blueprint

from .common import article_input, get_service, score_for_request
from .schemas import ArticleSchema, ArticleSchemaOut, IngestResponseSchema, ScoreSchema

blp = Blueprint("articles", __name__, url_prefix="/v1/articles", description="Stored articles")


@blp.route("", methods=["POST"])
@blp.arguments(ArticleSchema)
@blp.response(201, IngestResponseSchema, description="stored")
@blp.alt_response(200, schema=IngestResponseSchema, description="the same text was already stored; nothing changed")
def ingest(payload: dict[str, Any]) -> Any:
    """Score and store an article; the response is short (read the full score at its `location`)."""
    result = score_for_request([article_input(payload, "article")], persist=True)[0]
    location = url_for("articles.article_score", article_id=result["article_id"])
    body = {
        "article_id": result["article_id"],
        "created": result["created"],
        "story_id": result["story_id"],
        "score": result["score"],
        "label": result["label"],
        "location": location,
    }
    return body, (201 if result["created"] else 200), {"Location": location}


@blp.route("/<article_id>", methods=["GET"])
@blp.response(200, ArticleSchemaOut)
def article(article_id: str) -> dict[str, Any]:
    """A stored article: its metadata and normalized text."""
    row = get_service().store.get(article_id)
    if row is None:
        abort(404, f"no stored article {article_id}")
    out = {k: row[k] for k in ArticleSchemaOut().fields if k in row and k not in ("created_at", "scored_at", "id")}
    out["id"] = row["external_id"]
    out["created_at"] = row["created_at"].isoformat()
    out["scored_at"] = row["scored_at"].isoformat() if row["scored_at"] else None
    return out


@blp.route("/<article_id>/score", methods=["GET"])
@blp.response(200, ScoreSchema)
def article_score(article_id: str) -> dict[str, Any]:
    """The article's latest score (refreshed when later articles of its story arrived)."""
    result = get_service().stored_score(article_id)
    if result is None:
        abort(404, f"no stored article {article_id}")
    result["stored"] = True
    return result


@blp.route("/<article_id>", methods=["DELETE"])
@blp.response(204)
def delete(article_id: str) -> Any:
    """Remove an article from the store (its feedback is kept for retraining)."""
    service = get_service()
    if not service.store.delete(article_id):
        abort(404, f"no stored article {article_id}")
    service.index.remove(article_id)
    return ""
