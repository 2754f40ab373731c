"""Every long-running process runs on the platform's event loop (uvloop where installed), as the
API processes do under uvicorn: the workers and relays ran on the standard library's loop until
issue 22's seventh pass (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from types import SimpleNamespace
from typing import Any

import pytest
import uvloop

from cap_shared import cli, eventloop
from cap_shared import logging as cap_logging


def test_run_returns_the_result_on_uvloop() -> None:
    async def which() -> type[asyncio.AbstractEventLoop]:
        await asyncio.sleep(0)
        return type(asyncio.get_running_loop())

    assert issubclass(eventloop.run(which()), uvloop.Loop)


def test_run_raises_what_the_coroutine_raises() -> None:
    async def fails() -> None:
        raise LookupError("nothing here")

    with pytest.raises(LookupError, match="nothing here"):
        eventloop.run(fails())


@pytest.mark.parametrize("role", ["worker", "relay"])
def test_the_worker_and_the_relay_run_on_the_platform_loop(
    role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def run(main: Coroutine[Any, Any, Any]) -> None:
        ran.append(main.cr_code.co_name)
        main.close()

    monkeypatch.setattr(cli.eventloop, "run", run)
    monkeypatch.setattr(cli, "tune_gc", lambda thresholds: None)
    monkeypatch.setattr(cli.telemetry, "configure_tracing", lambda *a, **kw: None)
    monkeypatch.setattr(cap_logging, "_CONFIGURED", True)  # this process's logging unchanged
    settings = SimpleNamespace(
        log_level="INFO", log_json=False, telemetry_enabled=False, gc_thresholds=None
    )
    runtime = SimpleNamespace(run_worker=None, run_relay=None)
    entry = cli.ServiceEntry(
        name="toy",
        settings=lambda: settings,  # type: ignore[arg-type,return-value]
        build_runtime=lambda _settings: runtime,  # type: ignore[arg-type,return-value]
        create_app=lambda _runtime: None,  # type: ignore[arg-type,return-value]
    )
    cli.main(entry, [role])
    assert ran == ["_run_background"]
