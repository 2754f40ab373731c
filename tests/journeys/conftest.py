"""The journeys run on the standalone platform and on the distributed one as `make up` runs it
(every role of every service its own OS process, PostgreSQL, RabbitMQ), replicated: two
gateways behind the front, two API, worker and relay processes per service."""

from __future__ import annotations

import pytest

from cap_standalone.testing import Topology


# On processes: 32 of them to start (two gateways, two of each role of each service), each
# importing its package, before the journey begins.
@pytest.fixture(
    params=[
        "standalone",
        pytest.param("processes", marks=[pytest.mark.timeout(900), pytest.mark.replicas]),
    ]
)
def topology(request: pytest.FixtureRequest) -> Topology:
    """The journey runs once per topology."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
