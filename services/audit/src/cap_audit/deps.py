"""FastAPI dependencies of the audit service's routes: its settings, its callers, its filters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request

from cap_audit.config import Settings
from cap_shared.conditional import IfMatch, Precondition
from cap_shared.security import Allow, Principal, Role


async def settings_of(request: Request) -> Settings:
    """The settings of the runtime serving this request (injected in tests, never re-read;
    ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, a thread hop)."""
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(settings_of)]

#: Everyone with a stake in audits; each use case narrows to the caller's scope.
InvolvedDep = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.FACILITATOR,
            Role.MEMBER,
            Role.MEMBER_ADMIN,
            Role.AUDITOR,
            Role.CERTIFICATION_BODY,
        )
    ),
]
#: Those who act for a certification body (the use case checks which audits).
BodySideDep = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.AUDITOR, Role.CERTIFICATION_BODY))
]
#: The audited organisation's members (the use case checks which), or an administrator.
OrganisationSideDep = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.MEMBER, Role.MEMBER_ADMIN))
]
#: The body's system or an administrator (appeal outcomes: no auditor of the audit).
BodyOrAdminDep = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.CERTIFICATION_BODY))]

#: If-Match on a write: optional (412 when stale), or required where concurrent editors are
#: expected (an audit's plan: the body, its lead auditor, an admin): 428 without it.
ExpectedDep = Annotated[Precondition, Depends(IfMatch(required=False))]
ExpectedRequiredDep = Annotated[Precondition, Depends(IfMatch(required=True))]

#: A certification body's id in a path: its slug.
BodyId = Annotated[str, Path(max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$")]
#: The cursor of a list ordered by name: it holds a name (up to 200 characters, escaped).
NameCursor = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="`next_cursor` of the previous page of this same list (opaque); absent "
        "for the first page",
    ),
]
BodyFilter = Annotated[
    str | None,
    Query(max_length=60, pattern=r"^[a-z0-9][a-z0-9\-]*$", description="Only this body's"),
]
OrganisationFilter = Annotated[
    str | None,
    Query(max_length=60, pattern=r"^[^\x00-\x1f\x7f]+$", description="Only this structure's"),
]
