"""The diagnostic service's callers and preconditions, as FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from cap_shared import conditional
from cap_shared.security import Allow, Principal, Role

#: Who works on diagnostics and plans: the organisation's people, its region's facilitators,
#: admins (each sees only what their scope allows).
PractitionerDep = Annotated[
    Principal, Depends(Allow(Role.ADMIN, Role.MEMBER, Role.MEMBER_ADMIN, Role.FACILITATOR))
]
#: ``If-Match`` with the diagnostic's ETag (its revision): optional, 412 when stale.
OptionalIfMatchDep = Annotated[
    conditional.Precondition, Depends(conditional.IfMatch(required=False))
]
#: Plans and their actions have concurrent editors (the structure, its facilitators): a write
#: sends the ETag it read in If-Match (428 without, 412 when stale) and gets the new one.
RequiredIfMatchDep = Annotated[
    conditional.Precondition, Depends(conditional.IfMatch(required=True))
]
