"""A toy service for infrastructure tests: a business table, an effect table, the infra tables.

Effects are deliberately *not* unique per event: a duplicate effect shows up as a second row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import clock
from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EventModel
from cap_shared.db.session import Database
from cap_shared.inbox import EventConsumer
from cap_shared.outbox import add_event
from cap_shared.runtime import infra_tables

TOY_EVENT = "toy.thing.created.v1"
metadata = sa.MetaData()
tables = infra_tables(metadata)
thing = sa.Table(
    "thing",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
)
effect = sa.Table(
    "effect",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("consumer", sa.String(50), nullable=False),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
)


class ThingCreated(EventModel):
    """Payload of the toy event."""

    thing_id: str
    n: int


def envelope(n: int) -> Envelope:
    """A toy event (not in the platform registry)."""
    thing_id = str(uuid4())
    return Envelope(
        id=str(uuid4()),
        source="/cap/toy",
        type=TOY_EVENT,
        time=clock.now(),
        subject=thing_id,
        data=ThingCreated(thing_id=thing_id, n=n).model_dump(),
    )


async def write_thing(db: Database, n: int, *, fail_after_outbox: bool = False) -> Envelope:
    """The business write: a thing row and its event, in one transaction (optionally rolled back)."""
    event = envelope(n)
    async with db.session() as session:
        await session.execute(sa.insert(thing).values(id=event.subject, n=n))
        await add_event(session, tables.outbox, event)
        if fail_after_outbox:
            raise RuntimeError("business rule failed after the event was recorded")
    return event


@dataclass
class EffectCounter:
    """The toy handler: one effect row per handled event, and what it saw."""

    consumer: str = "toy"
    handled: list[str] = field(default_factory=list)

    async def __call__(self, session: AsyncSession, env: Envelope, payload: ThingCreated) -> None:
        """Write one effect row for the event and remember its id."""
        await session.execute(
            sa.insert(effect).values(consumer=self.consumer, event_id=env.id, n=payload.n)
        )
        self.handled.append(env.id)

    async def batch(
        self, session: AsyncSession, events: list[tuple[Envelope, ThingCreated]]
    ) -> None:
        """The same effect for many events: one multi-row INSERT."""
        rows = [{"consumer": self.consumer, "event_id": e.id, "n": p.n} for e, p in events]
        await session.execute(sa.insert(effect), rows)
        self.handled.extend(e.id for e, _ in events)


def toy_consumer(
    db: Database, handler: EffectCounter, *, batch_handler: bool = False, **hooks: object
) -> EventConsumer:
    """An EventConsumer for the toy event (``batch_size`` and the fault hooks as keywords).

    ``batch_handler``: register the handler's multi-row form instead of the per-event one.
    """
    return EventConsumer(
        db=db,
        inbox=tables.inbox,
        consumer=handler.consumer,
        handlers={} if batch_handler else {TOY_EVENT: handler},
        batch_handlers={TOY_EVENT: handler.batch} if batch_handler else {},
        models={TOY_EVENT: ThingCreated},
        **hooks,  # type: ignore[arg-type]
    )


async def effects_by_event(db: Database) -> dict[str, int]:
    """Effect rows per event id."""
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(effect.c.event_id, sa.func.count()).group_by(effect.c.event_id)
            )
        ).all()
    return {r[0]: r[1] for r in rows}


async def pending_outbox(db: Database) -> int:
    """Outbox rows not yet published."""
    t = tables.outbox
    async with db.engine.connect() as conn:
        return int(
            (
                await conn.execute(sa.select(sa.func.count()).where(t.c.published_at.is_(None)))
            ).scalar_one()
        )
