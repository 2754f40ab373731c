"""Use cases of the maturity evaluated at CAP RSE audits, per criterion and site."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.audits import service as audits
from cap_audit.audits.rules import AuditStatus, InvalidTransition, RuleViolation, Scheme
from cap_audit.config import Settings
from cap_audit.findings.service import site_of
from cap_audit.maturity.repository import MaturityRepository
from cap_audit.maturity.schemas import AuditMaturity, EvaluatedLevel, MaturityLevel
from cap_audit.models import Audit
from cap_shared.conditional import Precondition
from cap_shared.security import Principal


async def set_maturity(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    levels: list[MaturityLevel],
    settings: Settings,
    today: date,
    precondition: Precondition | None = None,
) -> tuple[Audit, int]:
    """The auditor's evaluated maturity per criterion and site (CAP RSE), while in progress;
    a criterion may be judged not applicable. ``precondition``: If-Match on the audit."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    await access.acts_for_body(session, principal, audit)
    await audits.expect(session, audit, settings=settings, today=today, precondition=precondition)
    if audit.scheme != Scheme.CAP_RSE.value:
        raise RuleViolation(
            "evaluated maturity is recorded for CAP RSE audits",
            detail_fr="la maturité évaluée s'enregistre pour les audits CAP RSE",
        )
    if audit.status != AuditStatus.IN_PROGRESS.value:
        raise InvalidTransition(
            f"maturity is evaluated while the audit is in progress, not {audit.status}",
            detail_fr=(
                f"la maturité s'évalue pendant l'audit (en cours), pas à l'état « {audit.status} »"
            ),
        )
    rows: list[dict[str, object]] = []
    for i, item in enumerate(levels):
        site = await site_of(session, audit, site_id=item.site_id, field=f"body.levels.{i}.site_id")
        rows.append(
            {
                "audit_id": audit.id,
                "site_id": site or "",
                "criterion_urn": item.criterion_urn,
                "level": 0 if item.not_applicable else item.level,
                "not_applicable": item.not_applicable,
                "comment": item.comment,
            }
        )
    # One statement for the batch (was a SELECT and an INSERT or UPDATE per criterion).
    await MaturityRepository(session).save_all(rows)
    return audit, len(levels)


async def maturity_of(
    session: AsyncSession, principal: Principal, *, audit_id: str
) -> AuditMaturity:
    """The maturity evaluated so far at a visible audit, by site then criterion (the
    organisation itself first)."""
    audit = await access.visible_audit(session, principal, audit_id)
    rows = await MaturityRepository(session).of_audit(audit.id)
    return AuditMaturity(
        audit_id=audit.id,
        levels=[
            EvaluatedLevel(
                criterion_urn=m.criterion_urn,
                site_id=m.site_id or None,
                level=m.level,
                not_applicable=m.not_applicable,
                comment=m.comment,
            )
            for m in sorted(rows, key=lambda m: (m.site_id, m.criterion_urn))
        ],
    )
