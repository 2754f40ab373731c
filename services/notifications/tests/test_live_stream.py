"""The live stream is woken when a notification is committed, not by polling: on SQLite in one
process (after-commit signal), on PostgreSQL from another connection as a worker process would
write (NOTIFY on ``cap_feed``), never by a rolled-back write; the LISTEN connection comes back
after a drop, and while it cannot, the safety poll still delivers. The safety poll is set to
30 s here, so anything arriving within 2 s was woken."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Any

import asyncpg
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from cap_notifications import main as notifications_main
from cap_notifications.events import handlers
from cap_notifications.fanout import service as fanout_service
from cap_notifications.feed import live
from cap_notifications.feed import service as service_of_feed
from cap_notifications.feed import stream as feed
from cap_notifications.models import Notification, metadata
from cap_shared.contracts import new_event
from cap_shared.contracts.registry import EventModel
from cap_shared.db.listen import PgListener
from cap_shared.db.session import Database
from cap_shared.messaging.memory import MemoryBroker

from .conftest import Service, start_service
from .test_notify import completed, people

SAFETY_POLL_S = 30.0
#: What "at once" means here: far below the safety poll (a sixth of it). Not tighter: the suite
#: runs 4 workers on 2 cores, and a stream woken at commit was seen taking 2.5 s to be served
#: under that load; a stream left to the poll would take 30 s.
PROMPT_S = 5.0

#: Insert-to-stream delays measured by the tests (printed with ``-s``).
DELAYS: dict[str, float] = {}


class Sse:
    """A stream read event by event as it arrives, straight from the ASGI app (httpx's ASGI
    transport hands a body over only once the response has ended)."""

    def __init__(self, app: FastAPI, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = headers
        self.status = 0
        self.events: asyncio.Queue[tuple[float, dict[str, str]]] = asyncio.Queue()
        self._started = asyncio.Event()
        self._gone = asyncio.Event()
        self._asked = False
        self._buffer = ""
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Sse:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v1/notifications/stream",
            "raw_path": b"/v1/notifications/stream",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"notifications"),
                (b"accept", b"text/event-stream"),
                *((k.lower().encode(), v.encode()) for k, v in self.headers.items()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("notifications", 80),
        }
        self._task = asyncio.create_task(self.app(scope, self._receive, self._send))
        await asyncio.wait_for(self._started.wait(), timeout=5)
        assert self.status == 200
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        # The client leaves while the stream waits (not in the middle of a read, which on
        # SQLite leaves aiosqlite's connection closing in the background past the test's end).
        await asyncio.sleep(0.1)
        self._gone.set()
        assert self._task is not None
        await asyncio.wait_for(self._task, timeout=5)

    async def _receive(self) -> dict[str, Any]:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self._started.set()
            return
        self._buffer += message.get("body", b"").decode().replace("\r\n", "\n")
        *blocks, self._buffer = self._buffer.split("\n\n")
        now = asyncio.get_running_loop().time()
        for block in blocks:
            fields = {}
            for line in block.split("\n"):
                if line and not line.startswith(":"):  # ":" starts a keep-alive comment
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
            if fields:
                self.events.put_nowait((now, fields))

    async def next(self, timeout: float = PROMPT_S) -> tuple[float, dict[str, str]]:
        """The next event and when it arrived (loop time)."""
        return await asyncio.wait_for(self.events.get(), timeout=timeout)


async def _service(db: Database) -> AsyncIterator[tuple[Service, FastAPI]]:
    """The notifications API on ``db`` (committing for real), with the safety poll at 30 s."""
    broker = MemoryBroker()
    await broker.start()
    svc = await start_service(db, broker, stream_poll_s=SAFETY_POLL_S, stream_max_s=120)
    assert svc.app is not None
    await people(svc)
    try:
        yield svc, svc.app
    finally:
        await svc.client.aclose()
        await live.close(svc.app.state)
        await broker.close()


@pytest.fixture
async def on_sqlite(make_database: Callable[..., Any]) -> AsyncIterator[tuple[Service, FastAPI]]:
    db = await make_database("sqlite", "notifications", notifications_main.MIGRATIONS, metadata)
    async for pair in _service(db):
        yield pair


@pytest.fixture
async def on_postgresql(
    make_database: Callable[..., Any],
) -> AsyncIterator[tuple[Service, FastAPI]]:
    db = await make_database(
        "postgresql", "notifications-live", notifications_main.MIGRATIONS, metadata
    )
    async for pair in _service(db):
        yield pair


@pytest.fixture
async def worker_db(on_postgresql: tuple[Service, FastAPI]) -> AsyncIterator[Database]:
    """Another engine on the same database: the worker process's connections, not the API's."""
    service, _ = on_postgresql
    db = Database(service.runtime.db.url, pool_size=1, max_overflow=1)
    yield db
    await db.dispose()


@pytest.fixture
def no_in_process_wake(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The writer's after-commit signal turned off (it would not reach another process): only
    NOTIFY can wake the stream. Returns who the signal would have woken."""
    skipped: list[list[str]] = []
    monkeypatch.setattr(
        live, "wake_after_commit", lambda _session, ids: skipped.append(sorted(ids))
    )
    return skipped


