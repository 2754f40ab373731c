"""HTTP routes of the notifications service: the in-app feed and its live stream, preferences."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from cap_notifications import feed, live, preferences
from cap_notifications.config import Settings
from cap_notifications.fanout import roles_of
from cap_notifications.feed import FeedPage, NotificationOut
from cap_notifications.models import Person
from cap_notifications.preferences import PreferencesIn, PreferencesOut
from cap_shared.conditional import IfMatch, Precondition, etag_of
from cap_shared.deps import RuntimeDep, SessionDep
from cap_shared.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageLimit
from cap_shared.problems import Forbidden
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import Principal, SignedIn
from cap_shared.sync import UpdatedSince

_ERRORS: dict[int | str, dict[str, object]] = {
    401: {"description": "No valid token"},
    403: {"description": "Not a person (systems have no feed)"},
    404: {"description": "Not one of the caller's notifications"},
    422: {"description": "Invalid input"},
}
Id = Annotated[str, Path(max_length=36)]
#: The largest feed sequence number (PostgreSQL ``bigint``): every integer the API takes is
#: bounded by what the database can compare, so a bigger one is a 422, never a driver error.
MAX_SEQ = 2**63 - 1
#: What an event id of this stream looks like: a feed sequence number.
_EVENT_ID = re.compile(r"[0-9]{1,19}")


def _person(principal: Annotated[Principal, Depends(SignedIn())]) -> str:
    """The caller's user id: feeds and preferences belong to people, not to systems."""
    if principal.user_id is None:
        raise Forbidden(
            "systems have no notification feed; subscribe to webhooks instead",
            detail_fr=(
                "les systèmes n'ont pas de fil de notifications ; abonnez-vous plutôt aux webhooks"
            ),
        )
    return principal.user_id


Me = Annotated[str, Depends(_person)]


def _settings(request: Request) -> Settings:
    settings = request.app.state.runtime.settings
    assert isinstance(settings, Settings)
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]


@asynccontextmanager
async def _live_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the app's LISTEN connection at shutdown (streams hold it while they are open)."""
    yield
    await live.close(app.state)


feed_routes = APIRouter(
    prefix="/v1/notifications", tags=["notifications"], responses=_ERRORS, lifespan=_live_lifespan
)


@feed_routes.get("", response_model=FeedPage)
async def list_notifications(
    me: Me,
    session: SessionDep,
    unread: Annotated[bool, Query(description="Only the notifications not read yet")] = False,
    updated_since: UpdatedSince = None,
    cursor: PageCursor = None,
    limit: PageLimit = DEFAULT_PAGE_SIZE,
) -> FeedPage:
    """The caller's feed, newest first (by sequence), with the unread count; with
    ``updated_since``, the notifications created or read since, oldest change first (delta
    sync; notifications are never deleted, ``deleted`` stays empty)."""
    return await feed.page(
        session,
        me,
        unread_only=unread,
        updated_since=updated_since,
        cursor=cursor,
        limit=limit,
    )


@feed_routes.get("/unread-count")
async def unread_count(me: Me, session: SessionDep) -> dict[str, int]:
    """How many notifications the caller has not read (for a badge)."""
    return {"unread": await feed.unread(session, me)}


@feed_routes.post("/{notification_id}/read", response_model=NotificationOut)
async def mark_read(
    notification_id: Id, me: Me, session: SessionDep, runtime: RuntimeDep
) -> NotificationOut:
    """Mark one notification read (idempotent)."""
    return feed.to_out(await feed.mark_read(session, me, notification_id, runtime.clock.now()))


@feed_routes.post("/read-all")
async def mark_all_read(me: Me, session: SessionDep, runtime: RuntimeDep) -> dict[str, int]:
    """Mark every notification of the caller read."""
    return {"marked": await feed.mark_all_read(session, me, runtime.clock.now())}


def resume_after(last_event_id: str | None) -> int | None:
    """The sequence to resume after, or None (start from now) for an id this stream never sends.

    SSE practice: a client echoes the last id it saw, and a browser's EventSource gives up for
    good on an error answer, so an id that is not ours is ignored rather than refused.
    """
    if last_event_id is None or not _EVENT_ID.fullmatch(last_event_id.strip()):
        return None
    value = int(last_event_id)
    return value if value <= MAX_SEQ else None


async def _stream(
    runtime: ServiceRuntime, settings: Settings, user_id: str, start: int | None, request: Request
) -> AsyncIterator[ServerSentEvent]:
    """Send the person's new notifications as they are committed.

    The stream reads the feed when woken (:mod:`cap_notifications.live`: NOTIFY from another
    process, an after-commit signal from this one) and at least every ``stream_poll_s``, the
    safety net for a wake-up that cannot come (LISTEN connection down).
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.stream_max_s
    listening = live.listener(request.app.state, runtime.db)
    # Registered before the first read: nothing committed from now on can be missed.
    with live.HUB.waiting(user_id) as woken, listening.held() if listening else nullcontext():
        async with runtime.db.session() as session:
            newest = await feed.last_seq(session, user_id)
        # An id beyond the newest (another database's, a forged one) would wait for ever.
        start = newest if start is None else min(start, newest)
        last = start
        while loop.time() < deadline and not await request.is_disconnected():
            woken.clear()  # before the read: a wake-up during it ends the next wait at once
            async with runtime.db.session() as session:  # no transaction held between reads
                rows = await feed.after(session, user_id, last)
            for notification in rows:
                assert notification.seq is not None
                last = notification.seq
                yield ServerSentEvent(
                    data=feed.to_out(notification).model_dump_json(),
                    event="notification",
                    id=str(notification.seq),
                )
            if not rows:
                timeout = min(settings.stream_poll_s, max(0.0, deadline - loop.time()))
                with suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout=timeout)


@feed_routes.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    me: Me,
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
    return EventSourceResponse(
        _stream(runtime, settings, me, resume_after(last_event_id), request),
        ping=settings.stream_ping_s,
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


# preferences ----------------------------------------------------------------------------------------
preference_routes = APIRouter(prefix="/v1/preferences", tags=["preferences"], responses=_ERRORS)


async def _roles(session: SessionDep, me: str) -> list[str]:
    person = await session.get(Person, me)
    return roles_of(person) if person else []


@preference_routes.get("", response_model=PreferencesOut)
async def read_preferences(me: Me, session: SessionDep, settings: SettingsDep) -> PreferencesOut:
    """The caller's effective preferences: every event type and channel (chosen or the role's
    default), time zone, quiet hours, digest hour."""
    chosen = (await preferences.for_users(session, [me], settings.default_timezone))[me]
    return preferences.to_out(chosen, await _roles(session, me))


@preference_routes.put("", response_model=PreferencesOut)
async def update_preferences(
    data: PreferencesIn,
    me: Me,
    session: SessionDep,
    runtime: RuntimeDep,
    settings: SettingsDep,
    precondition: Annotated[Precondition, Depends(IfMatch(required=False))],
    response: Response,
) -> PreferencesOut:
    """Change part of the caller's preferences: per event type and channel ``on``, ``off`` or
    ``digest`` (e-mail), time zone, quiet hours (``null``: none), digest hour. With If-Match
    (the ETag read), only if they did not change since (412); the answer's ETag is the new
    one."""
    roles = await _roles(session, me)
    chosen = await preferences.update(
        session,
        me,
        data,
        runtime.clock.now(),
        settings.default_timezone,
        precondition=precondition,
        roles=roles,
    )
    out = preferences.to_out(chosen, roles)
    response.headers["ETag"] = etag_of(out)
    return out


ROUTERS = (feed_routes, preference_routes)
