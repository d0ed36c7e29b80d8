"""The store: articles with their vectors and scores, feedback, API keys and webhook integrations.

One schema (created by the Alembic migrations in service/store/migrations) on SQLite or
PostgreSQL, chosen by `database_url`. SQLite runs in WAL mode with one writer: writes
take a process lock and `BEGIN IMMEDIATE`, and other processes wait on `busy_timeout`.
The articles of one request are written in one transaction, each keyed by its content
hash, so a re-ingest is a no-op and a failure leaves all of them or none. On PostgreSQL
concurrent ingests write rows in article-id order (no lock cycle, so no deadlock), and a
transaction the server still aborts (deadlock, serialization failure) is run again.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from service.errors import StoreUnavailableError, UsageError

metadata = sa.MetaData()

articles = sa.Table(
    "articles",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.String(16), nullable=False, unique=True),
    sa.Column("external_id", sa.Text),
    sa.Column("input", sa.Text),
    sa.Column("source", sa.String(255), index=True),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published_at", sa.String(64)),
    sa.Column("language", sa.String(16)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("story_id", sa.String(32), index=True),
    sa.Column("score", sa.Float),
    sa.Column("probability", sa.Float),
    sa.Column("label", sa.String(16)),
    sa.Column("model_version", sa.String(64)),
    sa.Column("result", sa.Text),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.Column("names", sa.Text, nullable=False),
    sa.Column("sentence_keys", sa.Text, nullable=False),
    sa.Column("sentence_vectors", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
)

feedback = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("article_id", sa.String(16), nullable=False, index=True),
    sa.Column("target", sa.String(16), nullable=False),
    sa.Column("flag_type", sa.String(32)),
    sa.Column("start", sa.Integer),
    sa.Column("end", sa.Integer),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("key_id", sa.Integer),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# Webhook integrations (POST /v1/webhooks/cms): each signs its deliveries with its own secret, which
# must be kept as is (HMAC needs it), unlike API keys.
integrations = sa.Table(
    "integrations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

# The durable queue of webhook deliveries (service/cms/queue.py): one row per distinct
# (integration, CMS document, content hash); `status` queued -> scored | failed.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(32), nullable=False, unique=True),
    sa.Column("integration_id", sa.Integer, nullable=False),
    sa.Column("cms_id", sa.String(256), nullable=False, index=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("cms_status", sa.String(32), nullable=False),
    sa.Column("store", sa.Boolean, nullable=False),
    sa.Column("payload", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_by", sa.String(128)),
    sa.Column("claimed_at", sa.DateTime(timezone=True)),
    sa.Column("article_id", sa.String(16)),
    sa.Column("model_version", sa.String(64)),
    sa.Column("result", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("integration_id", "cms_id", "content_hash", name="uq_webhook_deliveries_document"),
)

# Signatures accepted inside the replay window; the same one again is a replay.
webhook_signatures = sa.Table(
    "webhook_signatures",
    metadata,
    sa.Column("signature", sa.String(64), primary_key=True),
    sa.Column("integration_id", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

_MIGRATION_LOCK = threading.Lock()
KEY_PREFIX = "rel_"
SECRET_PREFIX = "whsec_"
INTEGRATION_NAME = re.compile(r"[A-Za-z0-9._-]{1,128}")
VECTOR_DTYPE = np.float32
# PostgreSQL aborts a transaction with these when running it again can succeed: 40001 serialization
# failure, 40P01 deadlock detected. Bounded, with jittered backoff, so a lock storm ends in a 503.
RETRIED_SQLSTATES = ("40001", "40P01")
WRITE_ATTEMPTS = 5
RETRY_BACKOFF_S = 0.02  # first wait at most 20 ms, doubling each attempt
T = TypeVar("T")
logger = logging.getLogger(__name__)


def now() -> datetime:
    return datetime.now(UTC)


def hash_key(token: str) -> str:
    """API keys are 32 random bytes, so one unsalted sha256 is enough to store them safely."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def pack(vectors: np.ndarray) -> bytes:
    return np.ascontiguousarray(vectors, dtype=VECTOR_DTYPE).tobytes()


