"""HTTP routes of the network view."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from cap_diagnostic.deps import PractitionerDep
from cap_diagnostic.fields import ID_PATTERN
from cap_diagnostic.statistics import service as statistics
from cap_diagnostic.statistics.schemas import NetworkStatistics, PeerPosition
from cap_shared.db.rowsecurity import across_organisations
from cap_shared.deps import SessionDep
from cap_shared.routes import errors
from cap_shared.security import Allow, Principal, Role

SiaeType = Literal["ACI", "AI", "EI", "ETTI", "EITI", "EBE"]
Referential = Annotated[str, Query(max_length=40, pattern=r"^[A-Z0-9_]+$")]
#: Who sees the network's figures: admins, the committee, facilitators (their regions).
NetworkReaderDep = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.FACILITATOR))
]
router = APIRouter(
    prefix="/v1/statistics",
    tags=["statistics"],
    responses=errors(
        401,
        403,
        404,
        422,
        described={
            403: "Role not allowed, or a region outside the caller's",
            404: "Unknown organisation, or not visible to the caller",
        },
    ),
)


@router.get("/network", response_model=NetworkStatistics, response_model_exclude_unset=True)
async def network_statistics(
    principal: NetworkReaderDep,
    session: SessionDep,
    referential: Referential = "CAP",
    region: Annotated[str | None, Query(pattern=r"^[0-9]{2}$")] = None,
    siae_type: SiaeType | None = None,
) -> dict[str, Any]:
    """Per region and SIAE type: structures diagnosed; maturity per theme (bands); trend per
    quarter. Facilitators see their region(s); the national team the whole network. Groups of
    fewer than 5 structures are suppressed."""
    return await statistics.network(
        session, principal, referential=referential, region=region, siae_type=siae_type
    )


@router.get("/position", response_model=PeerPosition, response_model_exclude_unset=True)
async def peer_position(
    organisation_id: Annotated[str, Query(max_length=36, pattern=ID_PATTERN)],
    principal: PractitionerDep,
    session: SessionDep,
    referential: Referential = "CAP",
) -> dict[str, Any]:
    """A structure's scores against peers of the same SIAE type and region (median, quartiles,
    percentile), when there are at least 5 peers."""
    # Peers are other organisations: read past the database's row scope, shown only as
    # k-anonymous figures (the service checks who may see the structure itself).
    async with across_organisations(session):
        return await statistics.position(
            session, principal, organisation_id=organisation_id, referential=referential
        )
