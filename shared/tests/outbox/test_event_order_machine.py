"""O5: a Hypothesis state machine over writes, relay passes, crashes and redeliveries.

It commits and rolls back changes of a few aggregates, runs relay passes (some dying between
the broker's confirm and marking the rows sent: the next pass publishes them again), and
delivers what the broker holds in any order it likes, to two consumers: one applying every
change in its aggregate's order (policy ``next``), one keeping the latest state (``latest``).
A delivery may crash the consumer before its commit or after it (not acked: it stays and comes
again), or be duplicated. After every step, and once everything is delivered:

* the ``next`` consumer's effects are, per aggregate, the committed changes in commit order, a
  prefix of them while in flight and all of them once quiescent: each exactly once, nothing
  rolled back;
* the ``latest`` consumer's state is a committed one, never older than one it showed before,
  and the last committed one once quiescent; its effects are never duplicated.

The broker here is a list the machine draws from (any message, any order): on SQLite, fast
enough for ``make test``.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cap_shared.db.session import Database
from cap_shared.inbox.order import EarlyEvent
from cap_shared.messaging import Delivery, OutgoingMessage
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.outbox import OutboxRelay
from cap_shared.testing import toy

THINGS = ("thing-a", "thing-b", "thing-c")
CONSUMERS = ("in-order", "latest")


class Crash(BaseException):
    """The process dies at this point (nothing after it runs, nothing is acked)."""


class ListBroker(MemoryBroker):
    """A broker whose queues the state machine empties itself: every confirmed publish is put
    in each consumer's list, and stays there until a delivery of it is acked."""

    def __init__(self) -> None:
        super().__init__(namespace="machine")
        self.held: dict[str, list[OutgoingMessage]] = {name: [] for name in CONSUMERS}

    async def ping(self) -> None:
        """Always up: the machine crashes the relay itself."""

    async def publish(self, message: OutgoingMessage, *, timeout: float = 5.0) -> None:
        for queue in self.held.values():
            queue.append(message)


class OrderMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = tempfile.TemporaryDirectory()
        self.db = Database(f"sqlite+aiosqlite:///{Path(self.dir.name) / 'machine.db'}")
        self.run(self._create())
        self.broker = ListBroker()
        self.consumers = {
            "in-order": toy.ordered_consumer(
                self.db, toy.StateProjection("in-order"), policy="next"
            ),
            "latest": toy.ordered_consumer(self.db, toy.StateProjection("latest"), policy="latest"),
        }
        #: Per thing, the ids of its committed changes in commit order, and their n and version.
        self.committed: dict[str, list[str]] = {thing: [] for thing in THINGS}
        self.change: dict[str, tuple[str, int, int]] = {}
        self.rolled_back: set[str] = set()
        self.counter = 0
        self.shown: dict[str, int] = {}  # the latest consumer's last version seen, per thing

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    async def _create(self) -> None:
        async with self.db.engine.begin() as conn:
            await conn.run_sync(toy.metadata.create_all)

    # rules -------------------------------------------------------------------------------------
    @rule(thing=st.sampled_from(THINGS), commit=st.booleans())
    def write(self, thing: str, commit: bool) -> None:
        """A change of ``thing``, committed or rolled back after recording its event."""
        self.counter += 1
        if commit:
            event = self.run(toy.change_thing(self.db, thing, self.counter))
            assert event.subjectversion == len(self.committed[thing]) + 1  # no gap, in order
            self.committed[thing].append(event.id)
            self.change[event.id] = (thing, self.counter, event.subjectversion)
            return
        try:
            self.run(toy.change_thing(self.db, thing, self.counter, fail_after_outbox=True))
        except RuntimeError:
            pass
        else:  # pragma: no cover - the write must fail
            raise AssertionError("the rolled-back write committed")

    @rule(crash=st.booleans())
    def relay_pass(self, crash: bool) -> None:
        """Publish what the outbox holds; a crashing relay dies after the broker's confirm,
        before marking the rows (they are published again by the next pass)."""

        async def die(_seqs: list[int]) -> None:
            raise Crash

        relay = OutboxRelay(
            db=self.db,
            broker=self.broker,
            table=toy.tables.outbox,
            service="toy",
            after_publish=die if crash else None,
        )
        with contextlib.suppress(Crash):
            self.run(relay.publish_pending())

    @precondition(lambda self: any(self.broker.held.values()))
    @rule(
        consumer=st.sampled_from(CONSUMERS),
        pick=st.integers(min_value=0, max_value=1_000),
        crash=st.sampled_from([None, "before_commit", "after_commit"]),
    )
    def deliver(self, consumer: str, pick: int, crash: str | None) -> None:
        """Deliver any held message; acked only when the consumer returns."""
        held = self.broker.held[consumer]
        if not held:
            return
        index = pick % len(held)
        self._deliver(consumer, index, crash)

    @precondition(lambda self: any(self.broker.held.values()))
    @rule(consumer=st.sampled_from(CONSUMERS), pick=st.integers(min_value=0, max_value=1_000))
    def duplicate(self, consumer: str, pick: int) -> None:
        """The broker delivers a message twice (a redelivery after a lost ack)."""
        held = self.broker.held[consumer]
        if held:
            held.append(held[pick % len(held)])

    # invariants ---------------------------------------------------------------------------------
    @invariant()
    def effects_are_committed_changes_once_in_order(self) -> None:
        effects = self.run(toy.effects_in_order(self.db, "in-order"))
        for thing, ids in self.committed.items():
            applied = [i for i in effects if i in self.change and self.change[i][0] == thing]
            assert applied == ids[: len(applied)]  # a prefix: in order, once each
        assert set(effects) <= set(self.change)  # nothing rolled back took effect
        latest = self.run(toy.effects_in_order(self.db, "latest"))
        assert len(latest) == len(set(latest))
        assert set(latest) <= set(self.change)

    @invariant()
    def latest_state_never_goes_back(self) -> None:
        for thing, (n, version) in self.run(toy.states(self.db, "latest")).items():
            assert version >= self.shown.get(thing, 0)
            self.shown[thing] = version
            change_id = self.committed[thing][version - 1]
            assert self.change[change_id][1] == n

    def teardown(self) -> None:
        try:
            self._quiesce()
            effects = self.run(toy.effects_in_order(self.db, "in-order"))
            for thing, ids in self.committed.items():
                assert [i for i in effects if self.change[i][0] == thing] == ids
            assert len(effects) == sum(len(ids) for ids in self.committed.values())
            last = {
                thing: (self.change[ids[-1]][1], len(ids))
                for thing, ids in self.committed.items()
                if ids
            }
            got = self.run(toy.states(self.db, "latest"))
            assert got == last, (got, last, self.run(toy.states(self.db, "in-order")))
        finally:
            self.run(self.db.dispose())
            self.loop.close()
            self.dir.cleanup()

    # helpers ------------------------------------------------------------------------------------
    def _deliver(self, consumer: str, index: int, crash: str | None) -> bool:
        """One delivery of held message ``index``; True when acked."""
        message = self.broker.held[consumer][index]
        handler = self.consumers[consumer]

        async def die(_envelope) -> None:
            raise Crash

        handler.before_commit = die if crash == "before_commit" else None
        handler.after_commit = die if crash == "after_commit" else None
        delivery = Delivery(
            body=message.body,
            routing_key=message.routing_key,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            headers={},
            redelivered=False,
            attempt=1,
            queue=consumer,
        )
        try:
            self.run(handler(delivery))
        except (Crash, EarlyEvent):
            return False  # not acked: delivered again later
        del self.broker.held[consumer][index]
        return True

    def _quiesce(self) -> None:
        """Publish what is left and deliver everything (early ones go round again)."""
        relay = OutboxRelay(db=self.db, broker=self.broker, table=toy.tables.outbox, service="toy")
        self.run(relay.publish_pending())
        for consumer in CONSUMERS:
            rounds = 0
            while self.broker.held[consumer]:
                rounds += 1
                assert rounds < 10_000, "deliveries do not converge"
                if not self._deliver(consumer, 0, None):
                    held = self.broker.held[consumer]
                    held.append(held.pop(0))  # parked: back of the queue


OrderMachine.TestCase.settings = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestOrderMachine = OrderMachine.TestCase
