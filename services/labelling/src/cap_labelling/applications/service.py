"""Applications for the CAP RSE label or the CAP ISO 9001 certification.

A structure (or a group: a central function and its members) applies when each of them has a
completed CAP diagnostic within the eligibility window (``LABELLING_ELIGIBILITY_WINDOW_MONTHS``,
24 by default), known from ``diagnostic.completed.v1``. A group's named members are *invited*
(:mod:`cap_labelling.group_invitations`): each joins when its own member_admin accepts, and its
eligibility is checked then; the application waits ``awaiting_consent`` until every invitation
is answered. The federation (admin or committee) accepts or rejects a submitted application;
acceptance publishes ``labelling.application.accepted.v1``, from which the audit service opens
the audit programme.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import visibility
from cap_labelling.applications import rules
from cap_labelling.applications.repository import ApplicationRepository
from cap_labelling.applications.rules import ApplicationStatus, ApplicationStep
from cap_labelling.applications.schemas import (
    ApplicationCreate,
    ApplicationPublic,
    ApplicationTransition,
)
from cap_labelling.decisions import service as decisions
from cap_labelling.group_invitations import service as group_invitations
from cap_labelling.models import Application, GroupInvitation, tables
from cap_labelling.repository import DiagnosticRepository, StructureRepository
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import ApplicationAcceptedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


class UnknownMember(ProblemError):
    """Unknown group member."""

    status, code, title = 422, "unknown-group-member", "Unknown group member"
    title_fr = "Membre du groupement inconnu"


def to_public(
    a: Application, *, readable: set[str] | None, invitations: list[GroupInvitation]
) -> ApplicationPublic:
    """An application as a caller reading the structures ``readable`` (None: all) sees it."""
    sees_applicant = readable is None or a.organisation_id in readable
    return ApplicationPublic(
        id=a.id,
        organisation_id=a.organisation_id,
        group_member_ids=a.group_member_ids,
        scheme=a.scheme,
        certification_body_id=a.certification_body_id,
        status=a.status,
        eligibility={k: v for k, v in a.eligibility.items() if readable is None or k in readable},
        motivation=a.motivation,
        submitted_by=a.submitted_by,
        decided_by=a.decided_by,
        reason=a.reason,
        invitations=[group_invitations.member_out(i) for i in invitations]
        if sees_applicant
        else [],
    )


async def out(
    session: AsyncSession,
    principal: Principal,
    *,
    applications: list[Application],
    uninvited: bool = False,
) -> list[ApplicationPublic]:
    """Applications as the caller sees them (``uninvited``: the caller knows they have no
    group invitation, none is read: a lifted row scope and a query saved)."""
    readable = await visibility.readable(session, principal)
    invitations: dict[str, list[GroupInvitation]] = (
        {a.id: [] for a in applications}
        if uninvited
        else await group_invitations.of_applications(
            session, application_ids=[a.id for a in applications]
        )
    )
    return [to_public(a, readable=readable, invitations=invitations[a.id]) for a in applications]


async def submit(
    session: AsyncSession,
    principal: Principal,
    *,
    data: ApplicationCreate,
    window_months: int,
    clock: Clock,
) -> Application:
    """Apply (the applicant's member_admin, or an admin), if the applicant is eligible; a
    group's named members are invited (nothing of them is read or shown here)."""
    structures, repository = StructureRepository(session), ApplicationRepository(session)
    applicant = await structures.get(data.organisation_id)
    if applicant is None:
        raise NotFound("no such organisation", detail_fr="structure introuvable")
    if not principal.has_role(
        Role.ADMIN
    ) and data.organisation_id not in principal.organisation_ids(Role.MEMBER_ADMIN):
        raise Forbidden(
            "the applicant's member_admin applies",
            detail_fr="c'est le member_admin de la structure candidate qui dépose la candidature",
        )
    members = list(dict.fromkeys(data.group_member_ids))
    if data.organisation_id in members or len(members) != len(data.group_member_ids):
        raise UnknownMember(
            "a group lists each member once, the central function apart",
            detail_fr="un groupement liste chaque membre une seule fois, hors fonction centrale",
        )
    for i, member in enumerate(members):
        if await structures.get(member) is None:
            raise UnknownMember(
                f"group member {member} is not a registered structure",
                detail_fr=f"le membre du groupement {member} n'est pas une structure enregistrée",
                extensions={
                    "errors": [
                        {
                            "field": f"body.group_member_ids.{i}",
                            "message": "unknown structure",
                            "message_fr": "structure inconnue",
                        }
                    ]
                },
            )
    open_ones = await repository.open_one(data.organisation_id, scheme=data.scheme)
    if open_ones is not None:
        raise Conflict(
            f"an application for {data.scheme} is already {open_ones.status}",
            detail_fr=f"une candidature {data.scheme} est déjà à l'état « {open_ones.status} »",
            extensions={"application_id": open_ones.id},
        )
    # Only the applicant's own eligibility: a member's is checked when it accepts (telling the
    # applicant whether another structure has a recent diagnostic would already be a leak).
    latest = await DiagnosticRepository(session).latest_cap(data.organisation_id)
    if latest is None or not rules.eligible(latest.completed_at, clock.today(), window_months):
        raise rules.NotEligible(
            f"no completed CAP diagnostic within {window_months} months for the applicant",
            detail_fr=(
                f"aucun diagnostic CAP terminé depuis moins de {window_months} mois "
                "pour la structure candidate"
            ),
            extensions={"organisations": [data.organisation_id], "window_months": window_months},
        )
    application = Application(
        id=str(uuid.uuid4()),
        organisation_id=data.organisation_id,
        group_member_ids=[],
        scheme=data.scheme,
        certification_body_id=data.certification_body_id,
        status=(
            ApplicationStatus.AWAITING_CONSENT if members else ApplicationStatus.SUBMITTED
        ).value,
        eligibility={
            data.organisation_id: {
                "diagnostic_id": latest.diagnostic_id,
                "completed_at": latest.completed_at.isoformat(),
                "overall_score": latest.overall_score,
            }
        },
        motivation=data.motivation,
        submitted_by=principal.subject,
    )
    await repository.add(application)
    if members:
        await group_invitations.invite(
            session,
            application=application,
            applicant=applicant,
            member_ids=members,
            actor=principal.subject,
            now=clock.now(),
        )
    return application


async def get(
    session: AsyncSession, principal: Principal, *, application_id: str, for_update: bool = False
) -> Application:
    """An application of a structure the caller reads (applicant or consenting member), or 404."""
    application = await ApplicationRepository(session).get(application_id, for_update=for_update)
    if application is None or not visibility.visible(
        [application.organisation_id, *application.group_member_ids],
        await visibility.readable(session, principal),
    ):
        raise NotFound("no such application", detail_fr="candidature introuvable")
    return application


async def page_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    scheme: str | None,
    organisation_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Application], str | None]:
    """A page of the applications of the structures the caller reads, newest first."""
    return await ApplicationRepository(session).page(
        readable=await visibility.readable(session, principal),
        status=status,
        scheme=scheme,
        organisation_id=organisation_id,
        cursor=cursor,
        limit=limit,
    )


