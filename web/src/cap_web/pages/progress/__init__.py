"""The structure's follow-up: progress plan, applications, audits and team.

:mod:`.plan` (``/plan``), :mod:`.applications` (``/candidatures``), :mod:`.audits`
(``/audits``) and :mod:`.team` (``/equipe``), each a router; :mod:`.common` what they share.
Every domain decision (overdue, eligibility, allowed steps) is the API's: the console shows it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cap_web.pages.progress import applications, audits, plan, team
from cap_web.pages.progress.common import known_ids

router = APIRouter(dependencies=[Depends(known_ids)])
for _screen in (plan, applications, audits, team):  # the order the routes are matched in
    router.include_router(_screen.router)
