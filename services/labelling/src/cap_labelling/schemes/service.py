"""Use cases of the scheme parameters: read them as the services loaded them at start-up.

They are data files (``docs/schemes.md``) read and validated when a service starts, the same
for the audit and the labelling services; nothing here changes them.
"""

from __future__ import annotations

from cap_labelling.config import Settings
from cap_labelling.schemes.schemas import SchemeParametersPublic
from cap_shared.problems import NotFound


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
