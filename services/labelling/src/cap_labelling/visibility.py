"""Who reads what in the labelling service (one rule for applications, files, recognitions).

Administrators and the labelling committee read everything; the people of a structure read what
concerns it (as applicant, central function or group member); facilitators read their region's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling.models import Organisation
from cap_shared.security import Principal, Role


async def readable(session: AsyncSession, principal: Principal) -> set[str] | None:
    """Structures whose files the caller reads (None: all), in one query."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    ids, regions = sorted(principal.organisation_ids()), sorted(principal.regions())
    if not ids and not regions:
        return set()
    query = sa.select(col(Organisation.id)).where(
        sa.or_(col(Organisation.id).in_(ids), col(Organisation.region).in_(regions))
    )
    return set((await session.execute(query)).scalars().all())


def visible(organisation_ids: Iterable[str], allowed: set[str] | None) -> bool:
    """Whether any structure of a file is readable."""
    return allowed is None or bool(allowed & set(organisation_ids))


def scope(readable: set[str] | None, organisation: Any, members: Any) -> sa.ColumnElement[bool]:
    """SQL: a row of a readable structure, as applicant or as a member of its group (the JSON
    list of ids, matched as a quoted string in its text on both databases)."""
    if readable is None:
        return sa.true()
    ids = sorted(readable)
    if not ids:
        return sa.false()
    text = sa.cast(members, sa.Text)
    return sa.or_(organisation.in_(ids), *(text.contains(f'"{i}"', autoescape=True) for i in ids))


def body_sees(principal: Principal, certification_body_id: str | None) -> bool:
    """Whether the caller is the system of the certification body of a file or certificate."""
    return (
        certification_body_id is not None
        and principal.has_role(Role.CERTIFICATION_BODY)
        and certification_body_id in principal.certification_body_ids()
    )
