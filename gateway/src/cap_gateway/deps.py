"""Dependency aliases of the gateway's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cap_gateway.runtime import GatewayRuntime
from cap_shared.security import Allow, Principal, Role, SignedIn


def get_gateway(request: Request) -> GatewayRuntime:
    """The gateway runtime serving this request."""
    runtime: GatewayRuntime = request.app.state.runtime
    return runtime


GatewayDep = Annotated[GatewayRuntime, Depends(get_gateway)]
AdminDep = Annotated[Principal, Depends(Allow(Role.ADMIN))]
#: Admins and the administrators of member organisations (the service narrows to their own).
AccountManagerDep = Annotated[Principal, Depends(Allow(Role.ADMIN, Role.MEMBER_ADMIN))]
#: Anyone signed in, person or system.
SignedInDep = Annotated[Principal, Depends(SignedIn())]
