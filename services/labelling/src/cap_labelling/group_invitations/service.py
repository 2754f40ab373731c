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

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling.applications import rules
from cap_labelling.applications.rules import ApplicationStatus, InvitationStatus
from cap_labelling.group_invitations.repository import GroupInvitationRepository
from cap_labelling.group_invitations.schemas import GroupInvitationPublic, GroupMemberPublic
from cap_labelling.models import Application, GroupInvitation, Organisation, tables
from cap_labelling.repository import DiagnosticRepository, StructureRepository
from cap_labelling.rules import InvalidTransition, Scheme
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import GroupInvitationSentV1
from cap_shared.db.memo import TransactionMemo
from cap_shared.db.rowsecurity import across_organisations
from cap_shared.outbox import add_event
from cap_shared.problems import Forbidden, NotFound
from cap_shared.security import Principal, Role

SOURCE = "/cap/labelling"


def member_out(invitation: GroupInvitation) -> GroupMemberPublic:
    """The answer of one named member (no person, no data of the member)."""
    return GroupMemberPublic(
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
        invitations.append(invitation)
    repository = GroupInvitationRepository(session)
    await repository.add(*invitations)
    async with across_organisations(session):  # rows of the invited structures
        await repository.flush()
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
                    scheme=Scheme(application.scheme).value,
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
    async with across_organisations(session):  # the applicant follows the invited's answers
        return await GroupInvitationRepository(session).of_applications([application_id])


async def of_applications(
    session: AsyncSession, *, application_ids: list[str]
) -> dict[str, list[GroupInvitation]]:
    """The invitations of several applications, by application (read once per transaction
    until an invitation is written)."""
    memo = _INVITATIONS.known(session)
    if all(a in memo for a in application_ids):
        return {a: list(memo[a]) for a in application_ids}
    found: dict[str, list[GroupInvitation]] = {a: [] for a in application_ids}
    if not application_ids:
        return found
    async with across_organisations(session):  # the applicant follows the invited's answers
        for invitation in await GroupInvitationRepository(session).of_applications(application_ids):
            found[invitation.application_id].append(invitation)
    for application_id, invitations in found.items():
        _INVITATIONS.put(session, application_id, list(invitations))
    return found


#: The invitations of applications read in this transaction (by application id), read again
#: once an invitation is written.
_INVITATIONS: TransactionMemo[str, list[GroupInvitation]] = TransactionMemo(
    "cap_labelling_invitations", written_by=(GroupInvitation,)
)


async def cancel_pending(session: AsyncSession, *, application_id: str, now: datetime) -> None:
    """The application was withdrawn: the invitations not answered yet lapse."""
    for invitation in await of_application(session, application_id=application_id):
        if invitation.status == InvitationStatus.PENDING:
            invitation.status, invitation.answered_at = InvitationStatus.CANCELLED.value, now
    async with across_organisations(session):  # rows of the invited structures
        await GroupInvitationRepository(session).flush()


def _invited_structures(principal: Principal) -> set[str] | None:
    """Structures whose invitations the caller reads (None: all)."""
    if principal.has_role(Role.ADMIN, Role.COMMITTEE):
        return None
    return set(principal.organisation_ids(Role.MEMBER, Role.MEMBER_ADMIN))


async def to_public(session: AsyncSession, invitation: GroupInvitation) -> GroupInvitationPublic:
    """An invitation with what the invited structure needs to decide."""
    async with across_organisations(session):  # the applicant's, not yet the invited's
        application = await GroupInvitationRepository(session).application(
            invitation.application_id
        )
    assert application is not None  # a foreign key
    applicant = await StructureRepository(session).get(application.organisation_id)
    return GroupInvitationPublic(
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


async def page_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[GroupInvitation], str | None]:
    """Invitations to the caller's structures (the federation: all), newest first."""
    return await GroupInvitationRepository(session).page(
        organisation_ids=_invited_structures(principal), status=status, cursor=cursor, limit=limit
    )


async def get(
    session: AsyncSession, principal: Principal, *, invitation_id: str, for_update: bool = False
) -> GroupInvitation:
    """An invitation to one of the caller's structures, or 404 (the applicant follows the
    answers on its application)."""
    invitation = await GroupInvitationRepository(session).get(invitation_id, for_update=for_update)
    readable = _invited_structures(principal)
    if invitation is None or (readable is not None and invitation.organisation_id not in readable):
        raise NotFound("no such group invitation", detail_fr="invitation au groupement introuvable")
    return invitation


async def answer(
    session: AsyncSession,
    principal: Principal,
    *,
    invitation_id: str,
    accept: bool,
    window_months: int,
    clock: Clock,
) -> GroupInvitation:
    """The invited structure's member_admin (or an admin) accepts — if the structure is
    eligible — or declines; the application goes to the federation once none is pending (the
    applicant follows the answers on its application)."""
    invitation = await get(session, principal, invitation_id=invitation_id)
    repository = GroupInvitationRepository(session)
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
        application = await repository.application(invitation.application_id, for_update=True)
        assert application is not None  # a foreign key
        await repository.lock(invitation)
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
        await repository.flush()
        pending = [
            i
            for i in await of_application(session, application_id=application.id)
            if i.status == InvitationStatus.PENDING
        ]
        if not pending:
            application.status = ApplicationStatus.SUBMITTED.value
        await repository.flush()
    return invitation
