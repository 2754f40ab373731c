"""Recognitions: CAP RSE labels and CAP ISO 9001 certificates, their lifecycle and history.

Every status change goes through :func:`change_status`, which writes the history row and
publishes ``recognition.status_changed.v1`` (full state) in the same transaction. Changes are
made by decisions (grant, renewal), by the calendar (:func:`apply_calendar`: expiry, withdrawal
after the suspension period, suspension for a missed surveillance), by audit events (a major
nonconformity past its deadline suspends; its verified closure, or the surveillance report,
restores) and by the committee (suspend, restore, withdraw with a reason).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules, visibility
from cap_labelling.models import Recognition, RecognitionChange, tables
from cap_labelling.recognitions import trail
from cap_labelling.recognitions.codes import PREFIX, new_verification_code
from cap_labelling.recognitions.repository import RecognitionRepository
from cap_labelling.recognitions.schemas import (
    ChangePublic,
    RecognitionPublic,
    RecognitionTransition,
    ScopeReduction,
)
from cap_labelling.rules import Cycle, LifecycleRules, RecognitionStatus, RecognitionStep, Scheme
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import RecognitionStatusChangedV1
from cap_shared.outbox import add_event
from cap_shared.problems import Conflict, Forbidden, InvalidInput, NotFound
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted

SOURCE = "/cap/labelling"


class PastExpiry(Conflict):
    """Past its expiry date."""

    code, title = "past-expiry", "Past its expiry date"
    title_fr = "Date d'échéance dépassée"


# numbers and codes ----------------------------------------------------------------------------
async def next_number(session: AsyncSession, scheme: Scheme, *, year: int) -> str:
    """``CAPRSE-2026-0001``: gapless per scheme and year (the counter row is locked)."""
    prefix = PREFIX[scheme]
    last = await RecognitionRepository(session).next_number(prefix, year=year)
    return f"{prefix}-{year}-{last:04d}"


# changes ----------------------------------------------------------------------------------------
def state_of(recognition: Recognition) -> rules.RecognitionState:
    """The recognition as the lifecycle rules read it."""
    return rules.RecognitionState(
        scheme=Scheme(recognition.scheme),
        status=RecognitionStatus(recognition.status),
        cycle_start=recognition.cycle_start,
        expiry_date=recognition.expiry_date,
        suspended_on=recognition.suspended_on,
        surveillances_done=recognition.surveillances_done,
    )


def next_surveillance_due(recognition: Recognition, lifecycle: LifecycleRules) -> date | None:
    """The next surveillance (follow-up) due in the recognition's cycle, if it is in force."""
    if recognition.status not in (RecognitionStatus.ACTIVE, RecognitionStatus.SUSPENDED):
        return None
    return rules.next_surveillance(
        Scheme(recognition.scheme),
        recognition.cycle_start,
        recognition.surveillances_done,
        lifecycle,
    )


async def _publish(
    session: AsyncSession,
    recognition: Recognition,
    previous: str | None,
    now: datetime,
    reason: str | None,
    actor: str,
) -> str:
    """``recognition.status_changed.v1``, with the recognition's full state; its id."""
    event = RecognitionStatusChangedV1(
        recognition_id=recognition.id,
        number=recognition.number,
        organisation_id=recognition.organisation_id,
        scheme=recognition.scheme,
        level=recognition.level,
        status=recognition.status,
        previous_status=previous,
        effective_date=recognition.effective_date,
        expiry_date=recognition.expiry_date,
        changed_at=now,
        reason=reason,
        decided_on=recognition.decided_on,
        cycle_start=recognition.cycle_start,
        scope=recognition.scope,
    )
    envelope = await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=recognition.id, actor=actor),
        versioned=True,
    )
    return envelope.id


async def _record(
    session: AsyncSession,
    recognition: Recognition,
    previous: str | None,
    now: datetime,
    on: date,
    reason_code: str,
    note: str | None,
    actor: str,
    before: dict[str, object] | None = None,
) -> None:
    """The history row of the recognition's (new) status, then its event and its entry in the
    audit trail (``before``: the recognition before the change, None when it is new)."""
    repository = RecognitionRepository(session)
    await repository.add(
        RecognitionChange(
            id=str(uuid.uuid4()),
            recognition_id=recognition.id,
            at=now,
            on=on,
            from_status=previous,
            to_status=recognition.status,
            reason_code=reason_code,
            note=note,
            actor=actor,
        )
    )
    await repository.flush()
    event_id = await _publish(session, recognition, previous, now, reason_code, actor)
    await trail.record(
        session, recognition, previous, reason_code, note, before=before, event_id=event_id
    )


