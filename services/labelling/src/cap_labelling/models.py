"""Tables of the labelling service (its own metadata, its own database)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cap_shared.db import TimestampMixin, make_registry
from cap_shared.db.types import AwareDateTime
from cap_shared.runtime import infra_tables
from cap_shared.sync import tombstone_table

registry = make_registry()
metadata = registry.metadata


class Base(SQLModel, registry=registry):
    """Base of this service's tables."""


#: outbox_message, inbox_message, dead_letter.
tables = infra_tables(metadata)
#: Deletions remembered for delta sync (``?updated_since=``: docs/api/lists.md).
tombstones = tombstone_table(metadata)


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
    window; the CAP RSE level rule reads the scores per ISO 26000 core subject of the auditor's
    evaluation (kind ``audit_evaluation``), else of the structure's own CAP RSE assessment.
    """

    __tablename__ = "completed_diagnostic"
    __table_args__ = (
        sa.Index(
            "ix_completed_diagnostic_organisation_completed", "organisation_id", "completed_at"
        ),
    )

    diagnostic_id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36)
    #: cap_session, self_assessment (the structure's own) or audit_evaluation (the auditor's).
    kind: str = Field(max_length=30)
    #: For an audit evaluation: the audit whose report it records.
    audit_id: str | None = Field(default=None, max_length=64)
    referential_code: str = Field(max_length=40)
    referential_version: int
    completed_at: datetime = Field(sa_type=AwareDateTime)
    overall_score: int | None = None
    overall_band: str | None = Field(default=None, max_length=100)
    #: The event's scores: themes, frameworks (core subjects, clause groups), kinds.
    scores: dict[str, Any] = Field(sa_type=sa.JSON)
    #: Each criterion as completed: {urn, code, level (None: not rated), not_applicable, core}.
    #: The level rule reads the core ones; a decision needs every applicable one rated.
    criteria: list[dict[str, Any]] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )


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


class GroupInvitation(TimestampMixin, Base, table=True):
    """A structure named as a member of a group application: it joins the group only when its
    own member_admin accepts (nothing of it reaches the applicant before)."""

    __tablename__ = "group_invitation"
    __table_args__ = (sa.UniqueConstraint("application_id", "organisation_id"),)

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(max_length=36, foreign_key="application.id", index=True)
    #: The structure invited to join the group.
    organisation_id: str = Field(max_length=36, index=True)
    #: pending -> accepted | declined | cancelled (the application withdrawn first)
    status: str = Field(max_length=20)
    invited_by: str = Field(max_length=200)
    invited_at: datetime = Field(sa_type=AwareDateTime)
    answered_by: str | None = Field(default=None, max_length=200)
    answered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class AuditReport(Base, table=True):
    """Read model of submitted audit reports, fed by ``audit.report_submitted.v1``."""

    __tablename__ = "audit_report"
    __table_args__ = (sa.Index("ix_audit_report_organisation_scheme", "organisation_id", "scheme"),)

    audit_id: str = Field(primary_key=True, max_length=36)
    organisation_id: str = Field(max_length=36)
    scheme: str = Field(max_length=20)
    audit_type: str = Field(max_length=20)
    certification_body_id: str | None = Field(default=None, max_length=60)
    submitted_at: datetime = Field(sa_type=AwareDateTime)
    last_day: date | None = None
    #: Findings per type (major_nc, minor_nc, observation, ...).
    summary: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)
    #: People who audited: they may not decide on the file.
    auditor_user_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    #: Criteria whose maturity the auditor evaluated (CAP RSE): when there are some, the level
    #: waits for their scores (the diagnostic service's ``audit_evaluation`` of this audit).
    evaluated_criteria: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: The structures the diagnostic service scores an evaluation of (a report with evaluated
    #: maturity: the audited structure and each audited site).
    evaluated_site_ids: list[str] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
    #: When the audit service said its majors were not verified in time (a new stage 2, or a
    #: new evaluation, is required): no decision rests on this audit any more.
    stage2_required_on: date | None = None


class Nonconformity(Base, table=True):
    """Read model of audit nonconformities and their status (open majors block a label)."""

    __tablename__ = "nonconformity"
    __table_args__ = (
        sa.Index("ix_nonconformity_organisation_scheme", "organisation_id", "scheme"),
    )

    finding_id: str = Field(primary_key=True, max_length=36)
    audit_id: str = Field(max_length=36, index=True)
    organisation_id: str = Field(max_length=36)
    scheme: str = Field(max_length=20)
    type: str = Field(max_length=20)
    status: str = Field(max_length=30)
    response_due: date | None = None
    #: Set when the response deadline passed with the nonconformity still open, or when an
    #: answered major was not verified in time.
    overdue: bool = False
    #: The group member (site) it was found at; None: the audited structure itself.
    site_id: str | None = Field(default=None, max_length=36)
    changed_at: datetime = Field(sa_type=AwareDateTime)


class DecisionFile(TimestampMixin, Base, table=True):
    """The file a decision is taken on: opened when an application is accepted, ready once the
    audit report is in; decided by the committee (CAP RSE) or recorded from the body (ISO)."""

    __tablename__ = "decision_file"
    __table_args__ = (
        sa.Index("ix_decision_file_organisation_scheme", "organisation_id", "scheme"),
    )

    id: str = Field(primary_key=True, max_length=36)
    application_id: str | None = Field(default=None, max_length=36, index=True)
    organisation_id: str = Field(max_length=36, foreign_key="organisation.id")
    group_member_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scheme: str = Field(max_length=20)
    certification_body_id: str | None = Field(default=None, max_length=60)
    #: initial (first recognition) or renewal (a recognition's next cycle).
    kind: str = Field(max_length=10)
    #: awaiting_report -> pending <-> deferred -> granted | refused; an ISO grant recorded while
    #: majors of its audit are open is ``held`` -> granted (verified) | refused (lapsed).
    status: str = Field(max_length=20, index=True)
    audit_id: str | None = Field(default=None, max_length=36)
    #: The recognition being renewed (renewal files).
    renews_id: str | None = Field(default=None, max_length=36)
    #: The level rule's result at decision time (inputs and reasons), for the record.
    computed: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    computed_level: str | None = Field(default=None, max_length=30)
    level: str | None = Field(default=None, max_length=30)
    decided_on: date | None = None
    decided_by: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=2000)
    #: Deferrals and other steps before the decision: [{at, by, step, reason}].
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    recognition_id: str | None = Field(default=None, max_length=36)
    #: A held grant: the body's decision kept until the audit's majors are verified
    #: ({decided_on, decided_by, certificate_number, scope, excluded_member_ids, reason,
    #: held_on, held_until}).
    held: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    #: 1, then one more each time an appeal overturns the decision (the file is decided again).
    round: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class DecisionAppeal(TimestampMixin, Base, table=True):
    """A structure's appeal against a decision (ISO/IEC 17021-1 §9.7): one per decision taken
    (per file and round), decided by people who took no part in it."""

    __tablename__ = "decision_appeal"
    __table_args__ = (sa.UniqueConstraint("decision_id", "round"),)

    id: str = Field(primary_key=True, max_length=36)
    decision_id: str = Field(max_length=36, foreign_key="decision_file.id", index=True)
    round: int
    organisation_id: str = Field(max_length=36)
    scheme: str = Field(max_length=20)
    #: The decision appealed: granted or refused, by whom, when, at which level.
    decision_status: str = Field(max_length=20)
    decision_level: str | None = Field(default=None, max_length=30)
    decision_decided_by: str | None = Field(default=None, max_length=200)
    decision_decided_on: date | None = None
    reason: str = Field(max_length=4000)
    lodged_by: str = Field(max_length=200)
    lodged_at: datetime = Field(sa_type=AwareDateTime)
    #: lodged -> upheld | overturned
    status: str = Field(max_length=20)
    outcome_reason: str | None = Field(default=None, max_length=2000)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class Recognition(TimestampMixin, Base, table=True):
    """A CAP RSE label or a CAP ISO 9001 certificate, for one cycle (a renewal is a new row)."""

    __tablename__ = "recognition"
    __table_args__ = (sa.Index("ix_recognition_organisation_scheme", "organisation_id", "scheme"),)

    id: str = Field(primary_key=True, max_length=36)
    number: str = Field(max_length=60, unique=True)
    #: Printed on the certificate; verifies it in the public registry.
    verification_code: str = Field(max_length=20, unique=True)
    organisation_id: str = Field(max_length=36, foreign_key="organisation.id")
    #: Other structures covered (a group's members; the holder is the central function).
    group_member_ids: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    scheme: str = Field(max_length=20, index=True)
    level: str | None = Field(default=None, max_length=30, index=True)
    scope: str = Field(default="", max_length=2000)
    certification_body_id: str | None = Field(default=None, max_length=60)
    #: The body's own certificate number (CAP ISO 9001), and the IAF CertSearch id if known.
    external_number: str | None = Field(default=None, max_length=60)
    decision_id: str | None = Field(default=None, max_length=36)
    decided_on: date
    effective_date: date
    expiry_date: date = Field(index=True)
    #: The day the cycle's schedule counts from: the decision for a first grant, the previous
    #: expiry for a renewal or a restoration.
    cycle_start: date
    #: When the certificate was (re)issued: its effective date, or a scope reduction's day.
    issued_on: date | None = None
    #: active | suspended | withdrawn | expired | renewed
    status: str = Field(max_length=20, index=True)
    #: Why it is suspended: surveillance_overdue | major_nc_overdue | committee.
    suspension_cause: str | None = Field(default=None, max_length=30)
    suspended_on: date | None = None
    #: Surveillance (ISO) or follow-up (CAP RSE) audits reported since the decision.
    surveillances_done: int = 0
    #: The recognition this one renews (the previous cycle), and the one renewing it.
    previous_id: str | None = Field(default=None, max_length=36)
    renewed_by_id: str | None = Field(default=None, max_length=36)
    #: decision | import
    source: str = Field(default="decision", max_length=10)
    #: Notices already published, e.g. "expiring:30", "surveillance:upcoming:2027-05-01".
    notices: list[str] = Field(default_factory=list, sa_type=sa.JSON)


class RecognitionChange(Base, table=True):
    """One step of a recognition's history (public: status, date, reason code; private: note)."""

    __tablename__ = "recognition_change"

    id: str = Field(primary_key=True, max_length=36)
    recognition_id: str = Field(max_length=36, foreign_key="recognition.id", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    on: date
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    #: A public reason code: granted, renewed, surveillance_overdue, major_nc_overdue, ...
    reason_code: str = Field(max_length=40)
    #: The committee's free text (never shown in the registry).
    note: str | None = Field(default=None, max_length=2000)
    actor: str = Field(max_length=200)


class NumberSequence(Base, table=True):
    """Last number given per prefix and year (recognition numbers are gapless per year)."""

    __tablename__ = "number_sequence"

    prefix: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = 0


class Complaint(TimestampMixin, Base, table=True):
    """A complaint about a listed recognition, opened from the public registry."""

    __tablename__ = "complaint"

    id: str = Field(primary_key=True, max_length=36)
    #: Public reference given to the complainant.
    reference: str = Field(max_length=20, unique=True)
    recognition_id: str = Field(max_length=36, foreign_key="recognition.id", index=True)
    #: received -> investigating -> upheld | dismissed
    status: str = Field(max_length=20, index=True)
    reporter_name: str = Field(max_length=200)
    reporter_email: str = Field(max_length=320)
    message: str = Field(sa_type=sa.Text)
    resolution: str | None = Field(default=None, max_length=4000)
    handled_by: str | None = Field(default=None, max_length=200)
    steps: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)


