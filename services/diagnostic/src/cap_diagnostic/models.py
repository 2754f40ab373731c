"""Tables of the diagnostic service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.idempotency import idempotency_table
from cap_shared.migrate import DATABASE_ONLY
from cap_shared.runtime import infra_tables
from cap_shared.sync import tombstone_table

registry = make_registry()
metadata = registry.metadata
#: Created by the migrations on PostgreSQL only (French full-text search of resources).
metadata.info[DATABASE_ONLY] = {"resource.search", "resource.ix_resource_search"}


class Base(SQLModel, registry=registry):
    """Base of this service's tables."""


#: outbox_message, inbox_message, dead_letter.
tables = infra_tables(metadata)


class Organisation(TimestampMixin, Base, table=True):
    """Read model of a member structure, fed by ``identity.organisation.registered.v1``.

    Keeps only what diagnostics need: who, which SIAE types, which region.
    """

    __tablename__ = "organisation"

    id: str = Field(primary_key=True, max_length=36)
    siret: str = Field(max_length=14, index=True)
    name: str = Field(max_length=200)
    siae_types: list[str] = Field(sa_type=sa.JSON)
    region: str = Field(max_length=2, index=True)
    delegation: str | None = Field(default=None, max_length=200)
    registered_at: datetime = Field(sa_type=AwareDateTime)


#: Idempotency-Key claims and stored answers (cap_shared.idempotency).
idempotency_keys = idempotency_table(metadata)
#: Deleted rows of the lists mobile apps sync (``updated_since``): answers.
tombstones = tombstone_table(metadata)


class ReferentialVersion(TimestampMixin, Base, table=True):
    """One imported version of a referential: the validated file and what it changed."""

    __tablename__ = "referential_version"
    __table_args__ = (sa.UniqueConstraint("urn", "version"),)

    id: str = Field(primary_key=True, max_length=36)
    urn: str = Field(max_length=200)
    code: str = Field(max_length=40, index=True)
    version: int
    name: str = Field(max_length=300)
    status: str = Field(max_length=20)
    published_on: date
    #: The referential file as validated (``ReferentialFile`` as JSON).
    document: dict[str, Any] = Field(sa_type=sa.JSON)
    #: Criteria added / removed / changed against the previous version (None for the first).
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    imported_by: str | None = Field(default=None, max_length=200)
    #: When an admin published it (None: imported, not yet offered for new diagnostics).
    published_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    published_by: str | None = Field(default=None, max_length=200)


class Diagnostic(TimestampMixin, Base, table=True):
    """One diagnostic of an organisation on a referential version (lifecycle in
    ``diagnostics/rules/lifecycle.py``)."""

    __tablename__ = "diagnostic"
    __table_args__ = (
        sa.Index("ix_diagnostic_organisation_created", "organisation_id", "created_at"),
        # One audit evaluation per (audit, site): a redelivered report records nothing more.
        sa.UniqueConstraint("audit_id", "organisation_id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36, foreign_key="organisation.id")
    referential_id: str = Field(max_length=36, foreign_key="referential_version.id", index=True)
    kind: str = Field(max_length=30)
    status: str = Field(max_length=20, index=True)
    title: str = Field(max_length=200)
    session_date: date | None = None
    facilitator: str | None = Field(default=None, max_length=200)
    #: A CAP session's facilitators as platform accounts, with how each was recorded:
    #: ``{"user_id", "how": "acted" | "named", "by", "at"}`` (``facilitators/rules.py``).
    facilitator_accounts: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    participants: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    key_figures: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    #: Bumped by every write: the ETag (optimistic concurrency with If-Match).
    revision: int = 1
    created_by: str = Field(max_length=200)
    completed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    #: "2026-T4": the quarter of completion (UTC), for the network trend.
    completed_quarter: str | None = Field(default=None, max_length=7)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    overall_score: int | None = None
    overall_band: str | None = Field(default=None, max_length=100)
    #: Scores at completion (the ``diagnostic.completed.v1`` payload's scores).
    scores: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    #: Referential migrations applied (from, to, strategy, what changed).
    migrations: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    #: An audit evaluation's audit (unique with the organisation: one per audited site).
    audit_id: str | None = Field(default=None, max_length=64)
    #: An audit evaluation's record: the audit, the site, the criteria the auditor rated,
    #: judged not applicable or left unrated, and what was ignored.
    audit_evaluation: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class Answer(TimestampMixin, Base, table=True):
    """A criterion's rating in a diagnostic; ``id`` is generated by the client (offline sync)."""

    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("diagnostic_id", "criterion_urn"),)

    id: str = Field(primary_key=True, max_length=36)
    diagnostic_id: str = Field(max_length=36, foreign_key="diagnostic.id", index=True)
    criterion_urn: str = Field(max_length=200)
    level: int | None = None
    not_applicable: bool = False
    not_applicable_reason: str | None = Field(default=None, sa_type=sa.Text)
    comment: str | None = Field(default=None, sa_type=sa.Text)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    #: Where a carried-over answer came from (an earlier diagnostic's id).
    carried_from: str | None = Field(default=None, max_length=36)
    updated_by: str = Field(max_length=200)


class GroupScoreRow(Base, table=True):
    """A completed diagnostic's score per group, for network statistics."""

    __tablename__ = "diagnostic_score"

    diagnostic_id: str = Field(primary_key=True, max_length=36, foreign_key="diagnostic.id")
    group: str = Field(primary_key=True, max_length=40)
    code: str = Field(primary_key=True, max_length=40)
    score: int | None = None
    band: str | None = Field(default=None, max_length=100)


class ProgressPlan(TimestampMixin, Base, table=True):
    """An organisation's one living progress plan: diagnostics and audits feed the same plan."""

    __tablename__ = "progress_plan"

    id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36, foreign_key="organisation.id", unique=True)
    #: The diagnostic whose gaps last fed the plan.
    diagnostic_id: str | None = Field(default=None, max_length=36)


