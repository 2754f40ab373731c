"""Who reads what in the labelling service (one rule for applications, files, recognitions).

Administrators and the labelling committee read everything; the people of a structure read what
concerns it (as applicant, central function or group member); facilitators read their region's.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.models import Organisation
from cap_labelling.repository import StructureRepository
from cap_shared.db.memo import TransactionMemo
from cap_shared.security import Principal, Role

#: The structures read for a caller's organisations and regions in this transaction (the
#: access check, the list's filter and the answers' cut each need them), read again once a
#: structure is written.
_READABLE: TransactionMemo[tuple[frozenset[str], frozenset[str]], set[str]] = TransactionMemo(
    "cap_labelling_readable", written_by=(Organisation,)
)


async def readable(session: AsyncSession, principal: Principal) -> set[str] | None:
    """Structures whose files the caller reads (None: all), in one query per transaction."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    ids, regions = principal.organisation_ids(), principal.regions()
    if not ids and not regions:
        return set()
    key = (frozenset(ids), frozenset(regions))
    known = _READABLE.get(session, key)
    if known is not None:
        return set(known)
    found = await StructureRepository(session).ids_of(ids=ids, regions=regions)
    _READABLE.put(session, key, found)
    return set(found)


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
