"""Complaints about listed recognitions, handled by the labelling committee.

``received → investigating → upheld | dismissed`` (a complaint plainly out of scope may be
dismissed at once). Upholding one does not change the recognition by itself: the committee then
suspends or withdraws it with a reason (``POST /v1/recognitions/{id}/transitions``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.inputs import FreeText
from cap_labelling.models import Complaint, Recognition
from cap_labelling.rules import InvalidTransition
from cap_shared.clock import Clock
from cap_shared.pagination import newest_first
from cap_shared.problems import InvalidInput, NotFound
from cap_shared.security import Principal

_STEPS: dict[str, tuple[set[str], str]] = {
    "investigate": ({"received"}, "investigating"),
    "uphold": ({"investigating"}, "upheld"),
    "dismiss": ({"received", "investigating"}, "dismissed"),
}


class ComplaintStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["investigate", "uphold", "dismiss"]
    resolution: FreeText | None = Field(default=None, max_length=4000)


class ComplaintOut(BaseModel):
    id: str
    reference: str
    recognition_id: str
    number: str
    status: str
    reporter_name: str
    reporter_email: str
    message: str
    resolution: str | None
    handled_by: str | None
    steps: list[dict[str, Any]]
    created_at: datetime


def next_status(status: str, step: str) -> str:
    sources, target = _STEPS[step]
    if status not in sources:
        raise InvalidTransition(
            f"cannot {step} a complaint that is {status}",
            detail_fr=(
                f"impossible d'effectuer « {step} » sur une réclamation à l'état « {status} »"
            ),
            extensions={"status": status},
        )
    return target


async def _number(session: AsyncSession, complaint: Complaint) -> str:
    recognition = await session.get(Recognition, complaint.recognition_id)
    return recognition.number if recognition else ""


async def to_out(session: AsyncSession, complaint: Complaint) -> ComplaintOut:
    return ComplaintOut(
        id=complaint.id,
        reference=complaint.reference,
        recognition_id=complaint.recognition_id,
        number=await _number(session, complaint),
        status=complaint.status,
        reporter_name=complaint.reporter_name,
        reporter_email=complaint.reporter_email,
        message=complaint.message,
        resolution=complaint.resolution,
        handled_by=complaint.handled_by,
        steps=complaint.steps,
        created_at=complaint.created_at,
    )


#: Newest first (created_at, id descending).
KEYS = newest_first("complaints", col(Complaint.created_at), col(Complaint.id))


async def page(
    session: AsyncSession, status: str | None, *, cursor: str | None, limit: int
) -> tuple[list[Complaint], str | None]:
    """A page of the complaints, newest first."""
    query = sa.select(Complaint)
    if status:
        query = query.where(col(Complaint.status) == status)
    return await KEYS.fetch(session, query, cursor=cursor, limit=limit)


async def get(session: AsyncSession, complaint_id: str, *, for_update: bool = False) -> Complaint:
    complaint = await session.get(Complaint, complaint_id, with_for_update=for_update)
    if complaint is None:
        raise NotFound("no such complaint", detail_fr="réclamation introuvable")
    return complaint


async def step(
    session: AsyncSession,
    principal: Principal,
    complaint_id: str,
    data: ComplaintStepIn,
    clock: Clock,
) -> Complaint:
    """Investigate, uphold or dismiss (the latter two with the resolution)."""
    complaint = await get(session, complaint_id, for_update=True)
    target = next_status(complaint.status, data.step)
    resolution = (data.resolution or "").strip()
    if target in ("upheld", "dismissed") and not resolution:
        raise InvalidInput(
            "closing a complaint records its resolution",
            detail_fr="clore une réclamation demande d'en indiquer la résolution",
            extensions={
                "errors": [
                    {"field": "body.resolution", "message": "required", "message_fr": "obligatoire"}
                ]
            },
        )
    complaint.status, complaint.handled_by = target, principal.subject
    complaint.resolution = resolution or complaint.resolution
    complaint.steps = [
        *complaint.steps,
        {"at": clock.now().isoformat(), "by": principal.subject, "step": data.step},
    ]
    await session.flush()
    return complaint
