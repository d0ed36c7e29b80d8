"""`reliability serve`: gunicorn's arbiter over waitress workers.

gunicorn manages the processes (workers, graceful SIGTERM drain, a worker that dies is
replaced); inside each worker, waitress serves. waitress reads every request whole, headers and
body (spooled to a temporary file past 512 KiB), on one asynchronous loop before a thread runs
it, so a slow client holds a socket, not one of the threads: with gunicorn's own threaded worker
four clients sending one header line every few seconds left /healthz unanswered (issue 15,
finding 1). Each connection has `read_timeout` seconds to send a whole request (and may stay
idle that long between requests); waitress's own refusals (431 headers too large, 413 body over
`max_body_bytes` however it is sent, chunked included, 400 malformed) are problem+json too.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlencode

from gunicorn.app.base import BaseApplication
from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from service.errors import UsageError
from service.store.db import Store

from .auth import is_loopback
from .problems import PROBLEM_MIMETYPE, PROBLEM_TYPE, SLUGS

MAX_HEADER_BYTES = 32 * 1024  # request line and headers together; more is 431
TICK = 1.0  # seconds between the worker's heartbeats and its check of slow reads
# Query parameters whose values are credentials: an access log keeps their names only.
_SECRET_PARAM = re.compile(r"(?:api[_-]?key|key|token|access[_-]?token|secret|password|signature|sig)", re.I)


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


def redacted_target(path: str, query: str) -> str:
    """The request target for a log line, with the values of credential parameters replaced.

    "/v1/score", "api_key=abc&x=1" -> "/v1/score?api_key=REDACTED&x=1". A query that does not
    parse is dropped whole rather than logged: it may hold anything.
    """
    if not query:
        return _printable(path)
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return f"{_printable(path)}?REDACTED"
    kept = [(name, "REDACTED" if _SECRET_PARAM.fullmatch(name) else value) for name, value in pairs]
    return f"{_printable(path)}?{urlencode(kept, safe='')}"


class AccessLog:
    """WSGI middleware: one access line per request (waitress writes none), credentials redacted.

    The line follows the common log format gunicorn wrote, plus the seconds taken:
    `127.0.0.1 - - [01/Dec/2026:14:00:00 +0000] "GET /healthz HTTP/1.1" 200 15 "-" "curl/8.5" 0.003`.
    """

    def __init__(self, app: Any, logger: Any) -> None:
        self.app = app
        self.logger = logger

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()
        seen: dict[str, Any] = {}

        def _start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"] = status.split(" ", 1)[0]
            seen["length"] = next((v for k, v in headers if k.lower() == "content-length"), "-")
            return start_response(status, headers, exc_info)

        try:
            return self.app(environ, _start)
        finally:
            target = redacted_target(environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))
            self.logger.info(
                '%s - - [%s] "%s %s %s" %s %s "%s" "%s" %.3f',
                environ.get("REMOTE_ADDR", "-"),
                time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
                environ.get("REQUEST_METHOD", "-"),
                target,
                environ.get("SERVER_PROTOCOL", "-"),
                seen.get("status", "-"),
                seen.get("length", "-"),
                _printable(environ.get("HTTP_REFERER", "-")),
                _printable(environ.get("HTTP_USER_AGENT", "-")),
                time.perf_counter() - started,
            )


def _printable(value: str) -> str:
    """A header or path as one log field: quotes and control characters escaped, at most 300 characters."""
    return value[:300].encode("unicode_escape").decode("ascii").replace('"', '\\"')


class ProblemErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's own error responses (431, 413, 400 before the app runs) as RFC 9457 problem+json."""

    def execute(self) -> None:
        error = self.request.error
        status = int(error.code)
        body = json.dumps(
            {
                "type": PROBLEM_TYPE + SLUGS.get(status, "error"),
                "title": HTTPStatus(status).phrase,
                "status": status,
                "detail": _detail(status, error, self.channel.server.adj),
            }
        ).encode()
        self.status = f"{status} {HTTPStatus(status).phrase}"
        self.response_headers.append(("Content-Type", PROBLEM_MIMETYPE))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


