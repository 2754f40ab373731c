"""The labelling committee's screens (``/comite``): the queue of decision files, one file with
the level the rule computed and why, the impartiality checks, the decision and its history, and
the appeals.

:mod:`.queue` (``/comite``), :mod:`.file` (``/comite/dossiers/{id}``) and :mod:`.appeals`
(``/comite/recours``), each a router; :mod:`.common` what they share. Every domain decision (the
level, who is impartial, what may be decided) is the API's: the console shows it.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cap_web.pages.committee import appeals, file, queue
from cap_web.pages.progress.common import known_ids

router = APIRouter(dependencies=[Depends(known_ids)])
for _screen in (queue, file, appeals):  # the order the routes are matched in
    router.include_router(_screen.router)
