"""The durable queue behind POST /v1/webhooks/cms, and the worker thread that drains it.

A delivery is a row of `webhook_deliveries`, written in the same transaction that records its
signature as seen, before the 202 answer: a crash after the answer loses nothing. Rows are
unique on (integration, CMS document id, content hash), so the same payload sent twice is
one job. `status` is `queued` until a worker has scored it (`scored`) or given up (`failed`).

A worker claims the oldest queued row by a compare-and-set UPDATE (the claim only counts if
the row is still unclaimed, or its claim older than the lease), so two processes never score
the same job at once; on PostgreSQL the candidate is read `FOR UPDATE SKIP LOCKED`, on SQLite
writers are serialised anyway. A worker that dies mid-job leaves a claim that expires after
`webhook_lease` seconds; any worker then scores the job again. Jobs still queued when a
process stops are scored by the next one that starts (`create_app` starts the thread when
the queue is not empty).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service.engine.records import ArticleInput
from service.errors import InputError, ModelArtifactError, StoreUnavailableError
from service.store.db import Store, integrations, now, webhook_deliveries, webhook_signatures

STATUSES = ("queued", "scored", "failed")
# A job whose worker vanished this many times (a crash while scoring it, each time) is given up.
MAX_ATTEMPTS = 5
MAX_BACKOFF = 30.0  # seconds between tries while the store is unavailable
ARTICLE_FIELDS = ("text", "html", "title", "url", "source", "published_at", "language")
logger = logging.getLogger(__name__)
deliveries = webhook_deliveries


class ReplayError(Exception):
    """This exact signature was accepted before, within the replay window."""


def aware(stamp: datetime | None) -> datetime | None:
    """SQLite gives back naive datetimes; every stamp the store writes is UTC."""
    if stamp is not None and stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp


class DeliveryQueue:
    """Reads and writes of the webhook tables, over the service's Store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def _insert(self, table: sa.Table) -> Any:
        return (sqlite_insert if self.store.is_sqlite else pg_insert)(table)

    def accept(
        self,
        integration_id: int,
        signature: str,
        expires_at: datetime,
        fields: dict[str, Any],
        payload: dict[str, Any],
    ) -> tuple[dict[str, Any], bool]:
        """Record the signature as seen and queue the delivery, in one transaction.

        `fields`: cms_id, content_hash, cms_status, store. Returns the delivery row and whether
        it is new; an identical earlier delivery is returned as it is (one job per content).
        Raises ReplayError (and writes nothing) when the signature was seen before.
        """
        stamp = now()
        with self.store.writing() as conn:
            conn.execute(webhook_signatures.delete().where(webhook_signatures.c.expires_at < stamp))
            seen = conn.execute(
                self._insert(webhook_signatures)
                .values(signature=signature, integration_id=integration_id, expires_at=expires_at)
                .on_conflict_do_nothing(index_elements=["signature"])
                .returning(webhook_signatures.c.signature)
            ).first()
            if seen is None:
                raise ReplayError(signature)
            row = {
                "delivery_id": "dlv_" + uuid.uuid4().hex[:20],
                "integration_id": integration_id,
                **fields,
                "payload": json.dumps(payload, ensure_ascii=False),
                "status": "queued",
                "attempts": 0,
                "received_at": stamp,
                "last_received_at": stamp,
            }
            created = conn.execute(
                self._insert(deliveries)
                .values(**row)
                .on_conflict_do_nothing(index_elements=["integration_id", "cms_id", "content_hash"])
                .returning(deliveries.c.id)
            ).first()
            document = (
                deliveries.c.integration_id == integration_id,
                deliveries.c.cms_id == fields["cms_id"],
                deliveries.c.content_hash == fields["content_hash"],
            )
            if created is None:
                conn.execute(deliveries.update().where(*document).values(last_received_at=stamp))
            stored = conn.execute(sa.select(deliveries).where(*document)).mappings().one()
        return dict(stored), created is not None

    def claim(self, worker: str, lease: float) -> dict[str, Any] | None:
        """The oldest claimable job, now claimed by `worker`; None when there is none.

        The claim is a token of its own (`claimed_by`: the worker's name and a random suffix): a
        job is settled only by the claim that holds it, so a result that comes after the claim
        expired or was handed back is dropped.
        """
        token = f"{worker[:110]}/{uuid.uuid4().hex[:12]}"
        for _ in range(10):  # another worker may take the candidate between the read and the update
            with self.store.writing() as conn:
                cutoff = now() - timedelta(seconds=lease)
                claimable = sa.and_(
                    deliveries.c.status == "queued",
                    sa.or_(deliveries.c.claimed_at.is_(None), deliveries.c.claimed_at < cutoff),
                )
                candidate = conn.execute(
                    sa.select(deliveries.c.id)
                    .where(claimable)
                    .order_by(deliveries.c.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if candidate is None:
                    return None
                taken = conn.execute(
                    deliveries.update()
                    .where(deliveries.c.id == candidate[0], claimable)
                    .values(claimed_by=token, claimed_at=now(), attempts=deliveries.c.attempts + 1)
                )
                if taken.rowcount == 1:
                    row = conn.execute(sa.select(deliveries).where(deliveries.c.id == candidate[0])).mappings().one()
                    return dict(row)
        return None

    def _settle(self, job: dict[str, Any], values: dict[str, Any]) -> bool:
        """Update a job its claim still holds; False (nothing written) when the claim was lost."""
        with self.store.writing() as conn:
            result = conn.execute(
                deliveries.update()
                .where(
                    deliveries.c.id == job["id"],
                    deliveries.c.claimed_by == job["claimed_by"],
                    deliveries.c.status == "queued",
                )
                .values(**values)
            )
            return bool(result.rowcount)

    def finish(self, job: dict[str, Any], result: dict[str, Any]) -> bool:
        values = {
            "status": "scored",
            "result": json.dumps(result, ensure_ascii=False),
            "article_id": result["article_id"],
            "model_version": result["model_version"],
            "error": None,
            "payload": None,  # the result keeps the normalized text; the raw body is no longer needed
            "finished_at": now(),
        }
        return self._settle(job, values)

    def fail(self, job: dict[str, Any], error: str) -> bool:
        return self._settle(job, {"status": "failed", "error": error, "finished_at": now()})

    def release(self, job: dict[str, Any]) -> bool:
        """Give a job back to the queue (the store failed, or the process is stopping); not an attempt."""
        values = {"claimed_by": None, "claimed_at": None, "attempts": deliveries.c.attempts - 1}
        return self._settle(job, values)

    def pending(self) -> int:
        with self.store.reading() as conn:
            query = sa.select(sa.func.count()).select_from(deliveries).where(deliveries.c.status == "queued")
            return int(conn.execute(query).scalar_one())

    def latest(self, cms_id: str, integration: str | None = None) -> dict[str, Any] | None:
        """The delivery of this CMS document received last (a repeat counts as received again)."""
        query = (
            sa.select(deliveries, integrations.c.name.label("integration"))
            .join(integrations, integrations.c.id == deliveries.c.integration_id)
            .where(deliveries.c.cms_id == cms_id)
            .order_by(deliveries.c.last_received_at.desc(), deliveries.c.id.desc())
            .limit(1)
        )
        if integration is not None:
            query = query.where(integrations.c.name == integration)
        with self.store.reading() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def rows(self) -> list[dict[str, Any]]:
        """Every delivery, oldest first (tests and diagnostics)."""
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute(sa.select(deliveries).order_by(deliveries.c.id)).mappings()]


def article_of(job: dict[str, Any]) -> ArticleInput:
    payload = json.loads(job["payload"])
    return ArticleInput(**{k: payload.get(k) for k in ARTICLE_FIELDS}, id=job["cms_id"], input="article")


class WebhookWorker:
    """Scores queued deliveries with the app's ScoringService, in one background thread.

    `start()` is idempotent; `notify()` wakes the thread (starting it first) after a delivery
    was queued; `drain()` scores what is queued in the calling thread (tests, no thread); `stop()`
    lets the job in hand finish within its timeout, else hands it back to the queue.
    """

    def __init__(self, service: Any, settings: dict[str, Any]) -> None:
        self.service = service
        self.queue = DeliveryQueue(service.store)
        self.enabled = bool(settings["webhook_worker"])
        self.poll_interval = float(settings["webhook_poll_interval"])
        self.lease = float(settings["webhook_lease"])
        self.stop_timeout = float(settings["graceful_timeout"])
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._current: dict[str, Any] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running or not self.enabled:
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="webhook-worker", daemon=True)
            self._thread.start()
            atexit.register(self.stop)
        logger.info("webhook worker %s started", self.name)

    def start_if_pending(self) -> None:
        """At app start: jobs left by a stopped or crashed process are scored now."""
        if not self.enabled:
            return
        try:
            pending = self.queue.pending()
        except (StoreUnavailableError, sa.exc.SQLAlchemyError):
            pending = 1  # the store is not there yet: the thread retries until it is
        if pending:
            self.start()

    def notify(self) -> None:
        self.start()
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        thread = self._thread
        self._stopping.set()
        self._wake.set()
        atexit.unregister(self.stop)
        if thread is None:
            return
        thread.join(self.stop_timeout if timeout is None else timeout)
        job = self._current
        if thread.is_alive() and job is not None:
            logger.warning("webhook worker %s stopped during delivery %s; it goes back to the queue", self.name,
                           job["delivery_id"])  # fmt: skip
            try:
                self.queue.release(job)
            except StoreUnavailableError as exc:
                logger.error("%s; the delivery will be scored again after its lease", exc)
        self._thread = None

    def drain(self, limit: int = 1000) -> int:
        """Score queued jobs in this thread until none is left (or `limit`); returns how many."""
        done = 0
        while done < limit and self.run_once():
            done += 1
        return done

    def run_once(self) -> bool:
        """Claim one job and score it; False when the queue had nothing to claim."""
        self.service.ensure_store()
        job = self.queue.claim(self.name, self.lease)
        if job is None:
            return False
        self._current = job
        try:
            self._process(job)
        finally:
            self._current = None
        return True

    def _process(self, job: dict[str, Any]) -> None:
        if job["attempts"] > MAX_ATTEMPTS:
            self.queue.fail(job, f"gave up after {MAX_ATTEMPTS} attempts (the worker stopped each time)")
            return
        try:
            result = self.service.score([article_of(job)], persist=bool(job["store"]))[0]
        except InputError as exc:  # too long after extraction, nothing left to score, ...
            self.queue.fail(job, str(exc))
            return
        except (StoreUnavailableError, ModelArtifactError):
            try:
                self.queue.release(job)
            except StoreUnavailableError:
                pass  # the claim expires after the lease
            raise
        except Exception:
            logger.exception("webhook delivery %s could not be scored", job["delivery_id"])
            self.queue.fail(job, "unexpected error while scoring; it was logged on the server")
            return
        result.setdefault("stored", False)
        if not self.queue.finish(job, result):
            logger.warning("webhook delivery %s: scored after its claim was lost; the result is dropped",
                           job["delivery_id"])  # fmt: skip

    def _loop(self) -> None:
        failures = 0  # in a row; logged when the store or model goes away and when it is back, not each round
        while not self._stopping.is_set():
            worked = False
            try:
                worked = self.run_once()
                if failures:
                    logger.info("webhook worker %s: scoring again", self.name)
                failures = 0
            except (StoreUnavailableError, ModelArtifactError) as exc:
                if not failures:
                    logger.error("webhook worker %s: %s; queued deliveries wait until it is back", self.name, exc)
                failures += 1
            except Exception:
                logger.exception("webhook worker %s", self.name)
            if not worked and not self._stopping.is_set():
                # an empty queue: the poll interval; a store that is down: up to MAX_BACKOFF seconds apart
                self._wake.wait(min(self.poll_interval * 2 ** min(failures, 10), max(MAX_BACKOFF, self.poll_interval)))
                self._wake.clear()
        logger.info("webhook worker %s stopped", self.name)
