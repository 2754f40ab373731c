"""The operators' use cases of the e-mail channel: the mail log and the retry of a failed e-mail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications.mail.repository import EmailRepository
from cap_notifications.mail.schemas import EmailPublic, EmailStatus
from cap_notifications.models import EmailMessage
from cap_shared.problems import Conflict, NotFound


def to_public(row: EmailMessage) -> EmailPublic:
    """One line of the mail log (the subject of an event's e-mail is its title)."""
    title = row.context.get("title") if row.kind == "event" else None
    return EmailPublic(
        id=row.id,
        user_id=row.user_id,
        to_address=row.to_address,
        kind=row.kind,
        event_type=row.event_type,
        event_id=row.event_id,
        subject=title if isinstance(title, str) else None,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        message_id=row.message_id,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
    )


async def list_emails(
    session: AsyncSession,
    *,
    status: EmailStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[EmailMessage], str | None]:
    """A page of the mail log, newest first, and the next cursor."""
    return await EmailRepository(session).page(status=status, cursor=cursor, limit=limit)


async def retry(session: AsyncSession, email_id: str, *, now: datetime) -> EmailMessage:
    """Give a failed e-mail a new schedule, its first attempt now (operators)."""
    repository = EmailRepository(session)
    row = await repository.get_for_update(email_id)
    if row is None:
        raise NotFound("no e-mail has this id", detail_fr="aucun e-mail n'a cet identifiant")
    if row.status != "failed":
        msg = f"only a failed e-mail can be sent again; this one is {row.status!r}"
        msg_fr = f"seul un e-mail en échec peut être renvoyé ; celui-ci est {row.status!r}"
        raise Conflict(msg, detail_fr=msg_fr, extensions={"status": row.status})
    row.status, row.attempts, row.next_attempt_at = "pending", 0, now
    await repository.flush()
    return row
