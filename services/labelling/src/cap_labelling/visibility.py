"""Who reads what in the labelling service (one rule for applications, files, recognitions).

Administrators and the labelling committee read everything; the people of a structure read what
concerns it (as applicant, central function or group member); facilitators read their region's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.repository import StructureRepository
from cap_shared.security import Principal, Role


async def readable(session: AsyncSession, principal: Principal) -> set[str] | None:
    """Structures whose files the caller reads (None: all), in one query."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    ids, regions = principal.organisation_ids(), principal.regions()
    if not ids and not regions:
        return set()
    return await StructureRepository(session).ids_of(ids=ids, regions=regions)


def visible(organisation_ids: Iterable[str], allowed: set[str] | None) -> bool:
    """Whether any structure of a file is readable."""
    return allowed is None or bool(allowed & set(organisation_ids))


def body_sees(principal: Principal, certification_body_id: str | None) -> bool:
    """Whether the caller is the system of the certification body of a file or certificate."""
    return (
        certification_body_id is not None
        and principal.has_role(Role.CERTIFICATION_BODY)
        and certification_body_id in principal.certification_body_ids()
    )
