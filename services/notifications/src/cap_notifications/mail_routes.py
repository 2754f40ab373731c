"""Operators' routes of the e-mail channel: the mail log and the retry of a failed e-mail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from cap_notifications import mail
from cap_notifications.mail import EmailOut, EmailStatus
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, Page, PageCursor, PageLimit
from cap_shared.security import Allow, Principal, Role

Admin = Annotated[Principal, Depends(Allow(Role.ADMIN))]
EmailId = Annotated[str, Path(max_length=36)]

router = APIRouter(
    prefix="/v1/notifications/emails",
    tags=["notifications"],
    responses={
        401: {"description": "No valid token"},
        403: {"description": "Role not allowed"},
        404: {"description": "Unknown e-mail"},
        409: {"description": "Not possible in the e-mail's current state"},
    },
)


@router.get("", response_model=Page[EmailOut])
async def list_emails(
    _admin: Admin,
    session: SessionDep,
    status: Annotated[EmailStatus | None, Query(description="Only e-mails in this state")] = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> Page[EmailOut]:
    """The mail log, newest first (created_at, id): recipient, kind, event type, state,
    attempts, last error and dates of each e-mail (admin)."""
    rows, next_cursor = await mail.list_emails(session, status=status, cursor=cursor, limit=limit)
    return Page[EmailOut](data=[mail.to_out(row) for row in rows], next_cursor=next_cursor)


@router.post("/{email_id}/retry", response_model=EmailOut)
async def retry_email(
    email_id: EmailId, _admin: Admin, session: SessionDep, runtime: RuntimeDep
) -> EmailOut:
    """Send a failed e-mail again: a new retry schedule, the first attempt at the next run of
    the mail job, with the same Message-ID (admin; 409 unless it is ``failed``)."""
    return mail.to_out(await mail.retry(session, email_id, runtime.clock.now()))


ROUTERS = (router,)
