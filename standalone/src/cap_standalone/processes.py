"""The distributed topology as `make up` runs it, for tests and benchmarks: every role of every
service its own OS process (the ``cap-<service>`` console scripts), each service on its own
PostgreSQL database, all of them on RabbitMQ, talking over real ports of 127.0.0.1.

Nothing is shared in memory: the services verify access tokens with the keys they fetch from
the gateway's JWKS over HTTP, the gateway reaches them over HTTP, events cross RabbitMQ. The web
console (``cap-web``, its sessions on PostgreSQL too) calls the gateway over HTTP, and the front
(:mod:`cap_standalone.front`) gives both one origin, the platform's public address :attr:`url`.

Replicas (``replicas``, 2 by default): every role of every part runs that many times — two
gateways, and per service two API, two worker and two relay processes — and two consoles.
The front sends each request to the next gateway or console in turn; a balancer process
(:mod:`cap_standalone.balance`, what a deployment's Service is) gives each part's API replicas
one address, which the gateway, the console and the services' JWKS fetches use. The gateways
share their rate-limit counters in Redis; the workers run each periodic job once per interval
between them (:mod:`cap_shared.jobs`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from cap_shared.messaging import QueueSpec
from cap_shared.messaging.rabbitmq import RabbitBroker
from cap_shared.migrate import ensure_database
from cap_shared.testing import services
from cap_shared.testing.fixtures import cleanup_rabbit, unique_namespace
from cap_shared.testing.net import free_port
from cap_standalone.platform import PARTS, SERVICES
from cap_web.__main__ import migrate as migrate_console
from cap_web.config import Settings as WebSettings

BIN = Path(sys.executable).parent
#: The roles of each part, as in deploy/local/Procfile.
ROLES: dict[str, tuple[str, ...]] = {
    name: ("api", "relay") if name == "gateway" else ("api", "worker", "relay") for name in PARTS
}


def as_env(value: Any) -> str:
    """A setting's value as pydantic-settings reads it from the environment."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict | tuple):
        return json.dumps(value)
    return str(value)


