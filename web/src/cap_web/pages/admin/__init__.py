"""The administrators' screens (``/admin``): structures, people and roles; certification
bodies, auditors and impartiality; API clients and webhook subscriptions; referentials, level
rules and scheme parameters; operations (dead letters, jobs, outboxes).

:mod:`.home` is the index (``/admin``); each section is a module with its own router.
"""

from __future__ import annotations

from fastapi import APIRouter

from cap_web.pages.admin import (
    api_clients,
    auditors,
    bodies,
    home,
    impartiality,
    level_rules,
    operations,
    people,
    referentials,
    schemes,
    structures,
    webhooks,
)

router = APIRouter()
for _screen in (  # the order the routes are matched in
    home,
    structures,
    people,
    bodies,
    auditors,
    impartiality,
    api_clients,
    webhooks,
    referentials,
    level_rules,
    schemes,
    operations,
):
    router.include_router(_screen.router)
