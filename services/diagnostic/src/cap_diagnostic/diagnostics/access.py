"""Access to one diagnostic: the tenant rule (404 outside the caller's scope), its ETag and the
revision a write bumps (412 when If-Match is stale).

Who may act: an admin, the organisation's members and the facilitators of its region (the
tenant rule of :meth:`Principal.may_see_organisation`); everyone else gets 404, so the existence
of another tenant's diagnostic is not revealed.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_diagnostic.diagnostics.repository import DiagnosticRepository
from cap_diagnostic.models import Diagnostic, Organisation
from cap_shared import clock
from cap_shared.conditional import PreconditionFailed, check_if_match
from cap_shared.problems import NotFound
from cap_shared.readmodel import ReadModelRepository
from cap_shared.security import Principal


async def organisation_of(session: AsyncSession, organisation_id: str) -> Organisation | None:
    """The organisation of the read model, or None (not registered, or its event is late)."""
    return await ReadModelRepository(session, Organisation).get(organisation_id)


async def visible(
    session: AsyncSession, principal: Principal, diagnostic_id: str, *, for_update: bool = False
) -> tuple[Diagnostic, Organisation]:
    """A diagnostic the caller may see, with its organisation; 404 otherwise (one query:
    the diagnostic, locked when ``for_update``, and its organisation)."""
    found = await DiagnosticRepository(session).get_with_organisation(
        diagnostic_id, for_update=for_update
    )
    diagnostic, organisation = found if found is not None else (None, None)
    if (
        diagnostic is None
        or organisation is None
        or not principal.may_see_organisation(organisation.id, organisation.region)
    ):
        raise NotFound("no such diagnostic", detail_fr="diagnostic introuvable")
    return diagnostic, organisation


def etag(diagnostic: Diagnostic) -> str:
    """The diagnostic's current ETag (its revision)."""
    return f'"r{diagnostic.revision}"'


def expected_revision(diagnostic: Diagnostic, if_match: str | None) -> int | None:
    """The revision If-Match pins (None when absent or ``*``), or 412 when it is stale."""
    check_if_match(if_match, etag(diagnostic), required=False)  # RFC 9110 strong comparison
    if if_match is None or if_match.strip() == "*":
        return None
    return diagnostic.revision


def write_locked(diagnostic: Diagnostic, if_match: str | None) -> None:
    """Bump the revision of a diagnostic read ``for_update`` (412 when If-Match is stale): the
    row is locked, so nobody can write in between; the new revision goes with the row's next
    UPDATE instead of a compare-and-swap of its own."""
    expected_revision(diagnostic, if_match)
    diagnostic.revision += 1
    diagnostic.modified_at = clock.now()


async def write(session: AsyncSession, diagnostic: Diagnostic, if_match: str | None) -> None:
    """Bump the revision; with If-Match, only if nobody wrote in between (412 otherwise)."""
    expected = expected_revision(diagnostic, if_match)
    if not await DiagnosticRepository(session).bump(diagnostic, expected):
        raise PreconditionFailed(
            "the diagnostic changed while your change was applied",
            detail_fr="le diagnostic a changé pendant que votre modification était appliquée",
            extensions={"current_etag": etag(diagnostic)},
        )
