"""Dependency aliases of the gateway's routes that only the gateway has (the platform's own
callers, ``AdminDep``, ``SignedInDep``..., are in :mod:`cap_shared.routes`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cap_gateway.runtime import GatewayRuntime
from cap_shared.security import Allow, Principal, Role


def get_gateway(request: Request) -> GatewayRuntime:
    """The gateway runtime serving this request."""
    runtime: GatewayRuntime = request.app.state.runtime
    return runtime


GatewayDep = Annotated[GatewayRuntime, Depends(get_gateway)]
#: Who may read organisations (each sees only those of their scope).
OrganisationReaderDep = Annotated[
    Principal,
    Depends(Allow(Role.ADMIN, Role.FACILITATOR, Role.MEMBER, Role.MEMBER_ADMIN, Role.COMMITTEE)),
]
