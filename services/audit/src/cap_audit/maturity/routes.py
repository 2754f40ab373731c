"""Routes of the maturity evaluated at CAP RSE audits."""

from __future__ import annotations

from fastapi import APIRouter, Response

from cap_audit.audits import service as audits
from cap_audit.deps import BodySideDep, ExpectedDep, InvolvedDep, SettingsDep
from cap_audit.maturity import service
from cap_audit.maturity.schemas import AuditMaturity, MaturityBatch
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.routes import ERRORS, Id

audit_maturity = APIRouter(prefix="/v1/audits", tags=["audits"], responses=ERRORS)


@audit_maturity.put("/{audit_id}/maturity")
async def set_maturity(
    audit_id: Id,
    data: MaturityBatch,
    principal: BodySideDep,
    session: SessionDep,
    settings: SettingsDep,
    runtime: RuntimeDep,
    precondition: ExpectedDep,
    response: Response,
) -> dict[str, int]:
    """The evaluated maturity per criterion and site, or not applicable (CAP RSE audits). With
    If-Match (the audit's ETag), only if the audit did not change since (412); the answer's
    ETag is the audit's."""
    today = runtime.clock.today()
    audit, recorded = await service.set_maturity(
        session,
        principal,
        audit_id=audit_id,
        levels=data.levels,
        settings=settings,
        today=today,
        precondition=precondition,
    )
    response.headers["ETag"] = await audits.audit_etag(
        session, audit, settings=settings, today=today
    )
    return {"recorded": recorded}


@audit_maturity.get("/{audit_id}/maturity", response_model=AuditMaturity)
async def get_maturity(audit_id: Id, principal: InvolvedDep, session: SessionDep) -> AuditMaturity:
    """The maturity evaluated so far at the audit (CAP RSE), per criterion and site: what the
    auditor's checklist starts from. Readable by whoever may read the audit."""
    return await service.maturity_of(session, principal, audit_id=audit_id)
