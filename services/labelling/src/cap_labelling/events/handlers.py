"""Handlers of the events the labelling service consumes (routing key -> handler)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.config import Settings
from cap_labelling.decisions import from_audits
from cap_labelling.impartiality import service as impartiality
from cap_labelling.models import (
    AuditReport,
    CompletedDiagnostic,
    Nonconformity,
    Organisation,
    tables,
)
from cap_labelling.recognitions import calendar
from cap_labelling.repository import (
    SETTLED,
    AuditReportRepository,
    DiagnosticRepository,
    NonconformityRepository,
)
from cap_labelling.rules import Scheme
from cap_shared import clock
from cap_shared.contracts import Envelope
from cap_shared.contracts.audit import (
    AuditReportSubmittedV1,
    CertificationDecidedV1,
    FindingResponseDueV1,
    FindingStatusChangedV1,
    Stage2RequiredV1,
)
from cap_shared.contracts.diagnostic import DiagnosticCompletedV1
from cap_shared.inbox import EventHandler
from cap_shared.inbox.order import in_order
from cap_shared.readmodel import organisation_projection
from cap_shared.runtime import settings_for


def _current_settings() -> Settings:
    """The settings of this process's labelling runtime (handlers are registered before it exists)."""
    return settings_for("labelling", Settings)


async def on_diagnostic_completed(
    session: AsyncSession, _envelope: Envelope, event: DiagnosticCompletedV1
) -> None:
    """Remember the completed diagnostic: eligibility and CAP RSE levels are computed from it
    (an auditor's evaluation is one too, with its kind and audit)."""
    await DiagnosticRepository(session).save(
        CompletedDiagnostic(
            diagnostic_id=event.diagnostic_id,
            organisation_id=event.organisation_id,
            kind=event.kind,
            audit_id=event.audit_id,
            referential_code=event.referential.code,
            referential_version=event.referential.version,
            completed_at=event.completed_at,
            overall_score=event.overall.score,
            overall_band=event.overall.band,
            scores=event.model_dump(
                mode="json", include={"overall", "themes", "frameworks", "kinds"}
            ),
            criteria=[
                c.model_dump(
                    mode="json", include={"urn", "code", "level", "not_applicable", "core"}
                )
                for c in event.criteria
            ],
        )
    )
    if event.facilitator_user_ids:
        # An accompanied CAP session: its facilitators may not decide on the structure for the
        # cooling-off period.
        await impartiality.record_session(
            session,
            diagnostic_id=event.diagnostic_id,
            organisation_id=event.organisation_id,
            facilitator_user_ids=list(event.facilitator_user_ids),
            on=event.session_date or event.completed_at.date(),
        )


async def on_report_submitted(
    session: AsyncSession, _envelope: Envelope, event: AuditReportSubmittedV1
) -> None:
    """Keep the report and its nonconformities; a deciding audit opens the decision file, a
    surveillance counts for the recognition's cycle. A redelivered report changes nothing."""
    reports, findings = AuditReportRepository(session), NonconformityRepository(session)
    if await reports.get(event.audit_id) is not None:
        return
    report = AuditReport(
        audit_id=event.audit_id,
        organisation_id=event.organisation_id,
        scheme=event.scheme,
        audit_type=event.audit_type,
        certification_body_id=event.certification_body_id,
        submitted_at=event.submitted_at,
        last_day=event.last_day,
        summary=dict(event.summary),
        auditor_user_ids=list(event.auditor_user_ids),
        evaluated_criteria=len(event.evaluated_maturity),
        # The diagnostic service scores an evaluation for every audited site of a report that
        # carried evaluated maturity (the audited structure and each site), on their way.
        evaluated_site_ids=sorted(
            {
                event.organisation_id,
                *event.site_ids,
                *(m.site_id for m in event.evaluated_maturity if m.site_id),
            }
        )
        if event.evaluated_maturity
        else [],
    )
    await reports.add(report)
    for finding in event.findings:
        # A nonconformity already known came from a later status change that arrived first
        # (this report's first delivery failed and was retried): it is newer, keep it.
        if (
            finding.type in ("major_nc", "minor_nc")
            and await findings.get(finding.finding_id) is None
        ):
            await findings.save(
                Nonconformity(
                    finding_id=finding.finding_id,
                    audit_id=event.audit_id,
                    organisation_id=event.organisation_id,
                    scheme=event.scheme,
                    type=finding.type,
                    status="open",
                    response_due=finding.response_due,
                    changed_at=event.submitted_at,
                    site_id=finding.site_id,
                )
            )
    await findings.flush()
    await from_audits.on_report(session, report, settings=_current_settings(), now=clock.now())


