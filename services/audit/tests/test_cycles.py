"""Certification cycles through the API: a programme keeps its cycle's start and the real expiry
from the recognition, its due dates and "done" matching are per cycle, and audits carry the
cycle they belong to (``docs/audit.md``, Programmes)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from cap_audit.programmes.service import on_recognition_changed
from cap_shared.clock import using
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import RecognitionStatusChangedV1

from .conftest import Service, ok
from .test_audits import accepted, events, setup_body


async def recognition(
    service: Service,
    recognition_id: str,
    *,
    status: str,
    previous: str | None,
    effective: date,
    expiry: date,
    changed: datetime,
    cycle_start: date | None = None,
    decided_on: date | None = None,
    key: str = "a",
    scheme: str = "CAP_ISO9001",
) -> None:
    """``recognition.status_changed.v1`` from the labelling service, as the worker applies it."""
    event = RecognitionStatusChangedV1(
        recognition_id=recognition_id,
        number=f"CAPISO-{recognition_id[:4]}",
        organisation_id=service.organisations[key].id,
        scheme=scheme,
        status=status,
        previous_status=previous,
        effective_date=effective,
        expiry_date=expiry,
        changed_at=changed,
        decided_on=decided_on,
        cycle_start=cycle_start,
    )
    with using(service.runtime.clock):
        async with service.runtime.db.session() as session:
            await on_recognition_changed(session, new_event(event, source="/cap/labelling"), event)


async def request(service: Service, programme_id: str, audit_type: str) -> dict:
    return ok(
        await service.client.post(
            f"/v1/audit-programmes/{programme_id}/audits",
            json={"type": audit_type},
            headers=service.admin,
        ),
        201,
    )


async def programme_of(service: Service, programme_id: str) -> dict:
    return ok(
        await service.client.get(f"/v1/audit-programmes/{programme_id}", headers=service.admin)
    )


async def test_after_a_renewal_the_new_cycle_s_surveillances_are_not_done_by_the_old_ones(
    service: Service,
) -> None:
    await setup_body(service)
    programme = await accepted(service)
    first = str(uuid.uuid4())
    await recognition(
        service,
        first,
        status="active",
        previous=None,
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2027, 6, 1, 12, tzinfo=UTC),
        decided_on=date(2027, 6, 1),
        cycle_start=date(2027, 6, 1),
    )
    cycle1 = [await request(service, programme["id"], t) for t in ("surveillance", "surveillance")]
    renewal = await request(service, programme["id"], "renewal")
    assert {a["cycle"] for a in [*cycle1, renewal]} == {1}
    shown = await programme_of(service, programme["id"])
    assert [(i["type"], i["audit_id"], i["cycle"]) for i in shown["schedule"][2:]] == [
        ("surveillance", cycle1[0]["id"], 1),
        ("surveillance", cycle1[1]["id"], 1),
        ("renewal", renewal["id"], 1),
    ]

    # The renewal decision: a new certificate, its cycle counted from the previous expiry.
    second = str(uuid.uuid4())
    await recognition(
        service,
        second,
        status="active",
        previous=None,
        effective=date(2030, 4, 20),
        expiry=date(2033, 6, 1),
        changed=datetime(2030, 4, 20, 12, tzinfo=UTC),
        decided_on=date(2030, 4, 20),
        cycle_start=date(2030, 6, 1),
    )
    await recognition(  # the replaced certificate's news changes nothing
        service,
        first,
        status="renewed",
        previous="active",
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2030, 4, 20, 12, 1, tzinfo=UTC),
    )
    shown = await programme_of(service, programme["id"])
    assert (shown["cycle"], shown["cycle_start"], shown["expiry_date"], shown["decided_on"]) == (
        2,
        "2030-06-01",
        "2033-06-01",
        "2030-04-20",
    )
    assert [(i["type"], i["due_by"], i["audit_id"], i["cycle"]) for i in shown["schedule"]] == [
        ("surveillance", "2031-06-01", None, 2),  # not the cycle-1 surveillances
        ("surveillance", "2032-12-31", None, 2),
        ("renewal", "2033-03-03", None, 2),
    ]
    new = await request(service, programme["id"], "surveillance")
    assert (new["cycle"], new["due_by"]) == (2, "2031-06-01")
    (requested,) = [
        e for e in await events(service, "audit.requested.v1") if e["audit_id"] == new["id"]
    ]
    assert requested["due_by"] == "2031-06-01"
    shown = await programme_of(service, programme["id"])
    assert shown["schedule"][0]["audit_id"] == new["id"]


async def test_after_a_restoration_the_renewal_is_due_before_the_real_expiry(
    service: Service,
) -> None:
    await setup_body(service)
    programme = await accepted(service)
    certificate = str(uuid.uuid4())
    await recognition(
        service,
        certificate,
        status="active",
        previous=None,
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2027, 6, 1, 12, tzinfo=UTC),
    )
    await recognition(
        service,
        certificate,
        status="expired",
        previous="active",
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2030, 6, 2, 1, tzinfo=UTC),
    )
    # Restored four months after expiry: the expiry keeps the previous cycle's anniversary
    # (17021-1 §9.6.3.2.3). No cycle start published: the previous expiry is the start.
    await recognition(
        service,
        certificate,
        status="active",
        previous="expired",
        effective=date(2030, 10, 1),
        expiry=date(2033, 6, 1),
        changed=datetime(2030, 10, 1, 9, tzinfo=UTC),
        decided_on=date(2030, 10, 1),
    )
    shown = await programme_of(service, programme["id"])
    assert (shown["cycle"], shown["cycle_start"], shown["expiry_date"]) == (
        2,
        "2030-06-01",
        "2033-06-01",
    )
    renewal = shown["schedule"][-1]
    assert (renewal["type"], renewal["due_by"]) == ("renewal", "2033-03-03")
    assert date.fromisoformat(renewal["due_by"]) < date(2033, 6, 1)

    # A suspension and its lifting keep the cycle; a late, older event changes nothing.
    for status, previous, hour in (("suspended", "active", 10), ("active", "suspended", 11)):
        await recognition(
            service,
            certificate,
            status=status,
            previous=previous,
            effective=date(2030, 10, 1),
            expiry=date(2033, 6, 1),
            changed=datetime(2031, 2, 1, hour, tzinfo=UTC),
        )
    await recognition(
        service,
        certificate,
        status="active",
        previous=None,
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2027, 6, 1, 12, tzinfo=UTC),
    )
    again = await programme_of(service, programme["id"])
    assert (again["cycle"], again["cycle_start"], again["schedule"]) == (
        2,
        "2030-06-01",
        shown["schedule"],
    )


async def test_a_certificate_suspended_for_a_missed_surveillance_may_still_have_it(
    service: Service,
) -> None:
    """The missed surveillance is what lifts a suspension for it (ISO/IEC 17021-1 §9.6.5): the
    programme accepts its request while the recognition is suspended, not once it has ended."""
    await setup_body(service)
    programme = await accepted(service)
    certificate = str(uuid.uuid4())
    for status, previous, hour in (("active", None, 9), ("suspended", "active", 10)):
        await recognition(
            service,
            certificate,
            status=status,
            previous=previous,
            effective=date(2027, 6, 1),
            expiry=date(2030, 6, 1),
            changed=datetime(2028, 6, 2, hour, tzinfo=UTC),
            decided_on=date(2027, 6, 1),
            cycle_start=date(2027, 6, 1),
        )
    missed = await request(service, programme["id"], "surveillance")
    assert (missed["cycle"], missed["due_by"]) == (1, "2028-06-01")
    await recognition(
        service,
        certificate,
        status="withdrawn",
        previous="suspended",
        effective=date(2027, 6, 1),
        expiry=date(2030, 6, 1),
        changed=datetime(2028, 12, 2, 9, tzinfo=UTC),
    )
    ended = await service.client.post(
        f"/v1/audit-programmes/{programme['id']}/audits",
        json={"type": "surveillance"},
        headers=service.admin,
    )
    assert ended.status_code == 409, ended.text
    assert "recognition in force" in ended.json()["detail"]
