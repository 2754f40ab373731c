"""Waking the live streams (SSE) of a person when one of their notifications is committed.

A stream waits for its person's wake-up instead of querying the feed every second; its
``stream_poll_s`` timeout is only a safety net. Two paths lead to the wake-up, both after the
commit only (a stream woken earlier would read nothing; a rolled-back write wakes no one):

* **across processes** (distributed: the worker writes, the API serves the stream): the fan-out
  runs ``pg_notify('cap_feed', <user id>)`` in its transaction, which PostgreSQL delivers at
  commit; the API process listens on ``cap_feed`` with one connection (:class:`PgListener`),
  held while at least one stream is open, and wakes that person's streams;
* **in one process** (standalone, SQLite, no NOTIFY): the fan-out registers an
  ``after_commit`` hook on its session that wakes the same person's streams of this process.

On PostgreSQL in one process both happen: the second wake-up costs one query.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from cap_notifications.feed.repository import NotificationRepository
from cap_shared.db.listen import PgListener
from cap_shared.db.session import Database

#: PostgreSQL channel of the feed; the payload is the user id whose feed changed.
CHANNEL = "cap_feed"

_PENDING = "cap_feed_wake"


class Hub:
    """The streams of this process waiting for news, by user id.

    One :class:`asyncio.Event` per open stream, removed when the stream ends: memory is bounded
    by the open streams, whatever the number of people woken.
    """

    def __init__(self) -> None:
        self._waiting: dict[str, set[asyncio.Event]] = {}

    @contextmanager
    def waiting(self, user_id: str) -> Iterator[asyncio.Event]:
        """Register a stream of ``user_id`` for the block; the event is set when woken.

        Clear it *before* reading the feed: a wake-up during the read then ends the next wait
        at once instead of being lost.
        """
        woken = asyncio.Event()
        self._waiting.setdefault(user_id, set()).add(woken)
        try:
            yield woken
        finally:
            streams = self._waiting.get(user_id)
            if streams is not None:
                streams.discard(woken)
                if not streams:
                    del self._waiting[user_id]

    def wake(self, user_id: str) -> None:
        """Something new for ``user_id``: their streams read the feed now."""
        for woken in self._waiting.get(user_id, ()):
            woken.set()

    def wake_all(self) -> None:
        """Every stream reads the feed now (wake-ups may have been missed, e.g. while the
        LISTEN connection was down)."""
        for streams in self._waiting.values():
            for woken in streams:
                woken.set()

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
        found = PgListener(db.url, CHANNEL, HUB.wake, on_connect=HUB.wake_all)
        setattr(state, _LISTENER, found)
    assert isinstance(found, PgListener)
    return found


async def close(state: Any) -> None:
    """Close the app's LISTEN connection, if any (at shutdown)."""
    found = getattr(state, _LISTENER, None)
    if isinstance(found, PgListener):
        await found.close()
