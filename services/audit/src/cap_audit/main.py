"""Composition of the audit service: its definition, runtime, API app and CLI entry."""

from __future__ import annotations

from pathlib import Path

from cap_audit.config import Settings
from cap_audit.events.handlers import HANDLERS
from cap_audit.models import tables
from cap_shared.service import ServiceDefinition

SERVICE = ServiceDefinition(
    name="audit",
    title="CAP — audit service",
    description=(
        "Certification bodies, auditors, audit programmes, audits, findings, corrective actions, reports and the certification-body integration."
    ),
    settings=Settings,
    tables=tables,
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
)

MIGRATIONS = SERVICE.migrations
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
ENTRY = SERVICE.entry()
