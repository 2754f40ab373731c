"""Recognitions: CAP RSE labels and CAP ISO 9001 certificates, their lifecycle and history.

Every status change goes through :func:`change_status`, which writes the history row and
publishes ``recognition.status_changed.v1`` (full state) in the same transaction. Changes are
made by decisions (grant, renewal), by the calendar (:func:`apply_calendar`: expiry, withdrawal
after the suspension period, suspension for a missed surveillance), by audit events (a major
nonconformity past its deadline suspends; its verified closure, or the surveillance report,
restores) and by the committee (suspend, restore, withdraw with a reason).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from datetime import date, datetime
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_labelling import rules, visibility
from cap_labelling.inputs import FreeText
from cap_labelling.models import (
    NumberSequence,
    Recognition,
    RecognitionChange,
    tables,
    tombstones,
)
from cap_labelling.repository import open_majors
from cap_labelling.rules import Cycle, LifecycleRules, RecognitionStatus, RecognitionStep, Scheme
from cap_shared.clock import Clock
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import (
    LabelExpiringV1,
    LabelSurveillanceDueV1,
    RecognitionStatusChangedV1,
)
from cap_shared.outbox import add_event
from cap_shared.pagination import newest_first
from cap_shared.problems import Conflict, Forbidden, InvalidInput, NotFound
from cap_shared.security import Principal, Role
from cap_shared.sync import Deleted, DeltaSync

SOURCE = "/cap/labelling"
PREFIX = {Scheme.CAP_RSE: "CAPRSE", Scheme.CAP_ISO9001: "CAPISO"}
#: Crockford's base32 alphabet: no I, L, O, U (nothing to misread on a printed certificate).
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Surveillance reports restore a recognition suspended for a missed surveillance; the closure
#: of every overdue major nonconformity restores one suspended for it.
AUTOMATIC_CAUSES = frozenset({"surveillance_overdue", "major_nc_overdue"})


class ChangeOut(BaseModel):
    on: date
    at: datetime
    from_status: str | None
    to_status: str
    reason_code: str
    note: str | None
    actor: str


class RecognitionOut(BaseModel):
    id: str
    number: str
    verification_code: str
    organisation_id: str
    group_member_ids: list[str]
    scheme: str
    level: str | None
    scope: str
    certification_body_id: str | None
    external_number: str | None
    decision_id: str | None
    decided_on: date
    effective_date: date
    expiry_date: date
    #: The day the cycle's surveillance schedule counts from.
    cycle_start: date
    #: When the certificate was last issued (a scope reduction reissues it).
    issued_on: date
    status: str
    suspension_cause: str | None
    suspended_on: date | None
    next_surveillance_due: date | None
    previous_id: str | None
    renewed_by_id: str | None
    source: str
    history: list[ChangeOut]


class PastExpiry(Conflict):
    code, title = "past-expiry", "Past its expiry date"
    title_fr = "Date d'échéance dépassée"


class ScopeReductionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scope: FreeText = Field(min_length=3, max_length=2000, description="The reduced scope")
    reason: FreeText = Field(min_length=3, max_length=2000, description="Recorded in the history")


class RecognitionStepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    step: Literal["suspend", "restore", "withdraw"]
    reason: FreeText = Field(min_length=3, max_length=2000, description="Recorded in the history")


# numbers and codes ----------------------------------------------------------------------------
async def next_number(session: AsyncSession, scheme: Scheme, year: int) -> str:
    """``CAPRSE-2026-0001``: gapless per scheme and year (the counter row is locked)."""
    prefix = PREFIX[scheme]
    row = await session.get(NumberSequence, (prefix, year), with_for_update=True)
    if row is None:
        row = NumberSequence(prefix=prefix, year=year, last=0)
        session.add(row)
    row.last += 1
    await session.flush()
    return f"{prefix}-{year}-{row.last:04d}"


def new_verification_code() -> str:
    """12 random base32 characters (60 bits) in three groups: ``K7QH-3M9X-PT2A``."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: str) -> str | None:
    """A typed code in canonical form (case, dashes, spaces and misreadable letters forgiven),
    or None if it cannot be one."""
    raw = code.upper().replace("-", "").replace(" ", "")
    raw = raw.translate(str.maketrans("OIL", "011"))
    if len(raw) != 12 or any(c not in _CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


# changes ----------------------------------------------------------------------------------------
def _state(recognition: Recognition) -> rules.RecognitionState:
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
) -> None:
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
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=recognition.id, actor=actor),
    )


