"""Test helpers for cross-service tests: the whole platform in either topology.

* standalone: the real composition root (one process, SQLite files, in-memory broker);
* distributed: every service with its own PostgreSQL database and its own RabbitMQ connection,
  as separate processes would have, with the gateway reaching services over httpx transports.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cap_gateway import main as gateway_main
from cap_gateway.config import Settings as GatewaySettings
from cap_gateway.runtime import GatewayRuntime
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import JwksKeySource
from cap_shared.testing.auth import sign_in
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.services import RABBITMQ_URL
from cap_standalone.platform import SERVICES, Platform, StandaloneSettings

#: Settings to change per part of the platform ("gateway", "diagnostic", "audit", "labelling",
#: "notifications"): field name -> value, e.g. ``{"notifications": {"mail_transport": "smtp"}}``.
Overrides = Mapping[str, Mapping[str, Any]]


@dataclass
class Topology:
    """A running platform: a client on the gateway, and every runtime by name."""

    name: str
    client: httpx.AsyncClient
    runtimes: dict[str, ServiceRuntime]
    brokers: list[Any] = field(default_factory=list)
    #: ``Authorization`` header of the bootstrap administrator, signed in through the gateway.
    admin: dict[str, str] = field(default_factory=dict)


def _fast(settings_cls: type, **values: Any) -> Any:
    return settings_cls(relay_poll_interval_s=0.2, consumer_retry_delays_s=[0.05, 0.1], **values)


@dataclass
class _Platform(Platform):
    """The standalone composition root, with some settings changed (``overrides``)."""

    overrides: Overrides = field(default_factory=dict)

    def _service_settings(self, cls: type[Any], name: str) -> Any:
        settings = super()._service_settings(cls, name)
        changed = self.overrides.get(name)
        return cls.model_validate({**dict(settings), **changed}) if changed else settings


@asynccontextmanager
async def standalone_topology(
    data_dir: Path, settings: Overrides | None = None
) -> AsyncIterator[Topology]:
    """The standalone composition root, on files under ``data_dir``."""
    platform = _Platform(
        StandaloneSettings(data_dir=data_dir, drain_timeout_s=2, retry_delays_s=[0.05, 0.1]),
        overrides=settings or {},
    )
    await platform.start()
    assert platform.gateway is not None
    transport = httpx.ASGITransport(app=platform.gateway)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://cap.test") as client:
            yield Topology("standalone", client, platform.runtimes, admin=await sign_in(client))
    finally:
        await platform.stop()


@asynccontextmanager
async def distributed_topology(
    make_database: Callable[..., Any], settings: Overrides | None = None
) -> AsyncIterator[Topology]:
    """Every service on its own PostgreSQL database and RabbitMQ connection (one namespace)."""
    overrides = settings or {}
    namespace = unique_namespace()
    runtimes: dict[str, ServiceRuntime] = {}
    brokers: list[RabbitBroker] = []
    parts: dict[str, tuple[Any, Any, Any]] = {
        "gateway": (GatewaySettings, gateway_main.build_runtime, gateway_main.create_app)
    }
    parts.update({n: (p.settings, p.build_runtime, p.create_app) for n, p in SERVICES.items()})
    for name, (settings_cls, build_runtime, _create_app) in parts.items():
        probe = build_runtime(_fast(settings_cls))
        db = await make_database("postgresql", name, probe.migrations, probe.tables.outbox.metadata)
        broker = RabbitBroker(RABBITMQ_URL, namespace=namespace)
        brokers.append(broker)
        extra: dict[str, Any] = {}
        if name != "gateway":  # the gateway's public keys, handed over in-process
            gateway_runtime = runtimes["gateway"]
            assert isinstance(gateway_runtime, GatewayRuntime)
            extra["keys"] = JwksKeySource(gateway_runtime.keyring.jwks, min_refresh_interval=0.5)
        runtimes[name] = build_runtime(
            _fast(settings_cls, broker_namespace=namespace, **overrides.get(name, {})),
            db=db,
            broker=broker,
            **extra,
        )
        await broker.start()
        await runtimes[name].load_reference_data()
    gateway_runtime = runtimes["gateway"]
    assert isinstance(gateway_runtime, GatewayRuntime)
    await gateway_runtime.prepare()
    for runtime in runtimes.values():
        await runtime.declare()
        await runtime.start_consuming()
    stop = asyncio.Event()
    relays = [asyncio.create_task(rt.relay.run(stop)) for rt in runtimes.values()]
    apps = {name: parts[name][2](runtimes[name], manage_runtime=False) for name in SERVICES}
    gateway = gateway_main.create_app(
        gateway_runtime,
        transports={n: httpx.ASGITransport(app=a) for n, a in apps.items()},
        manage_runtime=False,
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url="http://cap.test"
        ) as client:
            yield Topology("distributed", client, runtimes, brokers, admin=await sign_in(client))
    finally:
        stop.set()
        await asyncio.gather(*relays, return_exceptions=True)
        for runtime in runtimes.values():
            await runtime.stop_consuming()
        for broker in brokers:
            await cleanup_rabbit(broker)
        await gateway.state.upstreams.aclose()
