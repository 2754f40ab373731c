"""The administrators' screens (``/admin``): structures, people and roles; certification
bodies, auditors and impartiality; API clients and webhook subscriptions; referentials, level
rules and scheme parameters; operations (dead letters, jobs, outboxes).

:mod:`.home` is the index (``/admin``); each section is a module with its own router.
"""

from __future__ import annotations

from fastapi import APIRouter

from cap_web.pages.admin import home, level_rules, referentials, schemes

router = APIRouter()
for _screen in (home, referentials, level_rules, schemes):  # the order the routes are matched in
    router.include_router(_screen.router)
