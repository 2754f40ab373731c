"""The console's screens, one module (or package) per area, each exposing ``router``."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    """Every screen's router, in the order they are matched."""
    from cap_web.pages import (
        account,
        admin,
        auditor,
        committee,
        facilitator,
        home,
        progress,
        public,
        structure,
    )

    return [
        home.router,
        public.router,
        structure.router,
        progress.router,
        facilitator.router,
        auditor.router,
        committee.router,
        admin.router,
        account.router,
    ]