def _detail(status: int, error: Any, adj: Any) -> str:
    if status == 413:  # waitress refuses `>= max_request_body_size`: see WaitressWorker.run
        return f"the body is over the {adj.max_request_body_size - 1:,}-byte limit, however it is sent"
    if status == 431:
        return f"the request line and headers are over the {adj.max_request_header_size:,}-byte limit"
    return str(error.body) or "malformed request"


class Channel(HTTPChannel):  # type: ignore[misc]
    """An HTTP connection that remembers when its current request began to arrive."""

    error_task_class = ProblemErrorTask
    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.monotonic()
        return bool(super().received(data))


class WaitressWorker(Worker):  # type: ignore[misc]
    """A gunicorn worker whose connections waitress serves (see the module docstring)."""

    def run(self) -> None:
        settings = self.app.settings
        self._map: dict[int, Any] = {}
        create_server(
            AccessLog(self.wsgi, self.log.access_log),
            map=self._map,
            sockets=[listener.sock for listener in self.sockets],
            threads=settings["threads"],
            connection_limit=settings["max_connections"],
            channel_timeout=settings["read_timeout"],
            cleanup_interval=max(1, min(30, settings["read_timeout"] // 2)),
            max_request_header_size=MAX_HEADER_BYTES,
            # waitress refuses `>= limit`; the app's own cap is `> max_body_bytes`
            max_request_body_size=settings["max_body_bytes"] + 1,
            # reads on while a request runs, so `waitress.client_disconnected` can tell the app
            channel_request_lookahead=1,
            asyncore_use_poll=True,  # select() cannot watch descriptors past 1023
            expose_tracebacks=False,
            log_socket_errors=False,
            ident="reliability",
        )
        for server in self._servers():
            server.channel_class = Channel
        while self.alive:
            self.notify()
            if self.ppid != os.getppid():
                self.log.info("worker %s: the arbiter is gone, exiting", self.pid)
                break
            wasyncore.loop(timeout=TICK, map=self._map, use_poll=True, count=1)
            self._close_slow_reads(float(settings["read_timeout"]))
        self._drain(float(self.cfg.graceful_timeout))

    def _servers(self) -> list[BaseWSGIServer]:
        return [d for d in list(self._map.values()) if isinstance(d, BaseWSGIServer)]

    def _channels(self) -> list[Channel]:
        return [d for d in list(self._map.values()) if isinstance(d, HTTPChannel)]

    def _close_slow_reads(self, read_timeout: float) -> None:
        """Close connections still sending one request after `read_timeout` seconds (idle ones
        waitress's `channel_timeout` closes): a trickle of bytes must not hold a socket forever."""
        cutoff = time.monotonic() - read_timeout
        for channel in self._channels():
            if channel.request is not None and not channel.requests and channel.request_started < cutoff:
                channel.will_close = True

    def _drain(self, grace: float) -> None:
        """Stop accepting, answer the requests already read, close idle connections, exit."""
        servers = self._servers()
        for server in servers:
            server.accepting = False
            wasyncore.dispatcher.close(server)  # this worker's copy of the listening socket
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            busy = False
            for channel in self._channels():
                if channel.requests or channel.total_outbufs_len:
                    busy = True
                else:
                    channel.handle_close()
            if not busy:
                break
            self.notify()
            wasyncore.loop(timeout=0.2, map=self._map, use_poll=True, count=1)
        for server in servers[:1]:  # the servers share one task dispatcher
            server.task_dispatcher.shutdown(cancel_pending=True, timeout=1)


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
            "worker_class": f"{__name__}.WaitressWorker",
            "graceful_timeout": s["graceful_timeout"],
            "timeout": 120,  # heartbeats: the worker's loop beats every second, whatever its threads do
            "loglevel": s["log_level"],
            "accesslog": "-",
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
