"""API keys (Authorization: Bearer, stored hashed) and the per-key rate limit.

With no active key in the store the API is open, and `reliability serve` then binds to
loopback only; as soon as one key exists every /v1 request needs a valid one, except
POST /v1/webhooks/cms, which is authenticated by its HMAC signature (api/webhooks.py).
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from . import webhooks

PUBLIC_PREFIXES = ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs")
# Seconds "keys exist" is trusted before the store is asked again. Only that answer is kept: while
# the API is open every request asks the store, so the first key (created by `reliability keys
# create`, from any process) closes it for the very next request. Keeping "closed" a while errs
# on the safe side: revoking the last key reopens a loopback API up to this much later.
KEYS_EXIST_TTL = 5.0


def rate_limit_key() -> str:
    key = getattr(g, "api_key", None)
    if key:
        return f"key:{key['id']}"
    integration = getattr(g, "integration", None)  # a signed webhook delivery
    return f"integration:{integration['id']}" if integration else f"addr:{request.remote_addr}"


def is_public(path: str) -> bool:
    return path == "/" or path.startswith(PUBLIC_PREFIXES)


def make_limiter(app: Flask, settings: dict[str, Any]) -> Limiter:
    app.config.update(
        RATELIMIT_HEADERS_ENABLED=True,
        # IETF draft names (RateLimit-*), as clients increasingly expect, plus Retry-After on 429.
        RATELIMIT_HEADER_LIMIT="RateLimit-Limit",
        RATELIMIT_HEADER_REMAINING="RateLimit-Remaining",
        RATELIMIT_HEADER_RESET="RateLimit-Reset",
        RATELIMIT_HEADER_RETRY_AFTER="Retry-After",
        RATELIMIT_HEADER_RETRY_AFTER_VALUE="delta-seconds",
    )
    return Limiter(
        rate_limit_key,
        app=app,
        default_limits=[settings["rate_limit"]],
        storage_uri=settings["rate_limit_storage"],
        default_limits_exempt_when=lambda: is_public(request.path),
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class KeyChecker:
    """Authenticates /v1 requests when the store holds at least one active key.

    `always`: a service bound beyond loopback requires a key even if every key was revoked
    meanwhile (otherwise revoking the last key would open it to the network).
    """

    def __init__(self, always: bool = False) -> None:
        self.always = always
        self._keys_seen_at: float | None = None  # when the store last said a key exists; None: ask it

    def keys_required(self) -> bool:
        if self.always:
            return True
        now = time.monotonic()
        if self._keys_seen_at is not None and now - self._keys_seen_at <= KEYS_EXIST_TTL:
            return True
        required = current_app.extensions["reliability"].store.active_key_count() > 0
        self._keys_seen_at = now if required else None
        return required

    def forget(self) -> None:
        self._keys_seen_at = None

    def check(self) -> None:
        g.api_key = None
        g.integration = None
        if is_public(request.path) or not request.path.startswith("/v1/"):
            return
        if webhooks.is_webhook():
            webhooks.authenticate()  # signed by its integration's secret instead of a key; still rate limited
            return
        header = request.headers.get("Authorization", "")
        if not self.keys_required():
            return
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized("this service requires an API key: send 'Authorization: Bearer <key>'")
        key = current_app.extensions["reliability"].store.verify_key(token.strip())
        if key is None:
            raise _unauthorized("the API key is not valid or was revoked")
        g.api_key = key


def _unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(detail, www_authenticate=WWWAuthenticate("bearer", {"realm": "reliability"}))
