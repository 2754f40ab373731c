"""Planning an audit: its dates, plan, sites (IAF MD 1 sample) and team, each auditor of the
body, qualified, impartial, with a declaration recorded."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cap_audit import access
from cap_audit.audits import rules as audit_rules
from cap_audit.audits.repository import AuditRepository
from cap_audit.audits.rules import AuditStatus, AuditStep, AuditType, Scheme
from cap_audit.audits.schemas import AuditPlanUpdate
from cap_audit.audits.service import expect
from cap_audit.audits.trail import audit_state, record_audit
from cap_audit.bodies import rules as body_rules
from cap_audit.bodies.repository import BodyRepository
from cap_audit.config import SOURCE, Settings, rules_for
from cap_audit.impartiality import service as impartiality
from cap_audit.models import Assignment, Audit, Auditor, tables
from cap_audit.programmes import rules as programme_rules
from cap_audit.programmes.repository import ProgrammeRepository
from cap_shared.audit import record_change
from cap_shared.clock import Clock
from cap_shared.conditional import Precondition
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditPlannedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden, ProblemError
from cap_shared.security import Principal


class SampleNotCovered(ProblemError):
    """The audit plan's sites leave out the central function, a randomly drawn site, or fall
    short of the sample's size (IAF MD 1)."""

    status, code, title = 422, "sample-not-covered", "The plan does not cover the sample"
    title_fr = "Le plan ne couvre pas l'échantillon"


async def may_plan(
    session: AsyncSession, principal: Principal, audit: Audit, data: AuditPlanUpdate
) -> None:
    """The body or an administrator plans an audit; its lead auditor re-plans it (dates, plan,
    sites) once planned, with the team the body chose (same auditors in the same roles)."""
    try:
        access.require_body_or_admin(
            principal,
            audit,
            what="the certification body or an administrator plans an audit",
            what_fr="l'organisme certificateur ou un administrateur planifie un audit",
        )
        return
    except Forbidden:
        if audit.status != AuditStatus.PLANNED.value:
            raise
    await access.acts_for_body(session, principal, audit, lead=True)
    held = {(a.auditor_id, a.role) for a, _b in await AuditRepository(session).team(audit.id)}
    if not audit_rules.same_team(held, {(m.auditor_id, m.role) for m in data.team}):
        raise Forbidden(
            "the lead auditor re-plans the dates and the plan; the body chooses the team",
            detail_fr=(
                "l'auditeur responsable modifie les dates et le plan ; l'équipe est choisie "
                "par l'organisme certificateur"
            ),
        )


