"""Every error over HTTP is one shape: RFC 9457 application/problem+json, never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, json, request
from werkzeug.exceptions import HTTPException, InternalServerError

from service.errors import (
    InputError,
    ModelArtifactError,
    NoArticlesError,
    ScoringCancelled,
    StoreUnavailableError,
    TimeBudgetExceeded,
    TooLargeError,
)

PROBLEM_TYPE = "https://reliability.example/problems/"
PROBLEM_MIMETYPE = "application/problem+json"
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    422: "invalid-input",
    429: "rate-limited",
    431: "headers-too-large",
    500: "internal-error",
    503: "unavailable",
}
RETRY_AFTER_STATUSES = (429, 503)  # the statuses where waiting and retrying is the answer
logger = logging.getLogger("service.api")


def problem(status: int, detail: str, **extra: Any) -> Response:
    from http import HTTPStatus

    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + SLUGS.get(status, "error"),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_MIMETYPE)
    return response


def _from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    extra: dict[str, Any] = {}
    data = getattr(exc, "data", None)  # webargs puts validation messages here
    if status == 422 and isinstance(data, dict) and "messages" in data:
        messages = data["messages"]
        # one location (json, query) only: flatten it so clients read errors["field"], and a nested
        # field as errors["articles.0.published_at"], as the JSON checks name it (api/__init__.py)
        extra["errors"] = _flat(next(iter(messages.values()))) if len(messages) == 1 else messages
        detail = "the request does not match the schema: " + _first_message(extra["errors"])
    elif status == 429:
        detail = f"rate limit exceeded ({exc.description}); retry after the Retry-After header's seconds"
    else:
        detail = _plain(exc.description) or "no detail"
    response = problem(status, detail, **extra)
    for name, value in exc.get_headers():
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def _flat(messages: Any, path: str = "") -> Any:
    """marshmallow's nested errors ({"articles": {0: {"published_at": [...]}}}) one level deep, keys dotted."""
    if not isinstance(messages, dict):
        return {path: messages} if path else messages
    flat: dict[str, Any] = {}
    for key, value in messages.items():
        name = f"{path}.{key}" if path else str(key)
        flat.update(_flat(value, name) if isinstance(value, dict) else {name: value})
    return flat


def _first_message(messages: Any, path: str = "") -> str:
    if isinstance(messages, dict):
        for key, value in messages.items():
            return _first_message(value, f"{path}.{key}" if path else str(key))
    if isinstance(messages, list) and messages:
        return _first_message(messages[0], path) if not isinstance(messages[0], str) else f"{path}: {messages[0]}"
    return f"{path}: {messages}"


def _plain(text: str | None) -> str:
    """Werkzeug's descriptions carry a little HTML markup; problem details are plain text."""
    import re

    return re.sub(r"</?(?:a|b|code|em|i|p|strong)(?:\s[^>]*)?>", "", text or "").strip()


def _retry_after_only_when_retrying_helps(response: Response) -> Response:
    """flask-limiter puts Retry-After (its window's reset) on every limited response; on a 200 or a
    422 it would tell clients to retry what retrying cannot fix, so it stays on 429 and 503 only."""
    if response.status_code not in RETRY_AFTER_STATUSES:
        response.headers.pop("Retry-After", None)
    return response


def register(app: Flask) -> None:
    # Flask runs after_request hooks last-registered first; the limiter registered its own already,
    # so this one goes to the front of the list to run after it.
    app.after_request(_retry_after_only_when_retrying_helps)
    hooks = app.after_request_funcs[None]
    hooks.insert(0, hooks.pop())

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return _from_http_exception(exc)

    @app.errorhandler(TooLargeError)
    def _too_large(exc: TooLargeError) -> Response:
        field = getattr(exc, "field", None)
        return problem(422, str(exc), **({"errors": {field: [str(exc)]}} if field else {}))

    @app.errorhandler(NoArticlesError)
    @app.errorhandler(InputError)
    def _input(exc: InputError) -> Response:
        return problem(422, str(exc))

    @app.errorhandler(StoreUnavailableError)
    def _store(exc: StoreUnavailableError) -> Response:
        logger.error("store unavailable: %s", exc)
        response = problem(503, "the article store is unavailable; nothing was written, retry later")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(TimeBudgetExceeded)
    def _over_budget(exc: TimeBudgetExceeded) -> Response:
        # 503 without Retry-After: the same request would run out again; fewer or shorter articles would not
        logger.warning("%s %s: %s", request.method, request.path, exc)
        detail = f"{exc}; nothing was stored. Send fewer or shorter articles (RELIABILITY_REQUEST_BUDGET)"
        return problem(503, detail)

    @app.errorhandler(ScoringCancelled)
    def _cancelled(exc: ScoringCancelled) -> Response:
        # the client has gone: nobody reads this answer, but the log says why the work stopped
        logger.info("%s %s: the client disconnected; scoring abandoned, nothing stored", request.method, request.path)
        return problem(503, "the client disconnected; scoring was abandoned and nothing was stored")

    @app.errorhandler(ModelArtifactError)
    def _model(exc: ModelArtifactError) -> Response:
        logger.error("model artifact: %s", exc)
        return problem(503, "the scoring model is not loaded; see the server log")

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return _from_http_exception(InternalServerError("unexpected error; it was logged on the server"))
