"""FastAPI dependencies every service uses: its runtime and a unit-of-work session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

if TYPE_CHECKING:
    from cap_shared.db.session import Database
    from cap_shared.runtime import ServiceRuntime


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> ServiceRuntime:
    """The runtime of the app serving this request (``async``: FastAPI runs a plain ``def``
    dependency in its thread pool, a thread hop per request for an attribute read)."""
    return _runtime(request)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    async with _runtime(request).db.session() as session:
        yield session


async def get_reader(request: Request) -> AsyncIterator[AsyncConnection]:
    """A read-only connection for the request, without an ORM session (hot public reads);
    rolled back when the request is done (:meth:`cap_shared.db.session.Database.reader`)."""
    async with _runtime(request).db.reader() as connection:
        yield connection


async def get_database(request: Request) -> Database:
    """The service's database, for a route that opens its own connections (``async``: FastAPI
    runs a plain ``def`` dependency in its thread pool). Declared like a session: 503 when the
    database is unavailable."""
    db: Database = _runtime(request).db
    return db


RuntimeDep = Annotated["ServiceRuntime", Depends(get_runtime)]
# scope="function": the commit happens before the response goes out, so a failed commit is
# reported to the client instead of after a 2xx.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
#: A read-only connection (no ORM session): for routes that only read, on a hot path.
ReaderDep = Annotated[AsyncConnection, Depends(get_reader, scope="function")]
#: The database itself (the route opens what it reads through).
DatabaseDep = Annotated["Database", Depends(get_database)]
