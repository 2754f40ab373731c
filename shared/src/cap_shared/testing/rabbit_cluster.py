"""A throwaway RabbitMQ cluster on this machine, for the fault tests (``tests/faults``).

Three (or ``size``) RabbitMQ 3.10 nodes of the installed ``rabbitmq-server``, each with its own
node name (``cap-c1-<pid>@localhost`` ...), AMQP port, distribution port, mnesia and log
directories under one temporary directory, and one Erlang cookie; joined into one cluster
(``stop_app``, ``join_cluster``, ``start_app``). A node can be SIGKILLed and started again; the
leader and members of a quorum queue are read with ``rabbitmqctl list_queues``. Everything is
removed at the end, also when the test fails.

The machine's own node (``rabbit@localhost``, AMQP 5672, distribution 25672) is never touched:
every command names one of our nodes, and neither the machine's configuration
(``/etc/rabbitmq``) nor its cookie is read by our nodes or our CLI calls. The nodes register
with the machine's ``epmd`` (port 4369) like any Erlang node; that does not disturb it.

Usage::

    with RabbitCluster(size=3) as cluster:       # started and joined
        broker = RabbitBroker(cluster.broker_url(), ...)
        leader = cluster.queue_leader("ns.toy")  # "cap-c1-123@localhost"
        cluster.kill(cluster.node(leader))       # SIGKILL, as a crash
        cluster.start_node(cluster.node(leader)) # back, rejoins on its own

Self-contained on purpose (``rabbit_node`` runs a single node the same way).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cap_shared.testing.net import free_port

#: Where the Debian package keeps the real scripts (``/usr/sbin``'s wrappers ``su`` to the
#: ``rabbitmq`` user, whose environment and cookie are the machine node's).
RABBITMQ_BIN = Path(os.environ.get("CAP_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))

#: Name prefix of a cluster's temporary directory.
ROOT_PREFIX = "cap-rabbit-cluster-"
#: Bound on a node's boot (a loaded 2-core machine boots a node in 5-20 s).
BOOT_TIMEOUT_S = 90.0
#: Bound on one CLI call.
CTL_TIMEOUT_S = 60.0


class ClusterError(RuntimeError):
    """A node would not start, join, or answer."""


@dataclass
class ClusterNode:
    """One node of the cluster: its name, ports, directories and (while running) process."""

    index: int
    name: str
    amqp_port: int
    dist_port: int
    base: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The node's AMQP URL (``guest`` may connect from the loopback address)."""
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    @property
    def running(self) -> bool:
        """True while the node's OS process is alive (it may still be booting)."""
        return self.process is not None and self.process.poll() is None

    @property
    def log_file(self) -> Path:
        """The node's console output (boot errors land here)."""
        return self.base / "console.log"


