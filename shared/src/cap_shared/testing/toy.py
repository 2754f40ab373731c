"""A toy service for infrastructure tests: a business table, an effect table, the infra tables.

Effects are deliberately *not* unique per event: a duplicate effect shows up as a second row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from cap_shared import clock
from cap_shared.contracts.envelope import Envelope
from cap_shared.contracts.registry import EventModel
from cap_shared.db.session import Database
from cap_shared.inbox import EventConsumer
from cap_shared.inbox.order import Policy, in_order
from cap_shared.outbox import add_event
from cap_shared.runtime import infra_tables

TOY_EVENT = "toy.thing.created.v1"
#: A change of a thing, versioned per thing (``subjectversion``): consumers apply it in order.
TOY_CHANGED = "toy.thing.changed.v1"
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

#: The latest state of each thing, as each state projection keeps it.
thing_state = sa.Table(
    "thing_state",
    metadata,
    sa.Column("consumer", sa.String(50), primary_key=True),
    sa.Column("thing_id", sa.String(36), primary_key=True),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
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


class ThingChanged(EventModel):
    """Payload of the toy change: the thing's whole new state."""

    thing_id: str
    n: int


async def change_thing(
    db: Database, thing_id: str, n: int, *, fail_after_outbox: bool = False
) -> Envelope:
    """The business write of a change: the thing's row and its versioned event, in one
    transaction (optionally rolled back); returns the event as recorded (with its version)."""
    event = Envelope(
        id=str(uuid4()),
        source="/cap/toy",
        type=TOY_CHANGED,
        time=clock.now(),
        subject=thing_id,
        data=ThingChanged(thing_id=thing_id, n=n).model_dump(),
    )
    async with db.session() as session:
        insert = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
        await session.execute(
            insert(thing)
            .values(id=thing_id, n=n)
            .on_conflict_do_update(index_elements=["id"], set_={"n": n})
        )
        recorded = await add_event(session, tables.outbox, event, versioned=True)
        if fail_after_outbox:
            raise RuntimeError("business rule failed after the change was recorded")
    return recorded


@dataclass
class StateProjection:
    """The toy projection of changes: one effect row per applied change, and the thing's latest
    state in ``thing_state``."""

    consumer: str = "toy-state"

    async def __call__(self, session: AsyncSession, env: Envelope, payload: ThingChanged) -> None:
        """Record the effect and replace the thing's state with the event's."""
        await session.execute(
            sa.insert(effect).values(consumer=self.consumer, event_id=env.id, n=payload.n)
        )
        values = {"n": payload.n, "version": env.subjectversion or 0}
        replaced = await session.execute(
            sa.update(thing_state)
            .where(thing_state.c.consumer == self.consumer)
            .where(thing_state.c.thing_id == payload.thing_id)
            .values(values)
        )
        if replaced.rowcount == 0:  # type: ignore[attr-defined]
            await session.execute(
                sa.insert(thing_state).values(
                    consumer=self.consumer, thing_id=payload.thing_id, **values
                )
            )


def ordered_consumer(
    db: Database, handler: StateProjection, *, policy: Policy, **options: object
) -> EventConsumer:
    """An EventConsumer of the toy change, applied in order under ``policy``."""
    return EventConsumer(
        db=db,
        inbox=tables.inbox,
        consumer=handler.consumer,
        handlers={
            TOY_CHANGED: in_order(
                handler, name=handler.consumer, policy=policy, table=tables.applied_versions
            )
        },
        models={TOY_CHANGED: ThingChanged},
        **options,  # type: ignore[arg-type]
    )


async def effects_in_order(db: Database, consumer: str) -> list[str]:
    """The event ids of ``consumer``'s effect rows, in the order they were written."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            sa.select(effect.c.event_id).where(effect.c.consumer == consumer).order_by(effect.c.id)
        )
        return [row[0] for row in rows]


async def states(db: Database, consumer: str = "toy-state") -> dict[str, tuple[int, int]]:
    """Each thing's (n, version) as ``consumer`` projected it."""
    async with db.engine.connect() as conn:
        rows = await conn.execute(sa.select(thing_state).where(thing_state.c.consumer == consumer))
        return {row.thing_id: (row.n, row.version) for row in rows}
