"""GET /openapi.json (generated from the blueprints and schemas) and /docs (Swagger UI, served locally).

flask-smorest writes the operations from the code; this module adds what it cannot know:
the problem+json responses every operation can return and the bearer-key scheme.
"""

from __future__ import annotations

import copy
from typing import Any

import swagger_ui_bundle
from flask import Blueprint, Response, current_app, send_from_directory
from flask_smorest import Api

from .schemas import ProblemSchema, StatusSchema

blp = Blueprint("docs", __name__)

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ERROR_TEXT = {
    "400": "malformed JSON",
    "401": "missing or invalid API key (only when keys are configured)",
    "404": "not found",
    "413": "request body over the size limit",
    "415": "body is not application/json",
    "422": "the body does not match the schema, or an article cannot be scored (field named)",
    "429": "rate limit exceeded; see Retry-After",
    "500": "unexpected error (logged, no traceback)",
    "503": "the store or the model is unavailable; nothing was written",
}
RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("RateLimit-Limit", "requests allowed in the window"),
        ("RateLimit-Remaining", "requests left in the window"),
        ("RateLimit-Reset", "seconds until the window resets"),
    )
}
ARTICLE_ID = {"article_id": "$response.body#/article_id"}
# What a client does next with an ingested article (OpenAPI links; stateful testers follow them too).
INGEST_LINKS = {
    "GetArticle": {"operationRef": "#/paths/~1v1~1articles~1{article_id}/get", "parameters": ARTICLE_ID},
    "GetArticleScore": {"operationRef": "#/paths/~1v1~1articles~1{article_id}~1score/get", "parameters": ARTICLE_ID},
    "GetStory": {
        "operationRef": "#/paths/~1v1~1stories~1{story_id}/get",
        "parameters": {"story_id": "$response.body#/story_id"},
    },
    "DeleteArticle": {"operationRef": "#/paths/~1v1~1articles~1{article_id}/delete", "parameters": ARTICLE_ID},
}
WEBHOOK = ("/v1/webhooks/cms", "post")
WEBHOOK_401 = (
    "missing, malformed, stale (outside the replay window) or replayed signature, a signature that does not "
    "match the body, or an unknown or revoked integration"
)
WEBHOOK_SECURITY = {
    "type": "apiKey",
    "in": "header",
    "name": "Reliability-Signature",
    "description": (
        '`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>` with the secret of the integration '
        "named in `Reliability-Integration` (`reliability integrations add NAME`). A timestamp further from the "
        "server's clock than the replay window (300 s by default), or a signature accepted before, is a 401."
    ),
}
WEBHOOK_PARAMETERS = [
    {
        "name": "Reliability-Integration",
        "in": "header",
        "required": True,
        "description": "the integration whose secret signed the body",
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
    }
]
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reliability API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/static/docs-init.js"></script>
</body></html>
"""
INIT_JS = 'window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});\n'


def register_components(api: Api) -> None:
    api.spec.components.schema("Problem", schema=ProblemSchema)
    api.spec.components.schema("Status", schema=StatusSchema)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.security_scheme("webhookSignature", WEBHOOK_SECURITY)


def _problem_response(code: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": ERROR_TEXT[code],
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }
    if code in ("429", "503"):
        response["headers"] = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}
    return response


def openapi_document() -> dict[str, Any]:
    api: Api = current_app.extensions["api"]
    spec = copy.deepcopy(api.spec.to_dict())
    spec.setdefault("components", {}).pop("responses", None)  # flask-smorest's plain-JSON error shapes
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = {k: v for k, v in operation["responses"].items() if k != "default" and k[0] in "23"}
            codes = ["401", "429", "500", "503"]
            if method in ("post", "put", "patch"):
                codes += ["400", "413", "415", "422"]
            elif any(p.get("in") == "query" for p in operation.get("parameters", [])):
                codes.append("422")
            if "{" in path or path.endswith("/feedback"):
                codes.append("404")
            for code in sorted(codes):
                responses[code] = _problem_response(code)
            for code, response in responses.items():
                if code[0] == "2":
                    response.setdefault("headers", {}).update(RATE_HEADERS)
                if code in ("200", "201") and (path, method) == ("/v1/articles", "post"):
                    response["links"] = copy.deepcopy(INGEST_LINKS)
            operation["responses"] = responses
            operation["security"] = [{"bearer": []}, {}]
            if (path, method) == WEBHOOK:
                _webhook_operation(operation)
    _request_rules(spec["components"].get("schemas", {}), current_app.config["RELIABILITY_SETTINGS"])
    spec["paths"].update(_health_paths())
    spec["info"]["description"] = (
        "Scores news articles for reliability, with reasons and sentence spans. Errors are "
        "application/problem+json (RFC 9457). When the server has API keys, send `Authorization: Bearer <key>`; "
        "POST /v1/webhooks/cms is signed instead (see its security scheme)."
    )
    return spec


def _webhook_operation(operation: dict[str, Any]) -> None:
    """Signed by its integration, not keyed; 202 with the Location of the result."""
    operation["security"] = [{"webhookSignature": []}]
    operation["parameters"] = copy.deepcopy(WEBHOOK_PARAMETERS) + operation.get("parameters", [])
    operation["responses"]["401"]["description"] = WEBHOOK_401
    operation["responses"]["401"]["headers"] = {
        "WWW-Authenticate": {"description": 'Reliability-Signature realm="reliability"', "schema": {"type": "string"}}
    }
    accepted = operation["responses"]["202"]
    accepted.setdefault("headers", {})["Location"] = {
        "description": "GET it for the delivery's status and score",
        "schema": {"type": "string"},
    }


def _request_rules(schemas: dict[str, Any], settings: dict[str, Any]) -> None:
    """What the request schemas' cross-field validators and this server's settings require, as JSON Schema."""
    bodies = [{"required": ["text"]}, {"required": ["html"]}]
    if settings["fetch_urls"]:
        bodies.append({"required": ["url"]})
    for name in ("Article", "ScoreRequest"):
        if name in schemas:
            schemas[name]["anyOf"] = copy.deepcopy(bodies)
            schemas[name]["description"] = "needs 'text' or 'html'" + (
                ", or a 'url' to fetch" if settings["fetch_urls"] else ""
            )
    if "WebhookPayload" in schemas:
        schemas["WebhookPayload"]["oneOf"] = [{"required": ["text"]}, {"required": ["html"]}]
        schemas["WebhookPayload"]["description"] = "exactly one of 'text' and 'html'"
    batch = schemas.get("BatchRequest", {}).get("properties", {}).get("articles")
    if batch is not None:
        batch["maxItems"] = settings["batch_max_articles"]
    if "FeedbackRequest" in schemas:
        # a verdict on a flag names its span; 'end' must not come before 'start' (checked, not expressible here)
        schemas["FeedbackRequest"]["anyOf"] = [
            {"properties": {"target": {"enum": ["score"]}}},
            {"required": ["start", "end"]},
        ]


def _health_paths() -> dict[str, Any]:
    ok = {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}
    return {
        "/healthz": {"get": {"summary": "The process is up", "tags": ["health"], "responses": {"200": ok}}},
        "/readyz": {
            "get": {
                "summary": "Model loaded and store reachable",
                "tags": ["health"],
                "responses": {"200": ok, "503": _problem_response("503")},
            }
        },
    }


@blp.get("/openapi.json")
def openapi_json() -> Any:
    return openapi_document()


@blp.get("/docs")
def docs_page() -> Response:
    response = Response(PAGE, mimetype="text/html")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'"
    )
    return response


@blp.get("/docs/static/docs-init.js")
def docs_init() -> Response:
    return Response(INIT_JS, mimetype="text/javascript")


@blp.get("/docs/static/<path:filename>")
def docs_static(filename: str) -> Response:
    return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)
