"""An audit's changes in the audit service's audit trail (what it keeps of an audit, how an
entry is appended): its steps, plan, report document and a new stage 2 required."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.audits.rules import AuditStep
from cap_audit.models import Audit, tables
from cap_shared.audit import record_change


def audit_state(audit: Audit) -> dict[str, object]:
    """What the audit trail keeps of an audit's state (not its plan's text)."""
    return {
        "status": audit.status,
        "type": audit.type,
        "scheme": audit.scheme,
        "certification_body_id": audit.certification_body_id,
        "cycle": audit.cycle,
        "due_by": audit.due_by,
        "start_date": audit.start_date,
        "end_date": audit.end_date,
        "site_ids": list(audit.site_ids or []),
        "accepted_at": audit.accepted_at,
        "closed_at": audit.closed_at,
        "cancel_reason": audit.cancel_reason,
        "stage2_required_on": audit.stage2_required_on,
    }


async def record_audit(
    session: AsyncSession,
    audit: Audit,
    *,
    action: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None = None,
    event_id: str | None = None,
    record_type: str = "audit",
) -> None:
    """Append a change of an audit to the audit trail (the audited organisation's record)."""
    await record_change(
        session,
        tables.audit_log,
        action=action,
        record_type=record_type,
        record_id=audit.id,
        before=before,
        after=audit_state(audit) if after is None else after,
        on_behalf_of=audit.organisation_id,
        event_id=event_id,
    )


#: The audit trail's action of each step (the report's submission is ``audit_report.submitted``,
#: recorded by :func:`report.submit`).
STEPPED = {
    AuditStep.ACCEPT: "audit.accepted",
    AuditStep.START: "audit.started",
    AuditStep.CLOSE: "audit.closed",
    AuditStep.CANCEL: "audit.cancelled",
}


def document_state(audit: Audit) -> dict[str, object]:
    """What the audit trail keeps of a signed report document: its digest, size and date."""
    return {
        "sha256": audit.report_document_sha256,
        "size": audit.report_document_size,
        "uploaded_at": audit.report_document_uploaded_at,
    }
