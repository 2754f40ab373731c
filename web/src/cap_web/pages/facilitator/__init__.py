"""The facilitator's screens: the structures of their region, one structure, an accompanied
diagnostic (a CAP session) scheduled and run with its participants, the network view, exports.

Everything comes from the public API as the facilitator calls it, so the region scope is the
API's: ``/v1/organisations`` lists the structures it lets them see, and a structure of another
region answers 403/404 (shown as the French error page).

:mod:`.region` (``/animation``), :mod:`.structure` (one structure), :mod:`.session` (an
accompanied diagnostic) and :mod:`.network` (``/reseau``), each a router; :mod:`.exports` the
downloads, :mod:`.common` what they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from cap_web.pages.facilitator import network, region, session, structure

router = APIRouter()
for _screen in (region, structure, session, network):  # the order the routes are matched in
    router.include_router(_screen.router)
