"""Ports of 127.0.0.1 for the real servers tests and benchmarks start (SMTP sinks, webhook
receivers, the platform's own processes)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port of 127.0.0.1 nobody listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
