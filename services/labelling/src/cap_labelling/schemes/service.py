"""Use cases of the scheme parameters: read them as the services loaded them at start-up.

They are data files (``docs/schemes.md``) read and validated when a service starts, the same
for the audit and the labelling services; nothing here changes them. A data step after the
migrations (:func:`record_loaded`) appends ``scheme_parameters.changed`` to the audit trail for
each scheme whose loaded parameters differ from the last ones recorded.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.config import Settings
from cap_labelling.models import tables
from cap_labelling.schemes.schemas import SchemeParametersPublic
from cap_shared.audit import record_if_changed
from cap_shared.problems import NotFound
from cap_shared.runtime import settings_for


def _public(settings: Settings, scheme: str) -> SchemeParametersPublic:
    return SchemeParametersPublic(
        scheme=scheme,
        source="packaged" if settings.scheme_parameters_dir is None else "directory",
        parameters=settings.scheme_parameters(scheme),
    )


def every(settings: Settings) -> list[SchemeParametersPublic]:
    """Every scheme's parameters, by scheme code."""
    return [_public(settings, scheme) for scheme in sorted(settings.all_scheme_parameters())]


def one(settings: Settings, scheme: str) -> SchemeParametersPublic:
    """One scheme's parameters, or 404."""
    if scheme not in settings.all_scheme_parameters():
        raise NotFound(f"no scheme {scheme}", detail_fr=f"aucun dispositif {scheme}")
    return _public(settings, scheme)


async def record_loaded(session: AsyncSession, settings: Settings | None = None) -> list[str]:
    """Record the loaded parameters of each scheme that changed since last recorded; their
    codes (a data step: idempotent). ``settings``: the runtime's (by default)."""
    settings = settings or settings_for("labelling", Settings)
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
