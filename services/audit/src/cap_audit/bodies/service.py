"""Use cases of certification bodies, their auditors and the auditors' engagements (admin)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.bodies.repository import BodyRepository
from cap_audit.bodies.rules import UnknownReference
from cap_audit.bodies.schemas import (
    AuditorCreate,
    AuditorPublic,
    AuditorUpdate,
    BodyCreate,
    BodyPublic,
    BodyUpdate,
    EngagementCreate,
    EngagementPublic,
)
from cap_audit.models import Auditor, CertificationBody, Engagement, tables
from cap_shared.audit import record_change
from cap_shared.clock import Clock
from cap_shared.problems import Conflict, NotFound
from cap_shared.security import Principal


def body_public(b: CertificationBody) -> BodyPublic:
    """A body as the API shows it."""
    return BodyPublic(
        id=b.id, name=b.name, accreditation=b.accreditation, schemes=b.schemes, active=b.active
    )


def auditor_public(a: Auditor) -> AuditorPublic:
    """An auditor as the API shows it."""
    return AuditorPublic(
        id=a.id,
        certification_body_id=a.certification_body_id,
        name=a.name,
        email=a.email,
        user_id=a.user_id,
        qualifications=a.qualifications,
        active=a.active,
        planner=a.planner,
    )


def engagement_public(e: Engagement) -> EngagementPublic:
    """An engagement as the API shows it."""
    return EngagementPublic(
        id=e.id,
        auditor_id=e.auditor_id,
        user_id=e.user_id,
        organisation_id=e.organisation_id,
        kind=e.kind,
        on=e.on,
        note=e.note,
        audit_id=e.audit_id,
        role=e.role,
        diagnostic_id=e.diagnostic_id,
    )


async def bodies_page(
    session: AsyncSession, *, active: bool | None, cursor: str | None, limit: int
) -> tuple[list[CertificationBody], str | None]:
    """A page of certification bodies, by name."""
    return await BodyRepository(session).bodies_page(active=active, cursor=cursor, limit=limit)


async def auditors_page(
    session: AsyncSession,
    *,
    certification_body_id: str | None,
    active: bool | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Auditor], str | None]:
    """A page of auditors, by name."""
    return await BodyRepository(session).auditors_page(
        certification_body_id=certification_body_id, active=active, cursor=cursor, limit=limit
    )


async def create_body(session: AsyncSession, data: BodyCreate) -> CertificationBody:
    """Register a certification body (its id is its slug: 409 when taken)."""
    repo = BodyRepository(session)
    if await repo.body(data.id):
        raise Conflict(
            f"a certification body {data.id} exists",
            detail_fr=f"un organisme certificateur {data.id} existe déjà",
        )
    body = CertificationBody(**data.model_dump())
    await repo.add(body)
    return body


async def update_body(
    session: AsyncSession,
    body_id: str,
    *,
    data: BodyUpdate,
    expect: Callable[[CertificationBody], None] = lambda _body: None,
) -> CertificationBody:
    """Change a body; ``expect`` checks the current one first (If-Match)."""
    repo = BodyRepository(session)
    body = await repo.body(body_id, for_update=True)
    if body is None:
        raise NotFound(
            "no such certification body", detail_fr="organisme certificateur introuvable"
        )
    expect(body)
    # Only given fields; a null is refused by the schema except where it clears (accreditation).
    for name, value in data.model_dump(exclude_unset=True).items():
        setattr(body, name, value)
    await repo.add(body)
    return body


async def create_auditor(session: AsyncSession, data: AuditorCreate) -> Auditor:
    """Register an auditor of a known body, with their qualifications."""
    repo = BodyRepository(session)
    if await repo.body(data.certification_body_id) is None:
        raise UnknownReference(
            f"no certification body {data.certification_body_id}",
            detail_fr=f"aucun organisme certificateur {data.certification_body_id}",
        )
    auditor = Auditor(
        id=str(uuid.uuid4()),
        **data.model_dump(mode="json", exclude={"qualifications"}),
        qualifications=[q.model_dump(mode="json") for q in data.qualifications],
    )
    await repo.add(auditor)
    return auditor


async def update_auditor(
    session: AsyncSession,
    auditor_id: str,
    *,
    data: AuditorUpdate,
    expect: Callable[[Auditor], None] = lambda _auditor: None,
) -> Auditor:
    """Change an auditor; ``expect`` checks the current one first (If-Match)."""
    repo = BodyRepository(session)
    auditor = await repo.auditor(auditor_id, for_update=True)
    if auditor is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
    expect(auditor)
    # Only given fields; a null is refused by the schema except where it clears (email, account).
    for name, value in data.model_dump(mode="json", exclude_unset=True).items():
        setattr(auditor, name, value)
    await repo.add(auditor)
    return auditor


async def record_engagement(
    session: AsyncSession,
    principal: Principal,
    *,
    auditor_id: str,
    data: EngagementCreate,
    clock: Clock,
) -> Engagement:
    """Record an auditor's consultancy, accompaniment or training given to an organisation
    (they bar auditing and deciding for the cooling-off period), or an audit (history)."""
    repo = BodyRepository(session)
    auditor = await repo.auditor(auditor_id)
    if auditor is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
    engagement = Engagement(
        id=str(uuid.uuid4()),
        auditor_id=auditor_id,
        organisation_id=data.organisation_id,
        kind=data.kind,
        on=data.on,
        note=data.note,
        recorded_by=principal.subject,
        recorded_at=clock.now(),
    )
    await repo.add(engagement)
    await record_engagement_change(session, engagement, body_id=auditor.certification_body_id)
    return engagement


async def record_engagement_change(
    session: AsyncSession, engagement: Engagement, *, body_id: str | None
) -> None:
    """An auditor's (or an account's) engagement with an organisation, in the audit trail: it
    bars them from auditing and deciding on it (ISO/IEC 17021-1 §5.2)."""
    await record_change(
        session,
        tables.audit_log,
        action="engagement.recorded",
        record_type="engagement",
        record_id=engagement.id,
        before=None,
        after={
            "auditor_id": engagement.auditor_id,
            "user_id": engagement.user_id,
            "organisation_id": engagement.organisation_id,
            "kind": engagement.kind,
            "on": engagement.on,
            "diagnostic_id": engagement.diagnostic_id,
            "recorded_by": engagement.recorded_by,
        },
        on_behalf_of=body_id,
    )


async def engagements_page(
    session: AsyncSession,
    auditor_id: str,
    *,
    organisation_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Engagement], str | None]:
    """A page of the engagements of the person behind the auditor, oldest first."""
    repo = BodyRepository(session)
    auditor = await repo.auditor(auditor_id)
    if auditor is None:
        raise NotFound("no such auditor", detail_fr="auditeur introuvable")
    return await repo.engagements_page(
        auditor, organisation_id=organisation_id, cursor=cursor, limit=limit
    )
