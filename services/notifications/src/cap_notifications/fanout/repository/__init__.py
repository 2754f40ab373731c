"""Every query of the fan-out: the journal of events, the people to tell, what is written for
them (notifications, e-mails, digest items)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from cap_notifications.fanout.recipients import Concerned
from cap_notifications.fanout.repository import gathering
from cap_notifications.fanout.repository.gathering import Criteria, Gathered
from cap_notifications.feed.live import MAX_PAYLOAD
from cap_notifications.models import (
    DigestItem,
    EmailMessage,
    IntakeEvent,
    Notification,
    Organisation,
    Person,
    PersonGrant,
)
from cap_shared.db.pgconnection import ScopedConnection, literal


@dataclass
class Writes:
    """What one fan-out writes: its journal row, then per recipient a notification (all with
    the event's wording), an e-mail or a digest item; the people whose feed changed."""

    journal: IntakeEvent
    title: str
    body: str
    link: str | None
    #: (notification id, user id, shown in the feed)
    notifications: list[tuple[str, str, bool]] = field(default_factory=list)
    emails: list[EmailMessage] = field(default_factory=list)
    #: (digest item id, user id)
    digests: list[tuple[str, str]] = field(default_factory=list)
    #: The people whose feed has a new notification (their live streams are woken).
    in_feed: list[str] = field(default_factory=list)


#: The whole write of a fan-out in one statement (PostgreSQL), its values in one JSON document
#: (``{doc}``): the journal row, unless the event is journalled already (then nothing else is
#: written either), the notifications, e-mails and digest items, and the NOTIFY of the feeds
#: changed (delivered at commit), carrying each person's new notifications for their live
#: streams (:mod:`cap_notifications.feed.live`), or their user id alone when too big.
_WRITE_SQL = """
WITH d AS (SELECT CAST({doc} AS json) AS doc), j AS (
  INSERT INTO intake_event (event_id, event_type, organisation_id, subject, occurred_at,
                            received_at, payload, status, recipients, deliveries)
  SELECT doc->>'event_id', doc->>'event_type', doc->>'organisation_id', doc->>'subject',
         CAST(doc->>'occurred_at' AS timestamptz), CAST(doc->>'now' AS timestamptz),
         doc->'payload', doc->>'status', CAST(doc->>'recipients' AS integer),
         CAST(doc->>'deliveries' AS integer)
  FROM d
  ON CONFLICT (event_id) DO NOTHING
  RETURNING event_id, event_type, organisation_id, received_at
), n AS (
  INSERT INTO notification (id, event_id, event_type, user_id, organisation_id, title, body,
                            link, in_feed, created_at, updated_at)
  SELECT u.id, j.event_id, j.event_type, u.user_id, j.organisation_id, doc->>'title',
         doc->>'body', doc->>'link', u.in_feed, j.received_at, j.received_at
  FROM j, d, json_to_recordset(doc->'notifications') AS u(id text, user_id text, in_feed boolean)
  RETURNING seq, id, event_type, organisation_id, title, body, link, created_at, read_at,
            updated_at, user_id, in_feed
), e AS (
  INSERT INTO email_message (id, user_id, to_address, kind, event_id, event_type, context,
                             status, attempts, next_attempt_at, message_id, created_at,
                             traceparent, tracestate)
  SELECT u.id, u.user_id, u.to_address, u.kind, j.event_id, j.event_type, u.context,
         'pending', 0, u.send_at, u.message_id, j.received_at, doc->>'traceparent',
         doc->>'tracestate'
  FROM j, d, json_to_recordset(doc->'emails') AS u(id text, user_id text, to_address text,
                                                   kind text, context json,
                                                   send_at timestamptz, message_id text)
), g AS (
  INSERT INTO digest_item (id, user_id, event_id, event_type, title, body, created_at)
  SELECT u.id, u.user_id, j.event_id, j.event_type, doc->>'title', doc->>'body', j.received_at
  FROM j, d, json_to_recordset(doc->'digests') AS u(id text, user_id text)
), f AS (
  SELECT user_id, user_id || chr(10) || json_agg(json_build_object(
           'seq', seq, 'id', id, 'event_type', event_type, 'organisation_id', organisation_id,
           'title', title, 'body', body, 'link', link, 'created_at', created_at,
           'read_at', read_at, 'updated_at', updated_at) ORDER BY seq) AS payload
  FROM n WHERE in_feed GROUP BY user_id
), w AS (
  SELECT pg_notify(doc->>'channel',
                   CASE WHEN octet_length(f.payload) <= {max_payload} THEN f.payload
                        ELSE f.user_id END)
  FROM d, f
)
SELECT (SELECT count(*) FROM j) AS journalled, (SELECT count(*) FROM w) AS woken
"""
#: Executed (its outcome read): the document as a parameter.
_WRITE = sa.text(_WRITE_SQL.format(doc=":doc", max_payload=MAX_PAYLOAD))
#: Deferred to the transaction's next statement or its COMMIT: a prepared statement of the
#: connection, the document written as a literal (:meth:`ScopedConnection.defer_execute`).
_WRITE_PREPARED = (
    "notifications:fanout-write",
    "(text) AS " + _WRITE_SQL.format(doc="$1", max_payload=MAX_PAYLOAD),
)


class FanoutRepository:
    """The journal, the directory of people and the fan-out's outputs."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def journal_of(self, event_id: str) -> IntakeEvent | None:
        """The journal row of an event already fanned out, or None."""
        return await self.session.get(IntakeEvent, event_id)

    async def gather(self, criteria: Criteria) -> Gathered:
        """Everything the fan-out of one event reads (:class:`Gathered`): one statement on
        PostgreSQL, the same reads one by one elsewhere (:mod:`.gathering`)."""
        return await gathering.gather(self, criteria)

    async def seen_and_organisation(
        self, event_id: str, organisation_id: str | None
    ) -> tuple[bool, Organisation | None]:
        """Whether the event is journalled already, and the organisation it concerns (None if
        none or unknown), in one query."""
        seen = (
            sa.select(sa.literal(1))
            .where(col(IntakeEvent.event_id) == event_id)
            .exists()
            .label("seen")
        )
        if not organisation_id:
            return bool((await self.session.execute(sa.select(seen))).scalar_one()), None
        query = sa.select(seen, Organisation).join_from(
            sa.select(sa.literal(1).label("one")).subquery(),
            Organisation,
            col(Organisation.id) == organisation_id,
            isouter=True,
        )
        row = (await self.session.execute(query)).one()
        return bool(row[0]), row[1]

    async def write(self, writes: Writes, *, channel: str, defer: bool = False) -> bool:
        """Write the fan-out's rows, unless the event is journalled already; whether they were.

        On PostgreSQL one statement (:data:`_WRITE_SQL`, the NOTIFY on ``channel`` of the feeds
        changed included); with ``defer`` it is sent with the transaction's next statement or
        its COMMIT (no round trip of its own; its guard on the journal row stays) and the answer
        is True, as nobody then reads whether it wrote. Elsewhere the ORM's flush (no NOTIFY:
        one process).
        """
        journal = writes.journal
        if self.session.get_bind().dialect.name != "postgresql":
            self.session.add(journal)
            for notification_id, user_id, in_feed in writes.notifications:
                self.session.add(
                    Notification(
                        id=notification_id,
                        event_id=journal.event_id,
                        event_type=journal.event_type,
                        user_id=user_id,
                        organisation_id=journal.organisation_id,
                        title=writes.title,
                        body=writes.body,
                        link=writes.link,
                        in_feed=in_feed,
                        created_at=journal.received_at,
                        updated_at=journal.received_at,
                    )
                )
            self.session.add_all(writes.emails)
            for digest_id, user_id in writes.digests:
                self.session.add(
                    DigestItem(
                        id=digest_id,
                        user_id=user_id,
                        event_id=journal.event_id,
                        event_type=journal.event_type,
                        title=writes.title,
                        body=writes.body,
                        created_at=journal.received_at,
                    )
                )
            await self.session.flush()
            return True
        emails = writes.emails
        traced = {(e.traceparent, e.tracestate) for e in emails}
        traceparent, tracestate = traced.pop() if len(traced) == 1 else (None, None)
        if traced:  # several trace contexts in one fan-out: never (one span runs it)
            raise ValueError("the e-mails of one fan-out are in one trace")
        doc = json.dumps(
            {
                "event_id": journal.event_id,
                "event_type": journal.event_type,
                "organisation_id": journal.organisation_id,
                "subject": journal.subject,
                "occurred_at": journal.occurred_at.isoformat(),
                "now": journal.received_at.isoformat(),
                "payload": journal.payload,
                "status": journal.status,
                "recipients": journal.recipients,
                "deliveries": journal.deliveries,
                "title": writes.title,
                "body": writes.body,
                "link": writes.link,
                "notifications": [
                    {"id": i, "user_id": u, "in_feed": f} for i, u, f in writes.notifications
                ],
                "emails": [
                    {
                        "id": e.id,
                        "user_id": e.user_id,
                        "to_address": e.to_address,
                        "kind": e.kind,
                        "context": e.context,
                        "send_at": e.next_attempt_at.isoformat(),
                        "message_id": e.message_id,
                    }
                    for e in emails
                ],
                "traceparent": traceparent,
                "tracestate": tracestate,
                "digests": [{"id": i, "user_id": u} for i, u in writes.digests],
                "channel": channel,
            }
        )
        if defer:
            connection = await self.session.connection()
            driver = (await connection.get_raw_connection()).driver_connection
            key, definition = _WRITE_PREPARED
            if isinstance(driver, ScopedConnection) and driver.defer_execute(
                key, definition, literal(doc)
            ):
                return True
        row = (await self.session.execute(_WRITE, {"doc": doc})).one()
        return bool(row.journalled)

    def add(self, row: IntakeEvent | Notification | EmailMessage | DigestItem) -> None:
        """Write a journal row, a notification, an e-mail or a digest item (at the next flush)."""
        self.session.add(row)

    async def journal(
        self, organisation_id: str, *, event_types: Iterable[str]
    ) -> Sequence[tuple[str, Any]]:
        """(event type, payload) of the organisation's journalled events of these types,
        newest first."""
        query = (
            sa.select(col(IntakeEvent.event_type), col(IntakeEvent.payload))
            .where(
                col(IntakeEvent.organisation_id) == organisation_id,
                col(IntakeEvent.event_type).in_(list(event_types)),
            )
            .order_by(col(IntakeEvent.occurred_at).desc())
        )
        return [(t, p) for t, p in (await self.session.execute(query)).all()]

    async def active_people(self) -> list[Person]:
        """Every person whose account is active."""
        query = sa.select(Person).where(col(Person.status) == "active").order_by(col(Person.id))
        return list((await self.session.execute(query)).scalars().all())

    async def concerned_people(self, who: Concerned) -> list[Person]:
        """The active people an event can concern (one query, through the grants' indexes):
        the organisation's people in these roles, the region's facilitators, the holders of
        these roles anywhere, the people named."""
        if who.nobody:
            return []
        grants: list[sa.ColumnElement[bool]] = []
        if who.organisation_id and who.organisation_roles:
            grants.append(
                sa.and_(
                    col(PersonGrant.organisation_id) == who.organisation_id,
                    col(PersonGrant.role).in_(sorted(who.organisation_roles)),
                )
            )
        if who.facilitators_of:
            grants.append(
                sa.and_(
                    col(PersonGrant.role) == "facilitator",
                    col(PersonGrant.region) == who.facilitators_of,
                )
            )
        if who.roles:
            grants.append(col(PersonGrant.role).in_(sorted(who.roles)))
        chosen: list[sa.ColumnElement[bool]] = []
        if grants:
            chosen.append(
                col(Person.id).in_(sa.select(col(PersonGrant.person_id)).where(sa.or_(*grants)))
            )
        if who.user_ids:
            chosen.append(col(Person.id).in_(sorted(who.user_ids)))
        query = (
            sa.select(Person)
            .where(col(Person.status) == "active", sa.or_(*chosen))
            .order_by(col(Person.id))
        )
        return list((await self.session.execute(query)).scalars().all())

    async def replace_grants(self, person_id: str, memberships: list[dict[str, Any]]) -> None:
        """Write the person's grants anew from their memberships (what
        :meth:`concerned_people` searches)."""
        await self.session.execute(
            sa.delete(PersonGrant).where(col(PersonGrant.person_id) == person_id)
        )
        rows = [
            {
                "person_id": person_id,
                "position": position,
                **{
                    k: None if membership.get(k) is None else str(membership[k])
                    for k in ("role", "organisation_id", "region", "certification_body_id")
                },
            }
            for position, membership in enumerate(memberships)
        ]
        if rows:
            await self.session.execute(sa.insert(PersonGrant), rows)

    async def waiting_digest_items(self) -> Sequence[DigestItem]:
        """The digest items no digest took yet, by person then age, locked."""
        query = (
            sa.select(DigestItem)
            .where(col(DigestItem.email_id).is_(None))
            .order_by(col(DigestItem.user_id), col(DigestItem.created_at))
            .with_for_update()
        )
        return (await self.session.execute(query)).scalars().all()

    async def last_digests(self, user_ids: list[str]) -> dict[str, datetime]:
        """When each of these people's last digest was written (those who had one)."""
        query = (
            sa.select(col(EmailMessage.user_id), sa.func.max(col(EmailMessage.created_at)))
            .where(col(EmailMessage.kind) == "digest", col(EmailMessage.user_id).in_(user_ids))
            .group_by(col(EmailMessage.user_id))
        )
        return {row[0]: row[1] for row in (await self.session.execute(query)).all()}

    async def flush(self) -> None:
        """Write what was added and changed."""
        await self.session.flush()
