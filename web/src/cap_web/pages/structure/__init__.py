"""The structure's screens (member, member_admin): the dashboard, the diagnostics answered theme
by theme with autosave, completion, and the results with their downloads.

:mod:`.dashboard` the start page, :mod:`.diagnostics` the list and one diagnostic, :mod:`.theme`
a theme's answers (:mod:`.form` reads them), :mod:`.results` the scores and their downloads;
:mod:`.field` the field mode (the service worker, the offline page, the answers typed without
network sent on); :mod:`.common` what they share.
"""

from __future__ import annotations

from fastapi import APIRouter

from cap_web.pages.structure import dashboard, diagnostics, field, results, theme

router = APIRouter()
for _screen in (
    dashboard,
    diagnostics,
    theme,
    results,
    field,
):  # the order the routes are matched in
    router.include_router(_screen.router)
