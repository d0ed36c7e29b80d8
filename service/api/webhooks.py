"""/v1/webhooks/cms: a signed webhook any CMS can call to have a document scored in the background.

POST is authenticated by its HMAC signature (service/cms/signing.py), not by an API key: auth.py
calls `authenticate()` for it instead of the key check (rate limiting still applies, per
integration). The delivery is queued durably (service/cms/queue.py) and answered 202;
the app's worker thread scores it. GET reads the latest delivery of a document, with an API
key like every other /v1 endpoint.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, g, request, url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from service.cms import DeliveryQueue, ReplayError, WebhookWorker, aware, signing

from .common import get_service
from .schemas import (
    PUBLISHED,
    WebhookAcceptedSchema,
    WebhookDeliverySchema,
    WebhookPayloadSchema,
    WebhookQuerySchema,
)

blp = Blueprint("webhooks", __name__, url_prefix="/v1/webhooks", description="Signed webhook for any CMS")
WEBHOOK_PATH = "/v1/webhooks/cms"


def get_worker() -> WebhookWorker:
    worker: WebhookWorker = current_app.extensions["webhook_worker"]
    return worker


def get_queue() -> DeliveryQueue:
    return get_worker().queue


def is_webhook() -> bool:
    return request.method == "POST" and request.path == WEBHOOK_PATH


def unauthorized(detail: str) -> Unauthorized:
    challenge = WWWAuthenticate(signing.SIGNATURE_HEADER, {"realm": "reliability", "algorithm": "hmac-sha256"})
    return Unauthorized(detail, www_authenticate=challenge)


def authenticate() -> None:
    """The integration header names an active integration whose secret signed this raw body, lately."""
    name = request.headers.get(signing.INTEGRATION_HEADER, "").strip()
    header = request.headers.get(signing.SIGNATURE_HEADER, "")
    if not name or not header:
        raise unauthorized(
            f"this webhook needs the headers {signing.INTEGRATION_HEADER}: <name> and "
            f"{signing.SIGNATURE_HEADER}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.' + body)>"
        )
    integration = get_service().store.integration(name)
    if integration is None:
        raise unauthorized(f"no active integration named {name[:128]!r} (unknown or revoked)")
    window = int(current_app.config["RELIABILITY_SETTINGS"]["webhook_replay_window"])
    try:
        verified = signing.verify(header, integration["secret"], request.get_data(cache=True), window)
    except signing.SignatureError as exc:
        raise unauthorized(str(exc)) from None
    g.integration = {
        "id": integration["id"],
        "name": integration["name"],
        "signature": verified.signatures[0],
        "expires_at": datetime.fromtimestamp(verified.timestamp + window, UTC),
    }


def _location(cms_id: str, integration: str) -> str:
    return url_for("webhooks.delivery", cms_id=cms_id, integration=integration)


@blp.route("/cms", methods=["POST"])
@blp.arguments(WebhookPayloadSchema)
@blp.response(202, WebhookAcceptedSchema, description="queued (or, for a payload sent before, its delivery)")
def receive(payload: dict[str, Any]) -> Any:
    """Queue a CMS document for scoring; answers at once, the result is read at `location`.

    Signed, not keyed: send `Reliability-Integration: <name>` and `Reliability-Signature:
    t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>` (`reliability
    integrations add NAME` prints the secret). A timestamp further from the server's clock than
    the replay window (300 s by default), or a signature already used, is refused with 401. The same payload
    again is the same delivery (no new job); a changed one is a new job. `published` (or
    `publish`) also stores the article; other statuses are scored without storing it.
    """
    integration = g.integration
    fields = {
        "cms_id": payload["id"],
        "content_hash": signing.content_hash(payload),
        "cms_status": payload["status"],
        "store": payload["status"] in PUBLISHED,
    }
    try:
        row, created = get_queue().accept(
            integration["id"], integration["signature"], integration["expires_at"], fields, payload
        )
    except ReplayError:
        raise unauthorized(
            f"{signing.SIGNATURE_HEADER}: this signature was accepted before (a replay); sign each delivery anew"
        ) from None
    if created:
        get_worker().notify()
    location = _location(payload["id"], integration["name"])
    body = {
        "delivery_id": row["delivery_id"],
        "id": payload["id"],
        "integration": integration["name"],
        "status": row["status"],
        "duplicate": not created,
        "location": location,
    }
    return body, 202, {"Location": location}


@blp.route("/cms/<cms_id>", methods=["GET"])
@blp.arguments(WebhookQuerySchema, location="query")
@blp.response(200, WebhookDeliverySchema)
def delivery(query: dict[str, Any], cms_id: str) -> dict[str, Any]:
    """The latest delivery of a CMS document: queued, scored (with its score) or failed (with why).

    Authenticated like every /v1 endpoint (an API key, when the service has keys). Document ids
    of different integrations may collide: `?integration=NAME` picks one.
    """
    row = get_queue().latest(cms_id, query.get("integration"))
    if row is None:
        where = f" from integration {query['integration']}" if query.get("integration") else ""
        abort(404, f"no webhook delivery for CMS document {cms_id!r}{where}")
    return delivery_body(row)


def delivery_body(row: dict[str, Any]) -> dict[str, Any]:
    def stamp(value: datetime | None) -> str | None:
        value = aware(value)
        return value.isoformat() if value is not None else None

    return {
        "delivery_id": row["delivery_id"],
        "id": row["cms_id"],
        "integration": row["integration"],
        "status": row["status"],
        "cms_status": row["cms_status"],
        "store": bool(row["store"]),
        "content_hash": row["content_hash"],
        "attempts": row["attempts"],
        "received_at": stamp(row["received_at"]),
        "last_received_at": stamp(row["last_received_at"]),
        "finished_at": stamp(row["finished_at"]),
        "article_id": row["article_id"],
        "model_version": row["model_version"],
        "error": row["error"],
        "result": json.loads(row["result"]) if row["result"] else None,
    }
