"""Use cases on organisations: registration publishes ``identity.organisation.registered.v1``."""

from __future__ import annotations

from uuid import uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cap_gateway.audit_trail import audit, organisation_state
from cap_gateway.identity.regions import REGIONS
from cap_gateway.identity.repository import OrganisationRepository
from cap_gateway.identity.schemas import OrganisationCreate, OrganisationPublic
from cap_gateway.models import Organisation, tables
from cap_shared.contracts import new_event
from cap_shared.contracts.identity import OrganisationRegisteredV1
from cap_shared.outbox import add_event
from cap_shared.pagination import Page
from cap_shared.problems import Conflict, NotFound
from cap_shared.security import Principal, Role

SOURCE = "/cap/gateway"


class SiretAlreadyRegistered(Conflict):
    """Another organisation already has this SIRET."""

    code, title = "siret-already-registered", "SIRET already registered"
    title_fr = "SIRET déjà enregistré"


def to_public(organisation: Organisation) -> OrganisationPublic:
    """API view of an organisation."""
    return OrganisationPublic(
        id=organisation.id,
        siret=organisation.siret,
        name=organisation.name,
        siae_types=list(organisation.siae_types),
        region=organisation.region,
        region_name=REGIONS[organisation.region],
        delegation=organisation.delegation,
        created_at=organisation.created_at,
    )


async def register_organisation(
    session: AsyncSession, *, data: OrganisationCreate, actor: str
) -> OrganisationPublic:
    """Register a member structure and announce it to every service (through the outbox)."""
    repository = OrganisationRepository(session)
    if await repository.get_by_siret(siret=data.siret) is not None:
        raise SiretAlreadyRegistered(
            f"SIRET {data.siret} is already registered",
            detail_fr=f"le SIRET {data.siret} est déjà enregistré",
        )
    organisation = Organisation(
        id=str(uuid4()),
        siret=data.siret,
        name=data.name,
        siae_types=list(data.siae_types),
        region=data.region,
        delegation=data.delegation,
    )
    try:
        async with session.begin_nested():
            await repository.add(organisation)
    except IntegrityError as exc:  # a concurrent registration of the same SIRET won
        raise SiretAlreadyRegistered(
            f"SIRET {data.siret} is already registered",
            detail_fr=f"le SIRET {data.siret} est déjà enregistré",
        ) from exc
    event = OrganisationRegisteredV1(
        organisation_id=organisation.id,
        siret=organisation.siret,
        name=organisation.name,
        siae_types=data.siae_types,
        region=organisation.region,
        region_name=REGIONS[organisation.region],
        delegation=organisation.delegation,
        registered_at=organisation.created_at,
    )
    envelope = new_event(event, source=SOURCE, subject=organisation.id, actor=actor)
    await add_event(session, tables.outbox, envelope)
    await audit(
        session,
        action="organisation.registered",
        record_type="organisation",
        record_id=organisation.id,
        after=organisation_state(organisation),
        on_behalf_of=organisation.id,
        event_id=envelope.id,
    )
    return to_public(organisation)


def _scope(principal: Principal) -> tuple[list[str], list[str]] | None:
    """None when the caller sees every organisation, else (organisation ids, regions)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    return sorted(principal.organisation_ids()), sorted(principal.regions())


async def get_organisation(
    session: AsyncSession, *, principal: Principal, organisation_id: str
) -> OrganisationPublic:
    """One organisation the caller may see, or 404."""
    organisation = await OrganisationRepository(session).get(organisation_id=organisation_id)
    if organisation is None or not (
        principal.has_role(Role.COMMITTEE)
        or principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound(
            f"no organisation {organisation_id}", detail_fr=f"aucune structure {organisation_id}"
        )
    return to_public(organisation)


async def list_organisations(
    session: AsyncSession, *, principal: Principal, limit: int, cursor: str | None
) -> Page[OrganisationPublic]:
    """A page of the organisations the caller may see, in registration order."""
    rows, next_cursor = await OrganisationRepository(session).list_page(
        limit=limit, cursor=cursor, scope=_scope(principal)
    )
    return Page[OrganisationPublic](data=[to_public(o) for o in rows], next_cursor=next_cursor)
