"""Load the demo network into a running platform through the gateway's public API only.

Everything goes through ``/v1`` as an administrator's script would: register the structures,
invite the demo people (who accept and sign in), register the certification body and its
auditor, run each structure's CAP diagnostic to its progress plan, import the recognitions the
structures already hold (the admin CSV import), submit and move a few applications, and start
the first structure's plan. Services learn from one another by events, so each step that
depends on another service polls until that service knows what it needs.

**Idempotent**: what exists is found and skipped — structures by SIRET, people by e-mail,
diagnostics, recognitions and applications by structure — and what a crashed run left half
done is carried on (a diagnostic resumes at its status, a pending invitation is withdrawn and
sent again).

The steps are the modules of :mod:`cap_standalone.demo.steps`, one per kind of thing loaded; they
share the run's state (:class:`~cap_standalone.demo.run.DemoRun`) and call the gateway through
:mod:`cap_standalone.demo.client`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from cap_standalone.demo import network
from cap_standalone.demo.client import Actor, Api, DemoError, poll
from cap_standalone.demo.network import PEOPLE, STRUCTURES
from cap_standalone.demo.run import Account, DemoRun, Reporter, Silent
from cap_standalone.demo.steps import (
    applications,
    diagnostics,
    people,
    plan,
    recognitions,
    settling,
)

DEV_ADMIN_EMAIL = "admin@coorace.example"
DEV_ADMIN_PASSWORD = "cap-admin-dev"


@dataclass
class DemoResult:
    """What the demo loaded and where to look at it."""

    base_url: str
    admin_email: str
    admin_password: str
    password: str
    accounts: list[Account]
    #: SIRET -> organisation id of every demo structure.
    organisations: dict[str, str]
    created: dict[str, int]
    #: Useful ids and numbers for the links of the summary.
    links: dict[str, str]
    #: Totals of the network view of the region (None while fewer than five are diagnosed).
    statistics: dict[str, Any] | None
    seconds: float
    #: What did not settle in time (the data is loaded; a page may lag behind).
    warnings: list[str] = field(default_factory=list)


class DemoLoader:
    """One run of the demo against one platform (see the module's docstring)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        structures: int = len(STRUCTURES),
        admin_email: str = DEV_ADMIN_EMAIL,
        admin_password: str = DEV_ADMIN_PASSWORD,
        password: str = network.DEFAULT_PASSWORD,
        timeout: float = 60.0,
        reporter: Reporter | None = None,
    ) -> None:
        if not 1 <= structures <= len(STRUCTURES):
            raise DemoError(f"the demo network has 1 to {len(STRUCTURES)} structures")
        if len(password) < 12:
            raise DemoError("the demo accounts' password needs 12 characters or more")
        self.demo = DemoRun(
            api=Api(client),
            structures=STRUCTURES[:structures],
            admin=Actor(admin_email, admin_password),
            password=password,
            timeout=timeout,
            reporter=reporter or Silent(),
        )

    async def run(self) -> DemoResult:
        """Load the demo network; what is already there is kept."""
        demo = self.demo
        started = time.monotonic()
        await self._ready()
        with_recognition = sum(1 for s in demo.structures if s.recognition)
        applying = sum(1 for s in demo.structures if s.application)
        # Structures, diagnostics, people, applications; body, import, plan, settling.
        demo.reporter.start(2 * len(demo.structures) + len(PEOPLE) + applying + 4)
        await demo.api.sign_in(demo.admin)
        # Dates of the demo (sessions, validity) are the platform's, which may run shifted.
        clock = await demo.api.json(demo.admin, "GET", "/v1/ops/labelling/clock")
        demo.today = date.fromisoformat(clock["today"])
        await people.organisations(demo)
        await people.accounts(demo)
        await people.certification_body(demo)
        criteria = await diagnostics.cap_criteria(demo)
        for index, structure in enumerate(demo.structures):
            await diagnostics.run_diagnostic(demo, index, structure, criteria)
            demo.reporter.step(f"CAP diagnostic: {structure.name}")
        if with_recognition:
            await recognitions.import_recognitions(demo)
        demo.reporter.step("Existing recognitions imported (CSV)")
        for index, structure in enumerate(demo.structures):
            if structure.application is not None:
                await applications.submit_application(demo, index, structure)
                demo.reporter.step(f"Application: {structure.name}")
        await plan.start_plan(demo)
        demo.reporter.step("The first structure's plan started")
        statistics = await settling.settled(demo)
        demo.reporter.step("Events propagated to every service")
        return DemoResult(
            base_url=str(demo.api.client.base_url).rstrip("/"),
            admin_email=demo.admin.email,
            admin_password=demo.admin.password,
            password=demo.password,
            accounts=demo.accounts,
            organisations={network.siret(i): org for i, org in demo.org_ids.items()},
            created=demo.created,
            links=demo.links,
            statistics=statistics,
            seconds=time.monotonic() - started,
            warnings=demo.warnings,
        )

    async def _ready(self) -> None:
        """The platform answers and is ready (it may still be starting)."""
        api = self.demo.api

        async def ready() -> bool | None:
            response = await api.call(None, "GET", "/readyz", expect=(200, 503))
            return True if response.status_code == 200 else None

        await poll("the platform to be ready (/readyz)", ready, timeout=self.demo.timeout)


async def load_demo(
    client: httpx.AsyncClient,
    *,
    structures: int = len(STRUCTURES),
    admin_email: str = DEV_ADMIN_EMAIL,
    admin_password: str = DEV_ADMIN_PASSWORD,
    password: str = network.DEFAULT_PASSWORD,
    timeout: float = 60.0,
    reporter: Reporter | None = None,
) -> DemoResult:
    """Load the demo network (the first ``structures`` of it) through ``client``, a client on
    the gateway; safe to run again."""
    loader = DemoLoader(
        client,
        structures=structures,
        admin_email=admin_email,
        admin_password=admin_password,
        password=password,
        timeout=timeout,
        reporter=reporter,
    )
    return await loader.run()
