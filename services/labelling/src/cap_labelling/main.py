"""Composition of the labelling service: runtime (database, broker, roles) and the API app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cap_labelling.config import Settings
from cap_labelling.events.handlers import HANDLERS
from cap_labelling.models import tables
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
    """The labelling service's HTTP API."""
    return create_service_app(
        runtime or build_runtime(),
        title="CAP — labelling service",
        description="Applications, eligibility, committee decisions, recognitions (labels and certificates) and the public registry.",
        manage_runtime=manage_runtime,
    )


ENTRY = ServiceEntry(
    name="labelling", settings=Settings, build_runtime=build_runtime, create_app=create_app
)
