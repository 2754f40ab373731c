"""The scheme parameters this service loaded (``docs/schemes.md``), in its audit trail.

They are files read at start-up, not rows: a data step after the migrations
(:func:`record_loaded`) appends ``scheme_parameters.changed`` for each scheme whose parameters
differ from the last ones recorded (the first time, with nothing before), so the trail says
which durations and thresholds the service's decisions rested on, and since when.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.config import Settings
from cap_audit.models import tables
from cap_shared.audit import record_if_changed
from cap_shared.runtime import settings_for


async def record_loaded(session: AsyncSession, settings: Settings | None = None) -> list[str]:
    """Record the loaded parameters of each scheme that changed since last recorded; their
    codes (a data step: idempotent). ``settings``: the runtime's (by default)."""
    settings = settings or settings_for("audit", Settings)
    return await record_if_changed(
        session,
        tables.audit_log,
        record_type="scheme_parameters",
        action="scheme_parameters.changed",
        states={
            scheme: parameters.model_dump(mode="json")
            for scheme, parameters in settings.all_scheme_parameters().items()
        },
    )