async def deliver(db: Database, event: EventModel, *, roll_back: bool = False) -> str:
    """Fan ``event`` out in a transaction of ``db`` as the worker's consumer would; with
    ``roll_back`` the transaction fails after the insert. Returns the event id."""
    envelope = new_event(event, source="/cap/test")

    class Failed(Exception):
        pass

    with contextlib.suppress(Failed):
        async with db.session() as session:
            await handlers.HANDLERS[envelope.type](session, envelope, event)
            if roll_back:
                raise Failed
    return envelope.id


async def connected(listener: PgListener | None, *, other_than: int | None = None) -> int:
    """Wait until the listener is connected (to a new backend); its server pid."""
    assert listener is not None
    for _ in range(200):
        pid = listener.backend_pid
        if pid is not None and pid != other_than:
            return pid
        await asyncio.sleep(0.025)
    raise AssertionError("the LISTEN connection never came up")


# the hub -----------------------------------------------------------------------------------------
async def test_the_hub_wakes_the_streams_of_the_person_and_forgets_closed_ones() -> None:
    hub = live.Hub()
    with hub.waiting("ann") as ann1, hub.waiting("ann") as ann2, hub.waiting("bob") as bob:
        assert (hub.streams("ann"), hub.streams("bob"), hub.streams(), hub.people()) == (2, 1, 3, 2)
        hub.wake("ann")
        assert ann1.is_set()
        assert ann2.is_set()
        assert not bob.is_set()
        hub.wake("nobody")  # no stream of theirs: nothing kept, nothing raised
        assert hub.people() == 2
        ann1.clear()
        ann2.clear()
        hub.wake_all()
        assert ann1.is_set()
        assert ann2.is_set()
        assert bob.is_set()
        with hub.waiting("ann"):
            pass
        assert hub.streams("ann") == 2
    assert (hub.streams(), hub.people()) == (0, 0)  # no leak once the streams are closed

    async def waits(user: str) -> None:
        with hub.waiting(user) as woken:
            await woken.wait()

    # A stream cancelled while it waits (the client left) unregisters too.
    tasks = [asyncio.create_task(waits(f"p{i}")) for i in range(100)]
    await asyncio.sleep(0)
    assert hub.people() == 100
    hub.wake("p0")
    await asyncio.wait_for(tasks[0], timeout=1)
    for task in tasks[1:]:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert (hub.streams(), hub.people()) == (0, 0)


# one process, SQLite -----------------------------------------------------------------------------
async def test_on_sqlite_a_committed_notification_reaches_the_open_stream_at_once(
    on_sqlite: tuple[Service, FastAPI],
) -> None:
    service, app = on_sqlite
    admin = service.people["admin_a"]
    assert live.listener(app.state, service.runtime.db) is None  # no NOTIFY on SQLite
    async with Sse(app, service.as_person("admin_a")) as stream:
        for n in range(3):  # again and again, not just the first time
            started = asyncio.get_running_loop().time()
            await service.deliver(completed(service.organisations["a"].id))
            arrived, fields = await stream.next()
            delay = arrived - started
            assert delay < PROMPT_S
            DELAYS[f"sqlite, in one process #{n + 1}"] = delay
            assert fields["event"] == "notification"
            assert '"event_type":"diagnostic.completed.v1"' in fields["data"]
        assert live.HUB.streams(admin) == 1
    assert live.HUB.streams(admin) == 0  # the stream left: nothing kept for it


