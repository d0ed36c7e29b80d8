"""/v1/sources/{domain}: an outlet's rating over its stored articles."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_smorest import Blueprint

from .common import get_service
from .schemas import SourceSchema

blp = Blueprint("sources", __name__, url_prefix="/v1/sources", description="Outlets")


@blp.route("/<domain>", methods=["GET"])
@blp.response(200, SourceSchema)
def source(domain: str) -> dict[str, Any]:
    """Rating 0-100 with a 90% interval that narrows as articles accumulate, and its history by month."""
    out = get_service().source(domain.lower().removeprefix("www."))
    if out is None:
        abort(404, f"no stored article from {domain}")
    return out
