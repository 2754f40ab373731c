"""The standalone topology: the gateway and every service in one process.

Each service keeps its own SQLite file under the data directory and its own migrations; they
share one in-memory broker with the same routing, retry and dead-letter semantics as RabbitMQ;
the gateway reaches each service's app, and the console the gateway, in-process instead of over
the network (:class:`~cap_shared.asgi.StreamingASGITransport`: answers streamed as a server
would, so the live notification stream reaches the browser).
Nothing here is domain code: it only wires what each package exposes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from cap_audit import main as audit_main
from cap_audit.config import Settings as AuditSettings
from cap_diagnostic import main as diagnostic_main
from cap_diagnostic.config import Settings as DiagnosticSettings
from cap_gateway import main as gateway_main
from cap_gateway.config import Settings as GatewaySettings
from cap_gateway.runtime import GatewayRuntime
from cap_labelling import main as labelling_main
from cap_labelling.config import Settings as LabellingSettings
from cap_notifications import main as notifications_main
from cap_notifications.config import Settings as NotificationsSettings
from cap_shared.asgi import StreamingASGITransport
from cap_shared.messaging.memory import MemoryBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import JwksKeySource
from cap_shared.settings import BaseServiceSettings
from cap_standalone.dispatch import Dispatcher
from cap_web import app as web_app
from cap_web.config import Settings as WebSettings

logger = logging.getLogger(__name__)

#: The address the in-process console calls the gateway from (httpx's ASGI transport), which
#: the gateway trusts to say the browser's address in X-Forwarded-For: one of the discard-only
#: prefix (RFC 6666), which no network peer has, so no browser can pass for the console.
CONSOLE_ADDRESS = "100::c0"


class StandaloneSettings(BaseSettings):
    """Settings of the standalone process (env prefix ``CAP_``)."""

    model_config = SettingsConfigDict(
        env_prefix="CAP_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    #: The ops port (``CAP_OPS_PORT``): /healthz, /readyz and /metrics of the whole platform,
    #: for Prometheus; never on the public port. 0: not served.
    ops_port: int = Field(default=9464, ge=0, le=65535)
    #: Where the ops port listens (``CAP_OPS_HOST``): this machine only by default.
    ops_host: str = "127.0.0.1"
    #: The platform's public address (``CAP_PUBLIC_BASE_URL``); empty: this process's address,
    #: ``http://127.0.0.1:<port>``. Given to every part: the tokens' issuer, every link.
    public_base_url: str = ""
    data_dir: Path = Path("var")
    environment: str = "development"
    log_level: str = "INFO"
    log_json: bool = True
    #: Delays before each retry of a failing event handler, then the dead-letter queue.
    retry_delays_s: list[float] = Field(default=[1.0, 10.0, 60.0, 300.0])
    #: Garbage-collector thresholds once start-up is done (see cap_shared.gc).
    gc_thresholds: list[int] = Field(default=[50_000, 20, 100], min_length=3, max_length=3)
    #: How long shutdown waits for queued events to be handled.
    drain_timeout_s: float = Field(default=10.0, ge=0)
    #: Reverse proxies in front of this process whose X-Forwarded-For is believed (addresses or
    #: networks); none by default: the peer is the client, whatever header it sends.
    trusted_proxies: list[str] = Field(default_factory=list)
    #: OpenTelemetry traces of the whole process (``CAP_TELEMETRY_ENABLED``; exporters from
    #: the standard ``OTEL_*`` variables, see docs/operations.md#traces).
    telemetry_enabled: bool = False


@dataclass(frozen=True)
class _Part:
    settings: type[BaseServiceSettings]
    build_runtime: Callable[..., ServiceRuntime]
    create_app: Callable[..., FastAPI]


SERVICES: dict[str, _Part] = {
    "diagnostic": _Part(
        DiagnosticSettings, diagnostic_main.build_runtime, diagnostic_main.create_app
    ),
    "audit": _Part(AuditSettings, audit_main.build_runtime, audit_main.create_app),
    "labelling": _Part(LabellingSettings, labelling_main.build_runtime, labelling_main.create_app),
    "notifications": _Part(
        NotificationsSettings, notifications_main.build_runtime, notifications_main.create_app
    ),
}
#: Every part of the platform: the gateway, then the services.
PARTS: dict[str, _Part] = {
    "gateway": _Part(GatewaySettings, gateway_main.build_runtime, gateway_main.create_app),
    **SERVICES,
}


@dataclass
class Platform:
    """Every runtime and app of the standalone topology, started and stopped together."""

    settings: StandaloneSettings
    broker: MemoryBroker = field(default_factory=MemoryBroker)
    runtimes: dict[str, ServiceRuntime] = field(default_factory=dict)
    apps: dict[str, FastAPI] = field(default_factory=dict)
    gateway: FastAPI | None = None
    #: The web console, reaching the gateway in-process.
    console: FastAPI | None = None
    #: What the process serves: the gateway's paths to the gateway, the rest to the console.
    app: Dispatcher | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _relays: list[asyncio.Task[None]] = field(default_factory=list)

    def _service_settings(self, cls: type[BaseServiceSettings], name: str) -> BaseServiceSettings:
        s = self.settings
        db = (s.data_dir / f"{name}.db").resolve()
        extra: dict[str, Any] = {}
        if "files_dir" in cls.model_fields:  # services that keep documents keep them here too
            extra["files_dir"] = str((s.data_dir / f"{name}-files").resolve())
        # The audit trail's anchors, beside the databases (docs/audit-trail.md: in production,
        # on storage the database's administrators cannot rewrite).
        extra["audit_anchor_dir"] = str((s.data_dir / "audit-anchors").resolve())
        public = s.public_base_url or f"http://127.0.0.1:{s.port}"
        if name == "gateway":
            # People reach the gateway through the console from one address: the console says
            # whose request it is (X-Forwarded-For), so that rate limits count per person.
            extra["trusted_proxies"] = [CONSOLE_ADDRESS]
        return cls(
            public_base_url=public,
            database_url=f"sqlite+aiosqlite:///{db}",
            broker_url="memory://",
            environment=s.environment,
            log_level=s.log_level,
            consumer_retry_delays_s=s.retry_delays_s,
            **extra,
        )

    def build(self) -> None:
        """Create runtimes and apps (no I/O)."""
        gateway_runtime = gateway_main.build_runtime(
            self._service_settings(GatewaySettings, "gateway"), broker=self.broker
        )
        for name, part in SERVICES.items():
            # Services verify tokens with the gateway's public keys, handed over in-process.
            keys = JwksKeySource(gateway_runtime.keyring.jwks, ttl=5.0, min_refresh_interval=1.0)
            runtime = part.build_runtime(
                self._service_settings(part.settings, name), broker=self.broker, keys=keys
            )
            self.runtimes[name] = runtime
            self.apps[name] = part.create_app(runtime, manage_runtime=False)
        self.runtimes["gateway"] = gateway_runtime
        transports: dict[str, httpx.AsyncBaseTransport] = {
            name: StreamingASGITransport(app) for name, app in self.apps.items()
        }
        self.gateway = gateway_main.create_app(
            gateway_runtime, transports=transports, manage_runtime=False
        )
        self.console = web_app.create_app(
            self._console_settings(),
            transport=StreamingASGITransport(self.gateway, client=(CONSOLE_ADDRESS, 0)),
            manage=False,
        )
        self.app = Dispatcher(self.gateway, self.console)

    def _console_settings(self) -> WebSettings:
        s = self.settings
        public = s.public_base_url or f"http://127.0.0.1:{s.port}"
        return WebSettings(
            public_base_url=public,
            gateway_url=public,
            database_url=f"sqlite+aiosqlite:///{(s.data_dir / 'web.db').resolve()}",
            environment=s.environment,
            log_level=s.log_level,
        )

    async def start(self) -> None:
        """Migrate every database, declare queues, start consumers, then relays."""
        if not self.runtimes:
            self.build()
        await self.broker.start()
        for runtime in self.runtimes.values():
            await runtime.migrate()
        gateway_runtime = self.runtimes["gateway"]
        assert isinstance(gateway_runtime, GatewayRuntime)
        await gateway_runtime.prepare()
        # Queues before relays: an event published before its consumer's queue exists would be
        # unroutable (the relay would keep it and retry, but there is no need to).
        for runtime in self.runtimes.values():
            await runtime.declare()
        for runtime in self.runtimes.values():
            await runtime.start_consuming()
        assert self.console is not None
        await web_app.open_console(self.console)
        self._stop.clear()
        self._relays = [
            asyncio.create_task(rt.relay.run(self._stop), name=f"relay-{n}")
            for n, rt in self.runtimes.items()
        ]
        self._relays += [
            asyncio.create_task(rt.run_jobs(self._stop), name=f"jobs-{n}")
            for n, rt in self.runtimes.items()
            if rt.jobs
        ]
        logger.info("standalone platform started with %s", ", ".join(self.runtimes))

    async def drain(self, timeout: float) -> None:
        """Wait until every outbox is published and every queue is empty (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            pending = 0
            for runtime in self.runtimes.values():
                pending += (await runtime.relay.status())["pending"]
                if runtime.consumes:
                    pending += await self.broker.queue_depth(self.broker.queue_name(runtime.queue))
            if pending == 0:
                return
            for runtime in self.runtimes.values():
                runtime.relay.wake()
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        """Drain, stop relays and consumers, close databases."""
        with contextlib.suppress(Exception):
            await self.drain(self.settings.drain_timeout_s)
        self._stop.set()
        for task in self._relays:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, timeout=5)
        for runtime in self.runtimes.values():
            await runtime.stop_consuming()
        await self.broker.close()
        for runtime in self.runtimes.values():
            await runtime.close()
        if self.console is not None:
            await web_app.close_console(self.console)
        if self.gateway is not None:
            await self.gateway.state.upstreams.aclose()
        logger.info("standalone platform stopped")
