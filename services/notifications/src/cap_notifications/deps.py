"""FastAPI dependencies of the notifications service's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cap_notifications.config import Settings
from cap_shared.problems import Forbidden
from cap_shared.routes import SignedInDep, errors


def settings_of(request: Request) -> Settings:
    """The settings of the runtime serving this request (injected in tests, never re-read)."""
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(settings_of)]


def person_of(principal: SignedInDep) -> str:
    """The caller's user id: feeds and preferences belong to people, not to systems."""
    if principal.user_id is None:
        raise Forbidden(
            "systems have no notification feed; subscribe to webhooks instead",
            detail_fr=(
                "les systèmes n'ont pas de fil de notifications ; abonnez-vous plutôt aux webhooks"
            ),
        )
    return principal.user_id


#: The signed-in person (a system is refused: 403).
PersonDep = Annotated[str, Depends(person_of)]

#: The errors of the operations on the caller's own feed and preferences.
PERSON_ERRORS = errors(
    401,
    403,
    404,
    422,
    described={
        403: "Not a person (systems have no feed)",
        404: "Not one of the caller's notifications",
    },
)
