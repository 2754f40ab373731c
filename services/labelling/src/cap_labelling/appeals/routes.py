"""HTTP routes of appeals: lodged against a decision file, and decided."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import Response

from cap_labelling.appeals import service as appeals
from cap_labelling.appeals.schemas import AppealCreate, AppealDecision, AppealPublic
from cap_labelling.decisions.routes import FileAsRead, file_answer
from cap_labelling.decisions.schemas import DecisionPublic
from cap_labelling.deps import AppealDeciders, SettingsDep
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.routes import ERRORS, Id, StructureAdminDep

router = APIRouter(prefix="/v1/decisions", tags=["decisions"], responses=ERRORS)


@router.post(
    "/{decision_id}/appeal", status_code=status.HTTP_201_CREATED, response_model=AppealPublic
)
async def appeal_decision(
    decision_id: Id,
    data: AppealCreate,
    principal: StructureAdminDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
) -> AppealPublic:
    """Appeal a refusal, or a granted CAP RSE level (the structure's member_admin, or an
    admin), within the scheme's appeal_days of the decision (409 ``appeal-period-over``); once
    per decision (409 ``already-appealed``). Publishes decision.appeal_lodged.v1."""
    appeal = await appeals.lodge(
        session, principal, file_id=decision_id, data=data, settings=settings, clock=runtime.clock
    )
    return AppealPublic.model_validate(appeal, from_attributes=True)


@router.post("/{decision_id}/appeal/decision", response_model=DecisionPublic)
async def decide_appeal(
    decision_id: Id,
    data: AppealDecision,
    principal: AppealDeciders,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: FileAsRead,
    response: Response,
) -> DecisionPublic:
    """Decide the appeal, by someone who took no part in the decision nor the audit (409
    ``conflict-of-interest`` naming the rule): CAP RSE by the committee (overturned: the file
    is decided again by someone else), CAP ISO 9001 by the body's system or an admin
    (overturned refusal: the certificate, with its number, majors permitting). Send the
    file's ETag in If-Match (428 without it, 412 when it changed since you read it)."""
    file = await appeals.decide(
        session,
        principal,
        file_id=decision_id,
        data=data,
        settings=settings,
        clock=runtime.clock,
        precondition=precondition,
    )
    return await file_answer(session, file, settings, principal, response)
