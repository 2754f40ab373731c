"""Operator authentication for the /ops routes.

Until the identity issue brings JWTs and roles, platform operators authenticate with the
``admin_token`` bearer secret of the service's settings. Deny by default: no token, no access.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from fastapi import Request

from cap_shared.problems import Forbidden, Unauthorized


def operator_guard(token_of: Callable[[], str]) -> Callable[[Request], Awaitable[None]]:
    """A dependency that admits only requests bearing the operator token."""

    async def require_operator(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            raise Unauthorized("a bearer token is required")
        if not hmac.compare_digest(credentials.encode(), token_of().encode()):
            raise Forbidden("this token may not use operator routes")

    return require_operator