async def plan(
    session: AsyncSession,
    principal: Principal,
    *,
    audit_id: str,
    data: AuditPlanUpdate,
    settings: Settings,
    clock: Clock,
    precondition: Precondition | None = None,
) -> Audit:
    """Dates, team and plan: each auditor of the body, qualified for the scheme on those dates,
    impartial towards the organisation, with a declaration recorded. Through the API, on the
    audit as the caller read it (``precondition``: If-Match, required there)."""
    audit = await access.visible_audit(session, principal, audit_id, for_update=True)
    await may_plan(session, principal, audit, data)
    await expect(session, audit, settings=settings, today=clock.today(), precondition=precondition)
    target = audit_rules.next_audit_status(AuditStatus(audit.status), AuditStep.PLAN)
    repo = AuditRepository(session)
    scheme = Scheme(audit.scheme)
    parameters = rules_for(settings, scheme)
    programme = await ProgrammeRepository(session).get(audit.programme_id)
    assert programme is not None  # an audit belongs to its programme
    central, members = programme_rules.sites(programme.organisation_id, programme.group_member_ids)
    drawn = programme_rules.sample(
        parameters, AuditType(audit.type), central_function=central, members=members, seed=audit.id
    )
    gaps = programme_rules.plan_site_gaps(data.site_ids, drawn, members)
    if gaps:
        raise SampleNotCovered(
            "; ".join(g["message"] for g in gaps),
            detail_fr=" ; ".join(g["message_fr"] for g in gaps),
            extensions={
                "rule": programme_rules.RULE_SAMPLING,
                "errors": gaps,
                "required_site_ids": list(drawn.required_site_ids),
                "size": drawn.size,
            },
        )
    now = clock.now()
    checked: list[tuple[Auditor, str, str]] = []
    for i, member in enumerate(data.team):
        auditor = await BodyRepository(session).auditor(member.auditor_id)
        if (
            auditor is None
            or auditor.certification_body_id != audit.certification_body_id
            or not auditor.active
        ):
            raise body_rules.UnknownReference(
                f"team.{i}: no active auditor {member.auditor_id} of {audit.certification_body_id}",
                detail_fr=(
                    f"team.{i} : aucun auditeur actif {member.auditor_id} chez "
                    f"{audit.certification_body_id}"
                ),
                extensions={
                    "errors": [
                        {
                            "field": f"body.team.{i}.auditor_id",
                            "message": "not an auditor of this body",
                            "message_fr": "pas un auditeur de cet organisme",
                        }
                    ]
                },
            )
        if member.role != "observer" and not body_rules.qualified(
            auditor.qualifications, scheme, data.start_date, data.end_date
        ):
            raise body_rules.NotQualified(
                f"{auditor.name} holds no {scheme.value} qualification valid from {data.start_date} to {data.end_date}",
                detail_fr=(
                    f"{auditor.name} n'a aucune qualification {scheme.value} valable du "
                    f"{data.start_date} au {data.end_date}"
                ),
                extensions={"auditor_id": auditor.id},
            )
        await impartiality.check_cooling_off(
            session,
            auditor,
            organisation_ids=[central, *members],
            on=data.start_date,
            parameters=parameters,
            acting_as=f"audit ({member.role})",
        )
        if member.role == "lead":
            await impartiality.check_lead_cycles(
                session,
                auditor,
                programme_id=programme.id,
                cycle=audit.cycle,
                parameters=parameters,
            )
        checked.append((auditor, member.role, member.declaration))
    held_team = await _team_state(repo, audit.id)
    before = {**audit_state(audit), "team": held_team}
    replanned = audit.status == AuditStatus.PLANNED.value
    await repo.clear_team(audit.id)
    for auditor, role, declaration in checked:
        await repo.add(
            Assignment(
                audit_id=audit.id,
                auditor_id=auditor.id,
                role=role,
                declaration=declaration,
                declared_by=principal.subject,
                declared_at=now,
            )
        )
    audit.start_date, audit.end_date, audit.plan = data.start_date, data.end_date, data.plan
    audit.site_ids = list(dict.fromkeys(data.site_ids or [central]))
    audit.status = target.value
    await repo.add(audit)
    envelope = new_event(
        AuditPlannedV1(
            audit_id=audit.id,
            organisation_id=audit.organisation_id,
            scheme=audit.scheme,
            audit_type=audit.type,
            certification_body_id=audit.certification_body_id,
            start_date=data.start_date,
            end_date=data.end_date,
            auditor_ids=[a.id for a, _r, _d in checked],
            auditor_user_ids=sorted({a.user_id for a, _r, _d in checked if a.user_id}),
        ),
        source=SOURCE,
        subject=audit.id,
        actor=principal.subject,
    )
    await add_event(session, tables.outbox, envelope)
    await record_audit(
        session,
        audit,
        action="audit.replanned" if replanned else "audit.planned",
        before=before,
        after={**audit_state(audit), "team": [[a.id, r] for a, r, _d in checked]},
        event_id=envelope.id,
    )
    declared = {a: d for a, _r, d in held_team}
    for auditor, role, declaration in checked:
        # Each team member's impartiality declaration (ISO/IEC 17021-1 §5.2): recorded when
        # given, and again when a re-plan changes it.
        if declared.get(auditor.id) == declaration:
            continue
        await record_change(
            session,
            tables.audit_log,
            action="impartiality_declaration.recorded",
            record_type="impartiality_declaration",
            record_id=f"{audit.id}:{auditor.id}",
            before=None if auditor.id not in declared else {"declaration": declared[auditor.id]},
            after={
                "audit_id": audit.id,
                "auditor_id": auditor.id,
                "auditor_user_id": auditor.user_id,
                "role": role,
                "declaration": declaration,
                "declared_by": principal.subject,
            },
            on_behalf_of=audit.certification_body_id,
            event_id=envelope.id,
        )
    return audit


async def _team_state(repo: AuditRepository, audit_id: str) -> list[list[str]]:
    """The audit's team as the audit trail keeps it: [auditor id, role, declaration]."""
    return [[a.auditor_id, a.role, a.declaration] for a, _b in await repo.team(audit_id)]
