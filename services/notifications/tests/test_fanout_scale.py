"""The fan-out on a directory of many people: the same recipients as when everyone was loaded,
only the people an event can concern read, and a number of statements that does not grow with
the recipients (issue 22)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from cap_notifications.catalogue import EVENT_TYPES
from cap_notifications.fanout import recipients
from cap_notifications.fanout.recipients import PersonView
from cap_notifications.fanout.repository import FanoutRepository, Writes
from cap_notifications.fanout.repository.gathering import Criteria, Gathered
from cap_notifications.models import DigestItem, IntakeEvent, Notification, Person, PersonGrant
from cap_shared.contracts.audit import AuditRequestedV1, FindingAppealLodgedV1

from .conftest import Service
from .test_notify import completed

#: An audit's request and an appeal against one of its findings (ids and organisation set per test).
REQUESTED: dict[str, Any] = {
    "programme_id": "prog-1",
    "scheme": "CAP_RSE",
    "audit_type": "initial",
    "certification_body_id": "sgs-tuv",
    "requested_at": "2026-12-07T10:00:00Z",
}
APPEAL: dict[str, Any] = {
    "appeal_id": "appeal-1",
    "finding_id": "finding-1",
    "scheme": "CAP_RSE",
    "certification_body_id": "sgs-tuv",
    "finding_type": "major_nc",
    "lodged_by": "someone",
    "lodged_at": "2026-12-07T11:00:00Z",
}

REGIONS = ("76", "11", "84")
BODIES = ("sgs-tuv", "bureau-veritas")

#: Every content an audience depends on (finding changes, stages, statuses, schemes, outcomes).
VARIANTS: list[dict[str, Any]] = [
    {},
    {"stage": "overdue"},
    {"stage": "verification_overdue"},
    {"stage": "reminder"},
    {"status": "suspended"},
    {"status": "withdrawn"},
    {"reason": "scope_reduced"},
    {"scheme": "CAP_RSE"},
    {"outcome": "refused"},
    {"outcome": "deferred"},
    {"previous_type": "minor_nc", "type": "major_nc"},
    {"previous_type": "major_nc", "type": "minor_nc"},
    {"status": "appealed"},
    {"previous_status": "appealed", "status": "open"},
]


async def big_directory(service: Service) -> dict[str, Any]:
    """Six structures in three regions, with their admins and members, facilitators of each
    region, auditors of two bodies, the committee, operators, and disabled accounts of every
    kind: about 50 people, most of them unrelated to any one event."""
    for i in range(4):  # a and b exist: c..f more
        await service.add_organisation(f"org{i}", region=REGIONS[i % len(REGIONS)])
    orgs = [o.id for o in service.organisations.values()]
    auditors: dict[str, list[str]] = {b: [] for b in BODIES}
    for n, org in enumerate(orgs):
        await service.add_person(f"admin{n}", {"role": "member_admin", "organisation_id": org})
        await service.add_person(f"member{n}", {"role": "member", "organisation_id": org})
        await service.add_person(f"member{n}bis", {"role": "member", "organisation_id": org})
        await service.add_person(
            f"gone{n}", {"role": "member_admin", "organisation_id": org}, status="disabled"
        )
    for region in REGIONS:
        await service.add_person(f"facilitator{region}", {"role": "facilitator", "region": region})
    for body in BODIES:
        for k in range(4):
            auditors[body].append(
                await service.add_person(
                    f"auditor{body}{k}", {"role": "auditor", "certification_body_id": body}
                )
            )
    await service.add_person("committee", {"role": "committee"})
    await service.add_person("committee_gone", {"role": "committee"}, status="disabled")
    await service.add_person("operator", {"role": "admin"})
    # Several hats: a member of one structure who is also a facilitator and on the committee.
    await service.add_person(
        "hats",
        {"role": "member", "organisation_id": orgs[1]},
        {"role": "facilitator", "region": "84"},
        {"role": "committee"},
    )
    return {"organisations": orgs, "auditors": auditors}


async def everyone(service: Service) -> list[PersonView]:
    async with service.runtime.db.session() as session:
        rows = (await session.execute(sa.select(Person))).scalars().all()
        return [PersonView(p.id, p.status, tuple(p.memberships)) for p in rows]


async def test_the_recipients_are_the_same_as_from_the_whole_directory(service: Service) -> None:
    net = await big_directory(service)
    all_people = await everyone(service)
    a_sgs, b_sgs = net["auditors"]["sgs-tuv"][:2]
    other = net["auditors"]["bureau-veritas"][0]
    checked = 0
    async with service.runtime.db.session() as session:
        repository = FanoutRepository(session)
        for event_type, variant, (organisation_id, region), named in itertools.product(
            EVENT_TYPES,
            VARIANTS,
            # A structure and its region, another, one whose region is unknown, none.
            [
                (net["organisations"][0], "76"),
                (net["organisations"][4], "84"),
                (net["organisations"][0], None),
                (None, "11"),
            ],
            [
                {},
                {"certification_body_id": "sgs-tuv", "planner_user_ids": [a_sgs, other]},
                {"certification_body_id": "sgs-tuv", "auditor_user_ids": [b_sgs]},
                {
                    "certification_body_id": "sgs-tuv",
                    "planner_user_ids": [a_sgs],
                    "auditor_user_ids": [b_sgs, other],
                },
            ],
        ):
            data = {"organisation_id": organisation_id, **variant, **named}
            before = recipients.resolve(event_type, data, region=region, people=all_people)
            loaded = await repository.concerned_people(
                recipients.concerned(event_type, data, region=region)
            )
            after = recipients.resolve(
                event_type,
                data,
                region=region,
                people=[PersonView(p.id, p.status, tuple(p.memberships)) for p in loaded],
            )
            assert after == before, (event_type, data, region)
            # Only the people the event can concern are read: never the whole directory.
            assert len(loaded) < len(all_people) / 2, (event_type, data, region)
            checked += bool(before)
    assert checked > 1000  # most combinations tell someone


async def test_a_changed_person_is_found_through_their_new_grants_only(service: Service) -> None:
    a, b = service.organisations["a"].id, service.organisations["b"].id
    mover = await service.add_person("mover", {"role": "member_admin", "organisation_id": a})
    await service.add_person("mover", {"role": "member_admin", "organisation_id": b})

    async def concerned(organisation_id: str) -> set[str]:
        async with service.runtime.db.session() as session:
            people = await FanoutRepository(session).concerned_people(
                recipients.concerned(
                    "labelling.group_invitation.sent.v1",
                    {"organisation_id": organisation_id},
                    region=None,
                )
            )
            return {p.id for p in people}

    assert mover not in await concerned(a)
    assert mover in await concerned(b)
    async with service.runtime.db.session() as session:
        grants = (
            (await session.execute(sa.select(PersonGrant).where(PersonGrant.person_id == mover)))
            .scalars()
            .all()
        )
    assert [(g.role, g.organisation_id) for g in grants] == [("member_admin", b)]


_HARNESS = ("SAVEPOINT", "RELEASE SAVEPOINT", "SELECT set_config(")


@contextmanager
def counted() -> Iterator[dict[str, Any]]:
    """The statements run and the people the fan-out read meanwhile."""
    seen: dict[str, Any] = {"statements": 0, "people": 0}

    def statement(*args: Any) -> None:
        # The test's own savepoint and row scope (a worker's transaction sends its scope with
        # its BEGIN) are not the fan-out's.
        if not str(args[2]).lstrip().startswith(_HARNESS):
            seen["statements"] += 1

    gather = FanoutRepository.gather

    async def counting_gather(self: FanoutRepository, criteria: Criteria) -> Gathered:
        gathered = await gather(self, criteria)
        seen["people"] += len(gathered.people)
        return gathered

    sa_event.listen(Engine, "before_cursor_execute", statement)
    FanoutRepository.gather = counting_gather  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        FanoutRepository.gather = gather  # type: ignore[method-assign]
        sa_event.remove(Engine, "before_cursor_execute", statement)


async def test_a_fan_out_reads_only_its_people_in_a_fixed_number_of_statements(
    service: Service,
) -> None:
    net = await big_directory(service)
    first, second = net["organisations"][0], net["organisations"][1]
    # More staff for the second structure: 12 recipients more.
    for k in range(12):
        await service.add_person(f"extra{k}", {"role": "member", "organisation_id": second})
    with counted() as few:
        await service.deliver(completed(first))
    with counted() as many:
        await service.deliver(completed(second))
    async with service.runtime.db.session() as session:
        told = dict(
            (
                await session.execute(
                    sa.select(Notification.organisation_id, sa.func.count()).group_by(
                        Notification.organisation_id
                    )
                )
            ).all()
        )
    # The structure's three active staff and its region's facilitator; then the same plus
    # the twelve, and "hats", a member of the second structure.
    assert told == {first: 4, second: 4 + 12 + 1}
    # One statement of its own whatever the recipients (PostgreSQL): everything read at once
    # (the journal, the organisation, the people, their preferences, the subscriptions); the
    # write, one statement too, rides with the transaction's end. Only the people concerned
    # are read.
    assert few["statements"] == many["statements"] == 1
    assert few["people"] == 4
    assert many["people"] == told[second]


async def test_an_event_of_an_audit_reads_its_journal_in_the_same_statement(
    service: Service,
) -> None:
    """The people in charge of an audit come from the journal of its request: read with the
    rest, in the same one statement, and told."""
    net = await big_directory(service)
    organisation = net["organisations"][0]
    planner, outsider = net["auditors"]["sgs-tuv"][0], net["auditors"]["sgs-tuv"][1]
    audit_id = str(uuid.uuid4())
    await service.deliver(
        AuditRequestedV1.model_validate(
            {
                **REQUESTED,
                "audit_id": audit_id,
                "organisation_id": organisation,
                "planner_user_ids": [planner],
            }
        )
    )
    appeal = {**APPEAL, "audit_id": audit_id, "organisation_id": organisation}
    with counted() as seen:
        await service.deliver(FindingAppealLodgedV1.model_validate(appeal))
    assert seen["statements"] == 1
    async with service.runtime.db.session() as session:
        told = set(
            (
                await session.execute(
                    sa.select(Notification.user_id).where(
                        Notification.event_type == "finding.appeal_lodged.v1"
                    )
                )
            ).scalars()
        )
    assert planner in told
    assert outsider not in told


def test_nobody_concerned_reads_nobody() -> None:
    who = recipients.concerned("finding.status_changed.v1", {"organisation_id": "o"}, region="76")
    assert who.nobody
    assert not recipients.concerned(
        "diagnostic.completed.v1", {"organisation_id": "o"}, region=None
    ).nobody


async def test_the_write_of_an_event_journalled_meanwhile_writes_nothing(service: Service) -> None:
    """The one-statement write keeps its own guard: the journal row first, and nothing else
    (notification, e-mail, digest item, wake-up) if the event is journalled already."""
    admin = await service.add_person(
        "admin_a", {"role": "member_admin", "organisation_id": service.organisations["a"].id}
    )
    now = service.runtime.clock.now()

    def writes() -> Writes:
        journal = IntakeEvent(
            event_id="evt-1",
            event_type="diagnostic.completed.v1",
            organisation_id=service.organisations["a"].id,
            occurred_at=now,
            received_at=now,
            payload={"organisation_id": service.organisations["a"].id},
            status="fanned_out",
            recipients=1,
        )
        return Writes(
            journal=journal,
            title="t",
            body="b",
            link=None,
            notifications=[(str(uuid.uuid4()), admin, True)],
            digests=[(str(uuid.uuid4()), admin)],
            in_feed=[admin],
        )

    async with service.runtime.db.session() as session:
        assert await FanoutRepository(session).write(writes(), channel="cap_feed_test")
        assert not await FanoutRepository(session).write(writes(), channel="cap_feed_test")
        counts = [
            (await session.execute(sa.select(sa.func.count()).select_from(model))).scalar_one()
            for model in (IntakeEvent, Notification, DigestItem)
        ]
        journal = await session.get(IntakeEvent, "evt-1")
    assert counts == [1, 1, 1]
    assert journal is not None
    assert (journal.recipients, journal.status) == (1, "fanned_out")


async def test_a_deferred_write_rides_with_the_next_statement_and_keeps_its_guard(
    service: Service,
) -> None:
    """Deferred (as the fan-out writes), the write is no round trip of its own: it is sent with
    the transaction's next statement (or its COMMIT), what follows sees it, and a second write
    of the same event still writes nothing."""
    admin = await service.add_person(
        "admin_a", {"role": "member_admin", "organisation_id": service.organisations["a"].id}
    )
    now = service.runtime.clock.now()
    organisation = service.organisations["a"].id

    def writes(event_id: str) -> Writes:
        journal = IntakeEvent(
            event_id=event_id,
            event_type="diagnostic.completed.v1",
            organisation_id=organisation,
            occurred_at=now,
            received_at=now,
            payload={"organisation_id": organisation, "note": 'l\'été \\ "quoted"'},
            status="fanned_out",
            recipients=1,
        )
        return Writes(
            journal=journal,
            title="Titre avec 'apostrophe' et \\",
            body="b",
            link=None,
            notifications=[(str(uuid.uuid4()), admin, True)],
            digests=[(str(uuid.uuid4()), admin)],
            in_feed=[admin],
        )

    async with service.runtime.db.session() as session:
        repository = FanoutRepository(session)
        with counted() as seen:
            assert await repository.write(writes("evt-d"), channel="cap_feed_test", defer=True)
            assert await repository.write(writes("evt-d"), channel="cap_feed_test", defer=True)
        assert seen["statements"] == 0  # nothing sent yet
        counts = [
            (await session.execute(sa.select(sa.func.count()).select_from(model))).scalar_one()
            for model in (IntakeEvent, Notification, DigestItem)
        ]
        journal = await session.get(IntakeEvent, "evt-d")
        notification = (await session.execute(sa.select(Notification))).scalars().one()
    assert counts == [1, 1, 1]
    assert journal is not None
    assert journal.payload["note"] == 'l\'été \\ "quoted"'
    assert notification.title == "Titre avec 'apostrophe' et \\"
    assert notification.created_at == now
