"""Process entry points shared by every service: ``api``, ``worker``, ``relay``, ``migrate``,
and ``audit-verify`` (the audit trail's chain, checked against its anchors)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI

from cap_shared import eventloop, telemetry
from cap_shared.audit.chain import verify_log
from cap_shared.audit.public import AuditVerificationPublic
from cap_shared.gc import tune_gc
from cap_shared.logging import configure_logging
from cap_shared.migrate import ensure_database
from cap_shared.opsport import EmbeddedServer, ops_app, serving
from cap_shared.runtime import ServiceRuntime
from cap_shared.settings import BaseServiceSettings


@dataclass(frozen=True)
class ServiceEntry:
    """What a service package hands to the shared CLI."""

    name: str
    settings: Callable[[], BaseServiceSettings]
    build_runtime: Callable[[BaseServiceSettings], ServiceRuntime]
    create_app: Callable[[ServiceRuntime], FastAPI]


def probe_app(runtime: ServiceRuntime, *, needs_broker: bool = True) -> FastAPI:
    """The ops port's app of a process: health, readiness and metrics (:mod:`cap_shared.opsport`)."""
    return ops_app(runtime, needs_broker=needs_broker)


def _on_signals(stop: Callable[[], None]) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


async def _run_background(
    runtime: ServiceRuntime, body: Callable[[asyncio.Event], Coroutine[Any, Any, None]]
) -> None:
    stop = asyncio.Event()
    _on_signals(stop.set)
    settings = runtime.settings
    try:
        async with serving(probe_app(runtime), settings.host, settings.probe_port):
            task = asyncio.create_task(body(stop))
            await stop.wait()
            _done, pending = await asyncio.wait({task}, timeout=20)
            for left in pending:
                left.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runtime.close(), timeout=10)


async def _serve_api(runtime: ServiceRuntime, server: uvicorn.Server) -> None:
    """The public app until SIGTERM/SIGINT, and the ops port beside it (``probe_port``)."""
    _on_signals(lambda: setattr(server, "should_exit", True))
    settings = runtime.settings
    async with serving(probe_app(runtime, needs_broker=False), settings.host, settings.probe_port):
        await server.serve()


async def _migrate(runtime: ServiceRuntime) -> None:
    # PostgreSQL: create it if missing (as the owner); SQLite: nothing.
    await ensure_database(runtime.settings.owner_database_url)
    try:
        await runtime.migrate()
    finally:
        await runtime.db.dispose()


async def audit_verify(runtime: ServiceRuntime, *, as_json: bool = False) -> int:
    """Verify the service's audit chain against its anchors; print the result; the exit
    status: 0 intact, 1 when a problem was found (the first bad entry is named)."""
    try:
        async with runtime.db.session() as session:
            report = await verify_log(
                session,
                runtime.tables.audit_log,
                service=runtime.name,
                anchor_dir=runtime.settings.audit_anchor_dir,
            )
    finally:
        await runtime.db.dispose()
    result = AuditVerificationPublic.of(report)
    out = sys.stdout
    if as_json:
        out.write(json.dumps(result.model_dump(mode="json"), indent=2) + "\n")
    elif result.intact:
        out.write(
            f"{runtime.name}: audit trail intact: {result.entries} entries "
            f"(seq {result.first_seq}..{result.last_seq}), head {result.head_hash}, "
            f"{result.anchors_checked} anchor(s) checked\n"
        )
    else:
        bad = result.first_bad
        assert bad is not None
        out.write(
            f"{runtime.name}: audit trail BROKEN: first bad entry {bad.seq} ({bad.kind}): "
            f"{bad.detail}\n"
        )
        for problem in result.problems:
            out.write(f"  {problem.kind} at {problem.seq}: {problem.detail}\n")
    if result.foreign_anchors:
        sys.stderr.write(
            f"{runtime.name}: note: {result.foreign_anchors} anchor(s) of another chain of this "
            "service: was the log replaced as a whole?\n"
        )
    return 0 if result.intact else 1


def main(entry: ServiceEntry, argv: Sequence[str] | None = None) -> None:
    """``cap-<service> {api|worker|relay|migrate|audit-verify}``."""
    parser = argparse.ArgumentParser(
        prog=f"cap-{entry.name}", description=f"CAP {entry.name} service"
    )
    parser.add_argument(
        "role",
        choices=["api", "worker", "relay", "migrate", "audit-verify"],
        help="which process to run (audit-verify: check the audit trail's chain and exit, "
        "0 when intact)",
    )
    parser.add_argument(
        "--json", action="store_true", help="audit-verify: print the result as JSON"
    )
    args = parser.parse_args(argv)
    settings = entry.settings()
    configure_logging(level=settings.log_level, json=settings.log_json, service=entry.name)
    # Before the runtime and the app: its database engine and HTTP clients get their spans.
    telemetry.configure_tracing(entry.name, enabled=settings.telemetry_enabled)
    runtime = entry.build_runtime(settings)
    tune_gc(settings.gc_thresholds)
    if args.role == "api":
        # No access log of uvicorn's (cap.access writes the line); httptools and uvloop are
        # what uvicorn picks when installed ("auto"), as they are here.
        config = uvicorn.Config(
            entry.create_app(runtime),
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
        )
        with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
            runner.run(_serve_api(runtime, EmbeddedServer(config)))
    elif args.role == "worker":
        eventloop.run(_run_background(runtime, runtime.run_worker))
    elif args.role == "relay":
        eventloop.run(_run_background(runtime, runtime.run_relay))
    elif args.role == "audit-verify":
        sys.exit(asyncio.run(audit_verify(runtime, as_json=args.json)))
    else:
        asyncio.run(_migrate(runtime))
