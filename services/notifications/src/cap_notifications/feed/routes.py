"""HTTP routes of the in-app feed: the caller's notifications, marking them read, and their
live stream (Server-Sent Events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Query, Request
from sse_starlette import EventSourceResponse

from cap_notifications.deps import PERSON_ERRORS, PersonDep, SettingsDep
from cap_notifications.feed import live, service
from cap_notifications.feed import stream as live_stream
from cap_notifications.feed.schemas import FeedPage, NotificationPublic
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.routes import Id
from cap_shared.sync import UpdatedSince


@asynccontextmanager
async def _live_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the app's LISTEN connection at shutdown (streams hold it while they are open)."""
    yield
    await live.close(app.state)


router = APIRouter(
    prefix="/v1/notifications",
    tags=["notifications"],
    responses=PERSON_ERRORS,
    lifespan=_live_lifespan,
)


@router.get("", response_model=FeedPage)
async def list_notifications(
    me: PersonDep,
    session: SessionDep,
    unread: Annotated[bool, Query(description="Only the notifications not read yet")] = False,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> FeedPage:
    """The caller's feed, newest first (by sequence), with the unread count; with
    ``updated_since``, the notifications created or read since, oldest change first (delta
    sync; notifications are never deleted, ``deleted`` stays empty)."""
    return await service.page(
        session,
        me,
        unread_only=unread,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@router.get("/unread-count")
async def unread_count(me: PersonDep, session: SessionDep) -> dict[str, int]:
    """How many notifications the caller has not read (for a badge)."""
    return {"unread": await service.unread(session, me)}


@router.post("/{notification_id}/read", response_model=NotificationPublic)
async def mark_read(
    notification_id: Id, me: PersonDep, session: SessionDep, runtime: RuntimeDep
) -> NotificationPublic:
    """Mark one notification read (idempotent)."""
    notification = await service.mark_read(
        session, me, notification_id=notification_id, now=runtime.clock.now()
    )
    return service.to_public(notification)


@router.post("/read-all")
async def mark_all_read(me: PersonDep, session: SessionDep, runtime: RuntimeDep) -> dict[str, int]:
    """Mark every notification of the caller read."""
    return {"marked": await service.mark_all_read(session, me, now=runtime.clock.now())}


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    me: PersonDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    request: Request,
    last_event_id: Annotated[
        str | None,
        Header(
            description="The id of the last event received. An id this stream cannot have "
            "sent (not a sequence number, or beyond the caller's newest notification) is "
            "ignored: the stream starts from now, as without the header"
        ),
    ] = None,
) -> EventSourceResponse:
    """Live notifications (Server-Sent Events, ``event: notification``, ``id`` = its sequence).
    Reconnect with ``Last-Event-ID`` to receive what was missed; the stream ends after
    ``stream_max_s`` (the browser's EventSource reconnects by itself)."""
    start = await live_stream.starting_point(runtime, me, last_event_id)
    return EventSourceResponse(
        live_stream.events(runtime, settings, me, start, request),
        ping=settings.stream_ping_s,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


ROUTERS = (router,)