async def step(
    session: AsyncSession,
    principal: Principal,
    *,
    application_id: str,
    data: ApplicationTransition,
    clock: Clock,
) -> Application:
    """Accept or reject (admin, committee), or withdraw (the applicant's member_admin)."""
    application = await get(session, principal, application_id=application_id, for_update=True)
    application_step = ApplicationStep(data.step)
    if application_step is ApplicationStep.WITHDRAW:
        if not (
            principal.has_role(Role.ADMIN)
            or application.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)
        ):
            raise Forbidden(
                "the applicant withdraws its application",
                detail_fr="c'est la structure candidate qui retire sa candidature",
            )
    elif not principal.has_role(Role.ADMIN, Role.COMMITTEE):
        raise Forbidden(
            "the federation accepts or rejects applications",
            detail_fr="la fédération accepte ou rejette les candidatures",
        )
    if application_step is ApplicationStep.REJECT and not (data.reason or "").strip():
        raise ProblemError(
            "a rejection says why",
            detail_fr="un rejet indique son motif",
            extensions={
                "errors": [
                    {"field": "body.reason", "message": "required", "message_fr": "obligatoire"}
                ]
            },
        )
    target = rules.next_status(ApplicationStatus(application.status), application_step)
    now = clock.now()
    if target is ApplicationStatus.WITHDRAWN:
        await group_invitations.cancel_pending(session, application_id=application.id, now=now)
    application.status = target.value
    application.decided_at, application.decided_by, application.reason = (
        now,
        principal.subject,
        data.reason,
    )
    await ApplicationRepository(session).flush()
    if target is ApplicationStatus.ACCEPTED:
        await decisions.open_for_application(session, application)
        # The answer's read of the invitations now, before the event's row: the row is
        # deferred to the transaction's next statement; last, it goes with the COMMIT instead
        # of taking a round trip of its own (the read is kept for the answer).
        await group_invitations.of_applications(session, application_ids=[application.id])
        await add_event(
            session,
            tables.outbox,
            new_event(
                ApplicationAcceptedV1(
                    application_id=application.id,
                    organisation_id=application.organisation_id,
                    group_member_ids=application.group_member_ids,
                    scheme=application.scheme,
                    certification_body_id=application.certification_body_id,
                    accepted_at=now,
                ),
                source=SOURCE,
                subject=application.id,
                actor=principal.subject,
            ),
        )
    return application
