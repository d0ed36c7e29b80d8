"""/v1/feedback: an editor's verdict on a flag or a score, kept for retraining."""

from __future__ import annotations

from typing import Any

from flask import abort, g
from flask_smorest import Blueprint

from .common import get_service
from .schemas import FeedbackRequestSchema, FeedbackResponseSchema

blp = Blueprint("feedback", __name__, url_prefix="/v1/feedback", description="Editors' feedback")


@blp.route("", methods=["POST"])
@blp.arguments(FeedbackRequestSchema)
@blp.response(201, FeedbackResponseSchema)
def add(payload: dict[str, Any]) -> dict[str, Any]:
    """Record a verdict on a stored article's score or on one of its flags (by span)."""
    store = get_service().store
    if store.get(payload["article_id"]) is None:
        abort(404, f"no stored article {payload['article_id']}")
    key = g.get("api_key")
    feedback_id = store.add_feedback({**payload, "key_id": key["id"] if key else None})
    return {"id": feedback_id, "article_id": payload["article_id"]}