class ImportRun(Base, table=True):
    """One CSV import of existing recognitions (its report is kept)."""

    __tablename__ = "import_run"

    id: str = Field(primary_key=True, max_length=36)
    at: datetime = Field(sa_type=AwareDateTime)
    by: str = Field(max_length=200)
    filename: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    dry_run: bool = False
    imported: int = 0
    unchanged: int = 0
    rejected: int = 0
    report: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class LevelRuleRevision(Base, table=True):
    """One revision of a referential version's level rule (data, not code): seeded from the
    shipped files, replaced through the API; the latest revision applies, decided files keep
    the revision they were decided with."""

    __tablename__ = "level_rule"

    referential_code: str = Field(primary_key=True, max_length=40)
    referential_version: int = Field(primary_key=True)
    revision: int = Field(primary_key=True)
    rule: str = Field(max_length=60)
    #: The validated rule, as imported.
    document: dict[str, Any] = Field(sa_type=sa.JSON)
    sha256: str = Field(max_length=64)
    #: shipped (seeded from the service's files) | import (through the API)
    source: str = Field(max_length=10)
    imported_at: datetime = Field(sa_type=AwareDateTime)
    imported_by: str = Field(max_length=200)


class Engagement(TimestampMixin, Base, table=True):
    """A person's consultancy, accompaniment or training given to a structure: it bars them
    from deciding on the structure's files for the scheme's ``cooling_off_months`` after it
    ended (ISO/IEC 17021-1 §5.2.11). Declared by committee members (or an admin), or known
    from an accompanied CAP session (``diagnostic.completed.v1``'s facilitators)."""

    __tablename__ = "engagement"
    __table_args__ = (sa.Index("ix_engagement_user_organisation", "user_id", "organisation_id"),)

    id: str = Field(primary_key=True, max_length=36)
    #: The person's platform account (a user id, no ``user:`` prefix).
    user_id: str = Field(max_length=64)
    organisation_id: str = Field(max_length=36)
    #: consultancy | accompaniment | training
    kind: str = Field(max_length=20)
    started_on: date | None = None
    #: None: still going on.
    ended_on: date | None = None
    #: declared | cap_session
    source: str = Field(max_length=20)
    diagnostic_id: str | None = Field(default=None, max_length=36)
    declared_by: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=500)
