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
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import rules
from cap_labelling.inputs import FreeText, Identifier
from cap_labelling.models import Engagement, Organisation
from cap_shared.field_errors import FieldError
from cap_shared.pagination import newest_first
from cap_shared.problems import Conflict, Forbidden, InvalidInput
from cap_shared.security import Principal, Role

#: Namespace of the ids of engagements known from CAP sessions (one per session and person).
_SESSION_IDS = uuid.UUID("6b1f2c1e-94a4-4f7e-9a60-0c4c3c2a7d10")


class ConflictOfInterest(Conflict):
    code, title = "conflict-of-interest", "Not impartial towards this structure"
    title_fr = "Non impartial envers cette structure"


class EngagementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: Identifier = Field(description="The structure concerned")
    kind: Literal["consultancy", "accompaniment", "training"]
    started_on: date | None = None
    ended_on: date | None = Field(default=None, description="Empty while it goes on")
    description: FreeText | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _ordered(self) -> EngagementIn:
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            raise FieldError("ended_on is before started_on", "ended_on précède started_on")
        return self


class EngagementOut(BaseModel):
    id: str
    user_id: str
    organisation_id: str
    kind: str
    started_on: date | None
    ended_on: date | None
    source: str
    diagnostic_id: str | None
    declared_by: str | None
    description: str | None
    created_at: datetime


def to_out(engagement: Engagement) -> EngagementOut:
    """An engagement as the API shows it."""
    return EngagementOut.model_validate(engagement, from_attributes=True)


def person_of(principal: Principal) -> str:
    """The account id engagements are recorded under (no ``user:`` prefix)."""
    return principal.user_id or principal.subject


def _account(user_id: str) -> str:
    return user_id.removeprefix("user:")


async def declare(
    session: AsyncSession, principal: Principal, user_id: str, data: EngagementIn
) -> Engagement:
    """Declare an engagement of a committee member with a structure (the member, or an admin)."""
    user_id = _account(user_id)
    if not principal.has_role(Role.ADMIN) and person_of(principal) != user_id:
        raise Forbidden(
            "a committee member declares their own engagements",
            detail_fr="un membre du comité déclare ses propres engagements",
        )
    if await session.get(Organisation, data.organisation_id) is None:
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
    session.add(engagement)
    await session.flush()
    return engagement


#: Most recent first (created_at, id descending).
KEYS = newest_first("committee-engagements", col(Engagement.created_at), col(Engagement.id))


async def of_person(
    session: AsyncSession,
    user_id: str,
    *,
    organisation_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Engagement], str | None]:
    """A page of a person's engagements, most recent first."""
    query = sa.select(Engagement).where(col(Engagement.user_id) == _account(user_id))
    if organisation_id:
        query = query.where(col(Engagement.organisation_id) == organisation_id)
    return await KEYS.fetch(session, query, cursor=cursor, limit=limit)


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
    for user_id in dict.fromkeys(_account(u) for u in facilitator_user_ids if u):
        await session.merge(
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
        )
    await session.flush()


async def check(
    session: AsyncSession,
    principal: Principal,
    organisation_ids: list[str],
    *,
    today: date,
    cooling_off_months: int,
    what: str = "decide on this file",
) -> None:
    """409 when the caller gave one of the structures consultancy, accompaniment or training
    within the cooling-off period."""
    people = {person_of(principal), principal.subject}
    query = sa.select(Engagement).where(
        col(Engagement.user_id).in_(sorted(people)),
        col(Engagement.organisation_id).in_(organisation_ids),
        col(Engagement.kind).in_(sorted(rules.BARRING_ENGAGEMENTS)),
    )
    for engagement in (await session.execute(query)).scalars().all():
        if not rules.bars(
            engagement.kind, engagement.started_on, engagement.ended_on, today, cooling_off_months
        ):
            continue
        until = rules.barred_until(engagement.ended_on, cooling_off_months)
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
