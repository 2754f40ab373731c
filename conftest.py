"""Root conftest: the shared fixtures (real PostgreSQL / RabbitMQ, SQLite / memory) for every package."""

from typing import Any

import pytest

pytest_plugins = ["cap_shared.testing.fixtures"]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n`` (``--dist load``): modules sharing a module-scoped fixture on one worker each, the
    longest tests first (:mod:`cap_shared.testing.scheduling`); another ``--dist`` as asked."""
    if config.getvalue("dist") != "load":
        return None
    from cap_shared.testing.scheduling import GroupedLoad

    return GroupedLoad(config, log)
