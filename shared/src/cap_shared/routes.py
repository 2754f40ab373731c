"""What every routes module of the platform shares: the path id type, the error table its
operations document, and the callers' dependency aliases.

A routes module imports these instead of declaring its own, so an id is the same in every
service and a newcomer reads one table of errors (docs/contributing.md#add-an-endpoint).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Path

from cap_shared.openapi import DESCRIPTIONS, INVALID_CURSOR
from cap_shared.security import Allow, Principal, Role, SignedIn

#: What an id in a path may hold: printable text, no control character (PostgreSQL refuses NUL
#: in text; a tab or a newline is never part of an id). Ids are UUIDs or short codes.
ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
#: The longest id a path takes (ids are 36-character UUIDs; codes are shorter).
ID_MAX_LENGTH = 60

#: An id in a path.
Id = Annotated[str, Path(min_length=1, max_length=ID_MAX_LENGTH, pattern=ID_PATTERN)]

ResponsesTable = dict[int | str, dict[str, object]]

#: The errors an operation of the API may answer, as documented in its OpenAPI responses.
#: Statuses a route's dependencies imply (401, 403, 404, 412, 428, 503...) are added by
#: :func:`cap_shared.openapi.route_errors`; this table names the business ones.
ERROR_DESCRIPTIONS: dict[int, str] = {
    **DESCRIPTIONS,
    409: "Not possible in the current state of the resource, or refused by a certification rule",
}


def errors(*statuses: int, described: Mapping[int, str] | None = None) -> ResponsesTable:
    """An operation's ``responses=`` table for ``statuses``, in the platform's words;
    ``described`` replaces the words where the operation says more (``{409: "..."}``)."""
    described = dict(described or {})
    stray = set(described) - set(statuses)
    if stray:
        msg = f"descriptions for statuses the operation does not list: {sorted(stray)}"
        raise ValueError(msg)
    return {
        status: {"description": described.get(status, ERROR_DESCRIPTIONS[status])}
        for status in statuses
    }


#: The errors of an operation on one resource: unknown, or a rule of its state.
ERRORS: ResponsesTable = errors(401, 403, 404, 409, 422)
#: What a list answers besides its page: a cursor that is not one of this list's.
LIST_ERRORS: ResponsesTable = {400: {"description": INVALID_CURSOR}}

#: The federation's administrators.
AdminDep = Annotated[Principal, Depends(Allow(Role.ADMIN))]
#: Administrators and the labelling committee.
FederationDep = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.COMMITTEE))]
#: A member structure's administrators (and the federation's).
StructureAdminDep = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER_ADMIN))]
#: Anyone with a valid token; the use case narrows what they see.
SignedInDep = Annotated[Principal, Depends(SignedIn())]
