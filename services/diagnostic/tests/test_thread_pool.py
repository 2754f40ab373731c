"""No route dependency of the diagnostic service runs in FastAPI's thread pool."""

from __future__ import annotations

from cap_shared.testing.dependencies import sync_dependencies

from .conftest import Service


async def test_no_route_dependency_runs_in_the_thread_pool(service: Service) -> None:
    app = service.client._transport.app  # type: ignore[attr-defined]
    assert sync_dependencies(app) == []
