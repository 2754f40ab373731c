"""A decision file's changes in the labelling service's audit trail:
each decision taken, lowered, refused, deferred, held, released, lapsed, appealed, upheld or
overturned appends one entry, in the transaction that makes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.models import DecisionFile, tables
from cap_shared.audit import record_change


def decision_state(file: DecisionFile) -> dict[str, Any]:
    """What the audit trail keeps of a decision file (not its evaluation's detail)."""
    return {
        "status": file.status,
        "scheme": file.scheme,
        "kind": file.kind,
        "round": file.round,
        "audit_id": file.audit_id,
        "computed_level": file.computed_level,
        "level": file.level,
        "decided_on": file.decided_on,
        "decided_by": file.decided_by,
        "reason": file.reason,
        "recognition_id": file.recognition_id,
        "group_member_ids": list(file.group_member_ids),
        "held_until": (file.held or {}).get("held_until"),
    }


async def record_decision(
    session: AsyncSession,
    file: DecisionFile,
    action: str,
    before: dict[str, Any] | None,
    *,
    event_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Append a change of a decision file to the labelling service's audit trail."""
    await record_change(
        session,
        tables.audit_log,
        action=action,
        record_type="decision",
        record_id=file.id,
        before=before,
        after={**decision_state(file), **(extra or {})},
        on_behalf_of=file.organisation_id,
        event_id=event_id,
    )