async def change_status(
    session: AsyncSession,
    recognition: Recognition,
    *,
    target: RecognitionStatus,
    reason_code: str,
    note: str | None,
    actor: str,
    now: datetime,
    cause: str | None = None,
    before: dict[str, object] | None = None,
) -> None:
    """Move ``recognition`` to ``target``: history row, event and audit trail entry, in the
    caller's transaction (``before``: its state before the change, when the caller changed it
    already)."""
    if before is None:
        before = trail.recognition_state(recognition)
    previous = recognition.status
    recognition.status = target.value
    if target is RecognitionStatus.SUSPENDED:
        recognition.suspended_on, recognition.suspension_cause = now.date(), cause or reason_code
    elif target is RecognitionStatus.ACTIVE:
        recognition.suspended_on, recognition.suspension_cause = None, None
    await _record(session, recognition, previous, now, now.date(), reason_code, note, actor, before)


async def grant(
    session: AsyncSession,
    *,
    organisation_id: str,
    group_member_ids: list[str],
    scheme: Scheme,
    level: str | None,
    scope: str,
    certification_body_id: str | None,
    external_number: str | None,
    decision_id: str | None,
    cycle: Cycle,
    actor: str,
    now: datetime,
    previous: Recognition | None = None,
    reason_code: str = "granted",
    note: str | None = None,
    source: str = "decision",
    number: str | None = None,
    status: RecognitionStatus = RecognitionStatus.ACTIVE,
) -> Recognition:
    """Create a recognition for a cycle; a renewal closes ``previous`` as ``renewed``."""
    recognition = Recognition(
        id=str(uuid.uuid4()),
        number=number or await next_number(session, scheme, year=cycle.decided_on.year),
        verification_code=new_verification_code(),
        organisation_id=organisation_id,
        group_member_ids=group_member_ids,
        scheme=scheme.value,
        level=level,
        scope=scope,
        certification_body_id=certification_body_id,
        external_number=external_number,
        decision_id=decision_id,
        decided_on=cycle.decided_on,
        effective_date=cycle.effective_date,
        expiry_date=cycle.expiry_date,
        cycle_start=cycle.start,
        issued_on=cycle.effective_date,
        status=status.value,
        previous_id=previous.id if previous else None,
        source=source,
    )
    await RecognitionRepository(session).add(recognition)
    await _record(session, recognition, None, now, cycle.decided_on, reason_code, note, actor)
    if previous is not None:
        previous.renewed_by_id = recognition.id
        await change_status(
            session,
            previous,
            target=RecognitionStatus.RENEWED,
            reason_code="restored" if previous.status == RecognitionStatus.EXPIRED else "renewed",
            note=f"next cycle: {recognition.number}",
            actor=actor,
            now=now,
        )
    return recognition


# queries ------------------------------------------------------------------------------------------
async def history(
    session: AsyncSession, recognition_ids: list[str]
) -> dict[str, list[RecognitionChange]]:
    """Each recognition's history, oldest first, in one query."""
    found: dict[str, list[RecognitionChange]] = {i: [] for i in recognition_ids}
    if recognition_ids:
        for change in await RecognitionRepository(session).history(recognition_ids):
            found[change.recognition_id].append(change)
    return found


async def current(
    session: AsyncSession, organisation_id: str, *, scheme: Scheme
) -> Recognition | None:
    """The organisation's recognition of the scheme that is still in force or restorable
    (active, suspended or expired), most recent first."""
    return await RecognitionRepository(session).current(organisation_id, scheme=scheme)


def to_public(
    recognition: Recognition, changes: list[RecognitionChange], *, lifecycle: LifecycleRules
) -> RecognitionPublic:
    """A recognition with its full history, as the API shows it."""
    return RecognitionPublic(
        id=recognition.id,
        number=recognition.number,
        verification_code=recognition.verification_code,
        organisation_id=recognition.organisation_id,
        group_member_ids=recognition.group_member_ids,
        scheme=recognition.scheme,
        level=recognition.level,
        scope=recognition.scope,
        certification_body_id=recognition.certification_body_id,
        external_number=recognition.external_number,
        decision_id=recognition.decision_id,
        decided_on=recognition.decided_on,
        effective_date=recognition.effective_date,
        expiry_date=recognition.expiry_date,
        cycle_start=recognition.cycle_start,
        issued_on=recognition.issued_on or recognition.effective_date,
        status=recognition.status,
        suspension_cause=recognition.suspension_cause,
        suspended_on=recognition.suspended_on,
        next_surveillance_due=next_surveillance_due(recognition, lifecycle),
        previous_id=recognition.previous_id,
        renewed_by_id=recognition.renewed_by_id,
        source=recognition.source,
        history=[
            ChangePublic(
                on=c.on,
                at=c.at,
                from_status=c.from_status,
                to_status=c.to_status,
                reason_code=c.reason_code,
                note=c.note,
                actor=c.actor,
            )
            for c in changes
        ],
    )


async def get(
    session: AsyncSession, principal: Principal, *, recognition_id: str, for_update: bool = False
) -> Recognition:
    """A recognition the caller may see (its structures' people, the committee, its body's
    system), or 404."""
    recognition = await RecognitionRepository(session).get(recognition_id, for_update=for_update)
    if recognition is None or not (
        visibility.body_sees(principal, recognition.certification_body_id)
        or visibility.visible(
            [recognition.organisation_id, *recognition.group_member_ids],
            await visibility.readable(session, principal),
        )
    ):
        raise NotFound("no such recognition", detail_fr="reconnaissance introuvable")
    return recognition