# Last-Event-ID the stream never sent ------------------------------------------------------------
async def test_an_id_the_stream_never_sent_is_ignored_and_the_stream_starts_from_now(
    on_postgresql: tuple[Service, FastAPI],
) -> None:
    """Issue 15 item 6: past 64 bits (was a 500 from the driver), beyond the newest notification
    (was a stream waiting for ever), not a number (was a 422 the browser's EventSource never
    retries after): ignored as SSE practice has it, the stream starts from now."""
    service, app = on_postgresql
    organisation = service.organisations["a"].id
    await service.deliver(completed(organisation))  # before the stream: never sent by it
    me = service.as_person("admin_a")
    for last_event_id in (str(2**63), "9" * 19, str(2**63 - 1), "x", "\u00b2", "-1", " "):
        async with Sse(app, {**me, "Last-Event-ID": last_event_id}) as stream:
            await service.deliver(completed(organisation))
            _, fields = await stream.next()
            assert fields["event"] == "notification", last_event_id
            assert stream.events.empty(), last_event_id  # nothing from before the stream


# across processes, PostgreSQL --------------------------------------------------------------------
async def test_on_postgresql_a_notification_written_elsewhere_wakes_the_stream_by_notify(
    on_postgresql: tuple[Service, FastAPI],
    worker_db: Database,
    no_in_process_wake: list[list[str]],
) -> None:
    service, app = on_postgresql
    listener = live.listener(app.state, service.runtime.db)
    admin, member = service.people["admin_a"], service.people["member_a"]
    async with (
        Sse(app, service.as_person("admin_a")) as stream,
        Sse(app, service.as_person("member_a")) as other,
    ):
        await connected(listener)
        assert listener is not None
        assert listener.holders == 2
        for n in range(3):
            started = asyncio.get_running_loop().time()
            await deliver(worker_db, completed(service.organisations["a"].id))
            arrived, fields = await stream.next()
            delay = arrived - started
            assert delay < PROMPT_S
            DELAYS[f"postgresql, NOTIFY from another connection #{n + 1}"] = delay
            assert fields["event"] == "notification"
            _, theirs = await other.next()  # the member is told too, on their own stream
            assert theirs["id"] != fields["id"]
        # Only NOTIFY could have woken them: the in-process signal was skipped every time.
        assert len(no_in_process_wake) == 3
        assert all({admin, member} <= set(ids) for ids in no_in_process_wake)
    # The last stream gone, the LISTEN connection is closed.
    for _ in range(100):
        if not listener.connected:
            break
        await asyncio.sleep(0.02)
    assert not listener.connected
    assert listener.holders == 0


