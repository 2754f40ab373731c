"""One service's moving parts, wired the same way in both topologies.

A :class:`ServiceRuntime` holds the database, the broker, the infrastructure tables and the
event handlers of a service, and runs its three roles: the API (served by the app factory in
:mod:`cap_shared.app`), the worker (consumer + dead-letter keeper) and the outbox relay. The
distributed topology runs each role in its own process; the standalone one runs them all as
tasks of one process around a shared in-memory broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import metrics
from cap_shared.audit.jobs import audit_jobs
from cap_shared.audit.table import audit_log_table
from cap_shared.clock import Clock
from cap_shared.db.session import Database
from cap_shared.deadletters import DeadLetters, dead_letter_table
from cap_shared.inbox import EventConsumer, EventHandler, inbox_table
from cap_shared.inbox.order import applied_version_table
from cap_shared.jobs import JobContext, PeriodicJob, job_run_table, run_periodically
from cap_shared.messaging import Broker, BrokerUnavailable, QueueSpec, broker_from_url
from cap_shared.messaging.base import ConsumerHandle
from cap_shared.migrate import upgrade
from cap_shared.outbox import OutboxRelay, outbox_table, subject_version_table
from cap_shared.security.tokens import JwksKeySource, TokenVerifier, http_jwks_fetcher
from cap_shared.settings import BaseServiceSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class InfraTables:
    """The outbox, inbox, dead-letter, job-run and audit-log tables of one service's metadata,
    and the per-subject event versions it produces and applies (docs/architecture.md#event-order)."""

    outbox: sa.Table
    inbox: sa.Table
    dead_letters: sa.Table
    job_runs: sa.Table
    subject_versions: sa.Table
    applied_versions: sa.Table
    #: The hash-chained audit trail (:mod:`cap_shared.audit`).
    audit_log: sa.Table


#: A reference-data step run after the migrations (idempotent), in the migration's transaction.
DataStep = Callable[[AsyncSession], Awaitable[Any]]


def infra_tables(metadata: sa.MetaData) -> InfraTables:
    """Declare the infrastructure tables in a service's metadata (call once, in models.py)."""
    return InfraTables(
        outbox=outbox_table(metadata),
        inbox=inbox_table(metadata),
        dead_letters=dead_letter_table(metadata),
        job_runs=job_run_table(metadata),
        subject_versions=subject_version_table(metadata),
        applied_versions=applied_version_table(metadata),
        audit_log=audit_log_table(metadata),
    )


#: The settings of the latest runtime built for each service name: what its event handlers
#: read (handlers are plain functions, registered before any runtime exists).
_SETTINGS: dict[str, BaseServiceSettings] = {}

S = TypeVar("S", bound=BaseServiceSettings)


def settings_for(name: str, settings_cls: type[S]) -> S:
    """The settings of the service's runtime in this process (its injected ones), or the
    environment's when no runtime was built (a handler called on its own)."""
    found = _SETTINGS.get(name)
    if isinstance(found, settings_cls):
        return found
    fresh = settings_cls()
    _SETTINGS[name] = fresh
    return fresh


class ServiceRuntime:
    """Database, broker and background roles of one service."""

    def __init__(
        self,
        *,
        settings: BaseServiceSettings,
        tables: InfraTables,
        migrations: Path,
        handlers: Mapping[str, EventHandler] | None = None,
        db: Database | None = None,
        broker: Broker | None = None,
        keys: JwksKeySource | None = None,
        after_migrate: Sequence[DataStep] = (),
        jobs: Sequence[PeriodicJob] = (),
    ) -> None:
        self.settings = settings
        #: Periodic jobs, run by the worker role (see :mod:`cap_shared.jobs`): the service's,
        #: then the audit trail's (anchor, purge), each at its interval or the one
        #: ``job_intervals_s`` gives.
        self.jobs = tuple(
            dataclasses.replace(j, interval_s=settings.job_intervals_s.get(j.name, j.interval_s))
            for j in (*jobs, *audit_jobs(settings, tables.audit_log))
        )
        #: The time business rules reason with (shifted in tests and demos).
        self.clock = Clock()
        #: Data steps run after the schema migrations, in one transaction (reference data).
        self.after_migrate = tuple(after_migrate)
        self.name = settings.service_name
        _SETTINGS[self.name] = settings
        self.tables = tables
        self.migrations = migrations
        self.handlers: dict[str, EventHandler] = dict(handlers or {})
        self.db = db or Database(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
        )
        # The pool's use, read at each scrape (cap_db_pool_connections, cap_db_pool_size).
        metrics.POOLS.watch(self.name, self.db.engine)
        self.broker = broker or broker_from_url(
            settings.broker_url, namespace=settings.broker_namespace
        )
        self._owns_broker = broker is None
        self._broker_started = broker is not None
        self._broker_lock = asyncio.Lock()
        self.queue = QueueSpec(
            name=self.name,
            bindings=tuple(self.handlers),
            delivery_limit=settings.consumer_delivery_limit,
            retry_delays=tuple(settings.consumer_retry_delays_s),
            prefetch=settings.consumer_prefetch,
            handler_timeout=settings.consumer_handler_timeout_s,
        )
        self.consumer = EventConsumer(
            db=self.db,
            inbox=tables.inbox,
            consumer=self.name,
            handlers=self.handlers,
            batch_size=settings.consumer_batch_size,
            clock=self.clock,
        )
        self.relay = OutboxRelay(
            db=self.db,
            broker=self.broker,
            table=tables.outbox,
            service=self.name,
            batch_size=settings.relay_batch_size,
            poll_interval=settings.relay_poll_interval_s,
            publish_timeout=settings.publish_timeout_s,
            replay_window=settings.relay_replay_window_s,
            dead_letters=tables.dead_letters,
        )
        self.dead_letters = DeadLetters(
            db=self.db,
            broker=self.broker,
            table=tables.dead_letters,
            spec=self.queue,
            service=self.name,
        )
        self._handles: list[ConsumerHandle] = []
        #: Public keys of the token issuer: the gateway's JWKS over HTTP unless injected
        #: (the standalone root and tests hand over the gateway's keys in-process).
        self.keys = keys or JwksKeySource(
            http_jwks_fetcher(settings.jwks_url), ttl=settings.auth_jwks_cache_s
        )
        self.verifier = TokenVerifier(
            issuer=settings.issuer,
            audience=settings.token_audience,
            keys=self.keys,
            leeway=settings.auth_leeway_s,
        )

    @property
    def consumes(self) -> bool:
        """Whether this service consumes events at all."""
        return bool(self.handlers)

    # lifecycle -----------------------------------------------------------------------
    async def migrate(self) -> None:
        """Apply this service's migrations, then its data steps (an explicit step, never hidden
        in API start-up). Data steps must be idempotent: every ``migrate`` runs them.

        Migrations run as the tables' owner (``migration_database_url``), which then gives the
        role of ``database_url`` its grants and the tables their row-level security policies.
        """
        owner_url = self.settings.migration_database_url
        owner = Database(owner_url, pool_size=1) if owner_url else self.db
        try:
            await upgrade(
                owner,
                self.migrations,
                metadata=self.tables.outbox.metadata,
                runtime_url=self.db.url,
            )
        finally:
            if owner is not self.db:
                await owner.dispose()
        await self.load_reference_data()

    async def load_reference_data(self) -> None:
        """Run the data steps (shipped reference data), serialised across processes."""
        if self.after_migrate:
            async with self.db.session() as session:
                await self.db.lock(session, f"{self.name}:after-migrate")
                for step in self.after_migrate:
                    await step(session)

    async def ensure_broker(self) -> None:
        """Connect to the broker once (raises :class:`BrokerUnavailable` if it cannot)."""
        async with self._broker_lock:
            if self._broker_started:
                return
            await self.broker.start()
            self._broker_started = True

    async def wait_for_broker(self, stop: asyncio.Event, *, max_delay: float = 5.0) -> bool:
        """Connect, retrying with backoff until connected or ``stop``; True when connected."""
        delay = 0.5
        while not stop.is_set():
            try:
                await self.ensure_broker()
                return True
            except BrokerUnavailable as exc:
                logger.warning(
                    "%s: broker unavailable (%s); retrying in %.1fs", self.name, exc, delay
                )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, max_delay)
        return False

    async def declare(self) -> None:
        """Declare this service's queue so events are routable before anything is published."""
        if self.consumes:
            await self.ensure_broker()
            await self.broker.declare_queue(self.queue)

    async def start_consuming(self) -> None:
        """Consume this service's queue and keep its dead letters (the worker's job)."""
        if not self.consumes:
            return
        await self.ensure_broker()
        self.consumer.holding = True
        self._handles.append(await self.broker.consume(self.queue, self.consumer))
        self._handles.append(
            await self.broker.consume_dead_letters(self.queue, self.dead_letters.keep)
        )

    async def stop_consuming(self) -> None:
        """Stop consumers, letting in-flight messages finish."""
        handles, self._handles = self._handles, []
        if handles:  # deliveries held through a database outage are parked, not returned
            self.consumer.release_held()
        for handle in handles:
            with contextlib.suppress(Exception):
                await handle.cancel()

    async def run_worker(self, stop: asyncio.Event) -> None:
        """Worker process body: consume until ``stop``."""
        if not await self.wait_for_broker(stop):
            return
        await self.start_consuming()
        try:
            await self.run_jobs(stop)
            await stop.wait()
        finally:
            await self.stop_consuming()

    async def run_jobs(self, stop: asyncio.Event) -> None:
        """Run the periodic jobs until ``stop`` (returns at once when there are none)."""
        if self.jobs:
            await run_periodically(
                self.db,
                self.jobs,
                self.name,
                stop,
                context=self.job_context,
                runs=self.tables.job_runs,
            )

    def job_context(self) -> JobContext:
        """The context jobs run with: this runtime's clock and settings."""
        now = self.clock.now()
        return JobContext(today=now.date(), now=now, settings=self.settings, clock=self.clock)

    async def run_relay(self, stop: asyncio.Event) -> None:
        """Relay process body: publish the outbox until ``stop``."""
        if not await self.wait_for_broker(stop):
            return
        await self.relay.run(stop)

    async def close(self) -> None:
        """Release the broker connection (if ours) and the database pool."""
        await self.stop_consuming()
        if self._owns_broker and self._broker_started:
            await self.broker.close()
            self._broker_started = False
        await self.db.dispose()

    # readiness ---------------------------------------------------------------------------
    async def readiness(self, *, needs_broker: bool) -> dict[str, Any]:
        """What this process needs, checked now: the database, and the broker if ``needs_broker``."""
        checks: dict[str, Any] = {}
        try:
            await asyncio.wait_for(self.db.ping(), timeout=3)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unavailable: {type(exc).__name__}"
        if needs_broker:
            try:
                await self.broker.ping()
                checks["broker"] = "ok"
            except Exception as exc:
                checks["broker"] = f"unavailable: {type(exc).__name__}"
        return checks