async def page_visible(
    session: AsyncSession,
    principal: Principal,
    *,
    organisation_id: str | None,
    status: str | None,
    scheme: str | None,
    updated_since: datetime | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[Recognition], list[Deleted], str | None]:
    """A page of the recognitions the caller may see, newest first; with ``updated_since``,
    those changed since (oldest change first) and the deletions the caller may hear of."""
    return await RecognitionRepository(session).page(
        readable=await visibility.readable(session, principal),
        organisation_id=organisation_id,
        status=status,
        scheme=scheme,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


# the committee's steps --------------------------------------------------------------------------
async def step(
    session: AsyncSession,
    principal: Principal,
    *,
    recognition_id: str,
    data: RecognitionTransition,
    clock: Clock,
) -> Recognition:
    """Suspend, restore or withdraw by hand (committee, admin), always with a reason."""
    if not principal.has_role(Role.ADMIN, Role.COMMITTEE):
        raise Forbidden(
            "the labelling committee suspends, restores or withdraws a recognition",
            detail_fr=(
                "c'est le comité de labellisation qui suspend, rétablit ou retire "
                "une reconnaissance"
            ),
        )
    recognition = await get(session, principal, recognition_id=recognition_id, for_update=True)
    target = rules.next_recognition_status(
        RecognitionStatus(recognition.status), RecognitionStep(data.step)
    )
    if target is RecognitionStatus.ACTIVE and recognition.expiry_date < clock.today():
        raise PastExpiry(
            "an expired recognition is restored by a renewal decision, not by hand",
            detail_fr=(
                "une reconnaissance échue se rétablit par une décision de "
                "renouvellement, pas à la main"
            ),
            extensions={"expiry_date": recognition.expiry_date.isoformat()},
        )
    await change_status(
        session,
        recognition,
        target=target,
        reason_code="committee",
        note=data.reason,
        actor=principal.subject,
        now=clock.now(),
        cause="committee",
    )
    return recognition


async def reduce_scope(
    session: AsyncSession,
    principal: Principal,
    *,
    recognition_id: str,
    data: ScopeReduction,
    clock: Clock,
) -> Recognition:
    """Reduce a CAP ISO 9001 certificate's scope (the committee, an admin, or the body's system
    for its certificates) instead of suspending or withdrawing it: the certificate is reissued
    with the new scope (same number and verification code, a new issue date) and is active;
    the registry history shows ``scope_reduced``."""
    recognition = await get(session, principal, recognition_id=recognition_id, for_update=True)
    today = clock.today()
    target = rules.scope_reduced_status(
        Scheme(recognition.scheme),
        RecognitionStatus(recognition.status),
        recognition.expiry_date,
        today,
    )
    scope = data.scope.strip()
    if scope == recognition.scope.strip():
        raise InvalidInput(
            "the reduced scope is the current one",
            detail_fr="le périmètre réduit est le périmètre actuel",
            extensions={
                "errors": [
                    {"field": "body.scope", "message": "unchanged", "message_fr": "inchangé"}
                ]
            },
        )
    note = f"{data.reason.strip()} (périmètre précédent : {recognition.scope})"
    before = trail.recognition_state(recognition)
    recognition.scope, recognition.issued_on = scope, today
    await change_status(
        session,
        recognition,
        target=target,
        reason_code="scope_reduced",
        note=note[:2000],
        actor=principal.subject,
        now=clock.now(),
        before=before,
    )
    return recognition


# decided again after an appeal -------------------------------------------------------------------
async def redecided(
    session: AsyncSession,
    recognition: Recognition,
    *,
    level: str | None,
    members: list[str],
    actor: str,
    now: datetime,
) -> Recognition:
    """The decision that granted ``recognition`` was overturned on appeal and taken again
    (a grant): the recognition carries the new level and members (history: ``redecided``)."""
    before = trail.recognition_state(recognition)
    recognition.level, recognition.group_member_ids = level, members
    await _record(
        session,
        recognition,
        recognition.status,
        now,
        now.date(),
        "redecided",
        f"level {level}" if level else None,
        actor,
        before,
    )
    return recognition


async def on_decision_overturned(
    session: AsyncSession,
    recognition_id: str | None,
    *,
    actor: str,
    now: datetime,
    note: str | None,
) -> None:
    """The decision that granted a recognition was overturned on appeal and taken again (a
    refusal): the recognition in force is withdrawn."""
    recognition = await RecognitionRepository(session).get(recognition_id, for_update=True)
    if recognition is not None and recognition.status in (
        RecognitionStatus.ACTIVE,
        RecognitionStatus.SUSPENDED,
    ):
        await change_status(
            session,
            recognition,
            target=RecognitionStatus.WITHDRAWN,
            reason_code="decision_overturned",
            note=note,
            actor=actor,
            now=now,
        )