def unpack(blob: bytes, width: int = 512) -> np.ndarray:
    return np.frombuffer(blob, dtype=VECTOR_DTYPE).reshape(-1, width)


def _sqlite_path(url: str) -> Path | None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _normalize_url(url: str) -> str:
    # psycopg 3 is the installed PostgreSQL driver; accept the plain scheme users write.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Store:
    """All reads and writes of the service go through here."""

    def __init__(self, url: str) -> None:
        self.url = _normalize_url(url)
        try:
            parsed = sa.engine.make_url(self.url)
        except sa.exc.ArgumentError:
            raise UsageError(f"DATABASE_URL: not a database URL: {url!r}") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise UsageError(f"DATABASE_URL: only sqlite:/// and postgresql:// are supported, not {url!r}")
        self._write_lock = threading.Lock()
        if self.is_sqlite:
            path = _sqlite_path(self.url)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = self._sqlite_engine(immediate=False)
            self.writer = self._sqlite_engine(immediate=True)
        else:
            self.engine = sa.create_engine(self.url, pool_pre_ping=True, pool_size=8, max_overflow=8)
            self.writer = self.engine

    def _sqlite_engine(self, immediate: bool) -> Engine:
        engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # pysqlite's own transaction handling defers BEGIN; take it over (SQLAlchemy's documented recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine

    # -- plumbing ---------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreUnavailableError(f"store unavailable: {exc.orig}") from None

    @contextmanager
    def _begin(self) -> Iterator[Connection]:
        # SQLite writers are serialised by a process lock (threads) and BEGIN IMMEDIATE (processes).
        lock = self._write_lock if self.is_sqlite else None
        if lock:
            lock.acquire()
        try:
            with self.writer.begin() as conn:
                yield conn
        finally:
            if lock:
                lock.release()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction; an unreachable store raises StoreUnavailableError (nothing written)."""
        try:
            with self._begin() as conn:
                yield conn
        except sa.exc.OperationalError as exc:
            raise StoreUnavailableError(f"store unavailable: {exc.orig}") from None

    def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work(conn)` in one transaction, run again (from the start, on a fresh transaction) when
        PostgreSQL aborts it with a deadlock or serialization failure, at most WRITE_ATTEMPTS times.

        `work` must only write through `conn` (a rolled-back attempt leaves nothing). Raises
        StoreUnavailableError when the store is unreachable or every attempt was aborted; other
        database errors (a constraint, a value the column refuses) propagate as they are.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._begin() as conn:
                    return work(conn)
            except sa.exc.DBAPIError as exc:
                code = getattr(exc.orig, "sqlstate", None)
                if code in RETRIED_SQLSTATES and attempt < WRITE_ATTEMPTS:
                    logger.info("write aborted (%s), attempt %d of %d; running it again", code, attempt, WRITE_ATTEMPTS)
                    time.sleep(random.uniform(0, RETRY_BACKOFF_S * 2 ** (attempt - 1)))
                    continue
                if isinstance(exc, sa.exc.OperationalError):
                    raise StoreUnavailableError(f"store unavailable: {exc.orig}") from None
                raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def migrate(self) -> None:
        """Bring the schema to the latest Alembic revision."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        config.attributes["engine"] = self.writer
        try:
            # Alembic's command API keeps its context in module globals: one migration at a time per process.
            with _MIGRATION_LOCK, self._write_lock:
                command.upgrade(config, "head")
        except sa.exc.OperationalError as exc:
            raise StoreUnavailableError(f"store unavailable: {exc.orig}") from None

    def ping(self) -> None:
        with self.reading() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
        if self.writer is not self.engine:
            self.writer.dispose()

    # -- articles ---------------------------------------------------------------------

    def get(self, article_id: str) -> dict[str, Any] | None:
        with self.reading() as conn:
            row = conn.execute(sa.select(articles).where(articles.c.article_id == article_id)).mappings().first()
        return dict(row) if row else None

    def get_many(self, article_ids: list[str]) -> list[dict[str, Any]]:
        if not article_ids:
            return []
        with self.reading() as conn:
            rows = conn.execute(sa.select(articles).where(articles.c.article_id.in_(article_ids))).mappings().all()
        order = {a: i for i, a in enumerate(article_ids)}
        return sorted((dict(r) for r in rows), key=lambda r: order[r["article_id"]])

    def story_article_ids(self, story_id: str, limit: int) -> list[str]:
        with self.reading() as conn:
            rows = conn.execute(
                sa.select(articles.c.article_id)
                .where(articles.c.story_id == story_id)
                .order_by(articles.c.seq.desc())
                .limit(limit)
            )
            return [r[0] for r in rows]

    def story_published_at(self, story_id: str) -> list[str | None]:
        """The publication dates (as given) of a stored story's articles."""
        with self.reading() as conn:
            rows = conn.execute(sa.select(articles.c.published_at).where(articles.c.story_id == story_id))
            return [r[0] for r in rows]

    def vectors_since(self, seq: int) -> list[tuple[int, str, bytes, str, str | None]]:
        """(seq, article id, lead vector, names JSON, published_at) of rows added after `seq`, for the story index."""
        with self.reading() as conn:
            rows = conn.execute(
                sa.select(
                    articles.c.seq, articles.c.article_id, articles.c.vector, articles.c.names, articles.c.published_at
                )
                .where(articles.c.seq > seq)
                .order_by(articles.c.seq)
            )
            return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]

    def save(self, new_rows: list[dict[str, Any]], rescored: list[dict[str, Any]]) -> list[bool]:
        """Insert new articles (a stored one is left as is) and refresh the scores of story mates,
        all in one transaction: a failure leaves none of them. Returns, for each of `new_rows` in
        order, whether it was written (False: that text was stored already, or earlier in the list).

        Rows are written in article-id order, inserts and updates alike: two requests of one story
        then take their row locks in the same order and cannot deadlock each other.
        """

        def work(conn: Connection) -> list[bool]:
            inserted = [False] * len(new_rows)
            writes = sorted(
                [(row["article_id"], 0, k) for k, row in enumerate(new_rows)]
                + [(update["article_id"], 1, k) for k, update in enumerate(rescored)]
            )
            for article_id, kind, k in writes:
                if kind == 0:
                    insert = (sqlite_insert if self.is_sqlite else pg_insert)(articles).values(**new_rows[k])
                    # RETURNING says whether a row was written (rowcount is -1 on psycopg with RETURNING).
                    statement = insert.on_conflict_do_nothing(index_elements=["article_id"]).returning(articles.c.seq)
                    inserted[k] = conn.execute(statement).first() is not None
                else:
                    conn.execute(
                        articles.update()
                        .where(articles.c.article_id == article_id)
                        .values({key: v for key, v in rescored[k].items() if key != "article_id"})
                    )
            return inserted

        return self.transaction(work)

    def delete(self, article_id: str) -> bool:
        def work(conn: Connection) -> bool:
            return bool(conn.execute(articles.delete().where(articles.c.article_id == article_id)).rowcount)

        return self.transaction(work)

    def count(self) -> int:
        with self.reading() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(articles)).scalar_one())

    def source_history(self, domain: str) -> list[tuple[str, datetime, float]]:
        """(article id, stored at, probability reliable) of the outlet's articles, oldest first."""
        with self.reading() as conn:
            rows = conn.execute(
                sa.select(articles.c.article_id, articles.c.created_at, articles.c.probability)
                .where(articles.c.source == domain, articles.c.probability.is_not(None))
                .order_by(articles.c.seq)
            )
            return [(r[0], r[1], float(r[2])) for r in rows]

    # -- feedback ---------------------------------------------------------------------

    def add_feedback(self, row: dict[str, Any]) -> int:
        with self.writing() as conn:
            result = conn.execute(feedback.insert().values(**row, created_at=now()))
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def feedback_rows(self) -> list[dict[str, Any]]:
        with self.reading() as conn:
            return [dict(r) for r in conn.execute(sa.select(feedback).order_by(feedback.c.id)).mappings()]

    # -- API keys ---------------------------------------------------------------------

    def create_key(self, name: str) -> tuple[str, dict[str, Any]]:
        """A new key; the token is returned once and only its hash is stored."""
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        row = {"name": name, "prefix": token[:12], "key_hash": hash_key(token), "created_at": now()}
        with self.writing() as conn:
            row["id"] = int(conn.execute(api_keys.insert().values(**row)).inserted_primary_key[0])  # type: ignore[index]
        return token, row

    def list_keys(self) -> list[dict[str, Any]]:
        with self.reading() as conn:
            rows = conn.execute(
                sa.select(
                    api_keys.c.id, api_keys.c.name, api_keys.c.prefix, api_keys.c.created_at, api_keys.c.revoked_at
                ).order_by(api_keys.c.id)
            ).mappings()
            return [dict(r) for r in rows]

    def revoke_key(self, key: str) -> bool:
        """Revoke by id or by the key's prefix (as `keys list` prints it)."""
        column = api_keys.c.id if key.isdigit() else api_keys.c.prefix
        value: Any = int(key) if key.isdigit() else key
        with self.writing() as conn:
            result = conn.execute(
                api_keys.update().where(column == value, api_keys.c.revoked_at.is_(None)).values(revoked_at=now())
            )
            return bool(result.rowcount)

    def active_key_count(self) -> int:
        with self.reading() as conn:
            query = sa.select(sa.func.count()).select_from(api_keys).where(api_keys.c.revoked_at.is_(None))
            return int(conn.execute(query).scalar_one())

    def verify_key(self, token: str) -> dict[str, Any] | None:
        with self.reading() as conn:
            row = (
                conn.execute(
                    sa.select(api_keys.c.id, api_keys.c.name, api_keys.c.prefix).where(
                        api_keys.c.key_hash == hash_key(token), api_keys.c.revoked_at.is_(None)
                    )
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None

    # -- webhook integrations ---------------------------------------------------------

    def create_integration(self, name: str) -> tuple[str, dict[str, Any]]:
        """A new integration; its secret is returned once (and kept: the webhook's HMAC needs it)."""
        if not INTEGRATION_NAME.fullmatch(name):
            raise UsageError(f"integration name {name!r}: use 1-128 letters, digits, '.', '_' or '-'")
        secret = SECRET_PREFIX + secrets.token_urlsafe(32)
        row = {"name": name, "prefix": secret[:12], "secret": secret, "created_at": now()}
        try:
            with self.writing() as conn:
                inserted = conn.execute(integrations.insert().values(**row)).inserted_primary_key
        except sa.exc.IntegrityError:
            raise UsageError(f"an integration named {name!r} exists already (names are never reused)") from None
        row["id"] = int(inserted[0])  # type: ignore[index]
        return secret, row

    def list_integrations(self) -> list[dict[str, Any]]:
        columns = [c for c in integrations.c if c.name != "secret"]
        with self.reading() as conn:
            rows = conn.execute(sa.select(*columns).order_by(integrations.c.id)).mappings()
            return [dict(r) for r in rows]

    def revoke_integration(self, name: str) -> bool:
        with self.writing() as conn:
            result = conn.execute(
                integrations.update()
                .where(integrations.c.name == name, integrations.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            return bool(result.rowcount)

    def integration(self, name: str) -> dict[str, Any] | None:
        """An active integration by name, with its secret."""
        with self.reading() as conn:
            row = (
                conn.execute(
                    sa.select(integrations).where(integrations.c.name == name, integrations.c.revoked_at.is_(None))
                )
                .mappings()
                .first()
            )
        return dict(row) if row else None
