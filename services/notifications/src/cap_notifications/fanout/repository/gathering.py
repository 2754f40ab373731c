"""What the fan-out of one event reads before it writes, in one statement on PostgreSQL.

A round trip to PostgreSQL costs both processes more than a small indexed read, and on a busy
machine each one waits for both to be scheduled again: the fan-out's reads (whether the event is
journalled, its organisation, the journal of its audit, the people it can concern, their
preferences, the webhook subscriptions) were six statements; they are one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import col

from cap_notifications.fanout.recipients import Concerned
from cap_notifications.models import Preference, PreferenceSettings, WebhookSubscription

if TYPE_CHECKING:
    from cap_notifications.fanout.repository import FanoutRepository


@dataclass(frozen=True)
class Someone:
    """A person the fan-out may tell (what it needs of the directory)."""

    id: str
    email: str
    name: str
    status: str
    memberships: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Place:
    """The organisation an event concerns (its name for the wording, its region)."""

    id: str
    name: str
    region: str


@dataclass
class Gathered:
    """Everything a fan-out reads before it writes (:meth:`FanoutRepository.gather`)."""

    #: Whether the event is journalled already (then nothing else matters).
    seen: bool
    organisation: Place | None
    #: The active people the event can concern (a superset of its recipients), by id.
    people: list[Someone]
    #: The stored settings of these people (timezone, quiet start, quiet end, digest hour).
    settings: dict[str, tuple[str, str | None, str | None, int]]
    #: Their choices for this event type: user id -> {(event type, channel): mode}.
    choices: dict[str, dict[tuple[str, str], str]]
    #: (id, event types) of the active webhook subscriptions.
    subscriptions: list[tuple[str, list[str]]]
    #: (event type, payload) of the organisation's journalled events of the asked types,
    #: newest first (empty unless asked).
    journal: list[tuple[str, Any]]


@dataclass(frozen=True)
class Criteria:
    """Whom to read for an event, before its organisation is known (the facilitators are those
    of its organisation's region; the people named by the journal are added when asked)."""

    event_id: str
    event_type: str
    organisation_id: str | None
    organisation_roles: frozenset[str] = frozenset()
    facilitators: bool = False
    roles: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()
    #: Read the organisation's journal of these types; its planners and teams are people
    #: the event can concern too.
    journal_types: tuple[str, ...] = ()


#: Everything a fan-out reads, in one statement (PostgreSQL): whether the event is journalled,
#: its organisation, the organisation's journal of the asked types, the active people it can
#: concern (the organisation's people in some roles, its region's facilitators, holders of some
#: roles anywhere, the people named by the event or by that journal: a superset, through the
#: grants' indexes), their settings and choices for this event type, the active subscriptions.
_GATHER = sa.text(
    """
WITH o AS (
  SELECT id, name, region FROM organisation WHERE id = :organisation_id
), jr AS (
  SELECT event_type, payload, occurred_at FROM intake_event
  WHERE organisation_id = :organisation_id AND event_type = ANY(:journal_types)
), named AS (
  SELECT u.id FROM unnest(CAST(:user_ids AS text[])) AS u(id)
  UNION
  SELECT json_array_elements_text(
    CASE WHEN json_typeof(jr.payload -> k.key) = 'array' THEN jr.payload -> k.key
         ELSE CAST('[]' AS json) END)
  FROM jr, (VALUES ('planner_user_ids'), ('auditor_user_ids')) AS k(key)
), p AS (
  SELECT id, email, name, status, memberships FROM person
  WHERE status = 'active' AND (
    id IN (
      SELECT person_id FROM person_grant
      WHERE (organisation_id = :organisation_id AND role = ANY(:organisation_roles))
         OR (:facilitators AND role = 'facilitator' AND region = (SELECT region FROM o))
         OR role = ANY(:roles))
    OR id IN (SELECT id FROM named))
)
SELECT
  EXISTS (SELECT 1 FROM intake_event WHERE event_id = :event_id) AS seen,
  (SELECT json_build_array(id, name, region) FROM o) AS organisation,
  (SELECT json_agg(json_build_array(id, email, name, status, memberships) ORDER BY id)
   FROM p) AS people,
  (SELECT json_agg(json_build_array(user_id, timezone, quiet_start, quiet_end, digest_hour))
   FROM preference_settings WHERE user_id IN (SELECT id FROM p)) AS settings,
  (SELECT json_agg(json_build_array(user_id, event_type, channel, mode)) FROM preference
   WHERE event_type = :event_type AND user_id IN (SELECT id FROM p)) AS choices,
  (SELECT json_agg(json_build_array(id, event_types)) FROM webhook_subscription
   WHERE status = 'active') AS subscriptions,
  (SELECT json_agg(json_build_array(event_type, payload) ORDER BY occurred_at DESC)
   FROM jr) AS journal
"""
).bindparams(
    *(
        sa.bindparam(name, type_=ARRAY(sa.Text()))
        for name in ("journal_types", "user_ids", "organisation_roles", "roles")
    ),
    sa.bindparam("facilitators", type_=sa.Boolean()),
    sa.bindparam("organisation_id", type_=sa.Text()),
)


async def gather(repository: FanoutRepository, criteria: Criteria) -> Gathered:
    """Everything the fan-out of one event reads (:class:`Gathered`): one statement on
    PostgreSQL (:data:`_GATHER`), the same reads one by one elsewhere."""
    if repository.session.get_bind().dialect.name != "postgresql":
        return await _one_by_one(repository, criteria)
    row = (
        await repository.session.execute(
            _GATHER,
            {
                "event_id": criteria.event_id,
                "event_type": criteria.event_type,
                "organisation_id": criteria.organisation_id,
                "journal_types": list(criteria.journal_types),
                "user_ids": sorted(criteria.user_ids),
                "organisation_roles": sorted(criteria.organisation_roles),
                "facilitators": criteria.facilitators,
                "roles": sorted(criteria.roles),
            },
        )
    ).one()
    place = Place(*row.organisation) if row.organisation else None
    choices: dict[str, dict[tuple[str, str], str]] = {}
    for user_id, event_type, channel, mode in row.choices or ():
        choices.setdefault(user_id, {})[(event_type, channel)] = mode
    return Gathered(
        seen=bool(row.seen),
        organisation=place,
        people=[Someone(i, e, n, s, tuple(m or ())) for i, e, n, s, m in row.people or ()],
        settings={u: (tz, qs, qe, int(h)) for u, tz, qs, qe, h in row.settings or ()},
        choices=choices,
        subscriptions=[(i, list(t or ())) for i, t in row.subscriptions or ()],
        journal=[(t, p) for t, p in row.journal or ()],
    )


async def _one_by_one(repository: FanoutRepository, criteria: Criteria) -> Gathered:
    # SQLite (one process, no round trip to save): the same reads as queries of their own.
    seen, organisation = await repository.seen_and_organisation(
        criteria.event_id, criteria.organisation_id
    )
    journal: list[tuple[str, Any]] = []
    named = set(criteria.user_ids)
    if criteria.organisation_id and criteria.journal_types:
        journal = list(
            await repository.journal(criteria.organisation_id, event_types=criteria.journal_types)
        )
        for _, payload in journal:
            for key in ("planner_user_ids", "auditor_user_ids"):
                values = payload.get(key) if isinstance(payload, dict) else None
                if isinstance(values, list):
                    named |= {str(v) for v in values}
    region = organisation.region if organisation else None
    people = await repository.concerned_people(
        Concerned(
            organisation_id=criteria.organisation_id,
            organisation_roles=criteria.organisation_roles,
            facilitators_of=region if criteria.facilitators else None,
            roles=criteria.roles,
            user_ids=frozenset(named),
        )
    )
    ids = [p.id for p in people]
    settings: dict[str, tuple[str, str | None, str | None, int]] = {}
    choices: dict[str, dict[tuple[str, str], str]] = {}
    if ids:
        for s in (
            await repository.session.execute(
                sa.select(PreferenceSettings).where(col(PreferenceSettings.user_id).in_(ids))
            )
        ).scalars():
            settings[s.user_id] = (s.timezone, s.quiet_start, s.quiet_end, s.digest_hour)
        for c in (
            await repository.session.execute(
                sa.select(Preference).where(
                    col(Preference.user_id).in_(ids),
                    col(Preference.event_type) == criteria.event_type,
                )
            )
        ).scalars():
            choices.setdefault(c.user_id, {})[(c.event_type, c.channel)] = c.mode
    subscriptions = [
        (i, list(t or ()))
        for i, t in (
            await repository.session.execute(
                sa.select(col(WebhookSubscription.id), col(WebhookSubscription.event_types)).where(
                    col(WebhookSubscription.status) == "active"
                )
            )
        ).all()
    ]
    return Gathered(
        seen=seen,
        organisation=Place(organisation.id, organisation.name, organisation.region)
        if organisation
        else None,
        people=[Someone(p.id, p.email, p.name, p.status, tuple(p.memberships)) for p in people],
        settings=settings,
        choices=choices,
        subscriptions=subscriptions,
        journal=journal,
    )
