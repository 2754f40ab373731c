"""A throwaway PostgreSQL 15 cluster for fault tests: own port, own data directory, removed after.

The machine's PostgreSQL (5432) is shared by every test worker and must never be stopped; a
test that stops, kills or restarts *its* database starts one of these instead. ``initdb`` runs
once per session (a template data directory); each cluster starts from a copy of it, so a new
cluster costs a copy and a start (well under a second).

The server runs as the ``postgres`` system user when the tests run as root (PostgreSQL refuses
to run as root), listens on 127.0.0.1 only, on a free port, with its Unix socket in its own data
directory, trust authentication, and small memory settings. ``fsync`` stays on: the faults are
process-level (``pg_ctl stop -m fast`` / ``-m immediate``, SIGKILL), and a commit acknowledged
before one of them must survive it exactly as it would in production.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from cap_shared.testing.net import free_port

#: Where Debian/Ubuntu install PostgreSQL 15's server programs (override for another layout).
BINDIR = Path(os.environ.get("CAP_TEST_PG_BINDIR", "/usr/lib/postgresql/15/bin"))
#: The system user the server runs as when the tests run as root.
SERVER_USER = "postgres"

_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "'16MB'",
    "max_connections": "40",
    "fsync": "on",
    "log_min_messages": "warning",
    "logging_collector": "off",
    "max_wal_size": "'64MB'",
    "dynamic_shared_memory_type": "posix",
}


def _as_server_user(args: list[str]) -> list[str]:
    """``args`` run as the server's user (only needed when we are root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *args]
    return args


def _run(args: list[str], *, timeout: float = 60.0) -> None:
    done = subprocess.run(
        _as_server_user(args), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        msg = f"{' '.join(args)} failed ({done.returncode}): {done.stdout}{done.stderr}"
        raise RuntimeError(msg)


def _owned_tmpdir(prefix: str) -> Path:
    """A new directory under the system tmp dir that the server's user owns."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    path.chmod(0o700)
    return path


class PgTemplate:
    """An ``initdb``-ed data directory that clusters are copied from (one per session)."""

    def __init__(self) -> None:
        self.root = _owned_tmpdir("cap-pg-template-")
        self.datadir = self.root / "data"
        started = time.monotonic()
        _run(
            [
                str(BINDIR / "initdb"),
                "-D",
                str(self.datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",  # the template itself needs no durability: clusters are copies
            ]
        )
        with (self.datadir / "postgresql.auto.conf").open("a") as conf:
            for key, value in _SETTINGS.items():
                conf.write(f"{key} = {value}\n")
        self.init_seconds = time.monotonic() - started

    def remove(self) -> None:
        """Delete the template."""
        shutil.rmtree(self.root, ignore_errors=True)


class PgCluster:
    """One throwaway cluster: start, stop (fast or immediate), start again on the same data."""

    def __init__(self, template: PgTemplate) -> None:
        self.root = _owned_tmpdir("cap-pg-")
        self.datadir = self.root / "data"
        self.logfile = self.root / "server.log"
        _run(["cp", "-a", str(template.datadir), str(self.datadir)])
        self.port = free_port()

    # addresses -------------------------------------------------------------------------------
    def url(self, database: str = "postgres", *, user: str = "postgres") -> str:
        """A ``postgresql://`` URL of ``database`` on this cluster (trust: no password)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    # lifecycle -------------------------------------------------------------------------------
    def start(self, *, timeout: float = 30.0) -> None:
        """Start the server (on the same data and port as before) and wait until it accepts."""
        options = f"-p {self.port} -c unix_socket_directories='{self.datadir}'"
        _run(
            [
                str(BINDIR / "pg_ctl"),
                "start",
                "-D",
                str(self.datadir),
                "-l",
                str(self.logfile),
                "-o",
                options,
                "-w",
                "-t",
                str(int(timeout)),
            ],
            timeout=timeout + 10,
        )

    def stop(self, mode: str = "fast", *, timeout: float = 30.0) -> None:
        """Stop the server: ``fast`` (disconnect clients, clean shutdown) or ``immediate``
        (no shutdown checkpoint: crash recovery at the next start)."""
        _run(
            [
                str(BINDIR / "pg_ctl"),
                "stop",
                "-D",
                str(self.datadir),
                "-m",
                mode,
                "-w",
                "-t",
                str(int(timeout)),
            ],
            timeout=timeout + 10,
        )

    @property
    def running(self) -> bool:
        """Whether the server's postmaster is up."""
        done = subprocess.run(
            _as_server_user([str(BINDIR / "pg_ctl"), "status", "-D", str(self.datadir)]),
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def remove(self) -> None:
        """Stop the server if it runs (immediately: its data is discarded) and delete it all."""
        with contextlib.suppress(Exception):
            if self.running:
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        """The server's log (for assertion messages)."""
        try:
            return self.logfile.read_text(errors="replace")
        except OSError:
            return ""


@contextlib.contextmanager
def pg_cluster(template: PgTemplate) -> Iterator[PgCluster]:
    """A started cluster from ``template``, removed when the block ends (also on failure)."""
    cluster = PgCluster(template)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
