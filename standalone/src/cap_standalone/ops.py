"""The ops port of the one-process platform (``make run``): ``/healthz``, ``/readyz`` (every
part's database and the in-memory broker) and ``/metrics`` (every part's metrics: one process,
one registry), on ``CAP_OPS_HOST:CAP_OPS_PORT`` (127.0.0.1:9464 by default; 0: none)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from cap_shared.app import Readiness, readiness_answer
from cap_shared.opsport import bare_ops_app
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import Public

#: The ``service`` the platform's probes answer with.
NAME = "standalone"


def ops_app(runtimes: dict[str, ServiceRuntime]) -> FastAPI:
    """The ops routes of every runtime of the platform, in one app."""
    app = bare_ops_app("CAP platform ops")
    router = APIRouter(tags=["health"], dependencies=[Public])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok", "service": NAME}

    @router.get("/readyz", summary="Readiness", response_model=Readiness)
    async def readyz() -> Any:
        """Ready when every part's database and the broker answer (``<part>.<check>``)."""
        checks = {
            f"{name}.{check}": value
            for name, runtime in runtimes.items()
            for check, value in (await runtime.readiness(needs_broker=True)).items()
        }
        return readiness_answer(NAME, checks)

    app.include_router(router)
    return app
