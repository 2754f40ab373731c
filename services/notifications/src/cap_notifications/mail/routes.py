"""Operators' routes of the e-mail channel: the mail log and the retry of a failed e-mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cap_notifications.mail import service
from cap_notifications.mail.schemas import EmailPublic, EmailStatus
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.routes import AdminDep, Id, errors

router = APIRouter(
    prefix="/v1/notifications/emails",
    tags=["notifications"],
    responses=errors(
        401,
        403,
        404,
        409,
        described={404: "Unknown e-mail", 409: "Not possible in the e-mail's current state"},
    ),
)


@router.get("", response_model=Page[EmailPublic])
async def list_emails(
    _admin: AdminDep,
    session: SessionDep,
    status: Annotated[EmailStatus | None, Query(description="Only e-mails in this state")] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[EmailPublic]:
    """The mail log, newest first (created_at, id): recipient, kind, event type, state,
    attempts, last error and dates of each e-mail (admin)."""
    rows, next_cursor = await service.list_emails(
        session, status=status, cursor=cursor, limit=limit
    )
    return Page[EmailPublic](data=[service.to_public(row) for row in rows], next_cursor=next_cursor)


@router.post("/{email_id}/retry", response_model=EmailPublic)
async def retry_email(
    email_id: Id, _admin: AdminDep, session: SessionDep, runtime: RuntimeDep
) -> EmailPublic:
    """Send a failed e-mail again: a new retry schedule, the first attempt at the next run of
    the mail job, with the same Message-ID (admin; 409 unless it is ``failed``)."""
    return service.to_public(await service.retry(session, email_id, now=runtime.clock.now()))


ROUTERS = (router,)
