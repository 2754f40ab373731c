"""Applications for the CAP RSE label or the CAP ISO 9001 certification.

A structure (or a group: a central function and its members) applies when each of them has a
completed CAP diagnostic within the eligibility window (``LABELLING_ELIGIBILITY_WINDOW_MONTHS``,
24 by default), known from ``diagnostic.completed.v1``. The federation (admin or committee)
accepts or rejects it; acceptance publishes ``labelling.application.accepted.v1``, from which
the audit service opens the audit programme.
"""

from __future__ import annotations

import uuid
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import decisions, rules, visibility
from cap_labelling.models import Application, Organisation, tables
from cap_labelling.repository import DiagnosticRepository
from cap_labelling.rules import ApplicationStatus, ApplicationStep
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import ApplicationAcceptedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, NotFound, ProblemError
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: str = Field(
        max_length=36, description="The applicant (a group's central function)"
    )
    group_member_ids: list[str] = Field(default_factory=list, max_length=200)
    scheme: Literal["CAP_RSE", "CAP_ISO9001"]
    certification_body_id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$", max_length=60)
    motivation: str | None = Field(default=None, max_length=8000)


class ApplicationStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["accept", "reject", "withdraw"]
    reason: str | None = Field(default=None, max_length=2000)


class ApplicationOut(BaseModel):
    id: str
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    certification_body_id: str
    status: str
    eligibility: dict[str, object]
    motivation: str | None
    submitted_by: str
    decided_by: str | None
    reason: str | None


class UnknownMember(ProblemError):
    status, code, title = 422, "unknown-group-member", "Unknown group member"


def to_out(a: Application) -> ApplicationOut:
    return ApplicationOut(
        id=a.id,
        organisation_id=a.organisation_id,
        group_member_ids=a.group_member_ids,
        scheme=a.scheme,
        certification_body_id=a.certification_body_id,
        status=a.status,
        eligibility=a.eligibility,
        motivation=a.motivation,
        submitted_by=a.submitted_by,
        decided_by=a.decided_by,
        reason=a.reason,
    )


async def _org(session: AsyncSession, organisation_id: str) -> Organisation | None:
    return await session.get(Organisation, organisation_id)


async def submit(
    session: AsyncSession,
    principal: Principal,
    data: ApplicationIn,
    window_months: int,
    clock: Clock,
) -> Application:
    """Apply (the applicant's member_admin, or an admin), if every structure is eligible."""
    applicant = await _org(session, data.organisation_id)
    if applicant is None:
        raise NotFound("no such organisation")
    if not principal.has_role(
        Role.ADMIN
    ) and data.organisation_id not in principal.organisation_ids(Role.MEMBER_ADMIN):
        raise Forbidden("the applicant's member_admin applies")
    members = list(dict.fromkeys(data.group_member_ids))
    if data.organisation_id in members or len(members) != len(data.group_member_ids):
        raise UnknownMember("a group lists each member once, the central function apart")
    for i, member in enumerate(members):
        if await _org(session, member) is None:
            raise UnknownMember(
                f"group member {member} is not a registered structure",
                extensions={
                    "errors": [
                        {"field": f"body.group_member_ids.{i}", "message": "unknown structure"}
                    ]
                },
            )
    open_ones = (
        (
            await session.execute(
                sa.select(Application).where(
                    col(Application.organisation_id) == data.organisation_id,
                    col(Application.scheme) == data.scheme,
                    col(Application.status).in_(
                        [ApplicationStatus.SUBMITTED.value, ApplicationStatus.ACCEPTED.value]
                    ),
                )
            )
        )
        .scalars()
        .first()
    )
    if open_ones is not None:
        raise Conflict(
            f"an application for {data.scheme} is already {open_ones.status}",
            extensions={"application_id": open_ones.id},
        )
    today = clock.today()
    eligibility: dict[str, object] = {}
    missing = []
    repo = DiagnosticRepository(session)
    for organisation_id in [data.organisation_id, *members]:
        latest = await repo.latest_cap(organisation_id)
        if latest is None or not rules.eligible(latest.completed_at, today, window_months):
            missing.append(organisation_id)
        else:
            eligibility[organisation_id] = {
                "diagnostic_id": latest.diagnostic_id,
                "completed_at": latest.completed_at.isoformat(),
                "overall_score": latest.overall_score,
            }
    if missing:
        raise rules.NotEligible(
            f"no completed CAP diagnostic within {window_months} months for {len(missing)} structure(s)",
            extensions={"organisations": missing, "window_months": window_months},
        )
    application = Application(
        id=str(uuid.uuid4()),
        organisation_id=data.organisation_id,
        group_member_ids=members,
        scheme=data.scheme,
        certification_body_id=data.certification_body_id,
        status=ApplicationStatus.SUBMITTED.value,
        eligibility=eligibility,
        motivation=data.motivation,
        submitted_by=principal.subject,
    )
    session.add(application)
    await session.flush()
    return application


async def get(
    session: AsyncSession, principal: Principal, application_id: str, *, for_update: bool = False
) -> Application:
    application = await session.get(Application, application_id, with_for_update=for_update)
    if application is None or not visibility.visible(
        [application.organisation_id, *application.group_member_ids],
        await visibility.readable(session, principal),
    ):
        raise NotFound("no such application")
    return application


async def list_visible(session: AsyncSession, principal: Principal) -> list[Application]:
    readable = await visibility.readable(session, principal)
    query = sa.select(Application).order_by(col(Application.created_at).desc())
    return [
        a
        for a in (await session.execute(query)).scalars().all()
        if visibility.visible([a.organisation_id, *a.group_member_ids], readable)
    ]


async def step(
    session: AsyncSession,
    principal: Principal,
    application_id: str,
    data: ApplicationStepIn,
    clock: Clock,
) -> Application:
    """Accept or reject (admin, committee), or withdraw (the applicant's member_admin)."""
    application = await get(session, principal, application_id, for_update=True)
    application_step = ApplicationStep(data.step)
    if application_step is ApplicationStep.WITHDRAW:
        if not (
            principal.has_role(Role.ADMIN)
            or application.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)
        ):
            raise Forbidden("the applicant withdraws its application")
    elif not principal.has_role(Role.ADMIN, Role.COMMITTEE):
        raise Forbidden("the federation accepts or rejects applications")
    if application_step is ApplicationStep.REJECT and not (data.reason or "").strip():
        raise ProblemError(
            "a rejection says why",
            extensions={"errors": [{"field": "body.reason", "message": "required"}]},
        )
    target = rules.next_status(ApplicationStatus(application.status), application_step)
    now = clock.now()
    application.status = target.value
    application.decided_at, application.decided_by, application.reason = (
        now,
        principal.subject,
        data.reason,
    )
    await session.flush()
    if target is ApplicationStatus.ACCEPTED:
        await decisions.open_for_application(session, application)
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