class RabbitCluster:
    """Start, join, break and remove a cluster of throwaway RabbitMQ nodes."""

    def __init__(self, size: int = 3, *, prefix: str = "cap-c", root: Path | None = None) -> None:
        if size < 1:
            raise ValueError("a cluster has at least one node")
        self.size = size
        self._own_root = root is None
        if root is None:
            reap_abandoned()
        self.root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX)) if root is None else root
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "owner.pid").write_text(str(os.getpid()))
        self.home = self.root / "home"
        self.home.mkdir(exist_ok=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(16).upper())
        cookie.chmod(0o400)
        (self.root / "rabbitmq-env.conf").write_text("# ours: not /etc/rabbitmq's\n")
        (self.root / "enabled_plugins").write_text("[].\n")
        # The CLI's own Erlang distribution ports: a range of ours, not the default 35672-35682
        # every other rabbitmqctl of the machine shares.
        self._ctl_ports = _free_range(10)
        pid = os.getpid()
        self.nodes = [
            ClusterNode(
                index=i,
                name=f"{prefix}{i + 1}-{pid}@localhost",
                amqp_port=free_port(),
                dist_port=free_port(),
                base=self.root / f"n{i + 1}",
            )
            for i in range(size)
        ]
        for node in self.nodes:
            node.base.mkdir(exist_ok=True)
            (node.base / "rabbitmq.conf").write_text(
                f"listeners.tcp.1 = 127.0.0.1:{node.amqp_port}\n"
                "log.console = false\n"
                "log.file.level = info\n"
            )

    # context -------------------------------------------------------------------------------
    def __enter__(self) -> RabbitCluster:
        try:
            self.start()
        except BaseException:
            self.remove()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.remove()

    # addresses -----------------------------------------------------------------------------
    @property
    def urls(self) -> list[str]:
        """Every node's AMQP URL, in node order."""
        return [n.url for n in self.nodes]

    def broker_url(self, first: ClusterNode | None = None) -> str:
        """The platform's ``BROKER_URL`` for this cluster: every node, ``first`` first."""
        start = 0 if first is None else first.index
        order = self.nodes[start:] + self.nodes[:start]
        return ",".join(n.url for n in order)

    def node(self, name: str) -> ClusterNode:
        """The node called ``name`` (as ``rabbitmqctl`` prints it)."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def others(self, node: ClusterNode) -> list[ClusterNode]:
        """Every node but ``node``."""
        return [n for n in self.nodes if n is not node]

    # lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Start every node, wait for their boot, and join them to the first one."""
        with ThreadPoolExecutor(self.size) as pool:
            list(pool.map(self.start_node, self.nodes))
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl("stop_app", node=node)
            self.ctl("join_cluster", first.name, node=node)
            self.ctl("start_app", node=node)
        self.ctl("await_startup", node=first)
        running = set(self.running_nodes(first))
        expected = {n.name for n in self.nodes}
        if running != expected:
            raise ClusterError(
                f"cluster formed with {sorted(running)}, expected {sorted(expected)}"
            )

    def start_node(self, node: ClusterNode) -> None:
        """Start ``node`` (fresh, or again after a kill) and wait until it has booted."""
        if node.running:
            raise ClusterError(f"{node.name} is already running")
        with node.log_file.open("ab") as log:
            node.process = subprocess.Popen(
                [str(RABBITMQ_BIN / "rabbitmq-server")],
                env=self._node_env(node),
                cwd=node.base,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group: the kill takes the shell wrapper, beam and its helpers,
                # and a Ctrl-C of the test run does not reach it before our clean-up does.
                start_new_session=True,
            )
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while True:
            if not node.running:
                raise ClusterError(f"{node.name} exited during boot:\n{self._tail(node)}")
            try:
                self.ctl("await_startup", "--timeout", "15", node=node, timeout=30)
                return
            except ClusterError:
                if time.monotonic() > deadline:
                    raise ClusterError(
                        f"{node.name} did not boot in {BOOT_TIMEOUT_S}s:\n{self._tail(node)}"
                    ) from None
                time.sleep(0.5)

    def kill(self, node: ClusterNode) -> None:
        """SIGKILL the node's processes (as a crash or a power cut: no clean shutdown)."""
        process = node.process
        if process is None or process.poll() is not None:
            raise ClusterError(f"{node.name} is not running")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_node(self, node: ClusterNode) -> None:
        """Stop the node cleanly (``rabbitmqctl stop``), or kill it if it does not answer."""
        process = node.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ClusterError):
            self.ctl("stop", node=node, timeout=30)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill(node)

    def remove(self) -> None:
        """Kill every node still running and delete every file of the cluster."""
        for node in self.nodes:
            process = node.process
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    # inspection ----------------------------------------------------------------------------
    def ctl(
        self,
        *args: str,
        node: ClusterNode,
        tool: str = "rabbitmqctl",
        timeout: float = CTL_TIMEOUT_S,
    ) -> str:
        """Run a RabbitMQ CLI command against ``node``; its standard output (ClusterError if it
        fails or times out)."""
        command = [str(RABBITMQ_BIN / tool), "-n", node.name, *args]
        try:
            done = subprocess.run(
                command,
                env=self._ctl_env(node),
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ClusterError(f"{' '.join(command[1:])}: no answer in {timeout}s") from exc
        if done.returncode != 0:
            raise ClusterError(
                f"{' '.join(command[1:])} exited {done.returncode}: "
                f"{(done.stderr or done.stdout).strip()[-2000:]}"
            )
        return done.stdout

    def running_nodes(self, via: ClusterNode) -> list[str]:
        """The cluster's running nodes, as ``via`` sees them."""
        status = json.loads(self.ctl("cluster_status", "--formatter", "json", node=via))
        return [str(n) for n in status.get("running_nodes", [])]

    def queues(self, via: ClusterNode, *, prefix: str = "") -> dict[str, dict[str, Any]]:
        """Queues (name, type, leader, members, online replicas, consumers, messages) as ``via``
        sees them; only those whose name starts with ``prefix``."""
        out = self.ctl(
            "list_queues",
            "name",
            "type",
            "leader",
            "members",
            "online",
            "consumers",
            "messages",
            "--formatter",
            "json",
            "-q",
            node=via,
        )
        return {q["name"]: q for q in json.loads(out) if str(q["name"]).startswith(prefix)}

    def queue(self, name: str, via: ClusterNode) -> dict[str, Any]:
        """One queue's row of :meth:`queues`."""
        found = self.queues(via, prefix=name).get(name)
        if found is None:
            raise ClusterError(f"no queue {name!r} on {via.name}")
        return found

    def queue_leader(self, name: str, via: ClusterNode | None = None) -> str:
        """The node that leads the quorum queue ``name`` (its Raft leader)."""
        via = via or next(n for n in self.nodes if n.running)
        return str(self.queue(name, via)["leader"])

    def wait_for(
        self,
        name: str,
        via: ClusterNode,
        predicate: Any,
        *,
        timeout: float = 60.0,
        what: str = "the queue's state",
    ) -> dict[str, Any]:
        """Poll :meth:`queue` until ``predicate(row)`` holds; the row (ClusterError on timeout)."""
        deadline = time.monotonic() + timeout
        row: dict[str, Any] = {}
        while True:
            with contextlib.suppress(ClusterError):
                row = self.queue(name, via)
                if predicate(row):
                    return row
            if time.monotonic() > deadline:
                raise ClusterError(f"timed out after {timeout}s waiting for {what}: {row}")
            time.sleep(0.5)

    # environments --------------------------------------------------------------------------
    def _base_env(self) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(
            HOME=str(self.home),  # where both the nodes and the CLI read the cookie
            RABBITMQ_CONF_ENV_FILE=str(self.root / "rabbitmq-env.conf"),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(self.root / "enabled_plugins"),
        )
        return env

    def _node_env(self, node: ClusterNode) -> dict[str, str]:
        env = self._base_env()
        env.update(
            RABBITMQ_NODENAME=node.name,
            RABBITMQ_NODE_IP_ADDRESS="127.0.0.1",
            RABBITMQ_NODE_PORT=str(node.amqp_port),
            RABBITMQ_DIST_PORT=str(node.dist_port),
            RABBITMQ_CONFIG_FILE=str(node.base / "rabbitmq.conf"),
            RABBITMQ_ADVANCED_CONFIG_FILE=str(node.base / "advanced.config"),
            RABBITMQ_MNESIA_BASE=str(node.base / "mnesia"),
            RABBITMQ_LOG_BASE=str(node.base / "log"),
            RABBITMQ_PID_FILE=str(node.base / "node.pid"),
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )
        return env

    def _ctl_env(self, node: ClusterNode) -> dict[str, str]:
        env = self._base_env()
        env.update(
            RABBITMQ_NODENAME=node.name,
            RABBITMQ_CTL_DIST_PORT_MIN=str(self._ctl_ports[0]),
            RABBITMQ_CTL_DIST_PORT_MAX=str(self._ctl_ports[-1]),
        )
        return env

    @staticmethod
    def _tail(node: ClusterNode, lines: int = 40) -> str:
        texts: list[str] = []
        for path in [node.log_file, *sorted((node.base / "log").glob("*.log"))]:
            with contextlib.suppress(OSError):
                texts.append(
                    f"--- {path.name}\n" + "\n".join(path.read_text().splitlines()[-lines:])
                )
        return "\n".join(texts)


def reap_abandoned() -> None:
    """Kill the nodes of clusters whose test process died without removing them (a test run
    killed with SIGKILL), and delete their directories.

    Only processes whose command line names that cluster's own directory are killed, by the
    process ids the nodes wrote there.
    """
    for root in Path(tempfile.gettempdir()).glob(f"{ROOT_PREFIX}*"):
        try:
            owner = int((root / "owner.pid").read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        for pid_file in root.glob("n*/node.pid"):
            with contextlib.suppress(OSError, ValueError):
                pid = int(pid_file.read_text().strip())
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if str(root).encode() in cmdline:
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _free_range(count: int) -> Sequence[int]:
    """``count`` consecutive TCP ports of 127.0.0.1 nobody listens on (yet)."""
    import socket

    for _ in range(200):
        start = secrets.randbelow(20_000) + 40_000
        ports = range(start, start + count)
        try:
            with contextlib.ExitStack() as stack:
                for port in ports:
                    probe = stack.enter_context(socket.socket())
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return ports
    raise ClusterError("no free range of ports for the CLI")


@contextlib.contextmanager
def rabbit_cluster(size: int = 3) -> Iterator[RabbitCluster]:
    """A started cluster of ``size`` nodes, removed afterwards (also on failure)."""
    with RabbitCluster(size) as cluster:
        yield cluster
