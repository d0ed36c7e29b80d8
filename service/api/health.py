"""Liveness, readiness and metrics: public, never rate limited."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app
from prometheus_client import CONTENT_TYPE_LATEST

from service.errors import ReliabilityError

from .problems import problem

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> dict[str, Any]:
    """The process is up."""
    return {"status": "ok"}


@blp.get("/readyz")
def readyz() -> Any:
    """The models are loaded and the store answers."""
    service = current_app.extensions["reliability"]
    checks = {"model": service.resources.model_version, "store": "ok"}
    try:
        service.ensure_store()
        service.store.ping()
    except ReliabilityError as exc:
        checks["store"] = str(exc)
        return problem(503, "not ready: the article store is unavailable", checks=checks)
    return {"status": "ready", "checks": checks}


@blp.get("/metrics")
def metrics() -> Response:
    return Response(current_app.extensions["metrics"].render(), mimetype=CONTENT_TYPE_LATEST)
