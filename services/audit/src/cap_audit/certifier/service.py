"""Use cases of the certification-body integration (admin): how the platform reaches a body's
system, what it sent there, its webhook secrets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.bodies.repository import BodyRepository
from cap_audit.certifier import connector, webhooks
from cap_audit.certifier.repository import CertifierRepository
from cap_audit.certifier.schemas import (
    BodyDeliveryPage,
    ConnectionPublic,
    ConnectionUpdate,
    DeliveryPublic,
    SecretCreated,
    SecretPublic,
)
from cap_audit.config import Settings
from cap_audit.models import BodyConnection, BodyDelivery
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, NotFound
from cap_shared.secrets import secret_box


def callback_url(settings: Settings, body_id: str) -> str:
    """Where the body's system sends its webhooks."""
    return f"{settings.public_base}/v1/certifier/webhooks/{body_id}"


def connection_public(c: BodyConnection) -> ConnectionPublic:
    """A connection as the API shows it (without its secret)."""
    return ConnectionPublic(
        certification_body_id=c.certification_body_id,
        api_url=c.api_url,
        token_url=c.token_url,
        client_id=c.client_id,
        callback_url=c.callback_url,
    )


async def _known_body(session: AsyncSession, body_id: str, *, for_update: bool = False) -> None:
    if await BodyRepository(session).body(body_id, for_update=for_update) is None:
        raise NotFound(
            "no such certification body", detail_fr="organisme certificateur introuvable"
        )


async def set_connection(
    session: AsyncSession,
    body_id: str,
    *,
    data: ConnectionUpdate,
    settings: Settings,
    precondition: Precondition | None = None,
) -> BodyConnection:
    """Create or replace the body's connection; ``precondition`` (If-Match) checks the
    current one first (none yet: any If-Match fails)."""
    await _known_body(session, body_id, for_update=True)
    repo = CertifierRepository(session)
    if precondition is not None:
        current = await repo.connection(body_id)
        if current is None:
            precondition.check_absent()
        else:
            precondition.check_representation(connection_public(current))
    connection = BodyConnection(
        certification_body_id=body_id,
        api_url=str(data.api_url).rstrip("/"),
        token_url=str(data.token_url),
        client_id=data.client_id,
        client_secret=secret_box(settings.secret_encryption_key)
        .encrypt(data.client_secret.encode())
        .decode(),
        callback_url=callback_url(settings, body_id),
    )
    await repo.save_connection(connection)
    connector.forget_token(body_id)
    return connection


async def get_connection(session: AsyncSession, body_id: str) -> BodyConnection:
    """The body's connection, or 404 when it is not connected."""
    found = await CertifierRepository(session).connection(body_id)
    if found is None:
        raise NotFound("this body is not connected", detail_fr="cet organisme n'est pas connecté")
    return found


async def delivery_public(session: AsyncSession, d: BodyDelivery) -> DeliveryPublic:
    """A delivery as the API shows it, with every attempt."""
    attempts = await CertifierRepository(session).attempts(d.id)
    return DeliveryPublic(
        id=d.id,
        audit_id=d.audit_id,
        kind=d.kind,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_error=d.last_error,
        delivered_at=d.delivered_at,
        reference=d.reference,
        log=[
            {
                "attempt": a.number,
                "at": a.at,
                "status": a.status_code,
                "latency_ms": a.latency_ms,
                "error": a.error,
            }
            for a in attempts
        ],
    )


async def deliveries(
    session: AsyncSession,
    body_id: str,
    *,
    status: str | None,
    audit_id: str | None,
    cursor: str | None,
    limit: int,
) -> BodyDeliveryPage:
    """What was sent (or waits) to the body's system, newest first."""
    if await BodyRepository(session).body(body_id) is None:
        raise NotFound("no such certification body", detail_fr="organisme certificateur inconnu")
    rows, next_cursor = await CertifierRepository(session).deliveries_page(
        body_id, status=status, audit_id=audit_id, cursor=cursor, limit=limit
    )
    return BodyDeliveryPage(
        data=[await delivery_public(session, d) for d in rows], next_cursor=next_cursor
    )


async def retry(
    session: AsyncSession, body_id: str, *, delivery_id: str, now: datetime
) -> BodyDelivery:
    """Put a failed (or waiting) delivery back in the queue, due now."""
    repo = CertifierRepository(session)
    delivery = await repo.delivery(delivery_id)
    if delivery is None or delivery.certification_body_id != body_id:
        raise NotFound("no such delivery", detail_fr="envoi introuvable")
    if delivery.status == "delivered":
        raise Conflict(
            "this delivery was delivered",
            detail_fr="cet envoi a déjà été remis",
            extensions={"status": delivery.status},
        )
    delivery.status, delivery.next_attempt_at = "pending", now
    await repo.flush()
    return delivery


async def rotate_secret(
    session: AsyncSession, body_id: str, *, settings: Settings, clock: Clock
) -> SecretCreated:
    """A new signing secret for a body, shown once."""
    row, plain = await webhooks.rotate_secret(session, body_id, settings, clock)
    return SecretCreated(
        id=row.id, created_at=row.created_at, expires_at=row.expires_at, secret=plain
    )


async def secrets_page(
    session: AsyncSession, body_id: str, *, cursor: str | None, limit: int
) -> Page[SecretPublic]:
    """The body's secrets and until when they verify (never their values), oldest first."""
    if await BodyRepository(session).body(body_id) is None:
        raise NotFound("no such certification body", detail_fr="organisme certificateur inconnu")
    rows, next_cursor = await CertifierRepository(session).secrets_page(
        body_id, cursor=cursor, limit=limit
    )
    return Page[SecretPublic](
        data=[
            SecretPublic(id=s.id, created_at=s.created_at, expires_at=s.expires_at) for s in rows
        ],
        next_cursor=next_cursor,
    )