class ProgressAction(TimestampMixin, Base, table=True):
    """A progress action (lifecycle in ``plans/rules.py``; overdue is derived from the due date)."""

    __tablename__ = "progress_action"
    __table_args__ = (
        sa.Index("ix_progress_action_plan_status", "plan_id", "status"),
        sa.Index("ix_progress_action_due_open", "due_date", "status"),
        # One proposal per source item: a redelivered audit event or a re-issued plan adds nothing.
        sa.UniqueConstraint("plan_id", "source", "source_ref"),
    )

    id: str = Field(primary_key=True, max_length=36)
    plan_id: str = Field(max_length=36, foreign_key="progress_plan.id")
    organisation_id: str = Field(max_length=36, index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=sa.Text)
    criterion_urn: str | None = Field(default=None, max_length=200)
    criterion_code: str | None = Field(default=None, max_length=40)
    theme_code: str | None = Field(default=None, max_length=40)
    owner: str | None = Field(default=None, max_length=200)
    due_date: date | None = None
    priority: str = Field(max_length=10)
    status: str = Field(max_length=20)
    #: diagnostic (a gap), audit (a finding) or manual.
    source: str = Field(max_length=20)
    #: What it came from: "<diagnostic id>:<template code>", "<audit id>:<finding id>", or its id.
    source_ref: str = Field(max_length=120)
    #: Points the overall score gains if the criterion rises one level (to rank work).
    expected_gain: float | None = None
    created_by: str = Field(max_length=200)
    completed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    verified_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    verified_by: str | None = Field(default=None, max_length=200)
    #: The due date an overdue event was published for (once per due date).
    overdue_notified_for: date | None = None
    #: The due date a reminder was published for (once per due date).
    reminded_for: date | None = None


class ActionReview(Base, table=True):
    """A follow-up review of an action: a note, and the status it left the action in."""

    __tablename__ = "action_review"

    id: str = Field(primary_key=True, max_length=36)
    action_id: str = Field(max_length=36, foreign_key="progress_action.id", index=True)
    note: str = Field(sa_type=sa.Text)
    progress: int | None = Field(default=None, description="Percent done")
    status_after: str = Field(max_length=20)
    reviewed_by: str = Field(max_length=200)
    reviewed_at: datetime = Field(sa_type=AwareDateTime)


class Resource(TimestampMixin, Base, table=True):
    """An entry of the federation's catalogue: a guide, a training, a tool, a contact, an event.

    On PostgreSQL the migration adds ``search``, a generated ``tsvector`` (French configuration,
    weighted title > summary and tags > description) with a GIN index; on SQLite search falls
    back to accent- and case-insensitive matching of every word.
    """

    __tablename__ = "resource"

    id: str = Field(primary_key=True, max_length=36)
    code: str = Field(max_length=60, unique=True)
    kind: str = Field(max_length=20, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(max_length=500)
    description: str = Field(sa_type=sa.Text)
    url: str | None = Field(default=None, max_length=500)
    contact: str | None = Field(default=None, max_length=300)
    duration: str | None = Field(default=None, max_length=60)
    criteria: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    themes: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    tags: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: Words of tags/criteria/themes as one text, for the search vector.
    keywords: str = Field(default="", sa_type=sa.Text)
    published: bool = True
    created_by: str = Field(max_length=200)


class LatestDiagnostic(Base, table=True):
    """Each organisation's latest completed diagnostic per referential, kept at completion, so
    network statistics read 10,000 rows instead of ranking every diagnostic."""

    __tablename__ = "latest_diagnostic"

    organisation_id: str = Field(primary_key=True, max_length=36, foreign_key="organisation.id")
    referential_code: str = Field(primary_key=True, max_length=40)
    diagnostic_id: str = Field(max_length=36, foreign_key="diagnostic.id")
    completed_at: datetime = Field(sa_type=AwareDateTime)
    overall_score: int | None = None


class Recognition(Base, table=True):
    """Read model of labels and certifications, fed by ``recognition.status_changed.v1``:
    the network view counts labelled and certified structures."""

    __tablename__ = "recognition"
    __table_args__ = (sa.Index("ix_recognition_scheme_status", "scheme", "status"),)

    id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36, index=True)
    scheme: str = Field(max_length=20)
    level: str | None = Field(default=None, max_length=60)
    status: str = Field(max_length=20)
    number: str = Field(max_length=60)
    effective_date: date
    expiry_date: date
    changed_at: datetime = Field(sa_type=AwareDateTime)
