"""`reliability serve`: the API under gunicorn (threaded workers, graceful SIGTERM drain)."""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from service.errors import UsageError
from service.store.db import Store

from .auth import is_loopback


def check_binding(settings: dict[str, Any], store: Store) -> str:
    """Refuse a non-loopback address without API keys; say what the service is exposed to."""
    host = settings["host"]
    keys = store.active_key_count()
    if keys:
        return f"{keys} active API key(s): every /v1 request needs 'Authorization: Bearer <key>'"
    if not is_loopback(host):
        raise UsageError(
            f"binding to {host} requires API keys; create one with `reliability keys create NAME` "
            "(without keys the service listens on 127.0.0.1 only)"
        )
    return f"no API key configured: the API is open, so it listens on {host} only"


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        host = f"[{s['host']}]" if ":" in s["host"] else s["host"]
        for key, value in {
            "bind": f"{host}:{s['port']}",
            "workers": s["workers"],
            "threads": s["threads"],
            "worker_class": "gthread",
            "graceful_timeout": s["graceful_timeout"],
            "timeout": 120,
            "loglevel": s["log_level"],
            "accesslog": "-",
            "limit_request_line": 8190,
            # gunicorn 27's control socket is one path per user: instances on one host would clash.
            "control_socket_disable": True,
        }.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from service.api import create_app

        return create_app({name: self.settings[name] for name in self.settings})


def serve(settings: dict[str, Any]) -> int:
    store = Store(settings["database_url"])
    store.migrate()
    message = check_binding(settings, store)
    store.dispose()
    print(f"reliability: {message}", file=sys.stderr)
    print(f"reliability: serving on http://{settings['host']}:{settings['port']} (docs at /docs)", file=sys.stderr)
    Server(settings).run()
    return 0
