"""The recognitions' calendar and the audit events that change them: expiry, withdrawal after
the suspension period, suspension for a missed surveillance or an overdue major, restoration,
and the expiry and surveillance notices."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from cap_labelling import rules
from cap_labelling.models import Recognition, tables
from cap_labelling.recognitions.repository import RecognitionRepository
from cap_labelling.recognitions.service import (
    SOURCE,
    change_status,
    current,
    next_surveillance_due,
    state_of,
)
from cap_labelling.repository import NonconformityRepository
from cap_labelling.rules import LifecycleRules, RecognitionStatus, Scheme
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import LabelExpiringV1, LabelSurveillanceDueV1
from cap_shared.outbox import add_event

#: Surveillance reports restore a recognition suspended for a missed surveillance; the closure
#: of every overdue major nonconformity restores one suspended for it.
AUTOMATIC_CAUSES = frozenset({"surveillance_overdue", "major_nc_overdue"})


async def apply_calendar(
    session: AsyncSession, *, today: date, now: datetime, lifecycle: LifecycleRules
) -> int:
    """Expire, withdraw after the suspension period, suspend for a missed surveillance."""
    changed = 0
    for recognition in await RecognitionRepository(session).in_force():
        change = rules.due_change(state_of(recognition), today, lifecycle)
        if change is None:
            continue
        await change_status(
            session,
            recognition,
            target=change.target,
            reason_code=change.reason_code,
            note=None,
            actor="system:lifecycle",
            now=now,
        )
        changed += 1
    return changed


async def publish_notices(session: AsyncSession, *, today: date, lifecycle: LifecycleRules) -> int:
    """``label.expiring.v1`` at 90, 30 and 7 days; ``label.surveillance_due.v1`` ahead of a
    surveillance and once it is overdue. Each notice once (remembered on the recognition)."""
    sent = 0
    for recognition in await RecognitionRepository(session).in_force():
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
    await RecognitionRepository(session).flush()
    return sent


async def _notice(
    session: AsyncSession, recognition: Recognition, event: LabelExpiringV1 | LabelSurveillanceDueV1
) -> None:
    """Publish a notice about the recognition."""
    await add_event(
        session,
        tables.outbox,
        new_event(event, source=SOURCE, subject=recognition.id, actor="system:lifecycle"),
    )


async def on_surveillance_report(
    session: AsyncSession,
    organisation_id: str,
    *,
    scheme: Scheme,
    on: date,
    now: datetime,
    lifecycle: LifecycleRules,
) -> None:
    """A surveillance (follow-up) report counts for the cycle; it restores a recognition that a
    missed surveillance had suspended."""
    recognition = await current(session, organisation_id, scheme=scheme)
    if recognition is None or recognition.status == RecognitionStatus.EXPIRED:
        return
    if on < recognition.cycle_start:
        return  # the previous cycle's (a renewal decided before its expiry)
    recognition.surveillances_done += 1
    await RecognitionRepository(session).flush()
    # Restored unless another surveillance is already overdue as well.
    if (
        recognition.status == RecognitionStatus.SUSPENDED
        and recognition.suspension_cause == "surveillance_overdue"
        and rules.due_change(
            dataclasses.replace(state_of(recognition), status=RecognitionStatus.ACTIVE),
            now.date(),
            lifecycle,
        )
        is None
    ):
        await change_status(
            session,
            recognition,
            target=RecognitionStatus.ACTIVE,
            reason_code="surveillance_done",
            note=None,
            actor="system:audit",
            now=now,
        )


async def on_major_overdue(
    session: AsyncSession, organisation_id: str, *, scheme: Scheme, now: datetime
) -> None:
    """A major nonconformity past its response deadline suspends the active recognition."""
    recognition = await current(session, organisation_id, scheme=scheme)
    if recognition is not None and recognition.status == RecognitionStatus.ACTIVE:
        await change_status(
            session,
            recognition,
            target=RecognitionStatus.SUSPENDED,
            reason_code="major_nc_overdue",
            note=None,
            actor="system:audit",
            now=now,
        )


async def on_major_closed(
    session: AsyncSession, organisation_id: str, *, scheme: Scheme, now: datetime
) -> None:
    """Once no overdue major nonconformity is left open, a recognition suspended for one is
    restored."""
    recognition = await current(session, organisation_id, scheme=scheme)
    if (
        recognition is not None
        and recognition.status == RecognitionStatus.SUSPENDED
        and recognition.suspension_cause == "major_nc_overdue"
        and recognition.expiry_date >= now.date()
        and await NonconformityRepository(session).count_open_majors(
            organisation_id, scheme=scheme.value, overdue_only=True
        )
        == 0
    ):
        await change_status(
            session,
            recognition,
            target=RecognitionStatus.ACTIVE,
            reason_code="major_nc_closed",
            note=None,
            actor="system:audit",
            now=now,
        )
