"""HTTP routes of the caller's preferences."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from cap_notifications.deps import PERSON_ERRORS, PersonDep, SettingsDep
from cap_notifications.preferences import service
from cap_notifications.preferences.schemas import PreferencesPublic, PreferencesUpdate
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep

router = APIRouter(prefix="/v1/preferences", tags=["preferences"], responses=PERSON_ERRORS)


@router.get("", response_model=PreferencesPublic)
async def read_preferences(
    me: PersonDep, session: SessionDep, settings: SettingsDep
) -> PreferencesPublic:
    """The caller's effective preferences: every event type and channel (chosen or the role's
    default), time zone, quiet hours, digest hour."""
    chosen = (await service.for_users(session, [me], default_tz=settings.default_timezone))[me]
    return service.to_public(chosen, await service.roles_of(session, me))


@router.put("", response_model=PreferencesPublic)
async def update_preferences(
    data: PreferencesUpdate,
    me: PersonDep,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> PreferencesPublic:
    """Change part of the caller's preferences: per event type and channel ``on``, ``off`` or
    ``digest`` (e-mail), time zone, quiet hours (``null``: none), digest hour. With If-Match
    (the ETag read), only if they did not change since (412); the answer's ETag is the new
    one."""
    roles = await service.roles_of(session, me)
    chosen = await service.update(
        session,
        me,
        data=data,
        now=runtime.clock.now(),
        default_tz=settings.default_timezone,
        precondition=precondition,
        roles=roles,
    )
    public = service.to_public(chosen, roles)
    response.headers["ETag"] = etag_of(public)
    return public


ROUTERS = (router,)
