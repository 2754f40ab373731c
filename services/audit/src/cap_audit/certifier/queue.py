"""The queue of calls to certification bodies' systems (filled in the business transaction)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.certifier.contract import AuditRequest, OrganisationRef
from cap_audit.certifier.repository import CertifierRepository
from cap_audit.models import Audit, BodyDelivery


async def enqueue_request(
    session: AsyncSession, audit: Audit, now: datetime
) -> BodyDelivery | None:
    """Queue the audit request for the body's system (when the body is connected)."""
    repo = CertifierRepository(session)
    connection = await repo.connection(audit.certification_body_id)
    if connection is None:
        return None
    organisation = await repo.organisation(audit.organisation_id)
    delivery = BodyDelivery(
        id=str(uuid.uuid4()),
        certification_body_id=audit.certification_body_id,
        audit_id=audit.id,
        kind="audit_request",
        payload=AuditRequest(
            audit_id=audit.id,
            scheme=audit.scheme,
            audit_type=audit.type,
            due_by=audit.due_by,
            organisation=OrganisationRef(
                id=audit.organisation_id,
                name=organisation.name if organisation else None,
                siret=organisation.siret if organisation else None,
                region=organisation.region if organisation else None,
            ),
            callback_url=connection.callback_url,
        ).model_dump(mode="json"),
        status="pending",
        next_attempt_at=now,
    )
    await repo.add(delivery)
    return delivery