async def on_finding_status_changed(
    session: AsyncSession, _envelope: Envelope, event: FindingStatusChangedV1
) -> None:
    """Track the nonconformity (its status, and its type: a minor escalated to major, a major
    downgraded on appeal); a major settled may lift a suspension it caused and let a decision
    held on its audit take effect."""
    findings = NonconformityRepository(session)
    finding = await findings.get(event.finding_id, for_update=True)
    if finding is not None and finding.changed_at > event.changed_at:
        return  # an older change arriving late
    if finding is None:
        finding = Nonconformity(
            finding_id=event.finding_id,
            audit_id=event.audit_id,
            organisation_id=event.organisation_id,
            scheme=event.scheme,
            type=event.type,
            status=event.status,
            response_due=event.response_due,
            changed_at=event.changed_at,
            site_id=event.site_id,
        )
        await findings.add(finding)
    was_major = finding.type == "major_nc"
    finding.status, finding.type, finding.changed_at = event.status, event.type, event.changed_at
    finding.response_due = event.response_due or finding.response_due
    if event.status == "open" and event.previous_type is not None:
        finding.overdue = False  # escalated: a new deadline runs
    await findings.flush()
    settled = event.type != "major_nc" or event.status in SETTLED
    if (was_major or event.type == "major_nc") and settled:
        now = clock.now()
        await calendar.on_major_closed(
            session, event.organisation_id, scheme=Scheme(event.scheme), now=now
        )
        await from_audits.on_majors_changed(
            session, event.audit_id, settings=_current_settings(), now=now
        )


async def on_finding_response_due(
    session: AsyncSession, _envelope: Envelope, event: FindingResponseDueV1
) -> None:
    """A major nonconformity past its response deadline, or answered but not verified within
    the scheme's ``major_verification_days`` (``verification_overdue``), suspends the
    recognition of its scheme."""
    if event.stage not in ("overdue", "verification_overdue") or event.type != "major_nc":
        return
    findings = NonconformityRepository(session)
    finding = await findings.get(event.finding_id, for_update=True)
    if finding is None or finding.status in SETTLED or finding.type != "major_nc":
        return
    finding.overdue = True
    await findings.flush()
    await calendar.on_major_overdue(
        session, event.organisation_id, scheme=Scheme(finding.scheme), now=clock.now()
    )


async def on_stage2_required(
    session: AsyncSession, _envelope: Envelope, event: Stage2RequiredV1
) -> None:
    """Majors of a stage 2 not verified in time: a decision held on it lapses."""
    await from_audits.on_stage2_required(session, event, now=clock.now())


async def on_certification_decided(
    session: AsyncSession, _envelope: Envelope, event: CertificationDecidedV1
) -> None:
    """Record the body's CAP ISO 9001 decision."""
    await from_audits.on_body_decision(
        session, event, settings=_current_settings(), now=clock.now()
    )


HANDLERS: dict[str, EventHandler] = {
    "identity.organisation.registered.v1": organisation_projection(Organisation),
    "diagnostic.completed.v1": on_diagnostic_completed,
    "audit.report_submitted.v1": on_report_submitted,
    # The nonconformity's state (the event carries all of it): an older change arriving after a
    # newer one is skipped, not applied over it.
    "finding.status_changed.v1": in_order(
        on_finding_status_changed,
        name="nonconformity",
        policy="latest",
        table=tables.applied_versions,
    ),
    "finding.response_due.v1": on_finding_response_due,
    "certification.decided.v1": on_certification_decided,
    "audit.stage2_required.v1": on_stage2_required,
}
