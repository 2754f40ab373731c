"""Consent of the structures named in a group application.

Naming a structure as a member of a group application invites it: the invited structure's
member_admin accepts or declines (``labelling.group_invitation.sent.v1`` tells it). Until it
accepts, the applicant learns nothing of it — not its diagnostic, not whether it is eligible —
and it is not part of the group: not in the application's ``group_member_ids``, hence not in the
decision file, the audit programme nor the recognition. Its eligibility is checked when it
accepts, and shown to its own people and the federation only. A declined invitation leaves it
out; the application goes to the federation (``submitted``) once no invitation is pending.

An invitation is the handshake of two structures: the applicant writes and follows it, the
invited structure reads the application it names and, accepting, joins it. These steps read and
write the other structure's rows past the database's row scope (``across_organisations``); who
may take them, and what each side sees of the other, is decided here.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import rules
from cap_labelling.models import Application, GroupInvitation, Organisation, tables
from cap_labelling.repository import DiagnosticRepository
from cap_labelling.rules import ApplicationStatus, InvalidTransition, InvitationStatus
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import GroupInvitationSentV1
from cap_shared.db.rowsecurity import across_organisations
from cap_shared.outbox import add_event
from cap_shared.pagination import Keyset, key
from cap_shared.problems import Forbidden, NotFound
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


class GroupInvitationOut(BaseModel):
    """An invitation as the invited structure (and the federation) reads it."""

    id: str
    application_id: str
    organisation_id: str
    applicant_organisation_id: str
    applicant_name: str | None
    scheme: str
    certification_body_id: str
    motivation: str | None
    status: str
    invited_at: datetime
    answered_at: datetime | None


class GroupMemberOut(BaseModel):
    """A named member's answer, as the applicant reads it on its application."""

    invitation_id: str
    organisation_id: str
    status: str
    invited_at: datetime
    answered_at: datetime | None


def member_out(invitation: GroupInvitation) -> GroupMemberOut:
    """The answer of one named member (no person, no data of the member)."""
    return GroupMemberOut(
        invitation_id=invitation.id,
        organisation_id=invitation.organisation_id,
        status=invitation.status,
        invited_at=invitation.invited_at,
        answered_at=invitation.answered_at,
    )


async def invite(
    session: AsyncSession,
    *,
    application: Application,
    applicant: Organisation,
    member_ids: list[str],
    actor: str,
    now: datetime,
) -> list[GroupInvitation]:
    """Invite each named member (one event each, addressed to the member)."""
    invitations = []
    for member in member_ids:
        invitation = GroupInvitation(
            id=str(uuid.uuid4()),
            application_id=application.id,
            organisation_id=member,
            status=InvitationStatus.PENDING.value,
            invited_by=actor,
            invited_at=now,
        )
        session.add(invitation)
        invitations.append(invitation)
    async with across_organisations(session):  # rows of the invited structures
        await session.flush()
    for invitation in invitations:
        await add_event(
            session,
            tables.outbox,
            new_event(
                GroupInvitationSentV1(
                    invitation_id=invitation.id,
                    application_id=application.id,
                    organisation_id=invitation.organisation_id,
                    applicant_organisation_id=applicant.id,
                    applicant_name=applicant.name,
                    scheme=rules.Scheme(application.scheme).value,
                    certification_body_id=application.certification_body_id,
                    invited_at=now,
                ),
                source=SOURCE,
                subject=invitation.id,
                actor=actor,
            ),
        )
    return invitations


async def of_application(session: AsyncSession, *, application_id: str) -> list[GroupInvitation]:
    """The invitations of one application (by date, then structure)."""
    query = (
        sa.select(GroupInvitation)
        .where(col(GroupInvitation.application_id) == application_id)
        .order_by(col(GroupInvitation.invited_at), col(GroupInvitation.organisation_id))
    )
    async with across_organisations(session):  # the applicant follows the invited's answers
        return list((await session.execute(query)).scalars().all())


async def of_applications(
    session: AsyncSession, *, application_ids: list[str]
) -> dict[str, list[GroupInvitation]]:
    """The invitations of several applications, by application."""
    found: dict[str, list[GroupInvitation]] = {a: [] for a in application_ids}
    if not application_ids:
        return found
    query = (
        sa.select(GroupInvitation)
        .where(col(GroupInvitation.application_id).in_(application_ids))
        .order_by(col(GroupInvitation.invited_at), col(GroupInvitation.organisation_id))
    )
    async with across_organisations(session):  # the applicant follows the invited's answers
        for invitation in (await session.execute(query)).scalars():
            found[invitation.application_id].append(invitation)
    return found


async def cancel_pending(session: AsyncSession, *, application_id: str, now: datetime) -> None:
    """The application was withdrawn: the invitations not answered yet lapse."""
    for invitation in await of_application(session, application_id=application_id):
        if invitation.status == InvitationStatus.PENDING:
            invitation.status, invitation.answered_at = InvitationStatus.CANCELLED.value, now
    async with across_organisations(session):  # rows of the invited structures
        await session.flush()


