"""Composition of the audit service: runtime (database, broker, roles) and the API app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cap_audit.config import Settings
from cap_audit.events.handlers import HANDLERS
from cap_audit.models import tables
from cap_shared.app import create_service_app
from cap_shared.cli import ServiceEntry
from cap_shared.db.session import Database
from cap_shared.messaging import Broker
from cap_shared.runtime import ServiceRuntime
from cap_shared.settings import BaseServiceSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def build_runtime(
    settings: BaseServiceSettings | None = None,
    *,
    db: Database | None = None,
    broker: Broker | None = None,
) -> ServiceRuntime:
    """The service's runtime; ``db``/``broker`` are injected by the standalone root and tests."""
    return ServiceRuntime(
        settings=settings or Settings(),
        tables=tables,
        migrations=MIGRATIONS,
        handlers=HANDLERS,
        db=db,
        broker=broker,
    )


def create_app(runtime: ServiceRuntime | None = None, *, manage_runtime: bool = True) -> FastAPI:
    """The audit service's HTTP API."""
    return create_service_app(
        runtime or build_runtime(),
        title="CAP — audit service",
        description="Certification bodies, auditors, audit programmes, audits, findings, corrective actions, reports and the certification-body integration.",
        manage_runtime=manage_runtime,
    )


ENTRY = ServiceEntry(
    name="audit", settings=Settings, build_runtime=build_runtime, create_app=create_app
)
