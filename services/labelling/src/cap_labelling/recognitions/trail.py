"""A recognition's changes in the labelling service's audit trail: what it keeps of a
recognition, and the action of each change (granted, imported, renewed, suspended, restored,
withdrawn, expired, scope_reduced, redecided)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.models import Recognition, tables
from cap_labelling.rules import RecognitionStatus
from cap_shared.audit import record_change


def recognition_state(recognition: Recognition) -> dict[str, object]:
    """What the audit trail keeps of a recognition."""
    return {
        "number": recognition.number,
        "scheme": recognition.scheme,
        "status": recognition.status,
        "level": recognition.level,
        "scope": recognition.scope,
        "group_member_ids": list(recognition.group_member_ids),
        "decision_id": recognition.decision_id,
        "external_number": recognition.external_number,
        "decided_on": recognition.decided_on,
        "effective_date": recognition.effective_date,
        "expiry_date": recognition.expiry_date,
        "issued_on": recognition.issued_on,
        "suspended_on": recognition.suspended_on,
        "suspension_cause": recognition.suspension_cause,
    }


#: The audit trail's verb of a change to each status.
_TO_STATUS = {
    RecognitionStatus.ACTIVE: "restored",
    RecognitionStatus.SUSPENDED: "suspended",
    RecognitionStatus.WITHDRAWN: "withdrawn",
    RecognitionStatus.EXPIRED: "expired",
    RecognitionStatus.RENEWED: "renewed",
}


def action_of(previous: str | None, status: str, reason_code: str) -> str:
    """``recognition.<verb>`` of a change: granted (imported), scope_reduced, redecided, or
    the status it moved to."""
    if previous is None:
        return "recognition.imported" if reason_code == "imported" else "recognition.granted"
    if reason_code in ("scope_reduced", "redecided"):
        return f"recognition.{reason_code}"
    return f"recognition.{_TO_STATUS.get(RecognitionStatus(status), 'changed')}"


async def record(
    session: AsyncSession,
    recognition: Recognition,
    previous: str | None,
    reason_code: str,
    note: str | None,
    *,
    before: dict[str, object] | None,
    event_id: str,
) -> None:
    """Append the recognition's change (from status ``previous``) to the audit trail."""
    await record_change(
        session,
        tables.audit_log,
        action=action_of(previous, recognition.status, reason_code),
        record_type="recognition",
        record_id=recognition.id,
        before=before,
        after={**recognition_state(recognition), "reason_code": reason_code, "note": note},
        on_behalf_of=recognition.organisation_id,
        event_id=event_id,
    )
