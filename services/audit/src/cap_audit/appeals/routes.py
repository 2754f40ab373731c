"""Routes of appeals against findings: lodged by the audited structure, decided by the body's
system or an administrator who took no part in the audit."""

from __future__ import annotations

from fastapi import APIRouter, status

from cap_audit.appeals import service
from cap_audit.appeals.schemas import AppealCreate, AppealDecision
from cap_audit.deps import BodyOrAdminDep, SettingsDep
from cap_audit.findings.schemas import FindingPublic
from cap_audit.findings.service import findings_public
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.routes import ERRORS, Id, StructureAdminDep

finding_appeals = APIRouter(prefix="/v1/findings", tags=["audits"], responses=ERRORS)


@finding_appeals.post(
    "/{finding_id}/appeal", status_code=status.HTTP_201_CREATED, response_model=FindingPublic
)
async def appeal(
    finding_id: Id,
    data: AppealCreate,
    principal: StructureAdminDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """The audited structure appeals a nonconformity within the scheme's appeal period (its
    member_admin, or an admin); its deadlines stop until the outcome (ISO/IEC 17021-1 §9.7)."""
    finding = await service.lodge(
        session,
        principal,
        finding_id=finding_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
    )
    (out,) = await findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out


@finding_appeals.post("/{finding_id}/appeal/decision", response_model=FindingPublic)
async def decide_appeal(
    finding_id: Id,
    data: AppealDecision,
    principal: BodyOrAdminDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
) -> FindingPublic:
    """The appeal's outcome — upheld, overturned (withdrawn) or downgraded (major to minor) —
    recorded by the body's system or an admin who took no part in the audit."""
    finding = await service.decide(
        session, principal, finding_id=finding_id, data=data, clock=runtime.clock
    )
    (out,) = await findings_public(
        session, [finding], settings=settings, today=runtime.clock.today()
    )
    return out
