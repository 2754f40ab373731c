"""Waking the live streams (SSE) of a person when one of their notifications is committed.

A stream waits for its person's wake-up instead of querying the feed every second; its
``stream_poll_s`` timeout is only a safety net. Two paths lead to the wake-up, both after the
commit only (a stream woken earlier would read nothing; a rolled-back write wakes no one):

* **across processes** (distributed: the worker writes, the API serves the stream): the fan-out
  runs ``pg_notify('cap_feed', ...)`` in its transaction, which PostgreSQL delivers at commit;
  the API process listens on ``cap_feed`` with one connection (:class:`PgListener`), held while
  at least one stream is open, and wakes that person's streams. The fan-out's payload carries
  the person's new notifications themselves (:func:`carried`): the stream sends them
  without reading the feed (no round trip, no transaction), unless it must read anyway (see
  :class:`Inbox`). A payload that would not fit (PostgreSQL's 8000 bytes) is the user id alone:
  the stream reads;
* **in one process** (standalone, SQLite, no NOTIFY): the fan-out registers an
  ``after_commit`` hook on its session that wakes the same person's streams of this process
  (they read the feed).

On PostgreSQL in one process both happen: the in-process wake-up reads, the notifications the
NOTIFY carries after it are already sent and are skipped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from cap_notifications.feed.repository import NotificationRepository
from cap_notifications.feed.schemas import NotificationPublic
from cap_shared.db.listen import PgListener
from cap_shared.db.session import Database

#: PostgreSQL channel of the feed. The payload is the user id whose feed changed, then, after a
#: line feed, the JSON list of their new notifications (:func:`carried`; optional: without it,
#: the stream reads).
CHANNEL = "cap_feed"
#: PostgreSQL refuses a payload of 8000 bytes or more: the fan-out sends the user id alone then.
MAX_PAYLOAD = 7999
#: Notifications a stream keeps waiting to be sent (a client slower than its feed): beyond, it
#: drops them and reads the feed instead (memory bounded per stream).
MAX_CARRIED = 100

_PENDING = "cap_feed_wake"


@dataclass(frozen=True, slots=True)
class Carried:
    """A notification carried by the NOTIFY: what the stream needs to send it without reading."""

    seq: int
    organisation_id: str | None
    #: The SSE frame's data, as :func:`cap_notifications.feed.service.to_public` gives it.
    data: str


def carried(payload: str) -> tuple[str, tuple[Carried, ...]]:
    """The user id of a ``cap_feed`` payload and the notifications it carries (none: read).

    Raises ValueError or TypeError on a payload the fan-out did not write (the caller then
    wakes the person's streams to read, as for a payload without notifications)."""
    user_id, _, rest = payload.partition("\n")
    if not rest:
        return user_id, ()
    items = json.loads(rest)
    out = []
    for item in items:
        public = NotificationPublic.model_validate(item)
        # As the feed's reads give them (AwareDateTime: in UTC), whatever the server's TimeZone.
        public.created_at = _utc(public.created_at)
        public.updated_at = _utc(public.updated_at)
        public.read_at = None if public.read_at is None else _utc(public.read_at)
        out.append(Carried(public.seq, public.organisation_id, public.model_dump_json()))
    return user_id, tuple(out)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class Inbox(asyncio.Event):
    """One open stream's wake-up: set when there is news, with what the stream must do.

    * ``stale``: read the feed (a wake-up without the notifications, a reconnected LISTEN, a
      stream just opened, too much carried);
    * ``carried``: notifications committed since, sent as they are unless the stream reads.

    Take both (:meth:`take`) *before* reading the feed: news arriving during the read is then
    kept for the next pass instead of being lost.
    """

    def __init__(self) -> None:
        super().__init__()
        self.stale = True  # a new stream reads first
        self.carried: list[Carried] = []

    def take(self) -> tuple[bool, list[Carried]]:
        """Whether to read, and the notifications carried since the last take; clears both."""
        self.clear()
        stale, self.stale = self.stale, False
        found, self.carried = self.carried, []
        return stale, found

    def wake(self) -> None:
        """Read the feed at once."""
        self.stale = True
        self.carried.clear()  # the read will find them
        self.set()

    def deliver(self, notifications: Iterable[Carried]) -> None:
        """Send these at once (or read, when too many wait)."""
        if not self.stale:
            self.carried.extend(notifications)
            if len(self.carried) > MAX_CARRIED:
                self.stale = True
                self.carried.clear()
        self.set()


class Hub:
    """The streams of this process waiting for news, by user id.

    One :class:`Inbox` per open stream, removed when the stream ends: memory is bounded by the
    open streams, whatever the number of people woken.
    """

    def __init__(self) -> None:
        self._waiting: dict[str, set[Inbox]] = {}

    @contextmanager
    def waiting(self, user_id: str) -> Iterator[Inbox]:
        """Register a stream of ``user_id`` for the block; its inbox is set when woken.

        :meth:`Inbox.take` *before* reading the feed: a wake-up during the read then ends the
        next wait at once instead of being lost.
        """
        inbox = Inbox()
        self._waiting.setdefault(user_id, set()).add(inbox)
        try:
            yield inbox
        finally:
            streams = self._waiting.get(user_id)
            if streams is not None:
                streams.discard(inbox)
                if not streams:
                    del self._waiting[user_id]

    def wake(self, user_id: str) -> None:
        """Something new for ``user_id``: their streams read the feed now."""
        for inbox in self._waiting.get(user_id, ()):
            inbox.wake()

    def notify(self, payload: str) -> None:
        """A ``cap_feed`` notification: the person's streams send what it carries, or read.

        Only the streams of the person the payload names are told, and a stream checks what it
        may send without reading (:func:`cap_notifications.feed.stream.events`)."""
        user_id, _, rest = payload.partition("\n")
        streams = self._waiting.get(user_id)
        if not streams:  # nobody of theirs listens here: not even parsed
            return
        try:
            _, found = carried(payload) if rest else (user_id, ())
        except (ValueError, TypeError):  # not written by the fan-out: read, as without it
            found = ()
        for inbox in streams:
            if found:
                inbox.deliver(found)
            else:
                inbox.wake()

    def wake_all(self) -> None:
        """Every stream reads the feed now (wake-ups may have been missed, e.g. while the
        LISTEN connection was down)."""
        for streams in self._waiting.values():
            for inbox in streams:
                inbox.wake()

    def streams(self, user_id: str | None = None) -> int:
        """How many streams wait (of ``user_id``, or in all)."""
        if user_id is not None:
            return len(self._waiting.get(user_id, ()))
        return sum(len(s) for s in self._waiting.values())

    def people(self) -> int:
        """How many people have a waiting stream (what the hub keeps in memory)."""
        return len(self._waiting)


#: This process's streams.
HUB = Hub()


# the writing side ------------------------------------------------------------------------------
async def announce(session: AsyncSession, user_ids: Iterable[str]) -> None:
    """Wake the streams of these people once ``session``'s transaction commits (not before, and
    not at all if it rolls back): NOTIFY for other processes, an after-commit hook for this one."""
    ids = sorted(set(user_ids))
    if not ids:
        return
    if session.get_bind().dialect.name == "postgresql":
        await NotificationRepository(session).notify(CHANNEL, ids)
    wake_after_commit(session, ids)


def wake_after_commit(session: AsyncSession, user_ids: Iterable[str]) -> None:
    """Wake this process's streams of these people after the session's next commit."""
    sync = session.sync_session
    pending: set[str] = sync.info.setdefault(_PENDING, set())
    pending.update(user_ids)
    if not event.contains(sync, "after_commit", _after_commit):
        event.listen(sync, "after_commit", _after_commit)
        event.listen(sync, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    for user_id in session.info.pop(_PENDING, ()):
        HUB.wake(user_id)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


# the reading side --------------------------------------------------------------------------------
_LISTENER = "cap_feed_listener"


def listener(state: Any, db: Database) -> PgListener | None:
    """The LISTEN connection on ``cap_feed`` of this app (``state``: ``app.state``), created on
    first use; None on SQLite (one process: the after-commit hook is enough)."""
    if db.dialect != "postgresql":
        return None
    found = getattr(state, _LISTENER, None)
    if found is None:
        found = PgListener(db.url, CHANNEL, HUB.notify, on_connect=HUB.wake_all)
        setattr(state, _LISTENER, found)
    assert isinstance(found, PgListener)
    return found


async def close(state: Any) -> None:
    """Close the app's LISTEN connection, if any (at shutdown)."""
    found = getattr(state, _LISTENER, None)
    if isinstance(found, PgListener):
        await found.close()
