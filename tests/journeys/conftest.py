"""The journeys run on the standalone platform and on the distributed one as `make up` runs it
(every role of every service its own OS process, PostgreSQL, RabbitMQ)."""

from __future__ import annotations

import pytest

from cap_standalone.testing import Topology


@pytest.fixture(params=["standalone", "processes"])
def topology(request: pytest.FixtureRequest) -> Topology:
    """The journey runs once per topology."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
