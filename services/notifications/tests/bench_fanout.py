"""Micro-benchmark of the fan-out (not collected by the suite: run it by path).

    uv run --frozen pytest services/notifications/tests/bench_fanout.py -q -s

A network of 500 people in 100 organisations (13 regions, 5 certification bodies), then
events of several kinds fanned out one by one in their own transaction: statements per event,
CPU (this process) and wall time per event.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from cap_notifications.fanout import service as fanout
from cap_notifications.fanout.repository import FanoutRepository
from cap_notifications.models import Organisation, Person
from cap_shared.clock import using, wall_now
from cap_shared.contracts import new_event
from cap_shared.contracts.audit import AuditPlannedV1, AuditRequestedV1

from .conftest import Service
from .test_notify import completed

REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
BODIES = ["body-a", "body-b", "body-c", "body-d", "body-e"]


async def network(service: Service) -> dict[str, Any]:
    """100 organisations, 4 people each, 2 facilitators per region, 10 auditors per body,
    10 committee members, 5 admins, some disabled: about 500 people."""
    now = wall_now()
    organisations = [
        Organisation(
            id=str(uuid.uuid4()), name=f"S{i}", region=REGIONS[i % len(REGIONS)], registered_at=now
        )
        for i in range(int(os.environ.get("BENCH_ORGS", "100")))
    ]
    people: list[Person] = []

    def add(*memberships: dict[str, Any], status: str = "active") -> str:
        pid = str(uuid.uuid4())
        people.append(
            Person(
                id=pid,
                email=f"{pid}@x.example",
                name=pid[:8],
                status=status,
                memberships=list(memberships),
                changed_at=now,
            )
        )
        return pid

    for o in organisations:
        add({"role": "member_admin", "organisation_id": o.id, "region": None})
        for _ in range(3):
            add({"role": "member", "organisation_id": o.id})
    for r in REGIONS:
        add({"role": "facilitator", "region": r})
        add({"role": "facilitator", "region": r})
    auditors = {
        b: [add({"role": "auditor", "certification_body_id": b}) for _ in range(10)] for b in BODIES
    }
    for _ in range(10):
        add({"role": "committee"})
    for _ in range(5):
        add({"role": "admin"})
    for _ in range(9):
        add({"role": "member", "organisation_id": organisations[0].id}, status="disabled")
    async with service.runtime.db.session() as session:
        session.add_all(organisations)
        session.add_all(people)
        await session.flush()
        # As the projection of identity.user.changed.v1 writes them (not before issue 22).
        replace_grants = getattr(FanoutRepository(session), "replace_grants", None)
        for p in people if replace_grants else ():
            await replace_grants(p.id, p.memberships)
    return {"organisations": organisations, "auditors": auditors, "people": len(people)}


async def test_fanout_cost(service: Service) -> None:
    net = await network(service)
    orgs = net["organisations"]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    events = []
    for i, o in enumerate((orgs * 40)[:40]):
        audit_id = str(uuid.uuid4())
        body = BODIES[i % len(BODIES)]
        events.append(completed(o.id))
        events.append(
            AuditRequestedV1(
                audit_id=audit_id,
                programme_id=str(uuid.uuid4()),
                organisation_id=o.id,
                scheme="CAP_ISO9001",
                audit_type="stage2",
                certification_body_id=body,
                requested_at=wall_now(),
                planner_user_ids=[net["auditors"][body][0]],
            )
        )
        events.append(
            AuditPlannedV1(
                audit_id=audit_id,
                organisation_id=o.id,
                scheme="CAP_ISO9001",
                audit_type="stage2",
                certification_body_id=body,
                start_date=date(2027, 1, 11),
                end_date=date(2027, 1, 12),
                auditor_ids=["aud-lead"],
                auditor_user_ids=[net["auditors"][body][1]],
            )
        )
    sa_event.listen(Engine, "before_cursor_execute", count)
    cpu, wall, n = 0.0, 0.0, 0
    try:
        for warm, batch in ((True, events[:15]), (False, events[15:])):
            for ev in batch:
                envelope = new_event(ev, source="/cap/bench")
                statements.clear()
                c0, w0 = time.process_time(), time.perf_counter()
                with using(service.runtime.clock):
                    async with service.runtime.db.session() as session:
                        await fanout.fan_out(session, envelope, event=ev, settings=service.settings)
                c1, w1 = time.process_time(), time.perf_counter()
                if not warm:
                    cpu += c1 - c0
                    wall += w1 - w0
                    n += 1
                    per_event = len(statements)
                    last = list(statements)
    finally:
        sa_event.remove(Engine, "before_cursor_execute", count)
    async with service.runtime.db.session() as session:
        told = (await session.execute(sa.text("select count(*) from notification"))).scalar_one()
    if os.environ.get("BENCH_SHOW"):
        print("\n".join(s.split("\n")[0][:150] for s in last))
    print(
        f"\nfan-out, {net['people']} people, {n} events: CPU {1000 * cpu / n:.2f} ms/event, "
        f"wall {1000 * wall / n:.2f} ms/event, statements (last event) {per_event}, "
        f"notifications {told}"
    )
