"""Test helpers for cross-service tests: the whole platform in either topology.

* standalone: the real composition root (one process, SQLite files, in-memory broker);
* distributed: every service with its own PostgreSQL database and its own RabbitMQ connection,
  as separate processes would have, with the gateway reaching services over httpx transports;
* processes: the distributed topology as `make up` runs it, every role of every service its own
  OS process on real ports (:mod:`cap_standalone.processes`), and two replicas of each (two
  gateways behind the front, two API, worker and relay processes per service).

Whatever the topology, a test drives it through the gateway only, the administrator's operator
routes included (a service's clock, its periodic jobs run now).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import TypeAdapter

from cap_gateway import main as gateway_main
from cap_gateway.runtime import GatewayRuntime
from cap_labelling import rules
from cap_labelling.models import Organisation as LabellingOrganisation
from cap_labelling.recognitions import service as recognitions
from cap_shared.asgi import StreamingASGITransport
from cap_shared.clock import wall_now
from cap_shared.contracts import schemes
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.runtime import ServiceRuntime
from cap_shared.security import JwksKeySource
from cap_shared.settings import BaseServiceSettings
from cap_shared.testing.auth import sign_in
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.net import free_port
from cap_shared.testing.services import RABBITMQ_URL
from cap_standalone.platform import PARTS, SERVICES, Platform, StandaloneSettings
from cap_standalone.processes import ProcessPlatform
from cap_web import app as web_app

#: Settings to change per part of the platform ("gateway", "diagnostic", "audit", "labelling",
#: "notifications"): field name -> value, e.g. ``{"notifications": {"mail_transport": "smtp"}}``.
Overrides = Mapping[str, Mapping[str, Any]]
#: An ISO 8601 duration as the operator routes give a clock's offset.
DURATION = TypeAdapter(timedelta)


@dataclass
class Topology:
    """A running platform: a client on the gateway, and every runtime by name."""

    name: str
    client: httpx.AsyncClient
    runtimes: dict[str, ServiceRuntime]
    brokers: list[Any] = field(default_factory=list)
    #: ``Authorization`` header of the bootstrap administrator, signed in through the gateway.
    admin: dict[str, str] = field(default_factory=dict)
    #: Per part, the address of each of its API replicas (the processes topology): a clock is
    #: a process's, so moving a service's clock moves each replica's.
    replicas: dict[str, list[str]] = field(default_factory=dict)

    @property
    def public_url(self) -> str:
        """The platform's public address (where its client points)."""
        return str(self.client.base_url).rstrip("/")

    async def _ops(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        answer = await self.client.request(
            method, f"/v1/ops/{service}{path}", headers=self.admin, **kwargs
        )
        if answer.status_code != 200:
            msg = f"{method} /v1/ops/{service}{path}: {answer.status_code} {answer.text}"
            raise AssertionError(msg)
        return answer.json()

    async def today(self, service: str) -> date:
        """Today on the clock of ``service`` (its API process's)."""
        return date.fromisoformat((await self._ops("GET", service, "/clock"))["today"])

    async def shift_clock(self, service: str, delta: timedelta) -> None:
        """Move the clock of ``service`` (its API processes') by ``delta``."""
        offset = (await self._ops("GET", service, "/clock"))["offset"]
        current = DURATION.validate_python(offset)
        body = {"offset": (current + delta).total_seconds()}
        replicas = self.replicas.get(service, [])
        if len(replicas) < 2:
            await self._ops("PUT", service, "/clock", json=body)
            return
        # Each replica directly (through the gateway, the request would reach one of them): the
        # services take the administrator's token as the gateway forwards it.
        path = "/v1/ops/gateway/clock" if service == "gateway" else "/ops/clock"
        for url in replicas:
            moved = await self.client.put(url + path, json=body, headers=self.admin)
            if moved.status_code != 200:
                raise AssertionError(f"PUT {url}{path}: {moved.status_code} {moved.text}")

    async def run_job(self, service: str, name: str) -> int:
        """Run a periodic job of ``service`` now, on its clock; what it reports."""
        return int((await self._ops("POST", service, f"/jobs/{name}/runs"))["items"])


#: Where the in-process topologies' client points: the platform's public address in links and
#: in the callback URL given to certification bodies.
PUBLIC_URL = "http://cap.test"


#: Every part of an in-process topology says the same public address.
_PUBLIC = {"public_base_url": PUBLIC_URL}


def _fast(settings_cls: type[BaseServiceSettings], **values: Any) -> Any:
    values = {**_PUBLIC, **values}
    return settings_cls(relay_poll_interval_s=0.2, consumer_retry_delays_s=[0.05, 0.1], **values)


@dataclass
class _Platform(Platform):
    """The standalone composition root, with some settings changed (``overrides``)."""

    overrides: Overrides = field(default_factory=dict)
    #: The data directory is a copy of one migrated with the same settings (:func:`_migrated`):
    #: the schema migrations still run (and find nothing to do), the data steps are not run
    #: again (the shipped referentials, level rules... are in the copy; parsing them again is
    #: most of a start's CPU).
    premigrated: bool = False

    def build(self) -> None:
        super().build()
        if self.premigrated:
            for runtime in self.runtimes.values():
                runtime.after_migrate = ()

    def _service_settings(self, cls: type[Any], name: str) -> Any:
        settings = super()._service_settings(cls, name)
        changed = {**_PUBLIC, **self.overrides.get(name, {})}
        return cls.model_validate({**dict(settings), **changed}) if changed else settings


async def grant_label(topology: Topology, organisation_id: str) -> str:
    """A CAP RSE label granted to the organisation in the labelling service, as a committee's
    decision would (its public number), once the organisation has reached that service by event.
    For tests that need a label (or the events and notifications one causes) without running the
    whole path; in-process topologies only (it writes in the labelling service's database)."""
    runtime = topology.runtimes["labelling"]
    for _ in range(300):
        async with runtime.db.session() as session:
            if await session.get(LabellingOrganisation, organisation_id) is not None:
                now = wall_now()
                granted = await recognitions.grant(
                    session,
                    organisation_id=organisation_id,
                    group_member_ids=[],
                    scheme=rules.Scheme.CAP_RSE,
                    level="Progression",
                    scope="Ensemble des activités",
                    certification_body_id="sgs-tuv",
                    external_number=None,
                    decision_id=None,
                    cycle=rules.initial_cycle(now.date(), schemes.load()["CAP_RSE"]),
                    actor="test",
                    now=now,
                )
                return granted.number
        await asyncio.sleep(0.05)
    raise AssertionError("the organisation never reached the labelling service")


def _platform(data_dir: Path, settings: Overrides, *, premigrated: bool = False) -> _Platform:
    return _Platform(
        StandaloneSettings(
            data_dir=data_dir,
            public_base_url=PUBLIC_URL,
            drain_timeout_s=2,
            retry_delays_s=[0.05, 0.1],
        ),
        overrides=settings,
        premigrated=premigrated,
    )


#: Data directories migrated once per process (a test worker), by what could change what the
#: migrations and data steps write: the settings changed, the environment, the day.
_MIGRATED: dict[str, Path] = {}


async def _migrated(settings: Overrides) -> Path:
    """A data directory of every part migrated with ``settings`` (data steps included), made
    once per process; each standalone topology on a new directory starts on a copy of it."""
    key = repr(
        (
            sorted((part, sorted(values.items())) for part, values in settings.items()),
            # (pytest's own variables name the test running: the same for every test)
            sorted(kv for kv in os.environ.items() if not kv[0].startswith("PYTEST_")),
            wall_now().date(),
        )
    )
    if key not in _MIGRATED:
        directory = Path(tempfile.mkdtemp(prefix="cap-migrated-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        platform = _platform(directory, settings)
        platform.build()
        assert platform.console is not None
        try:
            for runtime in platform.runtimes.values():
                await runtime.migrate()
            await web_app.open_console(platform.console)  # migrates the console's sessions
        finally:
            await web_app.close_console(platform.console)
            for runtime in platform.runtimes.values():
                await runtime.close()
        _MIGRATED[key] = directory
    return _MIGRATED[key]


def _empty(directory: Path) -> bool:
    return not directory.exists() or not any(directory.iterdir())


@asynccontextmanager
async def standalone_topology(
    data_dir: Path, settings: Overrides | None = None
) -> AsyncIterator[Topology]:
    """The standalone composition root, on files under ``data_dir`` (a new or empty directory
    starts from a copy of one migrated once per process with the same settings)."""
    overrides = settings or {}
    premigrated = _empty(data_dir)
    if premigrated:
        shutil.copytree(await _migrated(overrides), data_dir, dirs_exist_ok=True)
    platform = _platform(data_dir, overrides, premigrated=premigrated)
    await platform.start()
    assert platform.app is not None  # the gateway's paths, and the web console's
    # Streamed as a server would: a test reads the live event stream as a browser does.
    transport = StreamingASGITransport(platform.app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as client:
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
    for name, part in PARTS.items():
        settings_cls, build_runtime = part.settings, part.build_runtime
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
    apps = {
        name: SERVICES[name].create_app(runtimes[name], manage_runtime=False) for name in SERVICES
    }
    gateway = gateway_main.create_app(
        gateway_runtime,
        transports={n: httpx.ASGITransport(app=a) for n, a in apps.items()},
        manage_runtime=False,
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway), base_url=PUBLIC_URL
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


@asynccontextmanager
async def processes_topology(
    log_dir: Path, settings: Overrides | None = None
) -> AsyncIterator[Topology]:
    """Every role of every service its own OS process, as `make up` runs them, two of each
    (``CAP_TEST_REPLICAS`` in the environment changes that; logs under ``log_dir``, their last
    lines printed when the body fails)."""
    # CAP_TEST_REPLICAS=1: one process of each role (faster to start; no balancer).
    replicas = int(os.environ.get("CAP_TEST_REPLICAS", "2"))
    platform = ProcessPlatform(log_dir, settings or {}, replicas=replicas)
    await platform.start()
    try:
        async with httpx.AsyncClient(base_url=platform.url, timeout=30) as client:
            yield Topology(
                "processes",
                client,
                {},
                admin=await sign_in(client),
                replicas={part: platform.replica_urls(part) for part in platform.parts},
            )
    except BaseException:
        print(platform.log_tails())  # noqa: T201 - shown by pytest with the failure
        raise
    finally:
        await platform.stop()


class ServedPlatform:
    """``cap-standalone`` in its own process on a free port, as ``make run`` starts it (browser
    tests, the console's benchmark): its own data directory, its log in that directory.
    ``settings``: more environment variables (``GATEWAY_RATE_LIMIT_LOGIN``...)."""

    def __init__(self, data_dir: Path, settings: Mapping[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "standalone.log"
        self.settings = dict(settings or {})
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> None:
        """Start it and wait until ``/readyz`` answers 200 (RuntimeError with its log if not)."""
        env = {
            **os.environ,
            "CAP_DATA_DIR": str(self.data_dir),
            "CAP_PORT": str(self.port),
            "CAP_PUBLIC_BASE_URL": self.url,
            "CAP_LOG_LEVEL": "WARNING",
            "PYTHONDONTWRITEBYTECODE": "",
            **self.settings,
        }
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cap_standalone"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cap-standalone exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"cap-standalone not ready in {timeout} s:\n{self.tail()}")

    def tail(self) -> str:
        """The end of its log."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop it (SIGTERM: it drains; killed after 30 s)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
