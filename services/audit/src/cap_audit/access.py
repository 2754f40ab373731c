"""Who sees and acts on which programme, audit and finding: the caller's scope.

* admin: everything but the certification decision;
* a certification body's system (client token, its body): the audits of its body — accept, plan,
  start, findings, report, review answers, its certification decision on a CAP ISO 9001 file
  (``audits:write``; the platform records the decision, never makes it), read (``audits:read``);
* an auditor (person): the audits they are assigned to — the lead starts, submits and closes;
  any team member records findings and reviews answers;
* the organisation's members: read their audits, answer nonconformities;
* facilitators of the region and the committee: read.

Anyone else gets 404, so the existence of another organisation's audit is not revealed.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.audits.repository import AuditRepository, Reach
from cap_audit.findings.repository import FindingRepository
from cap_audit.models import Audit, Finding, Organisation
from cap_shared.problems import Forbidden, NotFound
from cap_shared.readmodel import ReadModelRepository
from cap_shared.security import Principal, Role, Scope


def is_body(principal: Principal, body_id: str, scope: Scope | None = None) -> bool:
    """A body's system (client token) acting for ``body_id``."""
    if principal.kind != "client" or body_id not in principal.certification_body_ids():
        return False
    return scope is None or scope.value in principal.scopes


async def reads_organisation(
    session: AsyncSession, principal: Principal, organisation_id: str
) -> bool:
    """Whether the caller reads the structure's audits (its members, its region, the
    federation)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return True
    organisation = await ReadModelRepository(session, Organisation).get(organisation_id)
    return organisation is not None and principal.may_see_organisation(
        organisation.id, organisation.region
    )


async def readable_organisation_ids(session: AsyncSession, principal: Principal) -> set[str] | None:
    """Organisations whose audits the caller reads (None: all), in one query."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    return set(
        await AuditRepository(session).visible_organisation_ids(
            sorted(principal.organisation_ids()), sorted(principal.regions())
        )
    )


_UNREAD: set[str] = set()


async def reach(
    session: AsyncSession,
    principal: Principal,
    *,
    assigned: bool,
    readable: set[str] | None = _UNREAD,
) -> Reach | None:
    """The rows the caller sees (None: all): of the structures it reads, of its body (a body's
    system), and with ``assigned`` the audits of its teams (an auditor). ``readable``: what
    :func:`readable_organisation_ids` answered, when the caller already asked."""
    if readable is _UNREAD:
        readable = await readable_organisation_ids(session, principal)
    if readable is None:
        return None
    bodies = sorted(principal.certification_body_ids()) if principal.kind == "client" else None
    audits = None
    if assigned and principal.has_role(Role.AUDITOR) and principal.user_id:
        audits = await AuditRepository(session).audits_assigned_to(principal.user_id)
    return Reach(organisation_ids=sorted(readable), body_ids=bodies, audit_ids=audits)


async def team_user_ids(session: AsyncSession, audit_id: str) -> dict[str, str]:
    """Assigned auditors' user ids -> their role."""
    return {
        auditor.user_id: assignment.role
        for assignment, auditor in await AuditRepository(session).team(audit_id)
        if auditor.user_id
    }


async def visible_audit(
    session: AsyncSession, principal: Principal, audit_id: str, *, for_update: bool = False
) -> Audit:
    """The audit if the caller may see it, else 404 (its existence is not revealed)."""
    audit = await AuditRepository(session).get(audit_id, for_update=for_update)
    if audit is None:
        raise NotFound("no such audit", detail_fr="audit introuvable")
    if principal.has_role(Role.AUDITOR) and principal.user_id in await team_user_ids(
        session, audit.id
    ):
        return audit
    if is_body(principal, audit.certification_body_id) or await reads_organisation(
        session, principal, audit.organisation_id
    ):
        return audit
    raise NotFound("no such audit", detail_fr="audit introuvable")


async def visible_finding(
    session: AsyncSession, principal: Principal, finding_id: str, *, for_update: bool = False
) -> tuple[Finding, Audit]:
    """The finding and its audit if the caller may see the audit, else 404."""
    finding = await FindingRepository(session).get(finding_id, for_update=for_update)
    if finding is None:
        raise NotFound("no such finding", detail_fr="constat introuvable")
    try:
        audit = await visible_audit(session, principal, finding.audit_id)
    except NotFound:
        raise NotFound("no such finding", detail_fr="constat introuvable") from None
    return finding, audit


def require_body_or_admin(principal: Principal, audit: Audit, *, what: str, what_fr: str) -> None:
    """403 unless an administrator or the body's system with ``audits:write``."""
    if not (
        principal.has_role(Role.ADMIN)
        or is_body(principal, audit.certification_body_id, Scope.AUDITS_WRITE)
    ):
        raise Forbidden(what, detail_fr=what_fr)


async def acts_for_body(
    session: AsyncSession, principal: Principal, audit: Audit, *, lead: bool = False
) -> None:
    """Admin, the body's system with audits:write, or an assigned auditor (the lead if ``lead``)."""
    if principal.has_role(Role.ADMIN) or is_body(
        principal, audit.certification_body_id, Scope.AUDITS_WRITE
    ):
        return
    team = await team_user_ids(session, audit.id)
    role = team.get(principal.user_id or "")
    if (
        principal.has_role(Role.AUDITOR)
        and role is not None
        and (not lead or role == "lead")
        and role != "observer"
    ):
        return
    raise Forbidden(
        "only the certification body, the audit's auditors or an administrator may do this",
        detail_fr=(
            "seuls l'organisme certificateur, les auditeurs de l'audit ou un "
            "administrateur peuvent le faire"
        ),
    )