def _invited_structures(principal: Principal) -> set[str] | None:
    """Structures whose invitations the caller reads (None: all)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    return set(principal.organisation_ids(Role.MEMBER, Role.MEMBER_ADMIN))


async def to_out(session: AsyncSession, invitation: GroupInvitation) -> GroupInvitationOut:
    """An invitation with what the invited structure needs to decide."""
    async with across_organisations(session):  # the applicant's, not yet the invited's
        application = await session.get(Application, invitation.application_id)
    assert application is not None  # a foreign key
    applicant = await session.get(Organisation, application.organisation_id)
    return GroupInvitationOut(
        id=invitation.id,
        application_id=application.id,
        organisation_id=invitation.organisation_id,
        applicant_organisation_id=application.organisation_id,
        applicant_name=applicant.name if applicant else None,
        scheme=application.scheme,
        certification_body_id=application.certification_body_id,
        motivation=application.motivation,
        status=invitation.status,
        invited_at=invitation.invited_at,
        answered_at=invitation.answered_at,
    )


#: Newest first (invited_at, id descending).
KEYS = Keyset(
    "group-invitations",
    key(col(GroupInvitation.invited_at), datetime, descending=True),
    key(col(GroupInvitation.id), str, descending=True),
)


async def page_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[GroupInvitation], str | None]:
    """Invitations to the caller's structures (the federation: all), newest first."""
    readable = _invited_structures(principal)
    query = sa.select(GroupInvitation)
    if readable is not None:
        query = query.where(col(GroupInvitation.organisation_id).in_(sorted(readable)))
    if status:
        query = query.where(col(GroupInvitation.status) == status)
    return await KEYS.fetch(session, query, cursor=cursor, limit=limit)


async def get(
    session: AsyncSession, principal: Principal, invitation_id: str, *, for_update: bool = False
) -> GroupInvitation:
    """An invitation to one of the caller's structures, or 404 (the applicant follows the
    answers on its application)."""
    invitation = await session.get(GroupInvitation, invitation_id, with_for_update=for_update)
    readable = _invited_structures(principal)
    if invitation is None or (readable is not None and invitation.organisation_id not in readable):
        raise NotFound("no such group invitation", detail_fr="invitation au groupement introuvable")
    return invitation


async def answer(
    session: AsyncSession,
    principal: Principal,
    invitation_id: str,
    *,
    accept: bool,
    window_months: int,
    clock: Clock,
) -> GroupInvitation:
    """The invited structure's member_admin (or an admin) accepts — if the structure is
    eligible — or declines; the application goes to the federation once none is pending (the
    applicant follows the answers on its application)."""
    invitation = await get(session, principal, invitation_id)
    if not (
        principal.has_role(Role.ADMIN)
        or invitation.organisation_id in principal.organisation_ids(Role.MEMBER_ADMIN)
    ):
        raise Forbidden(
            "the invited structure's member_admin answers",
            detail_fr="c'est le member_admin de la structure invitée qui répond",
        )
    # The applicant's application, which the invited structure joins: past the row scope.
    async with across_organisations(session):
        # The application first, then the invitation: answers of one group are serialised.
        application = await session.get(
            Application, invitation.application_id, with_for_update=True
        )
        assert application is not None  # a foreign key
        await session.refresh(invitation, with_for_update=True)
        if invitation.status != InvitationStatus.PENDING:
            raise InvalidTransition(
                f"this invitation is already {invitation.status}",
                detail_fr=f"cette invitation est déjà à l'état « {invitation.status} »",
                extensions={"status": invitation.status},
            )
        now = clock.now()
        member = invitation.organisation_id
        if accept:
            latest = await DiagnosticRepository(session).latest_cap(member)
            if latest is None or not rules.eligible(
                latest.completed_at, clock.today(), window_months
            ):
                raise rules.NotEligible(
                    f"no completed CAP diagnostic within {window_months} months: complete one, "
                    "then accept the invitation",
                    detail_fr=(
                        f"aucun diagnostic CAP terminé depuis moins de {window_months} mois "
                        ": terminez-en un, puis acceptez l'invitation"
                    ),
                    extensions={"organisations": [member], "window_months": window_months},
                )
            application.group_member_ids = [*application.group_member_ids, member]
            application.eligibility = {
                **application.eligibility,
                member: {
                    "diagnostic_id": latest.diagnostic_id,
                    "completed_at": latest.completed_at.isoformat(),
                    "overall_score": latest.overall_score,
                },
            }
        invitation.status = (
            InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        ).value
        invitation.answered_by, invitation.answered_at = principal.subject, now
        await session.flush()
        pending = [
            i
            for i in await of_application(session, application_id=application.id)
            if i.status == InvitationStatus.PENDING
        ]
        if not pending:
            application.status = ApplicationStatus.SUBMITTED.value
        await session.flush()
    return invitation
