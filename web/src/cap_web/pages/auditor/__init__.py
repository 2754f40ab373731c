"""The auditor's screens (``/auditeur``): their audits by status and date, an audit's plan, the
on-site checklist with the evaluated maturity, findings with evidence, the report uploaded and
signed, and the structure's answers to nonconformities reviewed.

Everything comes from the public API as the auditor calls it: the audits it lets them see are
those of their certification body where they are on the team. :mod:`.audits` is the list
(``/auditeur/audits``), :mod:`.audit` one audit (plan, steps, report), :mod:`.findings` its
findings and their review, :mod:`.checklist` the on-site checklist (``…/grille``);
:mod:`.common` what they share.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cap_web.pages.auditor import audit, audits, checklist, findings
from cap_web.pages.auditor.common import known_ids

router = APIRouter(dependencies=[Depends(known_ids)])
for _screen in (audits, checklist, findings, audit):  # the order the routes are matched in
    router.include_router(_screen.router)
