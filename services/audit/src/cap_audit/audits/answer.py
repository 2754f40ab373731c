"""What an audit's answer (``GET /v1/audits/{id}``) reads, kept for the transaction (a step
reads it before its trail's entry, whose deferred INSERT then rides with the COMMIT), and the
sampling it shows."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditType, Scheme
from cap_audit.audits.schemas import SamplingPublic
from cap_audit.config import Settings, rules_for
from cap_audit.findings.repository import FindingRepository
from cap_audit.models import Assignment, Audit, Auditor, Finding, Programme
from cap_audit.programmes import rules as programme_rules
from cap_audit.programmes.repository import ProgrammeRepository


async def answer_rows(
    session: AsyncSession, audit: Audit
) -> tuple[Sequence[tuple[Assignment, Auditor]], dict[str, str], Sequence[Finding], Programme]:
    """What the audit's answer reads: its team, its structures' names, its deciding findings
    (its own and the minors of earlier audits its report escalated, as its report lists them:
    they count as its majors), its programme; each kept for the rest of the transaction."""
    repository = AuditRepository(session)
    team = await repository.team(audit.id)
    names = await repository.organisation_names([audit.organisation_id, *audit.site_ids])
    findings = await FindingRepository(session).deciding_findings(audit.id)
    programme = await ProgrammeRepository(session).get(audit.programme_id)
    assert programme is not None  # an audit belongs to its programme
    return team, names, findings, programme


def sampling(audit: Audit, programme: Programme, settings: Settings) -> SamplingPublic | None:
    """The sampling of a group's sites the audit's programme draws (None: one structure)."""
    central, members = programme_rules.sites(programme.organisation_id, programme.group_member_ids)
    if not members:
        return None
    drawn = programme_rules.sample(
        rules_for(settings, Scheme(audit.scheme)),
        AuditType(audit.type),
        central_function=central,
        members=members,
        seed=audit.id,
    )
    return SamplingPublic(
        sites=drawn.sites,
        size=drawn.size,
        sampled=drawn.sampled,
        factor=drawn.factor,
        central_function=drawn.central_function,
        random_site_ids=list(drawn.random_site_ids),
        required_site_ids=list(drawn.required_site_ids),
        rule=programme_rules.RULE_SAMPLING,
    )
