"""From one event to its notifications, e-mails, digest items and webhook deliveries.

Runs in the consumer's transaction: the inbox has already claimed the event (one effect per
event id), the journal row is written first and unique keys (event, person) guard each
notification and digest item, so a redelivered or replayed event notifies nobody twice.
The live streams of the people told in the feed are woken once the transaction commits
(:mod:`cap_notifications.feed.live`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from cap_notifications import tracing
from cap_notifications.config import Settings
from cap_notifications.fanout import recipients
from cap_notifications.fanout.messages import wording
from cap_notifications.fanout.messages.labels import Message
from cap_notifications.fanout.recipients import PersonView
from cap_notifications.fanout.repository import FanoutRepository, Writes
from cap_notifications.fanout.repository.gathering import Criteria, Someone
from cap_notifications.feed import live
from cap_notifications.models import EmailMessage, IntakeEvent, Person
from cap_notifications.preferences import rules as preferences
from cap_notifications.webhooks import service as webhooks
from cap_shared import clock
from cap_shared.contracts import Envelope

logger = logging.getLogger(__name__)


def _describe(event_type: str, data: dict[str, Any], organisation_name: str | None) -> Message:
    """The event's wording; a generic one if it cannot be worded (people are still told)."""
    try:
        return wording.describe(event_type, data, organisation_name=organisation_name)
    except Exception:
        logger.exception("no wording for %s; a generic notification is sent", event_type)
        return Message(
            title=f"Nouvel événement : {event_type}",
            body="Un événement vous concernant a eu lieu sur la plateforme CAP.",
            link=None,
        )


def email_to(
    person: Person | Someone,
    *,
    kind: str,
    context: dict[str, Any],
    now: datetime,
    send_at: datetime,
    event_id: str | None = None,
    event_type: str | None = None,
) -> EmailMessage:
    """An e-mail to ``person``, sent by the mail job from ``send_at`` (stable Message-ID), in
    the trace of the span running now (tracing on)."""
    traceparent, tracestate = tracing.stored_context()
    return EmailMessage(
        id=str(uuid.uuid4()),
        user_id=person.id,
        to_address=person.email,
        kind=kind,
        event_id=event_id,
        event_type=event_type,
        context=context,
        next_attempt_at=send_at,
        message_id=f"<{uuid.uuid4().hex}@cap.coorace>",
        created_at=now,
        traceparent=traceparent,
        tracestate=tracestate,
    )


#: Events that name the certification body of an audit or a decision, or its people: the
#: journal keeps them, so later events of the same audit, decision or finding that do not name
#: them (a finding's deadline or status, an appeal's outcome) still reach the body's people in
#: charge — its planners (audit.requested.v1) and the audit's team (audit.planned.v1).
BODY_SOURCES = (
    "audit.requested.v1",
    "audit.planned.v1",
    "audit.report_submitted.v1",
    "audit.stage2_required.v1",
    "labelling.decision.opened.v1",
    "decision.held.v1",
    "decision.appeal_lodged.v1",
    "finding.appeal_lodged.v1",
)
_KEYS = ("audit_id", "decision_id", "finding_id")


