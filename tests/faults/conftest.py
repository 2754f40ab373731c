"""Real faults of real servers (``make test-faults``, run by ``.ci/run`` after ``make test``).

Every test here is marked ``faults`` and starts its own throwaway RabbitMQ node(s) or
PostgreSQL cluster (own ports, own data directories, removed afterwards), so stopping, killing
or restarting them never disturbs the machine's servers or the other tests.
"""

from __future__ import annotations

import pytest

# The throwaway RabbitMQ node (one per session; its tests use namespaces of their own).
from cap_shared.testing.rabbit_node import rabbit_node, rabbit_node_session  # noqa: F401


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this directory ``faults`` (so ``make test`` leaves them out)."""
    for item in items:
        if "/tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.faults)
