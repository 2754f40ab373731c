"""Per-aggregate order on a real handler (docs/domain/reliability.md O6): the audit programme's
cycle follows a recognition's changes in their order. The grant's first delivery fails; the
suspension that followed it is delivered before the grant's retry comes back. Parked until the
grant has been applied, it leaves the programme with the grant's cycle and the recognition
suspended; each change is applied once."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, date, datetime

import sqlalchemy as sa

from cap_audit.events.handlers import HANDLERS
from cap_audit.models import ActiveRecognition, tables
from cap_shared.contracts import new_event
from cap_shared.contracts.labelling import RecognitionStatusChangedV1
from cap_shared.inbox import EventConsumer
from cap_shared.messaging import Delivery, OutgoingMessage, QueueSpec
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.testing.fixtures import unique_namespace

from .conftest import Service
from .test_audits import accepted, setup_body
from .test_cycles import programme_of

EVENT = "recognition.status_changed.v1"
QUEUE = QueueSpec(
    name="audit-order",
    bindings=(EVENT,),
    delivery_limit=10,
    retry_delays=(0.3,) * 9,
    prefetch=1,  # one at a time: the test database is one connection
    handler_timeout=10,
)


async def test_a_suspension_delivered_before_the_grant_s_retry_waits_for_it(
    service: Service,
) -> None:
    await setup_body(service)
    programme = await accepted(service)
    recognition_id = str(uuid.uuid4())
    common = {
        "recognition_id": recognition_id,
        "number": "CAPISO-0001",
        "organisation_id": service.organisations["a"].id,
        "scheme": "CAP_ISO9001",
        "effective_date": date(2027, 6, 1),
        "expiry_date": date(2030, 6, 1),
        "decided_on": date(2027, 6, 1),
    }
    grant = RecognitionStatusChangedV1(
        **common,
        status="active",
        previous_status=None,
        changed_at=datetime(2027, 6, 1, 12, tzinfo=UTC),
        cycle_start=date(2027, 6, 1),
    )
    suspension = RecognitionStatusChangedV1(
        **common,
        status="suspended",
        previous_status="active",
        changed_at=datetime(2027, 9, 1, 12, tzinfo=UTC),
    )
    envelopes = [
        new_event(event, source="/cap/labelling", subject=recognition_id).model_copy(
            update={"subjectversion": version}
        )
        for version, event in ((1, grant), (2, suspension))
    ]
    consumer = EventConsumer(
        db=service.runtime.db,
        inbox=tables.inbox,
        consumer="audit-order",
        handlers={EVENT: HANDLERS[EVENT]},
        clock=service.runtime.clock,
    )
    arrivals: list[tuple[str, int]] = []
    finished: Counter[str] = Counter()
    acked: Counter[str] = Counter()

    async def worker(delivery: Delivery) -> None:
        arrivals.append((delivery.message_id or "", delivery.attempt))
        try:
            if delivery.message_id == envelopes[0].id and delivery.attempt == 1:
                raise RuntimeError("the grant's first attempt fails")
            await consumer(delivery)
            acked[delivery.message_id or ""] += 1
        finally:
            finished[delivery.message_id or ""] += 1

    broker = MemoryBroker(namespace=unique_namespace())
    await broker.start()
    try:
        await broker.consume(QUEUE, worker)
        for envelope in envelopes:
            await broker.publish(
                OutgoingMessage(routing_key=EVENT, body=envelope.to_json(), message_id=envelope.id)
            )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while set(acked) != {e.id for e in envelopes}:
            assert loop.time() < deadline, f"not applied in time: {arrivals}"
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # nothing more arrives
    finally:
        await broker.close()

    grant_id, suspension_id = (e.id for e in envelopes)
    # The interleaving: the suspension arrived between the grant's failure and its retry, was
    # parked, and applied after the grant.
    assert arrivals.index((suspension_id, 1)) < arrivals.index((grant_id, 2))
    assert finished[suspension_id] >= 2
    assert acked == {grant_id: 1, suspension_id: 1}

    shown = await programme_of(service, programme["id"])
    assert (shown["cycle"], shown["cycle_start"], shown["expiry_date"]) == (
        1,
        "2027-06-01",
        "2030-06-01",
    )
    async with service.runtime.db.session() as session:
        kept = await session.get(ActiveRecognition, recognition_id)
        assert kept is not None
        assert kept.status == "suspended"
        claimed = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(tables.inbox)
                .where(tables.inbox.c.consumer == "audit-order")
            )
        ).scalar_one()
        assert claimed == 2  # each change applied once
