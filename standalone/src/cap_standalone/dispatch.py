"""One origin for the API and the console, as the ingress gives them in a deployment.

``/v1/...``, ``/.well-known/...``, ``/problems/...``, ``/docs``, ``/healthz`` and ``/readyz`` go to
the gateway; every other path to the web console. Metrics are on the ops port, never here.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

#: The paths the gateway answers (the deployment's ingress routes the same ones to it).
GATEWAY_PREFIXES = ("/v1/", "/.well-known/", "/problems/")
GATEWAY_PATHS = frozenset({"/v1", "/docs", "/healthz", "/readyz"})


def goes_to_gateway(path: str) -> bool:
    """Whether ``path`` is the gateway's (else the console's)."""
    return path in GATEWAY_PATHS or path.startswith(GATEWAY_PREFIXES)


class Dispatcher:
    """Sends each request to the gateway or to the console, by path."""

    def __init__(self, gateway: ASGIApp, console: ASGIApp) -> None:
        self.gateway = gateway
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The lifespan to the gateway; a request to the gateway or the console, by its path."""
        if scope["type"] == "lifespan":
            await self.gateway(scope, receive, send)
            return
        app = self.gateway if goes_to_gateway(scope.get("path", "")) else self.console
        await app(scope, receive, send)
