"""Tables of the labelling service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.runtime import infra_tables

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of this service's tables."""


#: outbox_message, inbox_message, dead_letter.
tables = infra_tables(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """Read model of a member structure, fed by ``identity.organisation.registered.v1``.

    Keeps what the public registry shows and what eligibility needs.
    """

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, index=True)
    name: str = Field(max_length=200)
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str = Field(max_length=2, index=True)
    region_name: str = Field(max_length=100)
    delegation: str | None = Field(default=None, max_length=200)
    registered_at: datetime = Field(sa_type=AwareDateTime)


class CompletedDiagnostic(Base, table=True):
    """Read model of completed diagnostics, fed by ``diagnostic.completed.v1``.

    Eligibility for a label or a certification needs a completed CAP diagnostic within a
    window; the CAP RSE level rule reads the scores per ISO 26000 core subject.
    """

    __tablename__ = "completed_diagnostic"
    __table_args__ = (
        sa.Index(
            "ix_completed_diagnostic_organisation_completed", "organisation_id", "completed_at"
        ),
    )

    diagnostic_id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36)
    kind: str = Field(max_length=30)
    referential_code: str = Field(max_length=40)
    referential_version: int
    completed_at: datetime = Field(sa_type=AwareDateTime)
    overall_score: int | None = None
    overall_band: str | None = Field(default=None, max_length=100)
    #: The event's scores: themes, frameworks (core subjects, clause groups), kinds.
    scores: dict[str, Any] = Field(sa_type=sa.JSON)


class Application(TimestampMixin, Base, table=True):
    """An application for the CAP RSE label or the CAP ISO 9001 certification."""

    __tablename__ = "application"
    __table_args__ = (sa.Index("ix_application_organisation_scheme", "organisation_id", "scheme"),)

    id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36, foreign_key="organisation.id")
    #: Other members of a group application (the applicant is the central function).
    group_member_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scheme: str = Field(max_length=20)
    certification_body_id: str = Field(max_length=60)
    status: str = Field(max_length=20, index=True)
    #: The completed CAP diagnostic of each structure that made the application eligible.
    eligibility: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    motivation: str | None = Field(default=None, sa_type=sa.Text)
    submitted_by: str = Field(max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    decided_by: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