async def test_the_events_go_out_before_the_reads_transaction_ends(
    on_postgresql: tuple[Service, FastAPI],
    worker_db: Database,
    no_in_process_wake: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between a wake-up and the events on the stream there is the read, not the end of its
    transaction (a round trip): each of the API's transactions here takes 2 s more to end, and
    the notification is on the stream before the read that found it has ended."""
    service, app = on_postgresql
    db = service.runtime.db
    unit_of_work = db.session
    spans: list[tuple[float, float]] = []  # (began, ended) of each of the API's sessions
    loop = asyncio.get_running_loop()

    @contextlib.asynccontextmanager
    async def slow_to_end() -> AsyncIterator[Any]:
        began = loop.time()
        async with unit_of_work() as session:
            yield session
            await asyncio.sleep(2.0)
        spans.append((began, loop.time()))

    monkeypatch.setattr(db, "session", slow_to_end)
    # The notification read from the feed, not sent from what the NOTIFY carries.
    monkeypatch.setattr(feed, "surely_shown", lambda _scope, _organisation: False)
    async with Sse(app, service.as_person("admin_a")) as stream:
        await connected(live.listener(app.state, db))
        await asyncio.sleep(2.5)  # the first read has ended: the stream waits
        await deliver(worker_db, completed(service.organisations["a"].id))
        arrived, fields = await stream.next()
        assert fields["event"] == "notification"
        await asyncio.sleep(2.5)  # the read that found it has ended by now
    began, ended = max(span for span in spans if span[0] < arrived)
    assert began < arrived < ended


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
async def test_a_rolled_back_notification_wakes_nothing_and_is_never_sent(
    kind: str, make_database: Callable[..., Any]
) -> None:
    key = "notifications" if kind == "sqlite" else "notifications-live"
    db = await make_database(kind, key, notifications_main.MIGRATIONS, metadata)
    async for service, app in _service(db):
        admin = service.people["admin_a"]
        organisation = service.organisations["a"].id
        async with Sse(app, service.as_person("admin_a")) as stream:
            if kind == "postgresql":
                await connected(live.listener(app.state, db))
            with live.HUB.waiting(admin) as woken:
                await deliver(db, completed(organisation), roll_back=True)
                await asyncio.sleep(0.5)  # NOTIFY or the signal would have come by now
                assert not woken.is_set()
                assert stream.events.empty()
                committed = await deliver(db, completed(organisation))
                _, fields = await stream.next()
                assert woken.is_set()
            async with db.session() as session:
                (event_id,) = (
                    await session.execute(
                        sa.text("SELECT event_id FROM notification WHERE seq = :seq"),
                        {"seq": int(fields["id"])},
                    )
                ).one()
            assert event_id == committed  # the committed one, never the rolled-back one
            await asyncio.sleep(0.2)
            assert stream.events.empty()


async def test_a_batch_wakes_everyone_it_told_once_it_commits_not_before(
    on_sqlite: tuple[Service, FastAPI],
) -> None:
    service, _ = on_sqlite
    admin_a, member_b = service.people["admin_a"], service.people["member_b"]
    with live.HUB.waiting(admin_a) as woken_a, live.HUB.waiting(member_b) as woken_b:
        # Two events in one transaction, as the consumer's micro-batches handle them.
        async with service.runtime.db.session() as session:
            for key in ("a", "b"):
                event = completed(service.organisations[key].id)
                envelope = new_event(event, source="/cap/test")
                await handlers.HANDLERS[envelope.type](session, envelope, event)
            assert not woken_a.is_set()  # written, not committed: nothing to read yet
            assert not woken_b.is_set()
        assert woken_a.is_set()
        assert woken_b.is_set()


async def test_a_wake_up_between_the_read_and_the_wait_is_not_lost(
    on_postgresql: tuple[Service, FastAPI],
    worker_db: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, app = on_postgresql
    monkeypatch.setattr(live, "listener", lambda _state, _db: None)  # the signal only
    read = feed.after
    armed = asyncio.Event()
    written: list[str] = []

    async def after(session: Any, user_id: str, seq: int, limit: int = 100) -> list[Any]:
        rows = await read(session, user_id, seq, limit)
        if armed.is_set() and not rows:
            # A notification committed (and its wake-up given) right after this read found
            # nothing, before the stream waits: the wait must end at once.
            armed.clear()
            written.append(await deliver(worker_db, completed(service.organisations["a"].id)))
        return rows

    monkeypatch.setattr(feed, "after", after)
    async with Sse(app, service.as_person("admin_a")) as stream:
        await asyncio.sleep(0.1)  # the stream waits
        armed.set()
        live.HUB.wake(service.people["admin_a"])  # the next read does the write above
        _, fields = await stream.next()
        assert written
        assert fields["event"] == "notification"


async def test_the_listen_connection_comes_back_after_a_drop(
    on_postgresql: tuple[Service, FastAPI], worker_db: Database, no_in_process_wake: list[Any]
) -> None:
    service, app = on_postgresql
    listener = live.listener(app.state, service.runtime.db)
    async with Sse(app, service.as_person("admin_a")) as stream:
        first = await connected(listener)
        async with worker_db.session() as session:  # the server drops the connection
            await session.execute(sa.select(sa.func.pg_terminate_backend(first)))
        await connected(listener, other_than=first)
        started = asyncio.get_running_loop().time()
        await deliver(worker_db, completed(service.organisations["a"].id))
        arrived, fields = await stream.next()
        assert arrived - started < PROMPT_S
        DELAYS["postgresql, NOTIFY after a reconnection"] = arrived - started
        assert fields["event"] == "notification"
    assert no_in_process_wake  # NOTIFY, not the in-process signal


async def test_without_listen_the_safety_poll_still_delivers(
    on_postgresql: tuple[Service, FastAPI], worker_db: Database, no_in_process_wake: list[Any]
) -> None:
    service, app = on_postgresql
    service.settings.stream_poll_s = 0.5
    listener = live.listener(app.state, service.runtime.db)
    assert listener is not None
    listener._dsn = "postgresql://cap@127.0.0.1:1/nowhere"
    async with Sse(app, service.as_person("admin_a")) as stream:
        await asyncio.sleep(0.2)
        await deliver(worker_db, completed(service.organisations["a"].id))
        _, fields = await stream.next(timeout=3)
        assert fields["event"] == "notification"
        assert not listener.connected


# what the NOTIFY carries ---------------------------------------------------------------------------
def test_an_inbox_keeps_what_to_send_until_a_read_is_due() -> None:
    inbox = live.Inbox()
    assert inbox.take() == (True, [])  # a new stream reads first
    one, two = live.Carried(1, None, "{}"), live.Carried(2, "o", "{}")
    inbox.deliver([one])
    inbox.deliver([two])
    assert inbox.is_set()
    assert inbox.take() == (False, [one, two])
    assert not inbox.is_set()
    inbox.deliver([one])
    inbox.wake()  # a read is due: it finds what was carried
    inbox.deliver([two])  # committed before that read: it finds it too
    assert inbox.take() == (True, [])
    inbox.deliver([one] * (live.MAX_CARRIED + 1))  # a stream far behind: it reads instead
    assert inbox.take() == (True, [])


def test_a_payload_not_from_the_fan_out_makes_the_stream_read() -> None:
    hub = live.Hub()
    with hub.waiting("ann") as ann, hub.waiting("bob") as bob:
        ann.take(), bob.take()
        for payload in ("ann\n{not json", "ann\n[1]", 'ann\n{"seq": 1}', "ann\n[{}]"):
            hub.notify(payload)
            assert ann.take() == (True, []), payload
        hub.notify("bob")  # the user id alone (too big to carry): read
        assert bob.take() == (True, [])
        assert not ann.is_set()


async def _feed_frame(db: Database, seq: int) -> str:
    """The data of the stream's frame for ``seq`` had it been read from the feed."""
    async with db.session() as session:
        (row,) = (
            await session.execute(sa.select(Notification).where(Notification.seq == seq))
        ).scalars()
        return service_of_feed.to_public(row).model_dump_json()


@contextlib.contextmanager
def api_statements(db: Database) -> Iterator[list[str]]:
    """The statements and transactions begun on ``db``'s engine (the API's) in the block."""
    seen: list[str] = []

    def statement(*args: Any) -> None:
        seen.append(args[2])

    def begin(_conn: Any) -> None:
        seen.append("BEGIN")

    engine = db.engine.sync_engine
    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "begin", begin)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "begin", begin)


