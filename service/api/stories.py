"""/v1/stories/{id}: a story's articles and claim clusters."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint

from .common import get_service
from .schemas import StorySchema

blp = Blueprint("stories", __name__, url_prefix="/v1/stories", description="Stories")


@blp.route("/<story_id>", methods=["GET"])
@blp.response(200, StorySchema)
def story(story_id: str) -> dict[str, Any]:
    """The story's stored articles and its claims, each with the sources that make it."""
    out = get_service().story(story_id)
    if out is None:
        abort(404, f"no stored story {story_id}")
    return out