async def _record(
    session: AsyncSession,
    recognition: Recognition,
    previous: str | None,
    now: datetime,
    on: date,
    reason_code: str,
    note: str | None,
    actor: str,
) -> None:
    """The history row of the recognition's (new) status, then its event."""
    session.add(
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
    await session.flush()
    await _publish(session, recognition, previous, now, reason_code, actor)


async def change_status(
    session: AsyncSession,
    recognition: Recognition,
    target: RecognitionStatus,
    *,
    reason_code: str,
    note: str | None,
    actor: str,
    now: datetime,
    cause: str | None = None,
) -> None:
    """Move ``recognition`` to ``target``: history row and event, in the caller's transaction."""
    previous = recognition.status
    recognition.status = target.value
    if target is RecognitionStatus.SUSPENDED:
        recognition.suspended_on, recognition.suspension_cause = now.date(), cause or reason_code
    elif target is RecognitionStatus.ACTIVE:
        recognition.suspended_on, recognition.suspension_cause = None, None
    await _record(session, recognition, previous, now, now.date(), reason_code, note, actor)


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
        number=number or await next_number(session, scheme, cycle.decided_on.year),
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
    session.add(recognition)
    await _record(session, recognition, None, now, cycle.decided_on, reason_code, note, actor)
    if previous is not None:
        previous.renewed_by_id = recognition.id
        await change_status(
            session,
            previous,
            RecognitionStatus.RENEWED,
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
        query = (
            sa.select(RecognitionChange)
            .where(col(RecognitionChange.recognition_id).in_(recognition_ids))
            .order_by(col(RecognitionChange.at), col(RecognitionChange.id))
        )
        for change in (await session.execute(query)).scalars():
            found[change.recognition_id].append(change)
    return found


async def current(
    session: AsyncSession, organisation_id: str, scheme: Scheme
) -> Recognition | None:
    """The organisation's recognition of the scheme that is still in force or restorable
    (active, suspended or expired), most recent first."""
    query = (
        sa.select(Recognition)
        .where(
            col(Recognition.organisation_id) == organisation_id,
            col(Recognition.scheme) == scheme.value,
            col(Recognition.status).in_(
                [
                    RecognitionStatus.ACTIVE.value,
                    RecognitionStatus.SUSPENDED.value,
                    RecognitionStatus.EXPIRED.value,
                ]
            ),
        )
        .order_by(col(Recognition.expiry_date).desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(query)).scalars().first()


def to_out(
    recognition: Recognition, changes: list[RecognitionChange], lifecycle: LifecycleRules
) -> RecognitionOut:
    """A recognition with its full history, as the API shows it."""
    return RecognitionOut(
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
            ChangeOut(
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
    session: AsyncSession, principal: Principal, recognition_id: str, *, for_update: bool = False
) -> Recognition:
    """A recognition the caller may see (its structures' people, the committee, its body's
    system), or 404."""
    recognition = await session.get(Recognition, recognition_id, with_for_update=for_update)
    if recognition is None or not (
        visibility.body_sees(principal, recognition.certification_body_id)
        or visibility.visible(
            [recognition.organisation_id, *recognition.group_member_ids],
            await visibility.readable(session, principal),
        )
    ):
        raise NotFound("no such recognition", detail_fr="reconnaissance introuvable")
    return recognition


#: Newest first (created_at, id descending).
KEYS = newest_first("recognitions", col(Recognition.created_at), col(Recognition.id))


#: Delta sync (``?updated_since=``): a recognition changes with its status, scope or dates.
SYNC = DeltaSync.timestamped("recognitions", "recognition", Recognition)


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
    readable = await visibility.readable(session, principal)
    query = sa.select(Recognition).where(
        visibility.scope(
            readable, col(Recognition.organisation_id), col(Recognition.group_member_ids)
        )
    )
    if organisation_id:
        query = query.where(col(Recognition.organisation_id) == organisation_id)
    if status:
        query = query.where(col(Recognition.status) == status)
    if scheme:
        query = query.where(col(Recognition.scheme) == scheme)
    if updated_since is None:
        rows, next_cursor = await KEYS.fetch(session, query, cursor=cursor, limit=limit)
        return rows, [], next_cursor
    ids = None if readable is None else sorted(readable)
    return await SYNC.page(
        session,
        query,
        tombstones,
        since=updated_since,
        cursor=cursor,
        limit=limit,
        tombstone_scope=None if ids is None else (lambda organisation: organisation.in_(ids)),
    )


# the committee's steps --------------------------------------------------------------------------
async def step(
    session: AsyncSession,
    principal: Principal,
    recognition_id: str,
    data: RecognitionStepIn,
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
    recognition = await get(session, principal, recognition_id, for_update=True)
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
        target,
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
    recognition_id: str,
    data: ScopeReductionIn,
    clock: Clock,
) -> Recognition:
    """Reduce a CAP ISO 9001 certificate's scope (the committee, an admin, or the body's system
    for its certificates) instead of suspending or withdrawing it: the certificate is reissued
    with the new scope (same number and verification code, a new issue date) and is active;
    the registry history shows ``scope_reduced``."""
    recognition = await get(session, principal, recognition_id, for_update=True)
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
    recognition.scope, recognition.issued_on = scope, today
    await change_status(
        session,
        recognition,
        target,
        reason_code="scope_reduced",
        note=note[:2000],
        actor=principal.subject,
        now=clock.now(),
    )
    return recognition


# automatic changes -----------------------------------------------------------------------------
async def _in_force(session: AsyncSession) -> list[Recognition]:
    """Active and suspended recognitions, locked, in a stable order (the daily job's worklist)."""
    query = (
        sa.select(Recognition)
        .where(
            col(Recognition.status).in_(
                [RecognitionStatus.ACTIVE.value, RecognitionStatus.SUSPENDED.value]
            )
        )
        .order_by(col(Recognition.id))
        .with_for_update()
    )
    return list((await session.execute(query)).scalars().all())


async def apply_calendar(
    session: AsyncSession, today: date, now: datetime, lifecycle: LifecycleRules
) -> int:
    """Expire, withdraw after the suspension period, suspend for a missed surveillance."""
    changed = 0
    for recognition in await _in_force(session):
        change = rules.due_change(_state(recognition), today, lifecycle)
        if change is None:
            continue
        await change_status(
            session,
            recognition,
            change.target,
            reason_code=change.reason_code,
            note=None,
            actor="system:lifecycle",
            now=now,
        )
        changed += 1
    return changed


async def publish_notices(session: AsyncSession, today: date, lifecycle: LifecycleRules) -> int:
    """``label.expiring.v1`` at 90, 30 and 7 days; ``label.surveillance_due.v1`` ahead of a
    surveillance and once it is overdue. Each notice once (remembered on the recognition)."""
    sent = 0
    for recognition in await _in_force(session):
        notices = list(recognition.notices)
        step_days = rules.expiring_step(
            recognition.expiry_date, today, lifecycle.notices.expiring_days
        )
        if step_days is not None and f"expiring:{step_days}" not in notices:
            # The steps above are covered by this one (a job down for a while sends only it).
            notices += [f"expiring:{d}" for d in lifecycle.notices.expiring_days if d >= step_days]
            await _notice(
                session,
                recognition,
                LabelExpiringV1(
                    recognition_id=recognition.id,
                    number=recognition.number,
                    organisation_id=recognition.organisation_id,
                    scheme=recognition.scheme,
                    level=recognition.level,
                    expiry_date=recognition.expiry_date,
                    days_before=step_days,
                ),
            )
            sent += 1
        due = next_surveillance_due(recognition, lifecycle)
        if due is not None:
            left = (due - today).days
            stage: Literal["upcoming", "overdue"] | None = (
                "overdue"
                if left < 0
                else "upcoming"
                if left <= lifecycle.notices.surveillance_days
                else None
            )
            key = f"surveillance:{stage}:{due.isoformat()}"
            if stage is not None and key not in notices:
                notices.append(key)
                await _notice(
                    session,
                    recognition,
                    LabelSurveillanceDueV1(
                        recognition_id=recognition.id,
                        number=recognition.number,
                        organisation_id=recognition.organisation_id,
                        scheme=recognition.scheme,
                        due_date=due,
                        stage=stage,
                        days=abs(left),
                    ),
                )
                sent += 1
        recognition.notices = notices
    await session.flush()
    return sent


async def _notice(
    session: AsyncSession, recognition: Recognition, event: LabelExpiringV1 | LabelSurveillanceDueV1
) -> None:
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=recognition.id, actor="system:lifecycle"),
    )


async def on_surveillance_report(
    session: AsyncSession,
    organisation_id: str,
    scheme: Scheme,
    submitted_on: date,
    now: datetime,
    lifecycle: LifecycleRules,
) -> None:
    """A surveillance (follow-up) report counts for the cycle; it restores a recognition that a
    missed surveillance had suspended."""
    recognition = await current(session, organisation_id, scheme)
    if recognition is None or recognition.status == RecognitionStatus.EXPIRED:
        return
    if submitted_on < recognition.cycle_start:
        return  # the previous cycle's (a renewal decided before its expiry)
    recognition.surveillances_done += 1
    await session.flush()
    # Restored unless another surveillance is already overdue as well.
    if (
        recognition.status == RecognitionStatus.SUSPENDED
        and recognition.suspension_cause == "surveillance_overdue"
        and rules.due_change(
            dataclasses.replace(_state(recognition), status=RecognitionStatus.ACTIVE),
            now.date(),
            lifecycle,
        )
        is None
    ):
        await change_status(
            session,
            recognition,
            RecognitionStatus.ACTIVE,
            reason_code="surveillance_done",
            note=None,
            actor="system:audit",
            now=now,
        )


async def on_major_overdue(
    session: AsyncSession, organisation_id: str, scheme: Scheme, now: datetime
) -> None:
    """A major nonconformity past its response deadline suspends the active recognition."""
    recognition = await current(session, organisation_id, scheme)
    if recognition is not None and recognition.status == RecognitionStatus.ACTIVE:
        await change_status(
            session,
            recognition,
            RecognitionStatus.SUSPENDED,
            reason_code="major_nc_overdue",
            note=None,
            actor="system:audit",
            now=now,
        )


async def on_major_closed(
    session: AsyncSession, organisation_id: str, scheme: Scheme, now: datetime
) -> None:
    """Once no overdue major nonconformity is left open, a recognition suspended for one is
    restored."""
    recognition = await current(session, organisation_id, scheme)
    if (
        recognition is not None
        and recognition.status == RecognitionStatus.SUSPENDED
        and recognition.suspension_cause == "major_nc_overdue"
        and recognition.expiry_date >= now.date()
        and await open_majors(session, organisation_id, scheme.value, overdue_only=True) == 0
    ):
        await change_status(
            session,
            recognition,
            RecognitionStatus.ACTIVE,
            reason_code="major_nc_closed",
            note=None,
            actor="system:audit",
            now=now,
        )


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
    recognition = (
        await session.get(Recognition, recognition_id, with_for_update=True)
        if recognition_id
        else None
    )
    if recognition is not None and recognition.status in (
        RecognitionStatus.ACTIVE,
        RecognitionStatus.SUSPENDED,
    ):
        await change_status(
            session,
            recognition,
            RecognitionStatus.WITHDRAWN,
            reason_code="decision_overturned",
            note=note,
            actor=actor,
            now=now,
        )
