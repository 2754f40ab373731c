"""``/v1/me/overview``: the mobile home screen in one call, gathered concurrently.

Each part is one GET on a service, made with the caller's own token (so each service applies
its own rules). A part that fails, is slow or is unreachable comes back marked ``unavailable``
(or ``not_applicable`` when the service says the caller has nothing there) while the others
still arrive. The parts grow as the services expose their summaries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from pydantic import BaseModel

from cap_gateway.accounts.schemas import Me
from cap_gateway.upstreams import Upstreams
from cap_shared.correlation import REQUEST_ID_HEADER, current_request_id


@dataclass(frozen=True)
class OverviewPart:
    """One section of the overview: which service answers it, at which path."""

    name: str
    service: str
    path: str


#: The live sections. Each service adds its summary here when it exposes one (audits in
#: progress and current labels come with the audit and labelling services).
PARTS: tuple[OverviewPart, ...] = (
    OverviewPart("diagnostic", "diagnostic", "/v1/diagnostics/summary"),
)


class PartResult(BaseModel):
    """A section's outcome: its data, or why it is missing."""

    status: Literal["ok", "unavailable", "not_applicable"]
    data: Any = None
    reason: str | None = None


class Overview(BaseModel):
    """The caller and every section of their home screen."""

    me: Me
    parts: dict[str, PartResult]


async def _fetch(
    upstreams: Upstreams, part: OverviewPart, authorization: str, timeout: float
) -> PartResult:
    client = upstreams.clients.get(part.service)
    if client is None:
        return PartResult(status="unavailable", reason=f"no upstream {part.service}")
    headers = {"Authorization": authorization}
    request_id = current_request_id()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    try:
        async with asyncio.timeout(timeout):
            response = await client.get(part.path, headers=headers)
    except (httpx.HTTPError, TimeoutError) as exc:
        return PartResult(status="unavailable", reason=type(exc).__name__)
    if response.status_code in (403, 404):
        return PartResult(status="not_applicable")
    if response.status_code != 200:
        return PartResult(status="unavailable", reason=f"status {response.status_code}")
    try:
        return PartResult(status="ok", data=response.json())
    except ValueError:
        return PartResult(status="unavailable", reason="invalid answer")


async def gather(
    upstreams: Upstreams,
    parts: tuple[OverviewPart, ...],
    *,
    authorization: str,
    timeout: float,
) -> dict[str, PartResult]:
    """Every part, concurrently, each bounded by ``timeout``."""
    results = await asyncio.gather(
        *(_fetch(upstreams, part, authorization, timeout) for part in parts)
    )
    return {part.name: result for part, result in zip(parts, results, strict=True)}
