"""Complaints about listed recognitions, handled by the labelling committee.

``received → investigating → upheld | dismissed`` (a complaint plainly out of scope may be
dismissed at once). Upholding one does not change the recognition by itself: the committee then
suspends or withdraws it with a reason (``POST /v1/recognitions/{id}/transitions``).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.complaints.repository import ComplaintRepository
from cap_labelling.complaints.schemas import (
    ComplaintCreate,
    ComplaintPublic,
    ComplaintReceipt,
    ComplaintTransition,
)
from cap_labelling.models import Complaint, tables
from cap_labelling.recognitions.codes import new_verification_code
from cap_labelling.registry import service as registry
from cap_labelling.rules import InvalidTransition
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import ComplaintReceivedV1
from cap_shared.outbox import add_event
from cap_shared.problems import InvalidInput, NotFound
from cap_shared.security import Principal

SOURCE = "/cap/labelling"

_STEPS: dict[str, tuple[set[str], str]] = {
    "investigate": ({"received"}, "investigating"),
    "uphold": ({"investigating"}, "upheld"),
    "dismiss": ({"received", "investigating"}, "dismissed"),
}


def next_status(status: str, step: str) -> str:
    """The status a step leads to from ``status`` (409 when it cannot be taken)."""
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


async def to_public(session: AsyncSession, complaint: Complaint) -> ComplaintPublic:
    """A complaint as the committee reads it, with the recognition's number."""
    return ComplaintPublic(
        id=complaint.id,
        reference=complaint.reference,
        recognition_id=complaint.recognition_id,
        number=await ComplaintRepository(session).number_of(complaint.recognition_id),
        status=complaint.status,
        reporter_name=complaint.reporter_name,
        reporter_email=complaint.reporter_email,
        message=complaint.message,
        resolution=complaint.resolution,
        handled_by=complaint.handled_by,
        steps=complaint.steps,
        created_at=complaint.created_at,
    )


async def page(
    session: AsyncSession, status: str | None, *, cursor: str | None, limit: int
) -> tuple[list[Complaint], str | None]:
    """A page of the complaints, newest first."""
    return await ComplaintRepository(session).page(status=status, cursor=cursor, limit=limit)


async def get(session: AsyncSession, complaint_id: str, *, for_update: bool = False) -> Complaint:
    """One complaint, or 404."""
    complaint = await ComplaintRepository(session).get(complaint_id, for_update=for_update)
    if complaint is None:
        raise NotFound("no such complaint", detail_fr="réclamation introuvable")
    return complaint


async def step(
    session: AsyncSession,
    principal: Principal,
    *,
    complaint_id: str,
    data: ComplaintTransition,
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
    await ComplaintRepository(session).flush()
    return complaint


async def file_complaint(
    session: AsyncSession, number: str, *, data: ComplaintCreate, now: datetime
) -> ComplaintReceipt:
    """Anyone flags a listed recognition: a complaint opens for the committee."""
    recognition = await registry.find(session, number=number)
    complaint = Complaint(
        id=str(uuid.uuid4()),
        reference="R-" + new_verification_code(),
        recognition_id=recognition.id,
        status="received",
        reporter_name=data.name.strip(),
        reporter_email=str(data.email),
        message=data.message.strip(),
        steps=[{"at": now.isoformat(), "by": "public", "step": "received"}],
    )
    await ComplaintRepository(session).add(complaint)
    await add_event(
        session,
        tables.outbox,
        new_event(
            ComplaintReceivedV1(
                complaint_id=complaint.id,
                recognition_id=recognition.id,
                number=recognition.number,
                organisation_id=recognition.organisation_id,
                received_at=now,
            ),
            source=SOURCE,
            subject=complaint.id,
            actor="public",
        ),
    )
    return ComplaintReceipt(
        reference=complaint.reference, number=recognition.number, status="received"
    )
