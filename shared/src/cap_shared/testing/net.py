"""Ports of 127.0.0.1 for the real servers tests and benchmarks start (SMTP sinks, webhook
receivers, the platform's own processes)."""

from __future__ import annotations

import random
import socket
from pathlib import Path

#: How many ports below the kernel's ephemeral range are handed out.
_SPAN = 10_000
_given: set[int] = set()
_pick = random.Random()  # seeded from the OS: workers and processes pick apart


def _ephemeral_low() -> int:
    """Where the kernel's ephemeral ports start (Linux: 32768 unless tuned)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (yet), never handed out twice by a process.

    Taken below the kernel's ephemeral range: a port the kernel chose (bind to port 0) is one
    an outgoing connection of another process (to PostgreSQL, RabbitMQ...) may take between
    this pick and the server's own bind, which a replicated platform of 32 processes hit.
    """
    high = _ephemeral_low() - 1
    low = max(1025, high - _SPAN)
    for _ in range(500):
        port = _pick.randint(low, high)
        if port in _given:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # listened on, or still in TIME_WAIT
        _given.add(port)
        return port
    with socket.socket() as probe:  # that whole span busy: let the kernel choose
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
