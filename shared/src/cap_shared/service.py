"""A service's definition: what it is made of, and the runtime, app and CLI built from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI

from cap_shared.app import create_service_app
from cap_shared.cli import ServiceEntry
from cap_shared.db.session import Database
from cap_shared.inbox import EventHandler
from cap_shared.jobs import PeriodicJob
from cap_shared.messaging import Broker
from cap_shared.runtime import DataStep, InfraTables, ServiceRuntime
from cap_shared.security import JwksKeySource
from cap_shared.settings import BaseServiceSettings


@dataclass(frozen=True)
class ServiceDefinition:
    """Name, settings, tables, migrations, event handlers and routers of one service."""

    name: str
    title: str
    description: str
    settings: Callable[[], BaseServiceSettings]
    tables: InfraTables
    migrations: Path
    handlers: Mapping[str, EventHandler] = field(default_factory=dict)
    routers: Sequence[APIRouter] = ()
    #: Outbound calls to other systems (OpenAPI ``webhooks``): declared, never served.
    webhooks: Sequence[APIRouter] = ()
    #: Idempotent reference-data steps run by ``migrate`` after the schema migrations.
    after_migrate: Sequence[DataStep] = ()
    #: Periodic jobs run by the worker role.
    jobs: Sequence[PeriodicJob] = ()

    def build_runtime(
        self,
        settings: BaseServiceSettings | None = None,
        *,
        db: Database | None = None,
        broker: Broker | None = None,
        keys: JwksKeySource | None = None,
    ) -> ServiceRuntime:
        """The runtime; ``db``/``broker``/``keys`` are injected by the standalone root and by tests."""
        return ServiceRuntime(
            settings=settings or self.settings(),
            tables=self.tables,
            migrations=self.migrations,
            handlers=self.handlers,
            db=db,
            broker=broker,
            keys=keys,
            after_migrate=self.after_migrate,
            jobs=self.jobs,
        )

    def create_app(
        self, runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True
    ) -> FastAPI:
        """The service's HTTP API."""
        return create_service_app(
            runtime or self.build_runtime(),
            title=self.title,
            description=self.description,
            routers=self.routers,
            webhooks=self.webhooks,
            manage_runtime=manage_runtime,
        )

    def entry(self) -> ServiceEntry:
        """What the shared CLI needs to run ``cap-<name> api|worker|relay|migrate``."""
        return ServiceEntry(
            name=self.name,
            settings=self.settings,
            build_runtime=self.build_runtime,
            create_app=self.create_app,
        )
