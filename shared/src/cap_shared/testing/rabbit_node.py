"""A throwaway RabbitMQ node for fault tests: started, stopped, killed and removed by the tests.

The node runs the machine's RabbitMQ installation under a name, ports and directories of its own
(``cap-fault-<pid>-<random>@localhost``, free AMQP and distribution ports, mnesia and logs in a
temporary directory), so stopping or killing it never touches the machine's node on 5672. Its
Erlang cookie is the machine's (copied into a private ``HOME``) when readable, else a fresh one:
``rabbitmqctl -n <name>`` works from the same ``HOME``.

No plugin is enabled (the management plugin is not needed and would slow the boot); the node
boots in about 5 s on an idle machine. ``prometheus=True`` enables RabbitMQ's Prometheus exporter
(``rabbitmq_prometheus``) on a free port of its own (:attr:`RabbitNode.metrics_url`). Teardown SIGKILLs the node's process group and deletes
the directory, also when the test failed; an ``atexit`` hook does the same if the interpreter
exits without running the fixture's teardown.

Settings the fault tests rely on (RabbitMQ's defaults are minutes, far too slow for a test):

* ``consumer_timeout``: the broker closes a channel whose delivery stays unacknowledged longer;
* ``channel_tick_interval``: how often channels check that timeout (default 60 s);
* ``dead_letter_worker_publisher_confirm_timeout``: how soon at-least-once dead-lettering
  retries a message the dead-letter queue refused (default 3 min).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cap_shared.testing.net import free_port

#: Where the RabbitMQ scripts are; the Debian package's ``/usr/sbin`` wrappers would ``su`` to
#: the ``rabbitmq`` user and read the machine's ``rabbitmq-env.conf`` (its node name).
_SBIN_CANDIDATES = ("/usr/lib/rabbitmq/bin",)
_MACHINE_COOKIE = Path("/var/lib/rabbitmq/.erlang.cookie")

#: Defaults of the throwaway node (milliseconds).
CONSUMER_TIMEOUT_MS = 4000
CHANNEL_TICK_MS = 500
DEAD_LETTER_RETRY_MS = 1000


def _sbin() -> Path:
    configured = os.environ.get("CAP_TEST_RABBITMQ_SBIN")
    if configured:
        return Path(configured)
    for candidate in _SBIN_CANDIDATES:
        if (Path(candidate) / "rabbitmq-server").exists():
            return Path(candidate)
    found = shutil.which("rabbitmq-server")
    if found is None:
        msg = "rabbitmq-server is not installed (set CAP_TEST_RABBITMQ_SBIN to its directory)"
        raise RuntimeError(msg)
    return Path(found).resolve().parent


class RabbitNode:
    """One throwaway RabbitMQ node (see the module docstring)."""

    def __init__(
        self,
        base_dir: Path | None = None,
        *,
        consumer_timeout_ms: int = CONSUMER_TIMEOUT_MS,
        channel_tick_ms: int = CHANNEL_TICK_MS,
        dead_letter_retry_ms: int = DEAD_LETTER_RETRY_MS,
        prometheus: bool = False,
    ) -> None:
        self._own_dir = base_dir is None
        self.prometheus_port = free_port() if prometheus else None
        self.dir = Path(base_dir or tempfile.mkdtemp(prefix="cap-rabbit-"))
        self.name = f"cap-fault-{os.getpid()}-{uuid.uuid4().hex[:6]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        while self.dist_port == self.port:
            self.dist_port = free_port()
        self.consumer_timeout_ms = consumer_timeout_ms
        self.sbin = _sbin()
        self._process: subprocess.Popen[bytes] | None = None
        self._write_files(channel_tick_ms, dead_letter_retry_ms)
        atexit.register(self.remove)

    # set-up ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The AMQP URL of the node (guest may log in over loopback)."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def metrics_url(self) -> str:
        """Where RabbitMQ's Prometheus exporter answers (``prometheus=True`` only)."""
        assert self.prometheus_port is not None, "a node started with prometheus=True"
        return f"http://127.0.0.1:{self.prometheus_port}"

    @property
    def log_file(self) -> Path:
        """The node's log."""
        return self.dir / "log" / f"{self.name}.log"

    def _write_files(self, channel_tick_ms: int, dead_letter_retry_ms: int) -> None:
        home = self.dir / "home"
        for sub in (home, self.dir / "mnesia", self.dir / "log"):
            sub.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        try:
            value = _MACHINE_COOKIE.read_text().strip()
        except OSError:
            value = secrets.token_hex(20).upper()
        cookie.write_text(value)
        cookie.chmod(0o400)
        plugins = "rabbitmq_prometheus" if self.prometheus_port is not None else ""
        (self.dir / "enabled_plugins").write_text(f"[{plugins}].\n")
        (self.dir / "rabbitmq-env.conf").write_text("")
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.1 = 127.0.0.1:{self.port}\n"
            f"consumer_timeout = {self.consumer_timeout_ms}\n"
            "log.file.level = info\n"
            "log.console = false\n"
            + (
                f"prometheus.tcp.port = {self.prometheus_port}\nprometheus.tcp.ip = 127.0.0.1\n"
                if self.prometheus_port is not None
                else ""
            )
        )
        (self.dir / "advanced.config").write_text(
            "[{rabbit, [\n"
            f"  {{channel_tick_interval, {channel_tick_ms}}},\n"
            f"  {{dead_letter_worker_publisher_confirm_timeout, {dead_letter_retry_ms}}}\n"
            "]}].\n"
        )

    def env(self) -> dict[str, str]:
        """The environment of the node and of ``rabbitmqctl`` calls about it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_"))}
        env.update(
            {
                "HOME": str(self.dir / "home"),
                "RABBITMQ_CONF_ENV_FILE": str(self.dir / "rabbitmq-env.conf"),
                "RABBITMQ_NODENAME": self.name,
                "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
                "RABBITMQ_NODE_PORT": str(self.port),
                "RABBITMQ_DIST_PORT": str(self.dist_port),
                "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
                "RABBITMQ_LOG_BASE": str(self.dir / "log"),
                "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq.conf"),
                "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.dir / "advanced.config"),
                "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
                "RABBITMQ_PLUGINS_EXPAND_DIR": str(self.dir / "plugins"),
                "RABBITMQ_PID_FILE": str(self.dir / "node.pid"),
                # Distribution on loopback only, as the machine's node.
                "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": (
                    "-kernel inet_dist_use_interface {127,0,0,1}"
                ),
                "ERL_EPMD_ADDRESS": "127.0.0.1",
            }
        )
        return env

    # lifecycle -----------------------------------------------------------------------------
    def spawn(self) -> None:
        """Start the node's VM on its data directory (returns at once; see :meth:`wait_ready`)."""
        if self._process is not None and self._process.poll() is None:
            msg = f"{self.name} is already running"
            raise RuntimeError(msg)
        with contextlib.suppress(FileNotFoundError):
            (self.dir / "node.pid").unlink()
        out = (self.dir / "log" / "console.log").open("ab")
        try:
            self._process = subprocess.Popen(
                [str(self.sbin / "rabbitmq-server")],
                env=self.env(),
                cwd=self.dir,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: teardown kills exactly it
            )
        finally:
            out.close()

    def start(self, timeout: float = 90.0) -> None:
        """Start the node and wait until it accepts AMQP connections."""
        self.spawn()
        self.wait_ready_sync(timeout)

    def _accepts(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _check_alive(self) -> None:
        if self._process is None or self._process.poll() is not None:
            msg = f"RabbitMQ node {self.name} exited during start-up:\n{self.log_tail()}"
            raise RuntimeError(msg)

    def wait_ready_sync(self, timeout: float = 90.0) -> None:
        """Block until the AMQP listener accepts (the node opens it last, once booted)."""
        deadline = time.monotonic() + timeout
        while not self._accepts():
            self._check_alive()
            if time.monotonic() > deadline:
                msg = f"RabbitMQ node {self.name} not ready in {timeout}s:\n{self.log_tail()}"
                raise TimeoutError(msg)
            time.sleep(0.1)

    async def wait_ready(self, timeout: float = 90.0) -> None:
        """Wait (without blocking the loop) until the AMQP listener accepts."""
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(self._accepts):
            self._check_alive()
            if time.monotonic() > deadline:
                msg = f"RabbitMQ node {self.name} not ready in {timeout}s:\n{self.log_tail()}"
                raise TimeoutError(msg)
            await asyncio.sleep(0.1)

    def beam_pid(self) -> int:
        """The OS pid of the node's Erlang VM (``beam.smp``)."""
        pid_file = self.dir / "node.pid"
        deadline = time.monotonic() + 30
        while not pid_file.exists() or not pid_file.read_text().strip():
            self._check_alive()
            if time.monotonic() > deadline:
                msg = f"{self.name} wrote no pid file"
                raise TimeoutError(msg)
            time.sleep(0.05)
        return int(pid_file.read_text().strip())

    async def kill(self) -> None:
        """SIGKILL the node's VM (as a crash or the OOM killer would) and wait until it is gone."""
        pid = self.beam_pid()
        os.kill(pid, signal.SIGKILL)
        assert self._process is not None
        await asyncio.to_thread(self._process.wait, 30)

    async def restart(self, timeout: float = 90.0) -> None:
        """Start the node again on the same data directory and wait until it is ready."""
        self.spawn()
        await self.wait_ready(timeout)

    async def ensure_running(self) -> None:
        """Bring the node back if a test left it killed or its application stopped."""
        if self._process is None or self._process.poll() is not None:
            await self.restart()
        elif not await asyncio.to_thread(self._accepts):
            await self.start_app()

    def remove(self) -> None:
        """Kill the node's process group and delete its directory (idempotent)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
        # A VM that outlived its shell (it should not: same process group) goes too.
        pid_file = self.dir / "node.pid"
        if pid_file.exists():
            with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                pid = int(pid_file.read_text().strip())
                if _is_our_beam(pid, self.name):
                    os.kill(pid, signal.SIGKILL)
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        atexit.unregister(self.remove)

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the node's console output and log (for failure messages)."""
        parts = []
        for path in (self.dir / "log" / "console.log", self.log_file):
            with contextlib.suppress(OSError):
                parts.append("\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n---\n".join(parts)

    # rabbitmqctl -----------------------------------------------------------------------------
    async def ctl(self, *args: str, timeout: float = 60.0) -> str:
        """Run ``rabbitmqctl -n <node> <args>`` and return its output (raises on failure)."""
        proc = await asyncio.create_subprocess_exec(
            str(self.sbin / "rabbitmqctl"),
            "-n",
            self.name,
            *args,
            env=self.env(),
            cwd=self.dir,
            stdin=subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            msg = f"rabbitmqctl {' '.join(args)} failed ({proc.returncode}): {err.decode()}"
            raise RuntimeError(msg)
        return out.decode()

    async def stop_app(self) -> None:
        """``rabbitmqctl stop_app``: the broker stops, the VM stays (connections are dropped)."""
        await self.ctl("stop_app")

    async def start_app(self) -> None:
        """``rabbitmqctl start_app``, then wait until the listener accepts again."""
        await self.ctl("start_app")
        await self.wait_ready()

    async def close_all_connections(self, reason: str = "fault test") -> None:
        """``rabbitmqctl close_all_connections``: every client connection is closed."""
        await self.ctl("close_all_connections", reason)

    async def list_queues(self) -> dict[str, dict[str, int]]:
        """``rabbitmqctl list_queues name consumers messages``: per queue name."""
        out = await self.ctl(
            "list_queues", "name", "consumers", "messages", "--formatter", "json", "-q"
        )
        rows: list[dict[str, Any]] = json.loads(out or "[]")
        return {
            r["name"]: {"consumers": int(r["consumers"] or 0), "messages": int(r["messages"] or 0)}
            for r in rows
        }

    async def connection_count(self) -> int:
        """How many client connections the node has."""
        out = await self.ctl("list_connections", "name", "--formatter", "json", "-q")
        return len(json.loads(out or "[]"))

    async def set_policy(self, name: str, pattern: str, definition: dict[str, Any]) -> None:
        """``rabbitmqctl set_policy`` on queues (e.g. a length limit on a dead-letter queue)."""
        await self.ctl(
            "set_policy",
            "--apply-to",
            "queues",
            "--priority",
            "10",
            name,
            pattern,
            json.dumps(definition),
        )

    async def clear_policy(self, name: str) -> None:
        """``rabbitmqctl clear_policy``."""
        await self.ctl("clear_policy", name)


def _is_our_beam(pid: int, name: str) -> bool:
    """Whether ``pid`` is still this node's VM (its name is in its environment, not its
    command line), so a recycled pid is never killed."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return f"RABBITMQ_NODENAME={name}".encode() in environ


@pytest.fixture(scope="session")
def rabbit_node_session() -> Iterator[RabbitNode]:
    """The session's throwaway RabbitMQ node (removed at the end, also on failure)."""
    node = RabbitNode()
    try:
        node.start()
        yield node
    finally:
        node.remove()


@pytest.fixture
async def rabbit_node(rabbit_node_session: RabbitNode) -> RabbitNode:
    """The session's throwaway RabbitMQ node, running (started again if a previous test left it
    stopped or killed). Tests use unique namespaces so they never see each other's queues."""
    await rabbit_node_session.ensure_running()
    return rabbit_node_session
