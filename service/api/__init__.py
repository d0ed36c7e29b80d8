"""The REST service: `create_app()` builds the Flask app, one blueprint per resource.

Run it with `reliability serve` (service/api/server.py). Tests and embedders call
`create_app({"database_url": ..., ...})`: lower-case keys are settings (see
service/settings.py), upper-case keys go to Flask's config.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from flask import Flask, g, request
from flask_smorest import Api

from service.cms import WebhookWorker
from service.settings import BY_NAME, load_settings
from service.store.scoring_service import ScoringService

from . import articles, auth, docs, feedback, health, problems, score, sources, stories, webhooks
from .metrics import Metrics

API_VERSION = "v1"
JSON_MIMETYPES = ("application/json",)


MAX_JSON_DEPTH = 32  # the deepest request body is 4 levels; more is an attack or a mistake
# Characters no stored string can hold: a lone UTF-16 surrogate is no character at all, and PostgreSQL
# refuses NUL in text (SQLite would keep it: refused on both, so both stores answer alike).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NUL_MESSAGE = "contains a NUL character (\\u0000), which no stored text can hold"
_SURROGATE_MESSAGE = "contains a lone UTF-16 surrogate (such as \\ud800), which is no character"


def _check_json(body: bytes) -> None:
    """400 for a body that is not UTF-8 JSON or nests deeper than MAX_JSON_DEPTH; 422 naming the
    field (`text`, `articles.1.title`) for a string with a lone surrogate ("\\ud800": valid JSON,
    but no text can hold it) or a NUL ("\\u0000"), before anything is scored or written."""
    from werkzeug.exceptions import BadRequest, UnprocessableEntity

    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the body is not valid UTF-8 (byte {exc.start})") from None
    except RecursionError:
        raise BadRequest(f"the body nests JSON more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from None
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:  # iterative: the nesting is what is being checked
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadRequest(f"the body nests JSON more than {MAX_JSON_DEPTH} levels deep")
        items: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        elif isinstance(value, str) and (found := _UNSTORABLE.search(value)):
            field = path or "body"
            invalid = UnprocessableEntity()
            message = _NUL_MESSAGE if found.group() == "\x00" else _SURROGATE_MESSAGE
            invalid.data = {"messages": {"json": {field: [message]}}}  # type: ignore[attr-defined]  # as webargs does
            raise invalid
        for key, item in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _UNSTORABLE.search(key):
                stack.append((key, name, depth + 1))
            stack.append((item, name, depth + 1))


def create_app(test_config: dict[str, Any] | None = None, service: ScoringService | None = None) -> Flask:
    app = Flask(__name__)
    config = dict(test_config or {})
    settings = load_settings({k: v for k, v in config.items() if k in BY_NAME})
    app.config.update(
        API_TITLE="Reliability scoring API",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        MAX_CONTENT_LENGTH=settings["max_body_bytes"],
        RELIABILITY_SETTINGS=settings,
    )
    app.config.update({k: v for k, v in config.items() if k.isupper()})
    logging.getLogger("service").setLevel(settings["log_level"].upper())

    metrics = Metrics()
    app.extensions["metrics"] = metrics
    app.extensions["reliability"] = service or ScoringService(settings, observe=metrics.observe_stage)
    metrics.track_store(app.extensions["reliability"])

    api = Api(app)
    for module in (score, articles, stories, sources, feedback, webhooks):
        api.register_blueprint(module.blp)
    app.register_blueprint(health.blp)
    app.register_blueprint(docs.blp)
    app.extensions["api"] = api
    docs.register_components(api)

    checker = auth.KeyChecker(always=not auth.is_loopback(settings["host"]))
    app.extensions["key_checker"] = checker
    limiter = auth.make_limiter(app, settings)
    app.extensions["rate_limiter"] = limiter

    @app.before_request
    def _guard() -> None:
        g.started = time.perf_counter()
        if request.routing_exception is not None:
            raise request.routing_exception  # 404/405 before any check on the body
        cap = app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and cap and request.content_length > cap:
            from werkzeug.exceptions import RequestEntityTooLarge

            raise RequestEntityTooLarge(f"the body is {request.content_length:,} bytes, over the {cap:,} limit")
        checker.check()
        if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/v1/"):
            if request.mimetype not in JSON_MIMETYPES:
                from werkzeug.exceptions import UnsupportedMediaType

                raise UnsupportedMediaType(
                    f"send the body as application/json, not {request.mimetype or 'no content type'}"
                )
            _check_json(request.get_data(cache=True))

    # Authentication runs before the limiter's own hook so the limit is per key, not per address.
    app.before_request_funcs[None].insert(0, app.before_request_funcs[None].pop())

    @app.after_request
    def _headers(response: Any) -> Any:
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        metrics.observe_request(request, response, time.perf_counter() - g.get("started", time.perf_counter()))
        return response

    problems.register(app)

    # Scores webhook deliveries in the background; deliveries a stopped process left queued start it now.
    worker = WebhookWorker(app.extensions["reliability"], settings)
    app.extensions["webhook_worker"] = worker
    worker.start_if_pending()
    return app
