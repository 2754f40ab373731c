"""Committee impartiality: who may decide on a structure's file, or on an appeal against it.

A committee member (or an admin) may not decide on a file they audited, nor on a structure to
which they gave consultancy, accompaniment or training within the scheme's
``cooling_off_months`` (ISO/IEC 17021-1 §5.2.11): engagements declared through
``/v1/committee-members/{user_id}/engagements``, and the accompanied CAP sessions the diagnostic
service reports (``diagnostic.completed.v1``'s ``facilitator_user_ids``). Every refusal is a 409
naming the rule, the person and the engagement.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules
from cap_labelling.impartiality.repository import EngagementRepository
from cap_labelling.impartiality.schemas import EngagementCreate, EngagementPublic
from cap_labelling.models import Engagement, tables
from cap_labelling.repository import StructureRepository
from cap_shared.audit import record_change
from cap_shared.problems import Conflict, Forbidden, InvalidInput
from cap_shared.security import Principal, Role

#: Namespace of the ids of engagements known from CAP sessions (one per session and person).
_SESSION_IDS = uuid.UUID("6b1f2c1e-94a4-4f7e-9a60-0c4c3c2a7d10")


class ConflictOfInterest(Conflict):
    """Not impartial towards this structure."""

    code, title = "conflict-of-interest", "Not impartial towards this structure"
    title_fr = "Non impartial envers cette structure"


def to_public(engagement: Engagement) -> EngagementPublic:
    """An engagement as the API shows it."""
    return EngagementPublic.model_validate(engagement, from_attributes=True)


def person_of(principal: Principal) -> str:
    """The account id engagements are recorded under (no ``user:`` prefix)."""
    return principal.user_id or principal.subject


def _account(user_id: str) -> str:
    return user_id.removeprefix("user:")


async def declare(
    session: AsyncSession, principal: Principal, *, user_id: str, data: EngagementCreate
) -> Engagement:
    """Declare an engagement of a committee member with a structure (the member, or an admin)."""
    user_id = _account(user_id)
    if not principal.has_role(Role.ADMIN) and person_of(principal) != user_id:
        raise Forbidden(
            "a committee member declares their own engagements",
            detail_fr="un membre du comité déclare ses propres engagements",
        )
    if await StructureRepository(session).get(data.organisation_id) is None:
        raise InvalidInput(
            "unknown structure",
            detail_fr="structure inconnue",
            extensions={
                "errors": [
                    {
                        "field": "body.organisation_id",
                        "message": "unknown",
                        "message_fr": "structure inconnue",
                    }
                ]
            },
        )
    engagement = Engagement(
        id=str(uuid.uuid4()),
        user_id=user_id,
        organisation_id=data.organisation_id,
        kind=data.kind,
        started_on=data.started_on,
        ended_on=data.ended_on,
        source="declared",
        declared_by=principal.subject,
        description=(data.description or "").strip() or None,
    )
    await EngagementRepository(session).add(engagement)
    await _record(session, engagement, action="engagement.declared")
    return engagement


async def _record(session: AsyncSession, engagement: Engagement, *, action: str) -> None:
    """A committee member's engagement in the audit trail: it bars them from deciding on the
    structure (ISO/IEC 17021-1 §5.2)."""
    await record_change(
        session,
        tables.audit_log,
        action=action,
        record_type="engagement",
        record_id=engagement.id,
        before=None,
        after={
            "user_id": engagement.user_id,
            "organisation_id": engagement.organisation_id,
            "kind": engagement.kind,
            "started_on": engagement.started_on,
            "ended_on": engagement.ended_on,
            "source": engagement.source,
            "diagnostic_id": engagement.diagnostic_id,
            "declared_by": engagement.declared_by,
        },
        on_behalf_of=engagement.organisation_id,
    )


async def of_person(
    session: AsyncSession,
    user_id: str,
    *,
    organisation_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Engagement], str | None]:
    """A page of a person's engagements, most recent first."""
    return await EngagementRepository(session).of_person(
        _account(user_id), organisation_id=organisation_id, cursor=cursor, limit=limit
    )


async def record_session(
    session: AsyncSession,
    *,
    diagnostic_id: str,
    organisation_id: str,
    facilitator_user_ids: list[str],
    on: date,
) -> None:
    """A facilitator's accompanied CAP session: an accompaniment of the structure on that day
    (once per session and person: a redelivered event changes nothing)."""
    repository = EngagementRepository(session)
    engagements = [
        Engagement(
            id=str(uuid.uuid5(_SESSION_IDS, f"{diagnostic_id}:{user_id}")),
            user_id=user_id[:64],
            organisation_id=organisation_id,
            kind="accompaniment",
            started_on=on,
            ended_on=on,
            source="cap_session",
            diagnostic_id=diagnostic_id,
            description="Session CAP accompagnée",
        )
        for user_id in dict.fromkeys(_account(u) for u in facilitator_user_ids if u)
    ]
    new = [e for e in engagements if await repository.get(e.id) is None]
    await repository.save(*engagements)
    for engagement in new:
        await _record(session, engagement, action="engagement.recorded")


async def barring(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_ids: list[str],
    today: date,
    cooling_off_months: int,
) -> list[tuple[Engagement, date | None]]:
    """The caller's engagements with the structures that bar them ``today`` (consultancy,
    accompaniment or training within the cooling-off), each with the last day it bars."""
    people = {person_of(principal), principal.subject}
    engagements = await EngagementRepository(session).barring(
        people=people, organisation_ids=organisation_ids, kinds=rules.BARRING_ENGAGEMENTS
    )
    return [
        (e, rules.barred_until(e.ended_on, cooling_off_months))
        for e in engagements
        if rules.bars(e.kind, e.started_on, e.ended_on, today, cooling_off_months)
    ]


async def check(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_ids: list[str],
    today: date,
    cooling_off_months: int,
    what: str = "decide on this file",
) -> None:
    """409 when the caller gave one of the structures consultancy, accompaniment or training
    within the cooling-off period."""
    for engagement, until in await barring(
        session,
        principal,
        organisation_ids=organisation_ids,
        today=today,
        cooling_off_months=cooling_off_months,
    ):
        raise ConflictOfInterest(
            f"{principal.subject} may not {what}: {engagement.kind} given to the structure "
            + (
                f"until {engagement.ended_on.isoformat()} (barred until {until.isoformat()})"
                if engagement.ended_on and until
                else "still going on"
            ),
            detail_fr=f"{principal.subject} ne peut pas intervenir ({what}) : "
            f"{engagement.kind} auprès de la structure "
            + (
                f"jusqu'au {engagement.ended_on.isoformat()} (écarté jusqu'au {until.isoformat()})"
                if engagement.ended_on and until
                else "toujours en cours"
            ),
            extensions={
                "rule": rules.COOLING_OFF_RULE,
                "person": principal.subject,
                "engagement": {
                    "id": engagement.id,
                    "kind": engagement.kind,
                    "organisation_id": engagement.organisation_id,
                    "source": engagement.source,
                    "started_on": engagement.started_on and engagement.started_on.isoformat(),
                    "ended_on": engagement.ended_on and engagement.ended_on.isoformat(),
                },
                "barred_until": until and until.isoformat(),
            },
        )