def in_charge_of(data: dict[str, Any], journal: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    """The certification body an event concerns and its people in charge of that audit, from
    the event and the organisation's journal of :data:`BODY_SOURCES` (newest first):
    ``certification_body_id``, ``planner_user_ids`` (told of the audit's request) and
    ``auditor_user_ids`` (the audit's latest team)."""
    body = str(data["certification_body_id"]) if data.get("certification_body_id") else None
    planners = {str(u) for u in data.get("planner_user_ids") or ()}
    team = {str(u) for u in data.get("auditor_user_ids") or ()}
    keys = {k: data[k] for k in _KEYS if data.get(k)}
    if keys:
        related = [(t, p) for t, p in journal if isinstance(p, dict)]  # newest first
        audits = {keys["audit_id"]} if "audit_id" in keys else set()
        for _, payload in related:  # the same audit, decision or finding; a decision's audit
            if any(payload.get(k) == v for k, v in keys.items()):
                body = body or payload.get("certification_body_id")
                if payload.get("audit_id"):
                    audits.add(payload["audit_id"])
        planned = False
        for event_type, payload in related:
            if payload.get("audit_id") not in audits:
                continue
            body = body or payload.get("certification_body_id")
            if event_type == "audit.requested.v1":
                planners |= {str(u) for u in payload.get("planner_user_ids") or ()}
            elif event_type == "audit.planned.v1" and not planned:  # the latest plan's team
                team |= {str(u) for u in payload.get("auditor_user_ids") or ()}
                planned = True
    return {
        "certification_body_id": str(body) if body else None,
        "planner_user_ids": sorted(planners),
        "auditor_user_ids": sorted(team),
    }


def criteria(envelope: Envelope, data: dict[str, Any]) -> Criteria:
    """What the fan-out of this event reads: the people its audience can hold (a superset of
    its recipients, :func:`recipients.resolve` decides), and the journal of its audit when the
    body's people in charge are in its audience."""
    who = recipients.audience(envelope.type, data)
    organisation_id = str(data["organisation_id"]) if data.get("organisation_id") else None
    named = recipients.concerned(envelope.type, data, region=None)
    journal = (
        BODY_SOURCES
        if who.auditors in ("planners", "in_charge")
        and organisation_id
        and any(data.get(k) for k in _KEYS)
        else ()
    )
    return Criteria(
        event_id=envelope.id,
        event_type=envelope.type,
        organisation_id=organisation_id,
        organisation_roles=named.organisation_roles,
        facilitators=who.facilitators and organisation_id is not None,
        roles=named.roles,
        user_ids=named.user_ids,
        journal_types=journal,
    )


async def fan_out(
    session: AsyncSession, envelope: Envelope, *, event: BaseModel, settings: Settings
) -> IntakeEvent | None:
    """Journal the event, tell each recipient once on their channels, queue webhook deliveries.

    Reads first (whether the event is journalled already and its organisation, the people it
    can concern, the journal of their audit when needed, their preferences, the subscriptions),
    then writes everything at once (:meth:`FanoutRepository.write`: on PostgreSQL one
    statement, the wake-up of the feeds changed included, sent with the COMMIT)."""
    repository = FanoutRepository(session)
    data: dict[str, Any] = event.model_dump(mode="json")
    organisation_id = data.get("organisation_id")
    gathered = await repository.gather(criteria(envelope, data))
    if gathered.seen:
        return None  # already fanned out (a replay of the same event id)
    organisation = gathered.organisation
    # This service's time: a delayed event is not sent "in the past", and an event stamped by
    # a producer whose clock runs ahead (a test moving one service) is not held back.
    now = clock.now()
    journal = IntakeEvent(
        event_id=envelope.id,
        event_type=envelope.type,
        organisation_id=organisation_id,
        subject=envelope.subject,
        occurred_at=envelope.time,
        received_at=now,
        payload=data,
        status="fanned_out",
    )
    concerned = data
    if recipients.audience(envelope.type, data).auditors in ("planners", "in_charge"):
        concerned = {**data, **in_charge_of(data, gathered.journal)}
    region = organisation.region if organisation else None
    people = {p.id: p for p in gathered.people}
    found = recipients.resolve(
        envelope.type,
        concerned,
        region=region,
        people=[PersonView(p.id, p.status, p.memberships) for p in people.values()],
    )
    message = _describe(envelope.type, data, organisation.name if organisation else None)
    default_tz = settings.default_timezone
    chosen = {
        r.user_id: preferences.from_values(
            gathered.settings.get(r.user_id), gathered.choices.get(r.user_id, {}), default_tz
        )
        for r in found
    }
    writes = Writes(journal=journal, title=message.title, body=message.body, link=message.link)
    for recipient in found:
        person, prefs = people[recipient.user_id], chosen[recipient.user_id]
        roles = [recipient.role]
        in_app = prefs.mode(envelope.type, "in_app", roles)
        email = prefs.mode(envelope.type, "email", roles)
        if in_app == "off" and email == "off":
            continue
        writes.notifications.append((str(uuid.uuid4()), person.id, in_app != "off"))
        if in_app != "off":
            writes.in_feed.append(person.id)
        if email == "on":
            writes.emails.append(
                email_to(
                    person,
                    kind="event",
                    context={
                        "event": data,
                        "event_type": envelope.type,
                        "title": message.title,
                        "body": message.body,
                        "link": message.link,
                        "organisation_name": organisation.name if organisation else None,
                        "recipient_name": person.name,
                    },
                    now=now,
                    send_at=preferences.release_at(now, prefs),
                    event_id=envelope.id,
                    event_type=envelope.type,
                )
            )
        elif email == "digest":
            writes.digests.append((str(uuid.uuid4()), person.id))
        journal.recipients += 1
    # Before the journal row: its count is then written with it (no UPDATE after).
    journal.deliveries = await webhooks.enqueue(
        session,
        event_id=envelope.id,
        event_type=envelope.type,
        body=envelope.model_dump_json(),
        now=now,
        subscriptions=gathered.subscriptions,
    )
    # Sent with the COMMIT (PostgreSQL): the journal row's guard still writes nothing if the
    # event was journalled meanwhile (the inbox's claim makes it unlikely).
    if not await repository.write(writes, channel=live.CHANNEL, defer=True):
        return None
    # This process's streams (the NOTIFY, on PostgreSQL, wakes the other processes').
    if writes.in_feed:
        live.wake_after_commit(session, writes.in_feed)
    return journal