async def test_a_notification_carried_by_notify_goes_out_without_a_read(
    on_postgresql: tuple[Service, FastAPI],
    worker_db: Database,
    no_in_process_wake: list[list[str]],
) -> None:
    """Issue 22: the fan-out's NOTIFY carries the person's new notifications, so a wake-up sends
    them with no statement at all (it was two read transactions per wake-up: the read that
    found it and one more that found nothing), and the frame is the one a read would give."""
    service, app = on_postgresql
    db = service.runtime.db
    async with Sse(app, service.as_person("admin_a")) as stream:
        await connected(live.listener(app.state, db))
        await asyncio.sleep(0.3)  # the stream's first read has ended: it waits
        frames = []
        with api_statements(db) as seen:
            for _ in range(3):
                await deliver(worker_db, completed(service.organisations["a"].id))
                frames.append((await stream.next())[1])
            await asyncio.sleep(0.2)
        assert seen == []
        assert [f["event"] for f in frames] == ["notification"] * 3
        assert int(frames[0]["id"]) < int(frames[1]["id"]) < int(frames[2]["id"])
        for fields in frames:
            assert fields["data"] == await _feed_frame(db, int(fields["id"]))
        assert stream.events.empty()


async def test_too_big_to_carry_the_notification_is_read(
    on_postgresql: tuple[Service, FastAPI],
    worker_db: Database,
    no_in_process_wake: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL refuses a payload of 8000 bytes: the NOTIFY is the user id alone then, and
    the stream reads the notification from the feed."""
    service, app = on_postgresql
    db = service.runtime.db
    worded = fanout_service._describe
    long_body = "x" * 9000

    def long(*args: Any) -> Any:
        return dataclasses.replace(worded(*args), body=long_body)

    monkeypatch.setattr(fanout_service, "_describe", long)
    payloads: list[str] = []
    heard = await asyncpg.connect(PgListener(db.url, "x", payloads.append)._dsn)
    await heard.add_listener(live.CHANNEL, lambda *args: payloads.append(args[3]))
    try:
        async with Sse(app, service.as_person("admin_a")) as stream:
            await connected(live.listener(app.state, db))
            await asyncio.sleep(0.3)
            with api_statements(db) as seen:
                await deliver(worker_db, completed(service.organisations["a"].id))
                _, fields = await stream.next()
            assert "BEGIN" in seen  # read from the feed
            assert json.loads(fields["data"])["body"] == long_body
    finally:
        await heard.close()
    admin = service.people["admin_a"]
    assert admin in payloads  # the user id alone
    assert all(len(p.encode()) < 8000 for p in payloads)


async def test_a_carried_notification_the_scope_may_not_show_is_not_sent_from_the_payload(
    on_postgresql: tuple[Service, FastAPI], worker_db: Database, no_in_process_wake: list[Any]
) -> None:
    """What a NOTIFY carries goes out only when the read would surely have shown it (row
    security); otherwise the stream reads, and the database decides: here it finds nothing."""
    service, app = on_postgresql
    db = service.runtime.db
    member = service.people["member_a"]  # scoped to organisation a
    forged = {
        "seq": 2**40,
        "id": "n-forged",
        "event_type": "diagnostic.completed.v1",
        "organisation_id": service.organisations["b"].id,
        "title": "not yours",
        "body": "",
        "link": None,
        "created_at": "2026-12-01T10:00:00+01:00",
        "read_at": None,
        "updated_at": "2026-12-01T10:00:00+01:00",
    }
    async with Sse(app, service.as_person("member_a")) as stream:
        await connected(live.listener(app.state, db))
        await asyncio.sleep(0.3)
        with api_statements(db) as seen:
            async with worker_db.session() as session:
                await session.execute(
                    sa.select(sa.func.pg_notify(live.CHANNEL, member + "\n" + json.dumps([forged])))
                )
            await asyncio.sleep(0.5)
        assert "BEGIN" in seen  # read instead
        assert stream.events.empty()
        await deliver(worker_db, completed(service.organisations["a"].id))  # theirs: sent
        _, fields = await stream.next()
        assert json.loads(fields["data"])["organisation_id"] == service.organisations["a"].id


async def test_a_resumed_stream_sends_every_page_of_what_it_missed_at_once(
    on_postgresql: tuple[Service, FastAPI],
) -> None:
    """More than a read's page missed (``Last-Event-ID``): the stream reads page after page
    without waiting for a wake-up or the safety poll (30 s here)."""
    service, app = on_postgresql
    db = service.runtime.db
    admin, organisation = service.people["admin_a"], service.organisations["a"].id
    missed = feed.PAGE * 2 + 5
    async with db.session() as session:
        before = await service_of_feed.last_seq(session, admin)
        await session.execute(
            sa.text(
                "INSERT INTO notification (id, event_id, event_type, user_id, organisation_id, "
                "title, body, in_feed, created_at, updated_at) "
                "SELECT 'n-' || i, 'e-' || i, 'diagnostic.completed.v1', :user, :organisation, "
                "'t', 'b', true, now(), now() FROM generate_series(1, :missed) AS i"
            ),
            {"user": admin, "organisation": organisation, "missed": missed},
        )
    me = service.as_person("admin_a")
    async with Sse(app, {**me, "Last-Event-ID": str(before)}) as stream:
        ids = [int((await stream.next())[1]["id"]) for _ in range(missed)]
    assert ids == sorted(ids)
    assert len(set(ids)) == missed
    assert ids[0] > before


def teardown_module() -> None:
    for name, delay in DELAYS.items():
        print(f"insert to stream, {name}: {delay * 1000:.1f} ms")
