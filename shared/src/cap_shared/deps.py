"""FastAPI dependencies every service uses: its runtime and a unit-of-work session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from cap_shared.runtime import ServiceRuntime


def get_runtime(request: Request) -> ServiceRuntime:
    """The runtime of the app serving this request."""
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    async with get_runtime(request).db.session() as session:
        yield session


RuntimeDep = Annotated["ServiceRuntime", Depends(get_runtime)]
# scope="function": the commit happens before the response goes out, so a failed commit is
# reported to the client instead of after a 2xx.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