async def wait_ready(
    url: str, timeout: float = 60, process: asyncio.subprocess.Process | None = None
) -> None:
    """Until ``url`` answers 200 (a ``/readyz``), within ``timeout`` seconds; at once if
    ``process`` (the one serving it) exits meanwhile."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return
            if process is not None and process.returncode is not None:
                raise AssertionError(f"{url}: the process exited ({process.returncode})")
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} not ready after {timeout}s")
            await asyncio.sleep(0.2)


@dataclass
class Process:
    """One running role of one part (one of its replicas), with its log file."""

    part: str
    role: str
    process: asyncio.subprocess.Process
    log: Path
    probe: str
    #: Which replica of its role (1, 2...).
    replica: int = 1
    #: Its ops port's address (/healthz, /readyz, /metrics), when it has one.
    ops: str = ""

    @property
    def name(self) -> str:
        """``<part>-<role>-<replica>``, as its log file is named."""
        return f"{self.part}-{self.role}-{self.replica}"


@dataclass
class ProcessPlatform:
    """Every process of the distributed topology on free ports, in a broker namespace of its own
    and on databases ``cap_t_<worker>_proc_<part>`` (dropped before and after).

    ``settings``: per part, field name -> value, passed as ``<PART>_<FIELD>`` variables.
    ``log_dir``: where each process writes its output (``<part>-<role>-<replica>.log``).
    ``replicas``: how many processes of each role (and consoles); 1: no balancer.
    """

    log_dir: Path
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Migrate from this process (each ``cap-<part> migrate`` costs a second or two of imports)
    #: or with the console scripts, as `make migrate` does.
    migrate_in_process: bool = True
    namespace: str = field(default_factory=unique_namespace)
    replicas: int = 2
    #: How long each process may take to be ready (imports, migrations' end, connections): on a
    #: loaded two-core machine, 32 processes importing at once take minutes.
    ready_timeout_s: float = 300
    #: Per part (and "web", "front"): the address its clients use (the balancer's port when
    #: it has replicas).
    ports: dict[str, int] = field(default_factory=dict)
    #: Per part (and "web"): the port of each of its API (console) replicas.
    replica_ports: dict[str, list[int]] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def parts(self) -> list[str]:
        """The parts of the platform, one process each or more."""
        return list(ROLES)

    @property
    def url(self) -> str:
        """The platform's public address (the front): the gateway's paths and the console."""
        return f"http://127.0.0.1:{self.ports['front']}"

    @property
    def gateway_url(self) -> str:
        """The gateway itself (how the services and the console reach it)."""
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def console_url(self) -> str:
        """The console itself (``cap-web``; its first replica)."""
        return self.replica_urls("web")[0]

    def ops_urls(self, part: str, role: str = "api") -> list[str]:
        """The ops port's address (/metrics...) of each replica of ``part``'s ``role``."""
        return [p.ops for p in self.processes if (p.part, p.role) == (part, role) and p.ops]

    def replica_urls(self, part: str) -> list[str]:
        """The address of each API replica of ``part`` (each console replica for "web")."""
        return [f"http://127.0.0.1:{port}" for port in self.replica_ports[part]]

    def database(self, part: str) -> str:
        """The database of ``part`` for this test worker."""
        return f"cap_t_{services.worker_id()}_proc_{part}"

    def values(self, part: str, **extra: Any) -> dict[str, Any]:
        """The settings of a process of ``part``: its database, the broker, fast relays and
        retries, the platform's ports, then this platform's settings and ``extra``."""
        values: dict[str, Any] = {
            # The processes connect as the runtime role; migrations run as the owner.
            "database_url": services.app_database_url(self.database(part)),
            "migration_database_url": services.database_url(self.database(part)),
            "broker_url": services.RABBITMQ_URL,
            "broker_namespace": self.namespace,
            "log_level": "WARNING",
            "relay_poll_interval_s": 0.2,
            "consumer_retry_delays_s": [0.05, 0.1],
            "public_base_url": self.url,
            # Small pools: ~30 processes, and the server's 100 connections are shared.
            "database_pool_size": 2,
            "database_max_overflow": 3,
        }
        if part == "gateway":
            values.update({f"{n}_url": f"http://127.0.0.1:{self.ports[n]}" for n in SERVICES})
            # The front and the console send X-Forwarded-For (the browser's address): believed
            # from this machine's address only, as in `make up`.
            values["trusted_proxies"] = ["127.0.0.1"]
            if self.replicas > 1:  # the gateways count every request against shared limits
                values["rate_limit_storage"] = f"async+{services.REDIS_URL}"
        else:
            values["auth_jwks_url"] = f"{self.gateway_url}/.well-known/jwks.json"
        values.update(self.settings.get(part, {}))
        values.update(extra)
        return values

    def env(self, part: str, **extra: Any) -> dict[str, str]:
        """The environment of a process of ``part``: :meth:`values` as its variables."""
        values = self.values(part, **extra)
        prefix = part.upper()
        env = {k: v for k, v in os.environ.items() if not k.startswith(f"{prefix}_")}
        # The public base URL is one variable for every process, without a prefix.
        env["CAP_PUBLIC_BASE_URL"] = as_env(values.pop("public_base_url"))
        env.update({f"{prefix}_{k.upper()}": as_env(v) for k, v in values.items()})
        return env

    def console_env(self, **extra: Any) -> dict[str, str]:
        """The environment of ``cap-web`` (its sessions on the database ``...proc_web``)."""
        values: dict[str, Any] = {
            "port": self.replica_ports["web"][0],
            "gateway_url": self.gateway_url,
            # As the services: the runtime role; the migration as the owner of the tables.
            "database_url": services.app_database_url(self.database("web")),
            "migration_database_url": services.database_url(self.database("web")),
            "migrate_on_start": False,
            "trusted_proxies": ["127.0.0.1"],
            "log_level": "WARNING",
            **self.settings.get("web", {}),
            **extra,
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("WEB_")}
        env["CAP_PUBLIC_BASE_URL"] = self.url
        env.update({f"WEB_{k.upper()}": as_env(v) for k, v in values.items()})
        return env

    def front_env(self) -> dict[str, str]:
        """The environment of the front (:mod:`cap_standalone.front`)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("FRONT_")}
        env.update(
            {
                "FRONT_PORT": str(self.ports["front"]),
                # Each request to the next gateway (console) replica, in turn.
                "FRONT_GATEWAY_URL": ",".join(self.replica_urls("gateway")),
                "FRONT_CONSOLE_URL": ",".join(self.replica_urls("web")),
                "FRONT_LOG_LEVEL": "WARNING",
            }
        )
        return env

    async def start(self) -> None:
        """Migrate every database, start every process, wait until each one is ready."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.ports = {part: free_port() for part in (*self.parts, "front")}
        self.replica_ports = {
            part: [free_port() for _ in range(self.replicas)] for part in (*self.parts, "web")
        }
        if self.replicas == 1:  # no balancer: each part's one API is its address
            self.ports.update({part: self.replica_ports[part][0] for part in self.parts})
        for part in (*self.parts, "web"):
            await services.drop_database(self.database(part))
        if self.migrate_in_process:
            for part in self.parts:
                runtime = PARTS[part].build_runtime(
                    PARTS[part].settings(
                        database_url=services.app_database_url(self.database(part)),
                        migration_database_url=services.database_url(self.database(part)),
                    )
                )
                await ensure_database(runtime.settings.owner_database_url)
                try:
                    await runtime.migrate()
                finally:
                    await runtime.close()
        else:
            migrations = [
                await asyncio.create_subprocess_exec(
                    str(BIN / f"cap-{p}"), "migrate", env=self.env(p)
                )
                for p in self.parts
            ]
            codes = [await m.wait() for m in migrations]
            if codes != [0] * len(codes):
                failed = dict(zip(self.parts, codes, strict=True))
                raise RuntimeError(f"migrations failed: {failed}")
        if self.migrate_in_process:
            env = self.console_env()
            await migrate_console(
                WebSettings(
                    database_url=env["WEB_DATABASE_URL"],
                    migration_database_url=env["WEB_MIGRATION_DATABASE_URL"],
                )
            )
        else:
            console = await asyncio.create_subprocess_exec(
                str(BIN / "cap-web"), "migrate", env=self.console_env()
            )
            if await console.wait() != 0:
                raise RuntimeError("the console's migration failed")
        for replica in range(1, self.replicas + 1):
            for part, roles in ROLES.items():
                for role in roles:
                    await self._spawn(part, role, replica)
            port = self.replica_ports["web"][replica - 1]
            await self._start(
                "web",
                "serve",
                [str(BIN / "cap-web"), "serve"],
                self.console_env(port=port),
                f"http://127.0.0.1:{port}/console/healthz",
                replica,
            )
        if self.replicas > 1:
            await self._start(
                "balance",
                "serve",
                [sys.executable, "-m", "cap_standalone.balance"],
                self.balance_env(),
                f"{self.gateway_url}/readyz",
            )
        await self._start(
            "front",
            "serve",
            [sys.executable, "-m", "cap_standalone.front"],
            self.front_env(),
            f"{self.url}/console/healthz",
        )
        try:
            for process in self.processes:
                try:
                    await wait_ready(process.probe, self.ready_timeout_s, process.process)
                except AssertionError as exc:  # say which process, and what it said
                    log = process.log.read_text(errors="replace")[-3000:]
                    raise AssertionError(f"{process.name}: {exc}\n{log}") from None
        except BaseException:
            await self.stop()
            raise

    def balance_env(self) -> dict[str, str]:
        """The environment of the balancer: each part's address -> its API replicas."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("BALANCE_")}
        routes = {self.ports[part]: self.replica_urls(part) for part in self.parts}
        env.update({"BALANCE_ROUTES": json.dumps(routes), "BALANCE_LOG_LEVEL": "WARNING"})
        return env

    async def _spawn(self, part: str, role: str, replica: int = 1) -> None:
        ops = free_port()  # every process's ops port: /healthz, /readyz, /metrics
        extra: dict[str, Any] = {"probe_port": ops}
        if role == "api":
            extra["port"] = self.replica_ports[part][replica - 1]
        await self._start(
            part,
            role,
            [str(BIN / f"cap-{part}"), role],
            self.env(part, **extra),
            f"http://127.0.0.1:{ops}/readyz",
            replica,
            ops=f"http://127.0.0.1:{ops}",
        )

    async def _start(
        self,
        part: str,
        role: str,
        command: list[str],
        env: dict[str, str],
        probe: str,
        replica: int = 1,
        *,
        ops: str = "",
    ) -> None:
        log = self.log_dir / f"{part}-{role}-{replica}.log"
        out = log.open("wb")
        self._logs.append(out)
        process = await asyncio.create_subprocess_exec(
            *command, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
        self.processes.append(Process(part, role, process, log, probe, replica, ops))

    async def stop(self) -> dict[str, int | None]:
        """SIGTERM to every process (a clean, prompt stop), then delete the namespace's queues
        and exchanges and drop the databases; each process's exit code."""
        for p in self.processes:
            with contextlib.suppress(ProcessLookupError):
                p.process.terminate()
        codes: dict[str, int | None] = {}
        for p in self.processes:
            try:
                codes[p.name] = await asyncio.wait_for(p.process.wait(), 30)
            except TimeoutError:
                p.process.kill()
                codes[p.name] = None
        for out in self._logs:
            out.close()
        broker = RabbitBroker(services.RABBITMQ_URL, namespace=self.namespace)
        await broker.start()
        for name in SERVICES:
            await broker.declare_queue(self.queue(name))
        await cleanup_rabbit(broker)
        for part in (*self.parts, "web"):
            await services.drop_database(self.database(part))
        return codes

    def queue(self, service: str) -> QueueSpec:
        """The queue of ``service`` as its processes declared it (retry queues are named by
        their delays, which this platform shortens)."""
        part = SERVICES[service]
        fields = part.settings.model_fields
        values = {k: v for k, v in self.values(service).items() if k in fields}
        spec = part.build_runtime(part.settings(**values)).queue
        assert spec is not None, f"{service} consumes no queue"
        return spec

    def log_tails(self, lines: int = 30) -> str:
        """The end of every process's log (what a failed test shows)."""
        parts = []
        for p in self.processes:
            text = p.log.read_text(errors="replace").splitlines()[-lines:] if p.log.exists() else []
            if text:
                parts.append(f"--- {p.name} ---\n" + "\n".join(text))
        return "\n".join(parts)
