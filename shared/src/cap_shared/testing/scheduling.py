"""How ``pytest -n`` hands tests to its workers (``make test``): one test at a time, longest first,
except the modules whose tests share a module-scoped fixture, which go to one worker each.

pytest-xdist's ``load`` sends each test wherever, so a module-scoped fixture (the authorization
matrix's platform and world, the merged API description, rendered overlays) is built again on
every worker that gets one of its tests: up to four times, each time for seconds to a minute of
CPU. Its ``loadgroup`` would keep them together, but it marks a test's group by rewriting its
node id, which pytest 9 no longer allows. So: a scheduler of our own, xdist's ``loadscope`` with
scopes of one test, except the modules listed in :data:`GROUPED` (one scope per module, or per
parameter of its module-scoped fixture). Scopes are sent biggest first (the known long tests,
then the groups by size), so that none of them starts last and keeps the run waiting.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler.loadscope import LoadScopeScheduling  # type: ignore[import-untyped]

#: Modules whose tests share a module-scoped fixture -> whether the fixture is parametrized
#: (then each parameter is a group of its own: ``test_x[standalone-...]`` and ``[distributed]``).
GROUPED: dict[str, bool] = {
    "tests/security/test_authorization_matrix.py": True,
    "tests/integration/test_problem_catalogue.py": False,
    "tests/contract/test_contract.py": False,
    "tests/contract/test_clients.py": False,
    "tests/deploy/test_deploy_artefacts.py": False,
}
#: Tests that take minutes of a worker (a few seconds' worth of tests otherwise): sent first.
LONG = (
    "tests/security/test_fuzz.py::test_every_operation_as_every_role_passes_the_checks",
    "tests/integration/test_broker_outage.py::",
    "tests/integration/test_distributed_processes.py::",
    "tests/integration/test_console_processes.py::",
    "tests/integration/test_demo.py::",
)


def scope_of(nodeid: str) -> str:
    """The work unit a test belongs to: its module (and parameter) if grouped, else itself."""
    module, _, rest = nodeid.partition("::")
    if module not in GROUPED:
        return nodeid
    if GROUPED[module] and "[" in rest:
        parameter = rest.split("[", 1)[1].rstrip("]").split("-", 1)[0]
        return f"{module}::[{parameter}]"
    return module


def weight(scope: str, tests: int) -> int:
    """What to send first: the long tests, then the groups by size, then the rest in order."""
    if any(scope.startswith(prefix) for prefix in LONG):
        return 1_000_000
    return tests


class GroupedLoad(LoadScopeScheduling):  # type: ignore[misc]
    """``loadscope`` with :func:`scope_of` as scopes, the heaviest sent first."""

    _ordered = False

    def _split_scope(self, nodeid: str) -> str:
        return scope_of(nodeid)

    def _assign_work_unit(self, node: Any) -> None:
        if not self._ordered:  # once, when the first unit is sent: the queue is complete
            self._ordered = True
            units = sorted(self.workqueue.items(), key=lambda unit: -weight(unit[0], len(unit[1])))
            self.workqueue.clear()
            self.workqueue.update(units)
        super()._assign_work_unit(node)
