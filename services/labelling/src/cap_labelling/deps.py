"""Dependency aliases of the labelling service's routes: its settings, its callers, its filters."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Request

from cap_labelling.config import Settings
from cap_labelling.inputs import IDENTIFIER_PATTERN
from cap_shared.security import Allow, Principal, Role, Scope


async def get_settings(request: Request) -> Settings:
    """The settings of the labelling runtime serving this request (``async``: FastAPI runs a
    plain ``def`` dependency in its thread pool, a thread hop per request for an attribute)."""
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]

#: Who reads applications, files and recognitions (the use case narrows to their structures).
Readers = Annotated[
    Principal,
    Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR)),
]
#: Who takes a step on an application: the federation, or the applicant's member_admin.
Deciders = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER_ADMIN))]
#: Who decides appeals, reduces a certificate's scope: the committee, an admin, the body's system.
AppealDeciders = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.CERTIFICATION_BODY,
            scopes=[Scope.CERTIFICATIONS_WRITE.value],
        )
    ),
]
#: Who reads one file: its readers, and the certification body's system that decides on it
#: (it reads the file's ETag before deciding an appeal).
FileReaders = Annotated[
    Principal,
    Depends(
        Allow(
            Role.ADMIN,
            Role.COMMITTEE,
            Role.MEMBER,
            Role.MEMBER_ADMIN,
            Role.FACILITATOR,
            Role.CERTIFICATION_BODY,
            scopes=[Scope.CERTIFICATIONS_WRITE.value],
        )
    ),
]
#: The invited structure's people read its invitations; the federation reads them all.
InvitationReaders = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE, Role.MEMBER, Role.MEMBER_ADMIN))
]

#: A list's scheme filter.
SchemeFilter = Annotated[
    Literal["CAP_RSE", "CAP_ISO9001"] | None, Query(description="Only this scheme's")
]
#: A list's structure filter.
OrganisationFilter = Annotated[
    str | None,
    Query(max_length=36, pattern=IDENTIFIER_PATTERN, description="Only this structure's"),
]
#: A recognition's number in a path (``CAPRSE-2026-0001``, or a body's certificate number).
Number = Annotated[str, Path(min_length=3, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9\-/.]*$")]
