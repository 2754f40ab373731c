"""The live stream of a person's feed (Server-Sent Events): where it resumes, what it reads
next, and the events it sends as notifications are committed."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import nullcontext

from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette import ServerSentEvent
from starlette.requests import Request

from cap_notifications.config import Settings
from cap_notifications.feed import live, service
from cap_notifications.feed.repository import NotificationRepository
from cap_notifications.models import Notification
from cap_shared.db import rowsecurity
from cap_shared.runtime import ServiceRuntime

#: The largest feed sequence number (PostgreSQL ``bigint``): every integer the API takes is
#: bounded by what the database can compare, so a bigger one is a 422, never a driver error.
MAX_SEQ = 2**63 - 1
#: What an event id of this stream looks like: a feed sequence number.
_EVENT_ID = re.compile(r"[0-9]{1,19}")
#: The most notifications one read sends; a full page is followed by another read at once.
PAGE = 100


def resume_after(last_event_id: str | None) -> int | None:
    """The sequence to resume after, or None (start from now) for an id this stream never sends.

    SSE practice: a client echoes the last id it saw, and a browser's EventSource gives up for
    good on an error answer, so an id that is not ours is ignored rather than refused.
    """
    if last_event_id is None or not _EVENT_ID.fullmatch(last_event_id.strip()):
        return None
    value = int(last_event_id)
    return value if value <= MAX_SEQ else None


async def after(
    session: AsyncSession, user_id: str, seq: int, limit: int = PAGE
) -> Sequence[Notification]:
    """The person's notifications after ``seq``, oldest first (what the stream sends next)."""
    return await NotificationRepository(session).after(user_id, seq=seq, limit=limit)


async def starting_point(runtime: ServiceRuntime, user_id: str, last_event_id: str | None) -> int:
    """The sequence the stream starts after: the ``Last-Event-ID`` it can have sent, else the
    person's newest notification. Read before the stream's answer starts, so whatever is
    committed once the client sees the stream open is sent on it."""
    async with runtime.db.session() as session:
        newest = await service.last_seq(session, user_id)
    start = resume_after(last_event_id)
    # An id beyond the newest (another database's, a forged one) would wait for ever.
    return newest if start is None else min(start, newest)


#: The read transactions ending in the background (referenced until they are done).
_ENDING: set[asyncio.Task[None]] = set()


async def _read(
    runtime: ServiceRuntime, user_id: str, last: int
) -> tuple[Sequence[Notification], asyncio.Task[None]]:
    """The person's notifications after ``last``, and the task ending the read's transaction
    (its COMMIT and the connection's return to the pool, off the way to the client: one round
    trip less between a wake-up and the events sent)."""
    unit = contextlib.AsyncExitStack()
    session = await unit.enter_async_context(runtime.db.session())
    try:
        rows = await after(session, user_id, last, PAGE)
    except BaseException as exc:
        await unit.__aexit__(type(exc), exc, exc.__traceback__)  # rolled back
        raise
    task = asyncio.get_running_loop().create_task(unit.aclose())
    _ENDING.add(task)
    task.add_done_callback(_ENDING.discard)
    return rows, task


def surely_shown(scope: rowsecurity.RowScope, organisation_id: str | None) -> bool:
    """Whether the feed's read under ``scope`` would surely show a notification of
    ``organisation_id`` (the row policy, :func:`cap_shared.db.rowsecurity.admits`, on a nullable
    column), decided without the database: every row, no organisation, or one of the scope's.
    False when only a region could (the organisation read model decides: the stream reads)."""
    if scope.organisations == rowsecurity.ALL or organisation_id is None:
        return True
    return bool(organisation_id) and organisation_id in scope.organisations.split(",")


async def events(
    runtime: ServiceRuntime, settings: Settings, user_id: str, start: int, request: Request
) -> AsyncIterator[ServerSentEvent]:
    """Send the person's new notifications as they are committed.

    The stream is woken (:mod:`cap_notifications.feed.live`: NOTIFY from another process, an
    after-commit signal from this one) and reads the feed then, and at least every
    ``stream_poll_s``, the safety net for a wake-up that cannot come (LISTEN connection down).
    A NOTIFY that carries the person's new notifications is sent as it is, without a read, when
    the row scope the read would have surely shows them; otherwise the stream reads (the
    database applies row security). Either way, ids only grow: what the stream has sent
    (a read and a NOTIFY may both bring a notification) is not sent again.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.stream_max_s
    listening = live.listener(request.app.state, runtime.db)
    scope = rowsecurity.current_scope()  # what the stream's reads would be given
    # Registered before the first read: nothing committed from now on can be missed.
    with live.HUB.waiting(user_id) as inbox, listening.held() if listening else nullcontext():
        last = start
        ending: asyncio.Task[None] | None = None
        while loop.time() < deadline and not await request.is_disconnected():
            # Before the read: news during it is kept for the next pass, not lost.
            stale, carried = inbox.take()
            if stale or not all(surely_shown(scope, c.organisation_id) for c in carried):
                if ending is not None:  # the previous read's transaction (one connection at most)
                    await asyncio.shield(ending)
                # No transaction held between reads, nor while the events are written: the
                # read's transaction (read only) ends in the background, the events go out
                # meanwhile.
                rows, ending = await _read(runtime, user_id, last)
                if len(rows) >= PAGE:
                    inbox.wake()  # more to read: the next pass reads at once
                found = [(n.seq, service.to_public(n).model_dump_json()) for n in rows]
            else:
                found = sorted((c.seq, c.data) for c in carried)
            for seq, data in found:
                assert seq is not None
                if seq <= last:  # sent already (read, then carried by its NOTIFY)
                    continue
                last = seq
                yield ServerSentEvent(data=data, event="notification", id=str(seq))
            timeout = min(settings.stream_poll_s, max(0.0, deadline - loop.time()))
            try:
                await asyncio.wait_for(inbox.wait(), timeout=timeout)  # at once if set meanwhile
            except TimeoutError:
                inbox.stale = True  # the safety poll: read
        if ending is not None:  # the last read's transaction ends before the stream does
            await asyncio.shield(ending)
