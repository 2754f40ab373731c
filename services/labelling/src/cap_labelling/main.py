"""Composition of the labelling service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from cap_labelling.config import Settings
from cap_labelling.events.handlers import HANDLERS
from cap_labelling.models import tables
from cap_labelling.routes import ROUTERS
from cap_shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="labelling",
    title="CAP — labelling service",
    description=(
        "Applications, eligibility, committee decisions, recognitions (labels and certificates) and the public registry."
    ),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    routers=ROUTERS,
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
