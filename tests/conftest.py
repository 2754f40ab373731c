"""Cross-service fixtures: the whole platform in the standalone and the distributed topology."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from cap_standalone.testing import (
    Overrides,
    Topology,
    distributed_topology,
    processes_topology,
    standalone_topology,
)


@pytest.fixture
def topology_settings() -> Overrides:
    """Settings to change per part of the platform, e.g. ``{"notifications": {"mail_transport":
    "smtp"}}``; none by default. A test module overrides this fixture to change some."""
    return {}


@pytest.fixture
async def standalone(tmp_path: Path, topology_settings: Overrides) -> AsyncIterator[Topology]:
    """The standalone composition root, on files under the test's tmp_path."""
    async with standalone_topology(tmp_path, topology_settings) as topology:
        yield topology


@pytest.fixture
async def distributed(
    make_database: Callable[..., Any], topology_settings: Overrides
) -> AsyncIterator[Topology]:
    """Every service on its own PostgreSQL database and RabbitMQ connection."""
    async with distributed_topology(make_database, topology_settings) as topology:
        yield topology


@pytest.fixture
async def processes(tmp_path: Path, topology_settings: Overrides) -> AsyncIterator[Topology]:
    """Every role of every service its own OS process on real ports, as `make up` runs them."""
    async with processes_topology(tmp_path / "logs", topology_settings) as topology:
        yield topology


@pytest.fixture(params=["standalone", "distributed"])
def topology(request: pytest.FixtureRequest) -> Topology:
    """The test runs once per topology."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
